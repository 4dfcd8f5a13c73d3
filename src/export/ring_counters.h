// Counters from ring positions. The kernel's SQ head (entries consumed),
// CQ tail (completions posted) and CQ overflow count are u32 values that
// wrap; Prometheus counters must only grow. So the last value of each ring
// is kept across reads and the distance it moved (modulo 2^32) is added to
// a running total: a ring's total starts at its position when first seen
// (what it did since it was created, assuming it did not wrap before), then
// grows by the deltas.
//
// Per comm (export --aggregate comm) the totals also keep what rings of
// processes that have exited contributed, so that a sum over a churning
// fleet never goes down.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "model/snapshot.h"

namespace ud::exporter {

// The three positions, as totals.
struct RingTotals {
    std::uint64_t sqes_consumed = 0;  // from sq_head
    std::uint64_t cqes_posted = 0;    // from cq_tail
    std::uint64_t cq_overflows = 0;   // from cq_overflow

    bool operator==(const RingTotals &) const = default;
};

class RingCounters {
public:
    // Takes a new snapshot: every ring whose state is known advances; rings
    // no longer present are forgotten (their per-comm share stays).
    void update(const model::Snapshot &snap);

    // The totals of one ring of the last snapshot; nullptr if its state is
    // unknown (the /proc fallback could not read it).
    const RingTotals *ring(int pid, const model::Ring &r) const;
    // The totals of every ring ever seen under that comm, as the label
    // shows it (render::utf8_lossy): comms that differ only in invalid
    // bytes share one series, and so one total.
    const RingTotals *comm(const std::string &comm) const;

    // The identity of a ring across reads: its context and file addresses
    // with BPF, its fd in the /proc fallback (which knows no address).
    using Key = std::tuple<int, std::uint64_t, std::uint64_t, int>;
    static Key key(int pid, const model::Ring &r);

private:
    struct Mark {
        std::uint32_t sq_head = 0, cq_tail = 0, cq_overflow = 0;
        RingTotals totals;
    };
    std::map<Key, Mark> rings_;
    std::map<std::string, RingTotals> comms_;
};

}  // namespace ud::exporter
