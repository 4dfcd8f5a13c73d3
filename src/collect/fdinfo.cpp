#include "collect/fdinfo.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ud::collect {
namespace {

// Splits text into lines without copying.
template <typename F>
void for_each_line(std::string_view text, F f) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        f(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// "Key:\tvalue" -> value when the line starts with key.
bool field(std::string_view line, std::string_view key, std::string_view &value) {
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') return false;
    value = trim(line.substr(key.size() + 1));
    return true;
}

template <typename T>
T num(std::string_view s, int base = 10) {
    s = trim(s);
    if (base == 16 && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    T v{};
    std::from_chars(s.data(), s.data() + s.size(), v, base);
    return v;
}

// Value after "name:" inside an epoll line ("tfd:        5 events: ...").
std::string_view after(std::string_view line, std::string_view name) {
    auto p = line.find(name);
    if (p == std::string_view::npos) return {};
    auto rest = trim(line.substr(p + name.size()));
    auto end = rest.find_first_of(" \t");
    return rest.substr(0, end);
}

// seq_file_path() escapes " \t\n\\" as octal (\040, \011, \012, \134).
std::string unescape_octal(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); i++) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

FdinfoCommon parse_fdinfo_common(std::string_view text) {
    FdinfoCommon c;
    for_each_line(text, [&](std::string_view line) {
        std::string_view v;
        if (field(line, "pos", v))
            c.pos = num<std::uint64_t>(v);
        else if (field(line, "flags", v))
            c.flags = num<std::uint32_t>(v, 8);
        else if (field(line, "mnt_id", v))
            c.mnt_id = num<int>(v);
        else if (field(line, "ino", v))
            c.ino = num<std::uint64_t>(v);
    });
    return c;
}

FdinfoFormat fdinfo_format(int major, int minor, int patch) {
    auto at_least = [&](int ma, int mi) { return major > ma || (major == ma && minor >= mi); };
    FdinfoFormat f;
    // d871198ee431 is in 6.15 and was taken into 6.14.8 (CVE-2025-38002).
    f.all_or_nothing = at_least(6, 15) || (major == 6 && minor == 14 && patch >= 8);
    f.file_paths = at_least(6, 14);      // 561e3a0c40dc, 6.14-rc1
    f.personalities = !at_least(6, 16);  // "get rid of dumping credentials", 6.16-rc1
    // a0d45c3f596b is in 6.7 (and in some 6.6.y: 6.6 is taken as before it,
    // which only makes a -1 count as unknown).
    f.sq_thread_needs_sq_lock = !at_least(6, 7);
    return f;
}

FdinfoFormat running_fdinfo_format() {
    struct utsname u;
    int major = 0, minor = 0, patch = 0;
    if (::uname(&u) == 0) std::sscanf(u.release, "%d.%d.%d", &major, &minor, &patch);
    return fdinfo_format(major, minor, patch);
}

FdinfoRing parse_fdinfo_ring(std::string_view text, const FdinfoFormat &format) {
    FdinfoRing r;
    enum { none, files, bufs, personalities, poll, overflow, other } section = none;
    bool none_file_line = false, slash_in_name = false;
    for_each_line(text, [&](std::string_view line) {
        std::string_view v;
        if (field(line, "SqMask", v)) {
            r.present = true;
            r.sq_mask = num<std::uint32_t>(v, 16);
            section = other;
        } else if (field(line, "SqHead", v))
            r.sq_head = num<std::uint32_t>(v);
        else if (field(line, "SqTail", v))
            r.sq_tail = num<std::uint32_t>(v);
        else if (field(line, "CachedSqHead", v))
            r.cached_sq_head = num<std::uint32_t>(v);
        else if (field(line, "CqMask", v))
            r.cq_mask = num<std::uint32_t>(v, 16);
        else if (field(line, "CqHead", v))
            r.cq_head = num<std::uint32_t>(v);
        else if (field(line, "CqTail", v))
            r.cq_tail = num<std::uint32_t>(v);
        else if (field(line, "CachedCqTail", v))
            r.cached_cq_tail = num<std::uint32_t>(v);
        else if (field(line, "SqThread", v)) {
            r.sq_thread = num<int>(v);
            section = other;
        } else if (field(line, "SqThreadCpu", v))
            r.sq_thread_cpu = num<int>(v);
        else if (field(line, "UserFiles", v)) {
            r.user_files = num<std::uint32_t>(v);
            section = files;
        } else if (field(line, "UserBufs", v)) {
            r.user_bufs = num<std::uint32_t>(v);
            section = bufs;
        } else if (line == "Personalities:") {
            r.personalities = 0;
            section = personalities;
        } else if (line == "PollList:") {
            section = poll;
        } else if (line == "CqOverflowList:") {
            section = overflow;
        } else if (field(line, "NAPI", v)) {
            r.napi = v == "enabled";
            section = other;
        } else if (line.rfind("SQEs:", 0) == 0 || line.rfind("CQEs:", 0) == 0 || line.rfind("SqTotalTime:", 0) == 0 ||
                   line.rfind("SqWorkTime:", 0) == 0) {
            section = other;
        } else if (section == files || section == bufs) {
            // "%5u: <rest>"; from slot 10000 on the number fills the width.
            auto colon = line.find(':');
            if (colon == std::string_view::npos) return;
            auto slot_text = trim(line.substr(0, colon));
            if (slot_text.empty() || slot_text.find_first_not_of("0123456789") != std::string_view::npos) return;
            std::uint32_t slot = num<std::uint32_t>(slot_text);
            // Exactly one space follows the colon; a dentry name may be
            // empty (a pipe) or begin with spaces of its own.
            auto rest = line.substr(colon + 1);
            if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
            if (section == files) {
                r.file_lines++;
                if (rest == "<none>") {
                    none_file_line = true;
                    return;
                }
                if (rest.find('/') != std::string_view::npos) slash_in_name = true;
                r.files.push_back({slot, std::string(rest)});
            } else {
                r.buf_lines++;
                if (rest == "<none>") return;
                auto slash = rest.find('/');
                if (slash == std::string_view::npos) return;
                std::uint64_t addr = num<std::uint64_t>(rest.substr(0, slash), 16);
                std::uint64_t len = num<std::uint64_t>(rest.substr(slash + 1));
                if (addr == ~0ULL) return;  // the empty-slot dummy of 6.1 .. 6.12
                r.bufs.push_back({slot, addr, len});
            }
        } else if (section == personalities) {
            // "%5d" per personality, its credentials on tab-indented lines.
            auto id = trim(line);
            if (!id.empty() && line.front() != '\t' && id.find_first_not_of("0123456789") == std::string_view::npos)
                ++*r.personalities;
        } else if (section == poll && line.rfind("  op=", 0) == 0) {
            r.poll_entries++;
        } else if (section == overflow && line.rfind("  user_data=", 0) == 0) {
            r.overflow.emplace_back(trim(line));
        }
    });
    // "<none>" file lines exist only in the dentry-name format, and a dentry
    // name has no '/'; otherwise the version says.
    r.file_names_are_paths = none_file_line ? false : slash_in_name ? true : format.file_paths;
    if (r.file_names_are_paths)
        for (auto &f : r.files) f.name = unescape_octal(f.name);
    if (r.present) {
        if (format.all_or_nothing || r.file_lines || r.buf_lines || r.personalities)
            r.locked_part = true;
        else if (r.user_bufs.value_or(0) > 0)
            r.locked_part = false;  // every buffer slot has a line when the table is printed
        else if (r.user_files.value_or(0) > 0 && !r.file_names_are_paths)
            r.locked_part = false;  // so does every file slot, before 6.14
    }
    return r;
}

std::vector<FdinfoEpollItem> parse_fdinfo_epoll(std::string_view text) {
    std::vector<FdinfoEpollItem> items;
    for_each_line(text, [&](std::string_view line) {
        if (line.rfind("tfd:", 0) != 0) return;
        FdinfoEpollItem it;
        it.tfd = num<int>(after(line, "tfd:"));
        it.events = num<std::uint32_t>(after(line, "events:"), 16);
        it.data = num<std::uint64_t>(after(line, "data:"), 16);
        it.pos = num<std::uint64_t>(after(line, "pos:"));
        it.ino = num<std::uint64_t>(after(line, "ino:"), 16);
        it.sdev = num<std::uint32_t>(after(line, "sdev:"), 16);
        items.push_back(it);
    });
    return items;
}

std::optional<std::string> read_fdinfo(int pid, int fd) {
    std::string path = "/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd);
    int f = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f < 0) return std::nullopt;
    std::string out;
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(f, buf, sizeof(buf));
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    ::close(f);
    return out;
}

}  // namespace ud::collect
