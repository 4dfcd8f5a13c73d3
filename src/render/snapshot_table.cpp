#include "render/snapshot_table.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <unordered_map>

#include "model/describe.h"
#include "model/join.h"
#include "model/pfn_runs.h"
#include "records.h"
#include "render/name_text.h"

namespace ud::render {
namespace {

using namespace ud::model;

// The fds holding a file, "3,7", or "-" for none; appended in place, since
// the long epoll tables call it once per item.
void append_fds(fmt::memory_buffer &b, const Process &p, FdSpan span) {
    if (!span.count) {
        b.push_back('-');
        return;
    }
    for (const int *f = span_begin(p, span); f != span_end(p, span); ++f) {
        if (f != span_begin(p, span)) b.push_back(',');
        fmt::format_to(fmt::appender(b), FMT_COMPILE("{}"), *f);
    }
}

std::string fds_str(const Process &p, FdSpan span) {
    fmt::memory_buffer b;
    append_fds(b, p, span);
    return fmt::to_string(b);
}

std::string int_list(const std::vector<int> &v) {
    if (v.empty()) return "-";
    std::string s;
    for (int x : v) {
        if (!s.empty()) s += ',';
        s += std::to_string(x);
    }
    return s;
}

const std::string &path_of(const Snapshot &snap, FileId id, const std::string &fallback) {
    static const std::string unknown = "?";
    if (const FileInfo *f = snap.file(id); f && !f->path.empty()) return f->path;
    return fallback.empty() ? unknown : fallback;
}

constexpr std::size_t kWidth = 100;

// Column padding done by hand for the long epoll tables: fmt's own padding
// of strings measures their display width by decoding UTF-8, which was most
// of the time of a 200k-item table. These fields are ASCII.
void pad_to(fmt::memory_buffer &b, std::size_t size) {
    static constexpr char kSpaces[32] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
                                         ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
    while (b.size() < size) {
        std::size_t n = std::min(size - b.size(), sizeof(kSpaces));
        b.append(kSpaces, kSpaces + n);
    }
}

void append_padded(fmt::memory_buffer &b, const std::string &s, std::size_t width) {
    std::size_t start = b.size();
    b.append(s.data(), s.data() + s.size());
    pad_to(b, start + width);
}

// Appends head, then the items separated by ", ", continuing on lines
// indented to head's width so that no line exceeds kWidth.
void wrap_list(std::string &out, const std::string &head, const std::vector<std::string> &items) {
    std::string line = head;
    bool first = true;
    for (auto &item : items) {
        std::string piece = first ? item : ", " + item;
        if (!first && line.size() + piece.size() > kWidth) {
            out += line + ",\n";
            line = std::string(head.size(), ' ') + item;
        } else {
            line += piece;
        }
        first = false;
    }
    if (items.empty()) line += "-";
    out += line + "\n";
}

// The requests of a ring: one line each, chains in order (a request linked
// behind another follows it, marked "->").
void requests_table(std::string &out, const Snapshot &snap, const Process &p, const Ring &r) {
    auto it = std::back_inserter(out);
    auto unlisted = requests_unlisted(r);
    fmt::format_to(it, "    requests: {} listed, {}\n", r.requests.size(),
                   unlisted ? fmt::format("{} in flight on no list (block I/O, task work)", *unlisted)
                            : std::string("in flight on no list: unknown (this kernel counts per task only)"));
    if (r.requests.empty()) return;
    fmt::format_to(it, "    {:>20}  {:<14} {:<9} {:<10} {}\n", "USER_DATA", "OPCODE", "WAITING", "FD", "DETAIL");
    for (std::size_t i = 0; i < r.requests.size(); i++) {
        const Request &q = r.requests[i];
        // Behind the request above: waiting on no list of its own, or on
        // one (a linked timeout is on ltimeout_list too).
        bool linked = q.waiting == UD_WAIT_LINKED || (i > 0 && q.req && r.requests[i - 1].link == q.req);
        std::string fd = q.slot                       ? fmt::format("slot {}", *q.slot)
                         : !q.file                    ? std::string("-")
                         : q.fds_known && q.fds.count ? std::to_string(*span_begin(p, q.fds))
                                                      : std::string("?");
        std::string detail = request_detail(q);
        if (q.file) {
            static const std::string none;
            std::string path = name_text(path_of(snap, q.file, none));
            if (!path.empty()) detail = detail.empty() ? path : path + "  " + detail;
        }
        fmt::format_to(it, "    {:>20}  {}{:<12} {:<9} {:<10} {}\n", q.user_data, linked ? "->" : "  ",
                       opcode_name(q.opcode), request_wait_name(q.waiting), fd, detail);
    }
}

void ring_table(std::string &out, const Snapshot &snap, const Process &p, const Ring &r) {
    auto it = std::back_inserter(out);
    const RingState &s = r.state;
    fmt::format_to(it, "  io_uring fd {}", r.fd ? std::to_string(*r.fd) : std::string("none"));
    if (r.fds.size() > 1) fmt::format_to(it, " (fds {})", int_list(r.fds));
    for (auto &u : r.users) {
        if (u.reg_index >= 0)
            fmt::format_to(it, "  registered by tid {} as {}", u.tid, u.reg_index);
        else
            fmt::format_to(it, "  used by tid {}", u.tid);
    }
    out += '\n';
    if (!r.state_known) {
        out += "    state unknown: uring_lock held, fdinfo did not print the ring's tables\n";
        out += "    fixed files: unknown\n    registered buffers: unknown\n";
        return;
    }
    {
        fmt::format_to(it, "    flags {}  entries sq {} cq {}\n", setup_flags_str(s.flags), s.sq_entries, s.cq_entries);
        fmt::format_to(it, "    sq head {} tail {} cached {}  cq head {} tail {} cached {}  overflow {}{}\n",
                       s.sq_head, s.sq_tail, s.cached_sq_head, s.cq_head, s.cq_tail, s.cached_cq_tail,
                       s.cq_overflow, s.overflow_pending ? " (pending)" : "");
        auto opt = [](const std::optional<std::uint32_t> &v) { return v ? std::to_string(*v) : std::string("?"); };
        fmt::format_to(it, "    sqpoll {}  buf_groups {}{}  personalities {}  eventfd {}  iowq {}/{}\n",
                       s.sq_thread_pid >= 0 ? fmt::format("pid {} cpu {}", s.sq_thread_pid, s.sq_thread_cpu)
                       : s.sq_thread_known  ? std::string("-")
                                            : std::string("?"),
                       opt(s.buf_groups), s.counts_partial ? "+" : "", opt(s.personalities),
                       s.has_eventfd ? (*s.has_eventfd ? "yes" : "no") : "?", s.iowq_max[0], s.iowq_max[1]);
    }
    fmt::format_to(it, "    fixed files: {} used of {} slots\n", r.files.size(), s.nr_files);
    if (!r.files.empty()) {
        fmt::format_to(it, "    {:>7}  {:<10} {:<5} {:>10}  {}\n", "SLOT", "FDS", "TYPE", "INO", "PATH");
        for (auto &f : r.files) {
            const FileInfo *info = snap.file(f.file);
            std::uint64_t ino = f.ino ? f.ino : (info ? info->ino : 0);
            std::uint32_t mode = f.mode ? f.mode : (info ? info->mode : 0);
            // The procfs fallback may know neither inode nor type ("?",
            // never type anon, inode 0), and before 6.14 only the dentry's
            // name.
            bool known = f.inode_known;
            std::string name =
                f.name_is_dentry ? fmt::format("name \"{}\" (path unknown)", name_text(f.name)) : std::string();
            fmt::format_to(it, "    {:>7}  {:<10} {:<5} {:>10}  {}{}\n", f.slot, f.fds_known ? fds_str(p, f.fds) : "?",
                           known ? inode_type(mode) : "?", known ? std::to_string(ino) : "?",
                           f.name_is_dentry ? name : name_text(path_of(snap, f.file, f.name)),
                           !f.fds_known || f.fds.count ? "" : "  (no fd)");
        }
    }
    fmt::format_to(it, "    registered buffers: {} of {} slots\n", r.buffers.size(), s.nr_bufs);
    if (!r.buffers.empty()) {
        fmt::format_to(it, "    {:>7}  {:<18} {:>10} {:>5}  {}\n", "SLOT", "ADDR", "LEN", "BVECS", "FRAMES");
        for (auto &b : r.buffers) {
            std::string head = fmt::format("    {:>7}  {:<#18x} {:>10} {:>5}  ", b.slot, b.addr, b.len, b.nr_bvecs);
            wrap_list(out, head, frame_runs(snap, r, b));
        }
    }
    if (r.requests_read) requests_table(out, snap, p, r);
}

// Which fd numbers the process has open, for telling a closed tfd from a
// reused one without a scan per item.
std::vector<bool> open_fd_set(const Process &p) {
    std::vector<bool> open;
    for (auto &t : p.task_fds) {
        if (t.fd < 0) continue;
        if (static_cast<std::size_t>(t.fd) >= open.size()) open.resize(static_cast<std::size_t>(t.fd) + 1);
        open[static_cast<std::size_t>(t.fd)] = true;
    }
    return open;
}

void epoll_table(std::string &out, const Snapshot &snap, const Process &p, const Epoll &e) {
    auto it = std::back_inserter(out);
    fmt::format_to(it, "  epoll fd {}", e.fd);
    if (e.fds.size() > 1) fmt::format_to(it, " (fds {})", int_list(e.fds));
    fmt::format_to(it, "  items {}\n", e.items.size());
    if (e.items.empty()) return;
    fmt::format_to(it, "    {:>6}  {:<7} {:<18} {:<18} {:>7} {}\n", "TFD", "FDS", "EVENTS", "DATA", "INO", "PATH");
    // Sets can hold hundreds of thousands of items: rows are formatted with
    // compiled formats into one reused buffer, and the words of a mask are
    // made once per distinct mask.
    std::vector<bool> open = open_fd_set(p);
    std::unordered_map<std::uint32_t, std::string> masks;
    fmt::memory_buffer row;
    for (auto &item : e.items) {
        // An item keeps the fd number it was added under; when that fd no
        // longer holds its file, say what became of the number.
        const char *note = "";
        if (item.fds_known &&
            std::find(span_begin(p, item.fds), span_end(p, item.fds), item.tfd) == span_end(p, item.fds)) {
            bool reused = item.tfd >= 0 && static_cast<std::size_t>(item.tfd) < open.size() &&
                          open[static_cast<std::size_t>(item.tfd)];
            note = reused ? "  (tfd reused)" : "  (tfd closed)";
        }
        auto [m, fresh] = masks.try_emplace(item.events);
        if (fresh) m->second = epoll_events_str(item.events);
        row.clear();
        auto at = fmt::appender(row);
        fmt::format_to(at, FMT_COMPILE("    {:>6}  "), item.tfd);
        std::size_t start = row.size();
        if (item.fds_known)
            append_fds(row, p, item.fds);
        else
            row.push_back('?');
        pad_to(row, start + 8);
        append_padded(row, m->second, 19);
        fmt::format_to(at, FMT_COMPILE("{:<#18x} {:>7} "), item.data, item.ino);
        append_name_text(row, path_of(snap, item.file, {}));
        row.append(note, note + std::strlen(note));
        row.push_back('\n');
        out.append(row.data(), row.size());
    }
}

}  // namespace

std::vector<std::string> frame_runs(const Snapshot &snap, const Ring &r, const Buffer &b) {
    std::vector<std::string> out;
    if (!snap.pfn.ok || !b.seg_count) return out;
    const Segment *first = r.segments.data() + b.seg_begin;
    for (auto &run : pfn_runs(first, first + b.seg_count, snap.page_size)) {
        if (run.count == 1)
            out.push_back(fmt::format("pfn {:#x} (1)", run.first));
        else
            out.push_back(fmt::format("pfn {:#x}-{:#x} ({})", run.first, run.first + run.count - 1, run.count));
    }
    return out;
}

void process_table(std::string &out, const Snapshot &snap, const Process &p) {
    fmt::format_to(std::back_inserter(out), "pid {}  {}  rings {}  epolls {}\n", p.pid, name_text(p.comm),
                   p.rings.size(), p.epolls.size());
    for (auto &r : p.rings) ring_table(out, snap, p, r);
    for (auto &e : p.epolls) epoll_table(out, snap, p, e);
}

void snapshot_table(std::FILE *f, const Snapshot &snap) {
    std::string out;
    bool first = true;
    for (auto &p : snap.processes) {
        out.clear();
        if (!first) out += '\n';
        first = false;
        process_table(out, snap, p);
        std::fwrite(out.data(), 1, out.size(), f);
    }
    std::fflush(f);
}

}  // namespace ud::render
