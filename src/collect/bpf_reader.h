// The BPF reader: loads the iterator programs (bpf/uringdump.bpf.c), learns
// what it must from the running kernel (file operations of io_uring and
// epoll files, the struct page array base for page frame numbers), and
// collects snapshots through per-PID or system-wide iterator links.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/snapshot.h"

#include "collect/bpf_programs.h"

namespace ud::model {
class SnapshotBuilder;
}

namespace ud::collect {

// BPF cannot be used here: why, in one line. The reader falls back to
// procfs, or fails with --require-bpf.
class BpfUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What start-up learned about this kernel (also `uringdump feature`).
struct KernelFacts {
    std::uint64_t ring_fops = 0;
    std::uint64_t epoll_fops = 0;
    std::uint32_t layout = 0;           // enum ud_layout, from the calibration ring
    std::uint64_t vmemmap_base = 0;
    std::uint64_t struct_page_size = 0;
    model::PfnStatus pfn;               // calibration verdict
    std::uint32_t obj_limit = 0;        // per-object output budget in bytes
    bool percpu_offsets = false;        // per-task request counts can be summed (kernels without a per-ring count)
    std::uint64_t load_ns = 0;          // open + load (BTF, CO-RE, verifier)
    std::uint64_t calibrate_ns = 0;
};

// A system-wide collection with more processes than this whose walks need a
// resume pass continues them on the system-wide links (one pass over every
// fd) instead of a link per process. Public for the test that exceeds it.
inline constexpr std::size_t kSystemWideResume = 8;

struct CollectStats {
    unsigned passes = 0;      // iterator reads, first passes and resumes
    unsigned links = 0;       // iterator links created
    std::uint64_t bytes = 0;  // record bytes read
    std::uint64_t read_ns = 0;   // in the iterator passes
    std::uint64_t build_ns = 0;  // turning records into the snapshot
};

class BpfReader {
public:
    // Loads and calibrates. Throws BpfUnavailable when BPF cannot be used,
    // std::runtime_error on other failures.
    BpfReader();
    ~BpfReader();
    BpfReader(const BpfReader &) = delete;
    BpfReader &operator=(const BpfReader &) = delete;

    // Collects the given processes (empty: every process). A PID that does
    // not exist (any more) is simply absent from the result. The snapshot is
    // not joined or filtered yet (see collect/collector.h).
    // summary: fixed files and epoll items counted, not listed (top's list).
    model::Snapshot collect(const std::vector<int> &pids, bool summary = false);

    const KernelFacts &facts() const { return facts_; }
    const char *loader() const { return progs_->loader(); }
    const CollectStats &last_stats() const { return stats_; }

    // Whether no collection left state in the programs: summary and resume
    // mode off, no cursor in the resume map. True between collections,
    // also after one that threw (tests).
    bool at_rest() const;

private:
    struct Pass;
    void calibrate();
    void run_passes(const std::vector<int> &pids, bool summary, model::SnapshotBuilder &builder, model::Snapshot &snap);

    std::unique_ptr<BpfPrograms> progs_;
    BpfSettings settings_;
    KernelFacts facts_;
    CollectStats stats_;
    std::uint64_t gen_ = 0;
};

// Why BPF cannot be used on this machine, or empty if it looks usable; a
// cheap check before loading anything (BTF present, privileges).
std::string bpf_precheck();

// The kernel BTF CO-RE relocates against: $UD_VMLINUX_BTF or /sys/kernel/btf/vmlinux.
std::string vmlinux_btf_path();

}  // namespace ud::collect
