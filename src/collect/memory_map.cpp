#include "collect/memory_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace ud::collect {
namespace {

std::string_view next_token(std::string_view &s) {
    std::size_t b = s.find_first_not_of(' ');
    if (b == std::string_view::npos) {
        s = {};
        return {};
    }
    s.remove_prefix(b);
    std::size_t e = std::min(s.find(' '), s.size());
    std::string_view tok = s.substr(0, e);
    s.remove_prefix(e);
    return tok;
}

std::uint64_t hex(std::string_view s) {
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v, 16);
    return v;
}

bool is_header(std::string_view line) {
    return !line.empty() && ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f'));
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

MemoryKind kind_of(const Mapping &m) {
    if (m.has_flag("ht")) return MemoryKind::hugetlb;
    if (m.has_flag("io") || m.has_flag("pf")) return MemoryKind::special;
    const std::string &p = m.path;
    if (p.empty() || p == "[heap]" || p == "[stack]" || p.rfind("[anon:", 0) == 0)
        return m.shared ? MemoryKind::shared_anon : MemoryKind::anon;
    if (p[0] == '[') return MemoryKind::special;
    if (p.rfind("/memfd:", 0) == 0) return MemoryKind::memfd;
    // Shared anonymous memory is a deleted file of the kernel's own.
    if (p == "/dev/zero (deleted)" || p.rfind("/SYSV", 0) == 0 || p.rfind("[anon_shmem:", 0) == 0)
        return MemoryKind::shared_anon;
    if (ends_with(p, " (deleted)")) return MemoryKind::deleted_file;
    if (p.rfind("/dev/", 0) == 0) return MemoryKind::special;
    return MemoryKind::file;
}

}  // namespace

bool Mapping::has_flag(std::string_view f) const {
    return std::find(vm_flags.begin(), vm_flags.end(), f) != vm_flags.end();
}

std::vector<Mapping> parse_smaps(std::string_view text) {
    std::vector<Mapping> out;
    while (!text.empty()) {
        std::size_t nl = std::min(text.find('\n'), text.size());
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(std::min(nl + 1, text.size()));
        if (is_header(line)) {
            Mapping m;
            std::string_view rest = line;
            std::string_view range = next_token(rest), perms = next_token(rest);
            next_token(rest);  // offset
            next_token(rest);  // device
            std::string_view inode = next_token(rest);
            std::size_t dash = range.find('-');
            if (dash == std::string_view::npos) continue;
            m.start = hex(range.substr(0, dash));
            m.end = hex(range.substr(dash + 1));
            m.shared = perms.size() >= 4 && perms[3] == 's';
            std::from_chars(inode.data(), inode.data() + inode.size(), m.inode);
            std::size_t b = rest.find_first_not_of(' ');
            if (b != std::string_view::npos) m.path = std::string(rest.substr(b));
            out.push_back(std::move(m));
        } else if (line.rfind("VmFlags:", 0) == 0 && !out.empty()) {
            std::string_view rest = line.substr(8);
            for (auto tok = next_token(rest); !tok.empty(); tok = next_token(rest))
                out.back().vm_flags.emplace_back(tok);
        }
    }
    return out;
}

std::vector<Mapping> read_mappings(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/smaps");
    if (!f) return {};
    std::ostringstream ss;
    ss << f.rdbuf();
    return parse_smaps(ss.str());
}

std::string_view memory_kind_name(MemoryKind k) {
    switch (k) {
    case MemoryKind::unknown: return "unknown";
    case MemoryKind::anon: return "anonymous";
    case MemoryKind::file: return "file";
    case MemoryKind::shared_anon: return "shared anonymous";
    case MemoryKind::memfd: return "memfd";
    case MemoryKind::deleted_file: return "deleted file";
    case MemoryKind::hugetlb: return "hugetlb";
    case MemoryKind::special: return "special";
    case MemoryKind::unmapped: return "not mapped";
    case MemoryKind::kernel: return "kernel";
    }
    return "unknown";
}

bool memory_kind_plain(MemoryKind k) { return k == MemoryKind::anon || k == MemoryKind::file; }

BufferMemory classify_range(const std::vector<Mapping> &maps, std::uint64_t addr, std::uint64_t len) {
    if (maps.empty()) return {MemoryKind::unknown, {}};
    std::uint64_t end = addr + len, at = addr;
    std::optional<BufferMemory> first;
    auto it = std::upper_bound(maps.begin(), maps.end(), addr,
                               [](std::uint64_t a, const Mapping &m) { return a < m.end; });
    while (at < end) {
        if (it == maps.end() || it->start > at) {
            std::uint64_t gap_end = it == maps.end() ? end : std::min(end, it->start);
            return {MemoryKind::unmapped, fmt::format("{:#x}-{:#x}", at, gap_end)};
        }
        BufferMemory piece{kind_of(*it), it->path};
        if (!memory_kind_plain(piece.kind)) return piece;
        if (!first) first = piece;
        at = it->end;
        ++it;
    }
    return first.value_or(BufferMemory{MemoryKind::unmapped, {}});
}

BufferMemoryMap classify_buffers(const model::Snapshot &snap) {
    BufferMemoryMap out;
    for (const auto &p : snap.processes) {
        bool any = std::any_of(p.rings.begin(), p.rings.end(), [](const model::Ring &r) { return !r.buffers.empty(); });
        if (!any) continue;
        std::vector<Mapping> maps = read_mappings(p.pid);
        for (std::uint32_t ri = 0; ri < p.rings.size(); ri++) {
            const auto &bufs = p.rings[ri].buffers;
            for (std::uint32_t bi = 0; bi < bufs.size(); bi++) {
                const model::Buffer &b = bufs[bi];
                out[{p.pid, ri, bi}] = b.kernel ? BufferMemory{MemoryKind::kernel, {}}
                                                : classify_range(maps, b.addr, b.len);
            }
        }
    }
    return out;
}

}  // namespace ud::collect
