// SQ and CQ entries per second from two snapshots: the distance the SQ head
// (entries the kernel consumed) and the CQ tail (completions it posted) moved
// between them, over the time between them. The counters are u32 and wrap.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <tuple>

#include "model/snapshot.h"

namespace ud::tui {

struct Rate {
    double sq = 0;  // entries per second
    double cq = 0;
};

// How far a u32 ring counter moved from prev to cur (it may have wrapped).
std::uint32_t counter_delta(std::uint32_t prev, std::uint32_t cur);

class RateTracker {
public:
    // Takes a new snapshot; rates are then those between it and the last one.
    void update(const model::Snapshot &snap);

    // Rate of one ring, or empty when it was not in the previous snapshot.
    std::optional<Rate> ring(int pid, const model::Ring &r) const;
    // Sum over a process's rings seen twice; empty if none was.
    std::optional<Rate> process(const model::Process &p) const;

private:
    // A ring across snapshots: its context address with BPF, its fd in the
    // /proc fallback (which knows no address).
    using Key = std::tuple<int, std::uint64_t, int>;
    static Key key(int pid, const model::Ring &r);
    struct Mark {
        std::uint32_t sq_head, cq_tail;
    };
    std::map<Key, Mark> prev_, cur_;
    std::uint64_t prev_ns_ = 0, cur_ns_ = 0;
};

}  // namespace ud::tui
