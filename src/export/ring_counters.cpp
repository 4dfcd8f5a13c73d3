#include "export/ring_counters.h"

#include "render/utf8.h"

namespace ud::exporter {

RingCounters::Key RingCounters::key(int pid, const model::Ring &r) {
    return {pid, r.ctx, r.file, r.ctx ? 0 : r.fd.value_or(-1)};
}

void RingCounters::update(const model::Snapshot &snap) {
    std::map<Key, Mark> next;
    for (const auto &p : snap.processes) {
        for (const auto &r : p.rings) {
            if (!r.state_known) continue;
            Key k = key(p.pid, r);
            const model::RingState &s = r.state;
            auto old = rings_.find(k);
            Mark m;
            m.sq_head = s.sq_head;
            m.cq_tail = s.cq_tail;
            m.cq_overflow = s.cq_overflow;
            // Unsigned subtraction is the distance modulo 2^32: a wrap
            // between two reads counts as the few steps it was. A first
            // sighting counts from 0.
            RingTotals add;
            if (old == rings_.end()) {
                add = {s.sq_head, s.cq_tail, s.cq_overflow};
            } else {
                m.totals = old->second.totals;
                add.sqes_consumed = static_cast<std::uint32_t>(s.sq_head - old->second.sq_head);
                add.cqes_posted = static_cast<std::uint32_t>(s.cq_tail - old->second.cq_tail);
                add.cq_overflows = static_cast<std::uint32_t>(s.cq_overflow - old->second.cq_overflow);
            }
            m.totals.sqes_consumed += add.sqes_consumed;
            m.totals.cqes_posted += add.cqes_posted;
            m.totals.cq_overflows += add.cq_overflows;
            RingTotals &c = comms_[render::utf8_lossy(p.comm)];
            c.sqes_consumed += add.sqes_consumed;
            c.cqes_posted += add.cqes_posted;
            c.cq_overflows += add.cq_overflows;
            next[k] = m;
        }
    }
    rings_ = std::move(next);
}

const RingTotals *RingCounters::ring(int pid, const model::Ring &r) const {
    auto it = rings_.find(key(pid, r));
    return it == rings_.end() ? nullptr : &it->second.totals;
}

const RingTotals *RingCounters::comm(const std::string &comm) const {
    auto it = comms_.find(comm);
    return it == comms_.end() ? nullptr : &it->second;
}

}  // namespace ud::exporter
