#include "collect/collector.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "collect/fail_point.h"
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

ReaderChoice choose_reader(const CollectOptions &opts) {
    ReaderChoice c;
    if (opts.force_procfs) {
        c.why = "BPF not used (--procfs or URINGDUMP_NO_BPF)";
        return c;
    }
    try {
        c.reader = std::make_unique<BpfReader>();
        c.kind = ReaderChoice::Kind::bpf;
    } catch (const BpfUnavailable &e) {
        // BPF cannot be used here (no BTF, no privileges, programs refused).
        c.kind = opts.require_bpf ? ReaderChoice::Kind::no_bpf : ReaderChoice::Kind::procfs;
        c.why = e.what();
    } catch (const std::exception &e) {
        // BPF loaded but did not work (calibration, an iterator): no
        // fallback hides that.
        c.kind = ReaderChoice::Kind::error;
        c.why = e.what();
    }
    return c;
}

Collector::Collector(CollectOptions opts) {
    ReaderChoice c = choose_reader(opts);
    switch (c.kind) {
    case ReaderChoice::Kind::bpf: bpf_ = std::move(c.reader); break;
    case ReaderChoice::Kind::procfs: fallback_reason_ = c.why; break;
    case ReaderChoice::Kind::no_bpf: throw BpfUnavailable(c.why);
    case ReaderChoice::Kind::error: throw std::runtime_error(c.why);
    }
}

namespace {

// URINGDUMP_TEST_FAIL=tear: what dump must refuse on its own (fail_point.h).
void tear_for_test(model::Snapshot &snap) {
    for (auto &p : snap.processes)
        for (auto &r : p.rings)
            for (auto &b : r.buffers)
                if (b.seg_count > 0) {
                    b.seg_count--;
                    return;
                }
}

}  // namespace

Collector::~Collector() = default;

model::Snapshot Collector::snapshot(const std::vector<int> &pids, bool summary) {
    model::Snapshot snap = bpf_ ? bpf_->collect(pids, summary) : collect_procfs(pids);
    if (!bpf_) {
        snap.partial.insert(snap.partial.begin(),
                            fallback_reason_ +
                                "; read from /proc/PID/fdinfo instead: no page frames, no rings without an fd, "
                                "no setup flags, no ring counts beyond fdinfo, fds of epoll targets and fixed files "
                                "known for sockets only");
    }
    drop_flawed(snap);
    if (fail_point_armed("tear")) tear_for_test(snap);
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
