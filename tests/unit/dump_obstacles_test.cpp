// Restorability as a function of ring state: each piece of state uringdump-dump(8)
// lists gives its obstacle, and a quiet plain ring gives none.
#include <doctest/doctest.h>

#include <functional>

#include "image/restorability.h"
#include "records.h"

using namespace ud;
using image::ObstacleKind;

namespace {

model::Snapshot one_ring(const std::function<void(model::Ring &)> &change) {
    model::Snapshot snap;
    model::Process p;
    p.pid = 42;
    model::Ring r;
    r.fd = 3;
    r.state.sq_entries = 8;
    r.state.cq_entries = 16;
    r.state.sq_head = r.state.sq_tail = 5;
    r.state.cq_head = r.state.cq_tail = 5;
    r.state.buf_groups = 0;
    r.state.personalities = 0;
    r.state.has_eventfd = false;
    r.state.inflight = 0;
    change(r);
    p.rings.push_back(r);
    snap.processes.push_back(p);
    return snap;
}

std::vector<ObstacleKind> kinds(const model::Snapshot &snap, const collect::BufferMemoryMap &memory = {}) {
    std::vector<ObstacleKind> out;
    for (auto &o : image::find_obstacles(snap, memory)) out.push_back(o.kind);
    return out;
}

}  // namespace

TEST_CASE("dump obstacles: a quiet ring without unrestorable state has none") {
    CHECK(kinds(one_ring([](model::Ring &) {})).empty());
}

TEST_CASE("dump obstacles: each piece of state gives its own obstacle") {
    struct Case {
        ObstacleKind kind;
        std::function<void(model::Ring &)> change;
    };
    const Case cases[] = {
        {ObstacleKind::sq_pending, [](model::Ring &r) { r.state.sq_tail += 2; }},
        {ObstacleKind::cq_pending, [](model::Ring &r) { r.state.cq_tail += 1; }},
        {ObstacleKind::cq_overflow, [](model::Ring &r) { r.state.cq_overflow = 3; }},
        {ObstacleKind::cq_overflow, [](model::Ring &r) { r.state.overflow_pending = true; }},
        {ObstacleKind::in_flight, [](model::Ring &r) { r.state.inflight = 1; }},
        {ObstacleKind::in_flight, [](model::Ring &r) { r.state.waiting = UD_BUSY_TIMEOUT; }},
        {ObstacleKind::sqpoll, [](model::Ring &r) { r.state.sq_thread_pid = 99; }},
        {ObstacleKind::sqpoll, [](model::Ring &r) { r.state.flags = 1u << 1; }},
        {ObstacleKind::provided_buffers, [](model::Ring &r) { r.state.buf_groups = 2; }},
        {ObstacleKind::provided_buffers, [](model::Ring &r) { r.state.counts_partial = true; }},
        {ObstacleKind::personalities, [](model::Ring &r) { r.state.personalities = 1; }},
        {ObstacleKind::eventfd, [](model::Ring &r) { r.state.has_eventfd = true; }},
        {ObstacleKind::iowq_limits, [](model::Ring &r) { r.state.iowq_max[1] = 4; }},
        {ObstacleKind::napi, [](model::Ring &r) { r.state.napi = true; }},
        {ObstacleKind::zcrx, [](model::Ring &r) { r.state.zcrx = true; }},
        {ObstacleKind::restrictions, [](model::Ring &r) { r.state.restricted = true; }},
        {ObstacleKind::state_unknown, [](model::Ring &r) { r.state_known = false; }},
    };
    for (auto &c : cases) {
        CAPTURE(image::obstacle_name(c.kind));
        CHECK(kinds(one_ring(c.change)) == std::vector<ObstacleKind>{c.kind});
    }
}

TEST_CASE("dump obstacles: a ring whose state is unknown is not judged on zeros") {
    auto snap = one_ring([](model::Ring &r) {
        r.state_known = false;
        r.state.sq_tail = 9;  // meaningless once the state is unknown
    });
    CHECK(kinds(snap) == std::vector<ObstacleKind>{ObstacleKind::state_unknown});
}

TEST_CASE("dump obstacles: buffers count by their memory, an incomplete snapshot by its notes") {
    auto snap = one_ring([](model::Ring &r) {
        r.buffers = {{0, 0x1000, 4096}, {4, 0x2000, 4096}, {5, 0x3000, 4096}};
    });
    snap.partial = {"why one", "why two"};
    collect::BufferMemoryMap memory;
    memory[{42, 0, 0}] = {collect::MemoryKind::file, "/data"};
    memory[{42, 0, 1}] = {collect::MemoryKind::hugetlb, "/anon_hugepage (deleted)"};
    // buffer 2 is missing from the map: unknown memory is not plain either
    auto obstacles = image::find_obstacles(snap, memory);
    REQUIRE(obstacles.size() == 4);
    CHECK(obstacles[0].kind == ObstacleKind::partial);
    CHECK(obstacles[0].detail == "why one");
    CHECK(obstacles[2].kind == ObstacleKind::buffer_memory);
    CHECK(obstacles[2].slot == 4u);
    CHECK(obstacles[2].detail.find("/anon_hugepage (deleted)") != std::string::npos);
    CHECK(obstacles[3].slot == 5u);
    CHECK(image::obstacle_line(obstacles[2]).find("pid 42 io_uring fd 3: cannot be restored:") == 0);
}
