#include "collect/validate.h"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "model/consistency.h"

namespace ud::collect {
namespace {

void drop_buffers(model::Ring &r, const std::set<std::size_t> &drop) {
    std::vector<model::Buffer> buffers;
    std::vector<model::Segment> segments;
    for (std::size_t i = 0; i < r.buffers.size(); i++) {
        if (drop.count(i)) continue;
        model::Buffer b = r.buffers[i];
        std::uint32_t begin = static_cast<std::uint32_t>(segments.size());
        for (std::uint32_t s = 0; s < b.seg_count && b.seg_begin + s < r.segments.size(); s++)
            segments.push_back(r.segments[b.seg_begin + s]);
        b.seg_begin = begin;
        b.seg_count = static_cast<std::uint32_t>(segments.size()) - begin;
        buffers.push_back(b);
    }
    r.buffers = std::move(buffers);
    r.segments = std::move(segments);
}

template <typename T>
void erase_indices(std::vector<T> &v, const std::set<std::size_t> &drop) {
    std::vector<T> kept;
    kept.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); i++)
        if (!drop.count(i)) kept.push_back(std::move(v[i]));
    v = std::move(kept);
}

void check_ring(model::Snapshot &snap, int pid, model::Ring &r) {
    // Dropping an entry out of order may leave the next one out of order
    // against the one before it: again until none is left.
    for (;;) {
        auto flaws = model::ring_flaws(snap, r);
        if (flaws.empty()) return;
        std::set<std::size_t> files, buffers;
        for (auto &f : flaws) {
            (f.buffer ? buffers : files).insert(f.index);
            snap.partial.push_back(
                fmt::format("{}: {} (the table changed while read); dropped", model::ring_where(pid, r), f.detail));
        }
        erase_indices(r.files, files);
        drop_buffers(r, buffers);
    }
}

void check_epoll(model::Snapshot &snap, int pid, model::Epoll &e) {
    std::set<std::size_t> drop;
    for (auto &f : model::epoll_flaws(snap, e)) {
        drop.insert(f.index);
        snap.partial.push_back(fmt::format("pid {} epoll fd {}: {}; dropped", pid, e.fd, f.detail));
    }
    // An item is keyed by its file and fd (fs/eventpoll.c ep_cmp_ffd): a key
    // listed twice is a walk that met an item again in a tree rebalanced
    // under it.
    if (snap.source == model::Source::bpf) {
        std::set<std::pair<model::FileId, int>> seen;
        for (std::size_t i = 0; i < e.items.size(); i++) {
            if (drop.count(i) || seen.insert({e.items[i].file, e.items[i].tfd}).second) continue;
            drop.insert(i);
            snap.partial.push_back(fmt::format(
                "pid {} epoll fd {}: item tfd {} listed twice (the tree changed while walked); dropped", pid, e.fd,
                e.items[i].tfd));
        }
    }
    erase_indices(e.items, drop);
}

}  // namespace

void drop_flawed(model::Snapshot &snap) {
    for (auto &p : snap.processes) {
        for (auto &r : p.rings) check_ring(snap, p.pid, r);
        for (auto &e : p.epolls) check_epoll(snap, p.pid, e);
    }
}

}  // namespace ud::collect
