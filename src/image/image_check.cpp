#include "image/image_check.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/consistency.h"

namespace ud::image {
namespace {

using model::Process;
using model::Ring;

void check_ring(const model::Snapshot &snap, const ContentsMap &contents, const Process &p,
                std::uint32_t ri, std::vector<std::string> &out) {
    const Ring &r = p.rings[ri];
    std::string where = fmt::format("pid {} {}", p.pid, ring_label(r));
    for (auto &flaw : model::ring_flaws(snap, r)) out.push_back(fmt::format("{}: {}", where, flaw.detail));
    for (std::uint32_t bi = 0; bi < r.buffers.size(); bi++) {
        const auto &b = r.buffers[bi];
        auto c = contents.find({p.pid, ri, bi});
        if (c != contents.end() && c->second.error.empty() && c->second.bytes != b.len)
            out.push_back(fmt::format("{}: buffer slot {}: contents end at byte {} of {} without saying why", where,
                                      b.slot, c->second.bytes, b.len));
    }
}

}  // namespace

std::vector<std::string> check_parts(const ImageInfo &info, const model::Snapshot &snap,
                                     const collect::BufferMemoryMap &memory, const ContentsMap &contents) {
    std::vector<std::string> out;
    const auto &pids = info.pids;
    for (auto &p : snap.processes) {
        if (std::find(pids.begin(), pids.end(), p.pid) == pids.end())
            out.push_back(fmt::format("pid {}: a process dump was not asked for", p.pid));
        for (std::uint32_t ri = 0; ri < p.rings.size(); ri++) check_ring(snap, contents, p, ri, out);
        for (auto &e : p.epolls)
            for (auto &flaw : model::epoll_flaws(snap, e))
                out.push_back(fmt::format("pid {} epoll fd {}: {}", p.pid, e.fd, flaw.detail));
    }
    std::vector<Obstacle> expected = find_obstacles(snap, memory);
    if (expected != info.obstacles)
        out.push_back(fmt::format("the image records {} obstacles, its contents give {}", info.obstacles.size(),
                                  expected.size()));
    if (!info.obstacles.empty() && !info.forced)
        out.push_back("obstacles recorded in an image not written with --force");
    return out;
}

std::vector<std::string> check_consistency(const Image &img) {
    return check_parts(img.info, img.snap, img.memory, img.contents);
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
