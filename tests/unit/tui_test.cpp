// top's pure parts: rates from counter deltas (with u32 wrap), the process
// rows (counts from full and summary snapshots, filter, sort), the cursor.
#include <doctest/doctest.h>

#include "tui/cursor.h"
#include "tui/rates.h"
#include "tui/rows.h"

using namespace ud::tui;
using ud::model::Process;
using ud::model::Ring;
using ud::model::Snapshot;

namespace {

Ring ring_at(std::uint64_t ctx, std::uint32_t sq_head, std::uint32_t cq_tail) {
    Ring r;
    r.ctx = ctx;
    r.fd = 3;
    r.state.sq_head = sq_head;
    r.state.cq_tail = cq_tail;
    return r;
}

Snapshot snap_at(std::uint64_t ns, std::vector<Process> procs) {
    Snapshot s;
    s.taken_ns = ns;
    s.processes = std::move(procs);
    return s;
}

Process proc(int pid, std::string comm, std::vector<Ring> rings = {}) {
    Process p;
    p.pid = pid;
    p.comm = std::move(comm);
    p.rings = std::move(rings);
    return p;
}

}  // namespace

TEST_CASE("counter_delta follows u32 ring counters across the wrap") {
    CHECK(counter_delta(10, 25) == 15);
    CHECK(counter_delta(0xfffffff0u, 0x10u) == 0x20);
    CHECK(counter_delta(7, 7) == 0);
}

TEST_CASE("rates: none until seen twice, then delta over the time between snapshots") {
    RateTracker t;
    auto first = snap_at(1'000'000'000, {proc(10, "a", {ring_at(0xa000, 100, 50)})});
    t.update(first);
    CHECK_FALSE(t.ring(10, first.processes[0].rings[0]).has_value());
    CHECK_FALSE(t.process(first.processes[0]).has_value());

    // Half a second later: 500 SQ entries consumed, 250 completions posted,
    // across the u32 wrap for the CQ.
    auto second = snap_at(1'500'000'000, {proc(10, "a", {ring_at(0xa000, 600, 300)})});
    t.update(second);
    auto r = t.ring(10, second.processes[0].rings[0]);
    REQUIRE(r.has_value());
    CHECK(r->sq == doctest::Approx(1000));
    CHECK(r->cq == doctest::Approx(500));

    // A ring that appeared only now has no rate; the process sums those that have.
    auto third = snap_at(2'500'000'000,
                         {proc(10, "a", {ring_at(0xa000, 600, 300), ring_at(0xb000, 5, 5)})});
    t.update(third);
    CHECK_FALSE(t.ring(10, third.processes[0].rings[1]).has_value());
    auto sum = t.process(third.processes[0]);
    REQUIRE(sum.has_value());
    CHECK(sum->sq == doctest::Approx(0));

    // The same ring address under another pid is another ring.
    CHECK_FALSE(t.ring(11, third.processes[0].rings[0]).has_value());
}

TEST_CASE("rows count listed and summary-counted files and items alike") {
    Ring full = ring_at(0xa000, 0, 0);
    full.files.resize(3);
    Ring counted = ring_at(0xb000, 0, 0);
    counted.files_counted = 40;
    ud::model::Epoll ep;
    ep.items_counted = 1000;
    Process p = proc(1, "server", {full, counted});
    p.epolls.push_back(ep);
    RateTracker none;
    auto row = make_row(p, none, 4096);
    CHECK(row.rings == 2);
    CHECK(row.files == 43);
    CHECK(row.items == 1000);
    CHECK(row.epolls == 1);
    CHECK_FALSE(row.rate.has_value());
}

TEST_CASE("rows: filter by PID prefix or part of the name, sort by column") {
    Ring big = ring_at(0xa000, 0, 0);
    big.files.resize(9);
    Ring small = ring_at(0xb000, 0, 0);
    small.files.resize(2);
    auto snap = snap_at(1, {proc(300, "nginx", {small}), proc(120, "redis-server", {big}), proc(1201, "fio")});
    RateTracker none;

    auto by_pid = make_rows(snap, none, "", Column::pid);
    REQUIRE(by_pid.size() == 3);
    CHECK(by_pid[0].pid == 120);
    CHECK(by_pid[2].pid == 1201);

    auto by_files = make_rows(snap, none, "", Column::files);
    CHECK(by_files[0].pid == 120);  // largest first
    CHECK(by_files[1].pid == 300);

    auto by_name = make_rows(snap, none, "", Column::comm);
    CHECK(by_name[0].comm == "fio");

    auto f = make_rows(snap, none, "120", Column::pid);  // a PID prefix: 120 and 1201
    REQUIRE(f.size() == 2);
    CHECK(f[0].pid == 120);
    CHECK(f[1].pid == 1201);
    auto g = make_rows(snap, none, "dis", Column::pid);  // part of a name
    REQUIRE(g.size() == 1);
    CHECK(g[0].comm == "redis-server");
    CHECK(make_rows(snap, none, "nomatch", Column::pid).empty());

    // The sorted column is marked in the titles.
    CHECK(format_titles(Column::files).find("*FILES") != std::string::npos);
}

TEST_CASE("cursor stays valid as the list and the window change") {
    Cursor c;
    c.move(5, 100, 10);
    CHECK(c.selected() == 5);
    CHECK(c.top() == 0);
    c.move(10, 100, 10);  // past the window: it scrolls
    CHECK(c.selected() == 15);
    CHECK(c.top() == 6);
    c.move(-1000, 100, 10);
    CHECK(c.selected() == 0);
    c.end(100, 10);
    CHECK(c.selected() == 99);
    CHECK(c.top() == 90);
    c.fit(20, 10);  // the list shrank
    CHECK(c.selected() == 19);
    CHECK(c.top() == 10);
    c.fit(20, 30);  // the window grew
    CHECK(c.top() == 0);
    c.fit(0, 10);
    CHECK(c.selected() == 0);
    c.select(7, 8, 3);
    CHECK(c.selected() == 7);
    CHECK(c.top() == 5);
}
