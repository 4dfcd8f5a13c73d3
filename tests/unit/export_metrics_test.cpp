// The exporter's pure parts: counters over u32 ring positions that wrap,
// the metric families built from a snapshot (aggregation, what is absent),
// the listen address.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "collect/fail_point.h"
#include "export/listen_address.h"
#include "export/metrics.h"
#include "export/ring_counters.h"

using namespace ud;

namespace {

model::Snapshot one_ring(int pid, const std::string &comm, std::uint32_t sq_head, std::uint32_t cq_tail,
                         std::uint64_t ctx = 0x1000) {
    model::Snapshot s;
    model::Process p;
    p.pid = pid;
    p.comm = comm;
    model::Ring r;
    r.fd = 3;
    r.ctx = ctx;
    r.file = ctx + 1;
    r.state.sq_head = sq_head;
    r.state.cq_tail = cq_tail;
    p.rings.push_back(r);
    s.processes.push_back(p);
    return s;
}

const prometheus::MetricFamily *family(const std::vector<prometheus::MetricFamily> &fs, const std::string &name) {
    for (auto &f : fs)
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("export unit: ring counters start at the first position seen and add u32 distances across wraps") {
    exporter::RingCounters c;
    const std::uint32_t max = std::numeric_limits<std::uint32_t>::max();
    auto s1 = one_ring(10, "a", max - 5, 7);
    c.update(s1);
    REQUIRE(c.ring(10, s1.processes[0].rings[0]));
    CHECK(c.ring(10, s1.processes[0].rings[0])->sqes_consumed == max - 5);
    auto s2 = one_ring(10, "a", 4, 9);  // wrapped: 10 steps
    c.update(s2);
    CHECK(c.ring(10, s2.processes[0].rings[0])->sqes_consumed == std::uint64_t(max) - 5 + 10);
    CHECK(c.ring(10, s2.processes[0].rings[0])->cqes_posted == 9);
    // Gone: forgotten per ring, kept per comm.
    c.update(model::Snapshot{});
    CHECK_FALSE(c.ring(10, s2.processes[0].rings[0]));
    REQUIRE(c.comm("a"));
    CHECK(c.comm("a")->cqes_posted == 9);
    // A new ring of the same comm adds to it; a ring whose state is unknown does not.
    auto s3 = one_ring(11, "a", 2, 2, 0x2000);
    s3.processes[0].rings[0].state_known = false;
    c.update(s3);
    CHECK(c.comm("a")->cqes_posted == 9);
    s3.processes[0].rings[0].state_known = true;
    c.update(s3);
    CHECK(c.comm("a")->cqes_posted == 11);
}

TEST_CASE("export unit: families per pid and ring, inflight absent when unknown, pinned pages by kind") {
    auto s = one_ring(10, std::string("x\xff", 2), 1, 1);
    auto &r = s.processes[0].rings[0];
    r.buffers.push_back({0, 0x10000 + 100, 8000});  // spans 2 pages of 4 KiB... or of the page size
    r.state.nr_files = 64;
    r.files_counted = 4;
    collect::BufferMemoryMap mem{{{10, 0, 0}, {collect::MemoryKind::memfd, ""}}};
    exporter::RingCounters c;
    c.update(s);
    exporter::MetricsInput in;
    in.snap = &s;
    in.memory = &mem;
    in.counters = &c;
    in.status.source = "bpf";
    auto fs = exporter::build_metrics(in);
    CHECK_FALSE(family(fs, "uringdump_ring_inflight_requests"));  // unknown: absent, not 0
    auto *slots = family(fs, "uringdump_ring_fixed_file_slots_used");
    REQUIRE(slots);
    REQUIRE(slots->metric.size() == 1);
    CHECK(slots->metric[0].gauge.value == 4);
    std::vector<prometheus::ClientMetric::Label> want{{"comm", "x\xef\xbf\xbd"}, {"pid", "10"}, {"ring", "3"}};
    CHECK(slots->metric[0].label == want);
    auto *pinned = family(fs, "uringdump_pinned_pages");
    REQUIRE(pinned);
    REQUIRE(pinned->metric.size() == 1);
    CHECK(pinned->metric[0].label.back().value == "shmem");
    const double page = s.page_size;
    CHECK(pinned->metric[0].gauge.value == std::ceil((0x10000 % s.page_size + 100 + 8000) / page));
    auto *posted = family(fs, "uringdump_ring_cqes_posted_total");
    REQUIRE(posted);
    CHECK(posted->type == prometheus::MetricType::Counter);

    r.state.inflight = 2;
    auto fs2 = exporter::build_metrics(in);
    REQUIRE(family(fs2, "uringdump_ring_inflight_requests"));

    // A failed read: only the exporter's own families.
    in.snap = nullptr;
    in.status.last_read_ok = false;
    for (auto &f : exporter::build_metrics(in)) CHECK(f.name.rfind("uringdump_exporter_", 0) == 0);
}

TEST_CASE("export unit: aggregation by comm sums, drops pid and ring, and an unknown inflight poisons the sum") {
    auto s = one_ring(10, "a", 3, 3);
    auto t = one_ring(11, "a", 4, 4, 0x2000);
    s.processes.push_back(t.processes[0]);
    s.processes[0].rings[0].state.inflight = 1;  // the other one unknown
    exporter::RingCounters c;
    c.update(s);
    exporter::MetricsInput in;
    in.snap = &s;
    in.counters = &c;
    in.aggregate_comm = true;
    auto fs = exporter::build_metrics(in);
    auto *procs = family(fs, "uringdump_processes");
    REQUIRE(procs);
    CHECK(procs->metric.at(0).gauge.value == 2);
    CHECK(family(fs, "uringdump_ring_cqes_posted_total")->metric.at(0).counter.value == 7);
    CHECK(family(fs, "uringdump_rings")->metric.at(0).label ==
          std::vector<prometheus::ClientMetric::Label>{{"comm", "a"}});
    CHECK_FALSE(family(fs, "uringdump_ring_inflight_requests"));
}

TEST_CASE("export unit: listen addresses") {
    std::string why;
    auto a = exporter::parse_listen_address("9100", &why);
    REQUIRE(a);
    CHECK(a->text() == "127.0.0.1:9100");
    a = exporter::parse_listen_address("[::1]:0", &why);
    REQUIRE(a);
    CHECK(a->v6);
    CHECK(a->text() == "[::1]:0");
    a = exporter::parse_listen_address("0.0.0.0:65535", &why);
    REQUIRE(a);
    for (const char *bad :
         {"", ":", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "host:80", "::1:80", "[::1]", "[x]:1", "1.2.3.4:8x"}) {
        CAPTURE(bad);
        CHECK_FALSE(exporter::parse_listen_address(bad, &why));
    }
}

TEST_CASE("export unit: fail points fail from the Nth hit to the Mth, and only the one named") {
    ::setenv("URINGDUMP_TEST_FAIL", "unit-point@2-3", 1);
    CHECK_NOTHROW(collect::fail_point("unit-point"));
    CHECK_NOTHROW(collect::fail_point("unit-other"));
    CHECK_THROWS_AS(collect::fail_point("unit-point"), std::runtime_error);
    CHECK_THROWS_AS(collect::fail_point("unit-point"), std::runtime_error);
    CHECK_NOTHROW(collect::fail_point("unit-point"));
    ::setenv("URINGDUMP_TEST_FAIL", "unit-always", 1);
    CHECK_THROWS_AS(collect::fail_point("unit-always"), std::runtime_error);
    CHECK_THROWS_AS(collect::fail_point("unit-always"), std::runtime_error);
    ::unsetenv("URINGDUMP_TEST_FAIL");
    CHECK_NOTHROW(collect::fail_point("unit-always"));
}
