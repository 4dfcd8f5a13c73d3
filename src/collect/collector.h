// The one way every front end gets a snapshot: the BPF reader when it can be
// used, the procfs reader otherwise (or when asked), then the join and the
// choice of processes. show, top and dump differ only in what they do with
// the result.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "collect/bpf_reader.h"
#include "model/snapshot.h"

namespace ud::collect {

struct CollectOptions {
    bool force_procfs = false;  // --procfs or URINGDUMP_NO_BPF=1
    bool require_bpf = false;   // --require-bpf: no fallback
};

class Collector {
public:
    // Loads BPF unless told not to. Throws BpfUnavailable only with
    // require_bpf; otherwise remembers why it falls back.
    explicit Collector(CollectOptions opts);
    ~Collector();

    // pids empty: every process holding an io_uring or epoll fd (except
    // this one); otherwise exactly those that exist and hold one.
    // summary: fixed files and epoll items counted rather than listed, no
    // buffer segments (with BPF; the /proc fallback reads all it can).
    model::Snapshot snapshot(const std::vector<int> &pids, bool summary = false);

    bool using_bpf() const { return bpf_ != nullptr; }
    // Why the procfs reader is used ("" when BPF is).
    const std::string &fallback_reason() const { return fallback_reason_; }
    const BpfReader *bpf() const { return bpf_.get(); }

private:
    std::unique_ptr<BpfReader> bpf_;
    std::string fallback_reason_;
};

// True when URINGDUMP_NO_BPF is set to a non-empty value other than 0.
bool env_forces_procfs();

}  // namespace ud::collect
