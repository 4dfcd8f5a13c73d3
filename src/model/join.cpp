#include "model/join.h"

#include <unordered_map>

namespace ud::model {

void join_fds(Process &p) {
    // Pass 1: how many fds hold each file. Pass 2: lay the fds out in
    // fd_pool grouped by file, in fd order within a group.
    std::unordered_map<FileId, FdSpan> by_file;
    by_file.reserve(p.task_fds.size());
    for (const auto &tf : p.task_fds) by_file[tf.file].count++;
    std::uint32_t next = 0;
    for (auto &[file, span] : by_file) {
        span.begin = next;
        next += span.count;
        span.count = 0;
    }
    p.fd_pool.assign(next, -1);
    for (const auto &tf : p.task_fds) {
        FdSpan &span = by_file[tf.file];
        p.fd_pool[span.begin + span.count++] = tf.fd;
    }

    auto lookup = [&](FileId id) -> FdSpan {
        if (!id) return {};
        auto it = by_file.find(id);
        return it == by_file.end() ? FdSpan{} : it->second;
    };
    auto fds_of = [&](FileId id) {
        FdSpan s = lookup(id);
        return std::vector<int>(span_begin(p, s), span_end(p, s));
    };
    for (auto &ring : p.rings) {
        if (ring.file) ring.fds = fds_of(ring.file);
        for (auto &f : ring.files) f.fds = lookup(f.file);
        for (auto &q : ring.requests) q.fds = lookup(q.file);
    }
    for (auto &ep : p.epolls) {
        if (ep.file) ep.fds = fds_of(ep.file);
        for (auto &item : ep.items) item.fds = lookup(item.file);
    }
}

}  // namespace ud::model
