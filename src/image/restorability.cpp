#include "image/restorability.h"

#include <fmt/format.h>

#include <unordered_map>

#include "model/describe.h"
#include "records.h"
#include "render/name_text.h"

namespace ud::image {
namespace {

using model::Ring;
using model::RingState;

constexpr std::uint32_t kSetupSqpoll = 1u << 1;  // IORING_SETUP_SQPOLL

constexpr const char *kNotQuiet = "not quiet";
constexpr const char *kNotRestorable = "cannot be restored";

struct KindInfo {
    ObstacleKind kind;
    const char *name;
    const char *category;  // what the line says about it
};

constexpr KindInfo kKinds[] = {
    {ObstacleKind::partial, "partial", "incomplete"},
    {ObstacleKind::state_unknown, "state-unknown", kNotQuiet},
    {ObstacleKind::sq_pending, "sq-pending", kNotQuiet},
    {ObstacleKind::cq_pending, "cq-pending", kNotQuiet},
    {ObstacleKind::cq_overflow, "cq-overflow", kNotQuiet},
    {ObstacleKind::in_flight, "in-flight", kNotQuiet},
    {ObstacleKind::sqpoll, "sqpoll", kNotRestorable},
    {ObstacleKind::provided_buffers, "provided-buffers", kNotRestorable},
    {ObstacleKind::personalities, "personalities", kNotRestorable},
    {ObstacleKind::eventfd, "eventfd", kNotRestorable},
    {ObstacleKind::iowq_limits, "iowq-limits", kNotRestorable},
    {ObstacleKind::napi, "napi", kNotRestorable},
    {ObstacleKind::zcrx, "zcrx", kNotRestorable},
    {ObstacleKind::restrictions, "restrictions", kNotRestorable},
    {ObstacleKind::buffer_memory, "buffer-memory", kNotRestorable},
};

const KindInfo &info(ObstacleKind k) {
    for (auto &i : kKinds)
        if (i.kind == k) return i;
    return kKinds[0];
}

std::string plural(std::uint64_t n, const char *one, const char *many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string waiting_lists(std::uint32_t bits) {
    static const std::pair<std::uint32_t, const char *> names[] = {
        {UD_BUSY_POLL, "armed polls"},   {UD_BUSY_TIMEOUT, "timeouts"}, {UD_BUSY_IOPOLL, "iopoll"},
        {UD_BUSY_DEFER, "drain queue"}, {UD_BUSY_TASKWORK, "task work"}, {UD_BUSY_URING_CMD, "uring_cmd"},
        {UD_BUSY_FUTEX, "futex waits"},  {UD_BUSY_WAITID, "waitid"},
    };
    std::string s;
    for (auto &[bit, name] : names) {
        if (!(bits & bit)) continue;
        if (!s.empty()) s += ", ";
        s += name;
    }
    return s;
}

// What makes a ring not quiet: the rings' counters and the kernel's own
// account of requests it holds.
void quiescence(const RingState &s, std::vector<std::pair<ObstacleKind, std::string>> &out) {
    if (s.sq_head != s.sq_tail)
        out.emplace_back(ObstacleKind::sq_pending,
                         fmt::format("{} queued and not consumed (SQ head {} tail {})",
                                     plural(s.sq_tail - s.sq_head, "submission", "submissions"), s.sq_head, s.sq_tail));
    if (s.cq_head != s.cq_tail)
        out.emplace_back(ObstacleKind::cq_pending,
                         fmt::format("{} not reaped (CQ head {} tail {})",
                                     plural(s.cq_tail - s.cq_head, "completion", "completions"), s.cq_head, s.cq_tail));
    if (s.cq_overflow || s.overflow_pending)
        out.emplace_back(ObstacleKind::cq_overflow,
                         fmt::format("{} overflowed{}", plural(s.cq_overflow, "completion", "completions"),
                                     s.overflow_pending ? ", some still held by the kernel" : ""));
    std::string lists = waiting_lists(s.waiting);
    if ((s.inflight && *s.inflight) || !lists.empty()) {
        std::string what = s.inflight && *s.inflight ? plural(*s.inflight, "request", "requests") + " in flight"
                                                     : std::string("requests in flight");
        if (!lists.empty()) what += " (waiting in: " + lists + ")";
        out.emplace_back(ObstacleKind::in_flight, what);
    } else if (!s.inflight) {
        // Requests can be in flight on no list (block I/O in progress):
        // without a count that says none are, the ring is not called quiet.
        out.emplace_back(ObstacleKind::state_unknown,
                         "cannot tell whether requests are in flight: this kernel keeps no per-ring count, and the "
                         "tasks using the ring have requests in flight or could not be counted");
    }
}

// State that lives in the kernel and that a restore has no way to recreate.
void unrestorable(const RingState &s, std::vector<std::pair<ObstacleKind, std::string>> &out) {
    if (s.sq_thread_pid >= 0 || (s.flags & kSetupSqpoll))
        out.emplace_back(ObstacleKind::sqpoll, s.sq_thread_pid >= 0
                                                   ? fmt::format("SQPOLL thread (pid {}, cpu {})", s.sq_thread_pid,
                                                                 s.sq_thread_cpu)
                                                   : std::string("SQPOLL ring"));
    if ((s.buf_groups && *s.buf_groups) || s.counts_partial)
        out.emplace_back(ObstacleKind::provided_buffers,
                         fmt::format("{}{} (IORING_OP_PROVIDE_BUFFERS or IORING_REGISTER_PBUF_RING)",
                                     s.counts_partial ? "at least " : "",
                                     plural(s.buf_groups.value_or(0), "provided-buffer group", "provided-buffer groups")));
    if (s.personalities && *s.personalities)
        out.emplace_back(ObstacleKind::personalities,
                         plural(*s.personalities, "registered personality", "registered personalities"));
    if (s.has_eventfd && *s.has_eventfd) out.emplace_back(ObstacleKind::eventfd, "registered eventfd");
    if (s.iowq_max[0] || s.iowq_max[1])
        out.emplace_back(ObstacleKind::iowq_limits,
                         fmt::format("io-wq worker limits {}/{} (bounded/unbounded)", s.iowq_max[0], s.iowq_max[1]));
    if (s.napi) out.emplace_back(ObstacleKind::napi, "NAPI busy polling registered");
    if (s.zcrx) out.emplace_back(ObstacleKind::zcrx, "zero-copy receive areas registered");
    if (s.restricted) out.emplace_back(ObstacleKind::restrictions, "restrictions registered (IORING_REGISTER_RESTRICTIONS)");
}

}  // namespace

std::string_view obstacle_name(ObstacleKind k) { return info(k).name; }
bool is_quiescence(ObstacleKind k) { return info(k).category == kNotQuiet; }

// The requests an in-flight ring holds, named in the obstacle (its text
// line names the first few). Not part of its detail: an image records the
// obstacles it was forced past, not the requests (image check compares).
static void name_requests(const model::Process &p, const Ring &r, Obstacle &o) {
    if (r.requests.empty()) return;
    std::unordered_map<model::FileId, int> fd_of;
    for (auto &tf : p.task_fds) fd_of.try_emplace(tf.file, tf.fd);
    for (auto &q : r.requests) {
        ObstacleRequest n{model::opcode_name(q.opcode), q.user_data, {}, model::request_wait_name(q.waiting)};
        if (auto it = q.file ? fd_of.find(q.file) : fd_of.end(); it != fd_of.end()) n.fd = it->second;
        o.requests.push_back(std::move(n));
    }
}

std::string ring_label(const Ring &r) { return r.fd ? fmt::format("io_uring fd {}", *r.fd) : "io_uring (no fd)"; }

std::vector<Obstacle> find_obstacles(const model::Snapshot &snap, const collect::BufferMemoryMap &memory) {
    std::vector<Obstacle> out;
    for (auto &why : snap.partial) out.push_back({ObstacleKind::partial, 0, {}, {}, "snapshot", why});
    for (auto &p : snap.processes) {
        for (std::uint32_t ri = 0; ri < p.rings.size(); ri++) {
            const Ring &r = p.rings[ri];
            std::string where = ring_label(r);
            std::vector<std::pair<ObstacleKind, std::string>> found;
            if (!r.state_known) {
                found.emplace_back(ObstacleKind::state_unknown, "state unknown: uring_lock held, fdinfo did not print the ring's tables");
            } else {
                quiescence(r.state, found);
                unrestorable(r.state, found);
            }
            for (auto &[kind, detail] : found) {
                out.push_back({kind, p.pid, ri, {}, where, std::move(detail)});
                if (kind == ObstacleKind::in_flight) name_requests(p, r, out.back());
            }
            for (std::uint32_t bi = 0; bi < r.buffers.size(); bi++) {
                auto it = memory.find({p.pid, ri, bi});
                collect::BufferMemory m = it == memory.end() ? collect::BufferMemory{} : it->second;
                if (collect::memory_kind_plain(m.kind)) continue;
                std::string detail = fmt::format("buffer slot {}: {} memory", r.buffers[bi].slot,
                                                 collect::memory_kind_name(m.kind));
                if (m.kind == collect::MemoryKind::unmapped) detail = fmt::format("buffer slot {}: not mapped", r.buffers[bi].slot);
                if (!m.path.empty()) detail += " (" + render::name_text(m.path) + ")";
                out.push_back({ObstacleKind::buffer_memory, p.pid, ri, r.buffers[bi].slot, where, std::move(detail)});
            }
        }
    }
    return out;
}

std::string obstacle_line(const Obstacle &o) {
    std::string head = o.pid ? fmt::format("pid {} {}", o.pid, o.where) : o.where;
    std::string names;
    for (std::size_t i = 0; i < o.requests.size() && i < 8; i++) {
        const auto &n = o.requests[i];
        names += fmt::format("{}{} user_data {}{} ({})", i ? ", " : "; listed: ", n.opcode, n.user_data,
                             n.fd ? fmt::format(" fd {}", *n.fd) : std::string(), n.waiting);
    }
    if (o.requests.size() > 8) names += fmt::format(" and {} more", o.requests.size() - 8);
    return fmt::format("{}: {}: {}{}", head, info(o.kind).category, o.detail, names);
}

}  // namespace ud::image
