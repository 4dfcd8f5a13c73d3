#include "model/consistency.h"

#include <fmt/format.h>

namespace ud::model {
namespace {

// Entry i of a table (fixed files, buffers) comes after entry i - 1 and
// within the table's size.
template <typename Entries>
void check_slot(const Ring &r, const Entries &entries, std::size_t i, std::uint32_t table, const char *what,
                bool buffer, std::vector<RingFlaw> &out) {
    std::uint32_t slot = entries[i].slot;
    if (i && slot <= entries[i - 1].slot) out.push_back({buffer, i, fmt::format("{} slot {} out of order", what, slot)});
    if (r.state_known && slot >= table)
        out.push_back({buffer, i, fmt::format("{} slot {} beyond the table of {}", what, slot, table)});
}

}  // namespace

std::string ring_where(int pid, const Ring &r) {
    return r.fd ? fmt::format("pid {} io_uring fd {}", pid, *r.fd) : fmt::format("pid {} io_uring (no fd)", pid);
}

std::vector<RingFlaw> ring_flaws(const Snapshot &snap, const Ring &r) {
    std::vector<RingFlaw> out;
    const bool all_bvecs = snap.source == Source::bpf && !snap.summary;
    for (std::size_t i = 0; i < r.files.size(); i++) {
        const auto &f = r.files[i];
        check_slot(r, r.files, i, r.state.nr_files, "fixed-file", false, out);
        if (f.file && !snap.files.count(f.file))
            out.push_back({false, i, fmt::format("fixed-file slot {} names no file of the snapshot", f.slot)});
    }
    for (std::size_t bi = 0; bi < r.buffers.size(); bi++) {
        const auto &b = r.buffers[bi];
        check_slot(r, r.buffers, bi, r.state.nr_bufs, "buffer", true, out);
        if (static_cast<std::size_t>(b.seg_begin) + b.seg_count > r.segments.size()) {
            out.push_back({true, bi, fmt::format("buffer slot {}: segments beyond the ring's", b.slot)});
            continue;
        }
        std::uint64_t seg_bytes = 0;
        for (std::uint32_t i = 0; i < b.seg_count; i++) seg_bytes += r.segments[b.seg_begin + i].len;
        if ((b.seg_count || (all_bvecs && b.nr_bvecs)) && seg_bytes != b.len)
            out.push_back({true, bi, fmt::format("buffer slot {}: segments hold {} bytes of {}", b.slot, seg_bytes, b.len)});
        else if (all_bvecs && b.seg_count != b.nr_bvecs)
            out.push_back({true, bi, fmt::format("buffer slot {}: {} segments of {} bio_vecs", b.slot, b.seg_count,
                                                 b.nr_bvecs)});
    }
    return out;
}

std::vector<ItemFlaw> epoll_flaws(const Snapshot &snap, const Epoll &e) {
    std::vector<ItemFlaw> out;
    for (std::size_t i = 0; i < e.items.size(); i++)
        if (e.items[i].file && !snap.files.count(e.items[i].file))
            out.push_back({i, fmt::format("item tfd {} names no file of the snapshot", e.items[i].tfd)});
    return out;
}

}  // namespace ud::model
