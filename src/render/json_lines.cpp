#include "render/json_lines.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <iterator>

#include "model/describe.h"
#include "model/join.h"
#include "records.h"

namespace ud::render {

using namespace ud::model;

const std::string &JsonLines::path_fields(FileId id, const std::string &fallback) {
    // Cached per file; the text a reader printed in place of a file it
    // could not identify (the procfs fallback's slots, which share id 0)
    // belongs to its slot and is formatted each time.
    if (id == last_id_) return *last_path_;
    if (auto it = paths_.find(id); it != paths_.end()) {
        last_id_ = id;
        last_path_ = &it->second;
        return it->second;
    }
    const FileInfo *info = snap_.file(id);
    if (!info || info->path.empty()) {
        scratch_.clear();
        if (fallback.empty())
            scratch_ = "\"path\":null,";
        else
            append_name_members(scratch_, "path", fallback);
        if (info && info->path_truncated) scratch_ += "\"path_truncated\":true,";
        return scratch_;
    }
    std::string &out = paths_[id];
    out.clear();
    append_name_members(out, "path", info->path);
    if (info->path_truncated) out += "\"path_truncated\":true,";
    last_id_ = id;
    last_path_ = &out;
    return out;
}

void JsonLines::append(std::string_view s) { buf_.append(s.data(), s.data() + s.size()); }

namespace {

// Writing through a raw pointer into room reserved up front: no capacity
// check per piece, the cost that dominated when 200k items are written.
char *put(char *p, std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
}

template <typename T>
char *put_num(char *p, T v) {
    return fmt::format_to(p, FMT_COMPILE("{}"), v);
}

// Room for the fds of a span: "[", then up to 11 characters and a comma each.
std::size_t fds_room(FdSpan span) { return 2 + 12 * static_cast<std::size_t>(span.count); }

char *put_fds(char *p, const Process &p_, FdSpan span, bool known) {
    if (!known) return put(p, "null");
    *p++ = '[';
    for (const int *f = span_begin(p_, span); f != span_end(p_, span); ++f) {
        if (f != span_begin(p_, span)) *p++ = ',';
        p = put_num(p, *f);
    }
    *p++ = ']';
    return p;
}

}  // namespace

void JsonLines::fds(const Process &p, FdSpan span, bool known) {
    std::size_t at = buf_.size();
    buf_.resize(at + fds_room(span) + 4);
    buf_.resize(static_cast<std::size_t>(put_fds(buf_.data() + at, p, span, known) - buf_.data()));
}

std::string_view JsonLines::epoll_item(const Process &p, const EpollItem &it) {
    const std::string &path = path_fields(it.file, {});
    buf_.resize(192 + path.size() + fds_room(it.fds));
    char *q = buf_.data();
    q = put(q, "{\"tfd\":");
    q = put_num(q, it.tfd);
    q = put(q, ",\"fds\":");
    q = put_fds(q, p, it.fds, it.fds_known);
    if (it.fds_known) {
        bool current = std::find(span_begin(p, it.fds), span_end(p, it.fds), it.tfd) != span_end(p, it.fds);
        q = put(q, current ? ",\"tfd_current\":true,\"events\":" : ",\"tfd_current\":false,\"events\":");
    } else {
        q = put(q, ",\"tfd_current\":null,\"events\":");
    }
    q = put_num(q, it.events);
    q = put(q, ",\"data\":");
    q = put_num(q, it.data);
    *q++ = ',';
    q = put(q, path);
    q = put(q, "\"ino\":");
    const FileInfo *info = it.ino ? nullptr : snap_.file(it.file);
    q = put_num(q, it.ino ? it.ino : (info ? info->ino : 0));
    *q++ = '}';
    return {buf_.data(), static_cast<std::size_t>(q - buf_.data())};
}

std::string_view JsonLines::fixed_file(const Process &p, const FixedFile &f) {
    buf_.clear();
    auto out = fmt::appender(buf_);
    const FileInfo *info = snap_.file(f.file);
    fmt::format_to(out, FMT_COMPILE("{{\"slot\":{},\"fds\":"), f.slot);
    fds(p, f.fds, f.fds_known);
    if (f.fds_known)
        append(f.fds.count ? ",\"descriptorless\":false," : ",\"descriptorless\":true,");
    else
        append(",\"descriptorless\":null,");
    if (f.name_is_dentry) {
        // fdinfo before 6.14: the dentry's own name, not a path.
        append("\"path\":null,\"name\":");
        append(json_quote(f.name));
        buf_.push_back(',');
    } else {
        append(path_fields(f.file, f.name));
    }
    if (!f.inode_known) {
        // The procfs fallback knows no inode for it: unknown, not 0/anon.
        append("\"ino\":null,\"type\":null}");
        return {buf_.data(), buf_.size()};
    }
    std::uint64_t ino = f.ino ? f.ino : (info ? info->ino : 0);
    std::uint32_t dev = f.dev ? f.dev : (info ? info->dev : 0);
    std::uint32_t mode = f.mode ? f.mode : (info ? info->mode : 0);
    fmt::format_to(out, FMT_COMPILE("\"ino\":{}"), ino);
    if (dev) fmt::format_to(out, FMT_COMPILE(",\"dev\":\"{}:{}\""), dev >> 20, dev & 0xfffff);
    if (mode || info) fmt::format_to(out, FMT_COMPILE(",\"type\":\"{}\""), inode_type(mode));
    buf_.push_back('}');
    return {buf_.data(), buf_.size()};
}

std::string_view JsonLines::request(const Process &p, const Request &q, long next, long guards) {
    buf_.clear();
    auto out = fmt::appender(buf_);
    fmt::format_to(out, FMT_COMPILE("{{\"opcode\":\"{}\",\"user_data\":{},\"waiting\":\"{}\",\"fd\":"),
                   opcode_name(q.opcode), q.user_data, request_wait_name(q.waiting));
    if (q.fds_known && q.fds.count)
        fmt::format_to(out, FMT_COMPILE("{}"), *span_begin(p, q.fds));
    else
        append("null");
    append(",\"slot\":");
    if (q.slot)
        fmt::format_to(out, FMT_COMPILE("{}"), *q.slot);
    else
        append("null");
    append(",\"fds\":");
    fds(p, q.fds, q.fds_known);
    buf_.push_back(',');
    if (q.file)
        append(path_fields(q.file, {}));
    else
        append("\"path\":null,");
    append("\"flags\":[");
    bool first = true;
    for (const char *f : request_flag_names(q.flags)) {
        fmt::format_to(out, FMT_COMPILE("{}\"{}\""), first ? "" : ",", f);
        first = false;
    }
    buf_.push_back(']');
    if (q.waiting == UD_WAIT_POLL)
        fmt::format_to(
            out, FMT_COMPILE(",\"poll\":{{\"events\":{},\"events_str\":\"{}\",\"multishot\":{},\"poll_add\":{}}}"),
            q.poll_events, epoll_events_str(q.poll_events), q.multishot, q.poll_add);
    if (q.opcode == 11 || q.opcode == 15) {  // IORING_OP_TIMEOUT, IORING_OP_LINK_TIMEOUT
        append(",\"timeout\":{\"left_ns\":");
        if (q.timeout_left_ns)
            fmt::format_to(out, FMT_COMPILE("{},\"clock\":\"{}\""), *q.timeout_left_ns, clock_name(q.clock));
        else
            append("null");
        if (q.opcode == 11) fmt::format_to(out, FMT_COMPILE(",\"count\":{}"), q.count);
        if (q.opcode == 15) {
            append(",\"guards\":");
            if (guards >= 0)
                fmt::format_to(out, FMT_COMPILE("{}"), guards);
            else
                append("null");
        }
        buf_.push_back('}');
    }
    if (q.waiting == UD_WAIT_IOWQ) {
        fmt::format_to(out, FMT_COMPILE(",\"io_wq\":{{\"state\":\"{}\",\"worker\":\"{}\",\"hashed\":{},\"worker_tid\":"),
                       q.iowq_running ? "running" : "queued", q.iowq_unbound ? "unbound" : "bound", q.iowq_hashed);
        if (q.iowq_running)
            fmt::format_to(out, FMT_COMPILE("{}}}"), q.worker_tid);
        else
            append("null}");
    }
    if (q.waiting == UD_WAIT_OVERFLOW) fmt::format_to(out, FMT_COMPILE(",\"res\":{}"), q.res);
    append(",\"next\":");
    if (next >= 0)
        fmt::format_to(out, FMT_COMPILE("{}"), next);
    else
        append(q.link ? "\"unlisted\"" : "null");
    buf_.push_back('}');
    return {buf_.data(), buf_.size()};
}

std::string_view JsonLines::segment(const Segment &s) {
    buf_.clear();
    auto out = fmt::appender(buf_);
    if (snap_.pfn.ok)
        fmt::format_to(out, FMT_COMPILE("{{\"pfn\":{},\"offset\":{},\"len\":{}}}"), s.pfn, s.offset, s.len);
    else
        fmt::format_to(out, FMT_COMPILE("{{\"pfn\":null,\"offset\":{},\"len\":{}}}"), s.offset, s.len);
    return {buf_.data(), buf_.size()};
}

}  // namespace ud::render
