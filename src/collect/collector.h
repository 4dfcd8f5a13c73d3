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

// How a collection reads on this machine with these options, decided in
// this one place for the Collector (show, dump, top) and for `feature`,
// which reports the decision rather than a guess of its own.
struct ReaderChoice {
    enum class Kind {
        bpf,     // the BPF reader, loaded and calibrated
        procfs,  // the /proc fallback: asked for, or BPF cannot be used (why)
        no_bpf,  // --require-bpf and BPF cannot be used (why): exit 7
        error,   // setting BPF up failed otherwise (why): the command fails, exit 1
    };
    Kind kind = Kind::procfs;
    std::string why;
    std::unique_ptr<BpfReader> reader;  // with Kind::bpf
};

// Loads BPF unless opts say not to, and decides.
ReaderChoice choose_reader(const CollectOptions &opts);

class Collector {
public:
    // Reads as choose_reader() decides. Throws BpfUnavailable for
    // ReaderChoice::no_bpf and std::runtime_error for ::error; otherwise
    // remembers why it falls back.
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
