#include "tui/rates.h"

namespace ud::tui {

std::uint32_t counter_delta(std::uint32_t prev, std::uint32_t cur) { return cur - prev; }

RateTracker::Key RateTracker::key(int pid, const model::Ring &r) {
    return {pid, r.ctx, r.ctx ? 0 : r.fd.value_or(-1)};
}

void RateTracker::update(const model::Snapshot &snap) {
    prev_ = std::move(cur_);
    prev_ns_ = cur_ns_;
    cur_.clear();
    cur_ns_ = snap.taken_ns;
    for (auto &p : snap.processes)
        for (auto &r : p.rings)
            if (r.state_known) cur_[key(p.pid, r)] = {r.state.sq_head, r.state.cq_tail};
}

std::optional<Rate> RateTracker::ring(int pid, const model::Ring &r) const {
    auto k = key(pid, r);
    auto a = prev_.find(k), b = cur_.find(k);
    if (a == prev_.end() || b == cur_.end() || cur_ns_ <= prev_ns_) return std::nullopt;
    double dt = static_cast<double>(cur_ns_ - prev_ns_) / 1e9;
    return Rate{counter_delta(a->second.sq_head, b->second.sq_head) / dt,
                counter_delta(a->second.cq_tail, b->second.cq_tail) / dt};
}

std::optional<Rate> RateTracker::process(const model::Process &p) const {
    std::optional<Rate> sum;
    for (auto &r : p.rings) {
        if (auto rate = ring(p.pid, r)) {
            if (!sum) sum = Rate{};
            sum->sq += rate->sq;
            sum->cq += rate->cq;
        }
    }
    return sum;
}

}  // namespace ud::tui
