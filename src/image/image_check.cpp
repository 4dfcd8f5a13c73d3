#include "image/image_check.h"

#include <fmt/format.h>

#include <algorithm>

namespace ud::image {
namespace {

using model::Process;
using model::Ring;

// Entry i of a table (fixed files, buffers) comes after entry i - 1 and
// within the table's size.
template <typename Entries>
void check_slot(const Ring &r, const Entries &entries, std::size_t i, std::uint32_t table, const char *what,
                const std::string &where, std::vector<std::string> &out) {
    std::uint32_t slot = entries[i].slot;
    if (i && slot <= entries[i - 1].slot) out.push_back(fmt::format("{}: {} slot {} out of order", where, what, slot));
    if (r.state_known && slot >= table)
        out.push_back(fmt::format("{}: {} slot {} beyond the table of {}", where, what, slot, table));
}

void check_ring(const Image &img, const Process &p, std::uint32_t ri, std::vector<std::string> &out) {
    const Ring &r = p.rings[ri];
    std::string where = fmt::format("pid {} {}", p.pid, ring_label(r));
    for (std::size_t i = 0; i < r.files.size(); i++) {
        const auto &f = r.files[i];
        check_slot(r, r.files, i, r.state.nr_files, "fixed-file", where, out);
        if (f.file && !img.snap.files.count(f.file))
            out.push_back(fmt::format("{}: fixed-file slot {} names no file of the image", where, f.slot));
    }
    for (std::uint32_t bi = 0; bi < r.buffers.size(); bi++) {
        const auto &b = r.buffers[bi];
        check_slot(r, r.buffers, bi, r.state.nr_bufs, "buffer", where, out);
        std::uint64_t seg_bytes = 0;
        for (std::uint32_t i = 0; i < b.seg_count; i++) seg_bytes += r.segments[b.seg_begin + i].len;
        if (b.seg_count && seg_bytes != b.len)
            out.push_back(fmt::format("{}: buffer slot {}: segments hold {} bytes of {}", where, b.slot, seg_bytes, b.len));
        auto c = img.contents.find({p.pid, ri, bi});
        if (c != img.contents.end() && c->second.error.empty() && c->second.bytes != b.len)
            out.push_back(fmt::format("{}: buffer slot {}: contents end at byte {} of {} without saying why", where,
                                      b.slot, c->second.bytes, b.len));
    }
}

}  // namespace

std::vector<std::string> check_consistency(const Image &img) {
    std::vector<std::string> out;
    const auto &pids = img.info.pids;
    for (auto &p : img.snap.processes) {
        if (std::find(pids.begin(), pids.end(), p.pid) == pids.end())
            out.push_back(fmt::format("pid {}: a process dump was not asked for", p.pid));
        for (std::uint32_t ri = 0; ri < p.rings.size(); ri++) check_ring(img, p, ri, out);
        for (auto &e : p.epolls)
            for (auto &item : e.items)
                if (item.file && !img.snap.files.count(item.file))
                    out.push_back(fmt::format("pid {} epoll fd {}: item tfd {} names no file of the image", p.pid, e.fd,
                                              item.tfd));
    }
    std::vector<Obstacle> expected = find_obstacles(img.snap, img.memory);
    if (expected != img.info.obstacles)
        out.push_back(fmt::format("the image records {} obstacles, its contents give {}", img.info.obstacles.size(),
                                  expected.size()));
    if (!img.info.obstacles.empty() && !img.info.forced)
        out.push_back("obstacles recorded in an image not written with --force");
    return out;
}

std::vector<ProcessPlan> restore_plan(const Image &img) {
    std::vector<ProcessPlan> plan;
    for (auto &p : img.snap.processes) {
        ProcessPlan pp{p.pid, p.comm, {}, {}};
        for (std::uint32_t ri = 0; ri < p.rings.size(); ri++) {
            const Ring &r = p.rings[ri];
            RingPlan rp;
            rp.label = ring_label(r);
            rp.flags = r.state.flags;
            rp.sq_entries = r.state.sq_entries;
            rp.cq_entries = r.state.cq_entries;
            rp.sq_tail = r.state.sq_tail;
            rp.cq_tail = r.state.cq_tail;
            rp.files = r.files.size();
            rp.file_slots = r.state.nr_files;
            rp.files_without_fd = static_cast<std::size_t>(std::count_if(
                r.files.begin(), r.files.end(), [](const model::FixedFile &f) { return f.fds_known && !f.fds.count; }));
            rp.buffers = r.buffers.size();
            for (std::uint32_t bi = 0; bi < r.buffers.size(); bi++) {
                rp.buffer_bytes += r.buffers[bi].len;
                auto c = img.contents.find({p.pid, ri, bi});
                if (c != img.contents.end() && !c->second.error.empty()) rp.buffers_without_contents++;
            }
            pp.rings.push_back(std::move(rp));
        }
        for (auto &e : p.epolls) pp.epolls.push_back({e.fd, e.items.size()});
        plan.push_back(std::move(pp));
    }
    return plan;
}

}  // namespace ud::image
