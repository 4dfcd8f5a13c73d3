#include "collect/collector.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "collect/procfs.h"
#include "collect/validate.h"
#include "model/join.h"

namespace ud::collect {
namespace {

std::uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

// A path the BPF walk could only approximate is replaced by what
// /proc/PID/fd says, when the process has an fd for that file.
void fix_inexact_paths(model::Snapshot &snap) {
    for (auto &p : snap.processes) {
        for (auto &tf : p.task_fds) {
            auto it = snap.files.find(tf.file);
            if (it == snap.files.end() || !it->second.path_truncated) continue;
            if (auto link = fd_link(p.pid, tf.fd)) {
                it->second.path = *link;
                it->second.path_truncated = false;
            }
        }
    }
}

}  // namespace

bool env_forces_procfs() {
    const char *v = std::getenv("URINGDUMP_NO_BPF");
    return v && *v && std::strcmp(v, "0") != 0;
}

Collector::Collector(CollectOptions opts) {
    if (opts.force_procfs) {
        fallback_reason_ = "BPF not used (--procfs or URINGDUMP_NO_BPF)";
        return;
    }
    try {
        bpf_ = std::make_unique<BpfReader>();
    } catch (const BpfUnavailable &e) {
        if (opts.require_bpf) throw;
        fallback_reason_ = e.what();
    }
}

Collector::~Collector() = default;

model::Snapshot Collector::snapshot(const std::vector<int> &pids, bool summary) {
    model::Snapshot snap = bpf_ ? bpf_->collect(pids, summary) : collect_procfs(pids);
    if (!bpf_) {
        snap.partial.insert(snap.partial.begin(),
                            fallback_reason_ +
                                "; read from /proc/PID/fdinfo instead: no page frames, no rings without an fd, "
                                "no ring counts beyond fdinfo, fds of epoll targets and fixed files known for sockets only");
    }
    drop_flawed(snap);
    const int self = static_cast<int>(::getpid());
    std::vector<model::Process> kept;
    for (auto &p : snap.processes) {
        bool wanted = pids.empty() ? p.pid != self
                                   : std::find(pids.begin(), pids.end(), p.pid) != pids.end();
        if (!wanted || p.empty()) continue;
        model::join_fds(p);
        kept.push_back(std::move(p));
    }
    snap.processes = std::move(kept);
    if (bpf_) fix_inexact_paths(snap);
    snap.taken_ns = now_ns();
    return snap;
}

}  // namespace ud::collect
