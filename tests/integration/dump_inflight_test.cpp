// Requests in flight, on every kernel: a ring holding one request, wherever
// it waits, is never called quiet; a ring whose requests all completed is.
//
// Where the expectation differs between kernels it is taken from the running
// kernel's BTF: kernels with io_ring_ctx.nr_req_allocated (6.18) count the
// requests of each ring; older ones (6.1, 6.12) count them per task only, so
// `inflight` is exact only when it is 0 and `tasks_inflight` says the rest.
// The truth is what the fixture submitted and, for polls, fdinfo's PollList.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "records.h"
#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/kernel.h"
#include "support/procfs_truth.h"
#include "support/run.h"

using namespace ud::test;

namespace {

bool per_ring_count() { return kernel_has_field("io_ring_ctx", "nr_req_allocated"); }

// The fixture's only ring as show -j gives it.
rapidjson::Document show_ring(const Fixture &fx, rapidjson::Value **ring) {
    auto doc = parse_json(run_uringdump({"show", "-j", fx.pid_str()}).out);
    auto *p = const_cast<rapidjson::Value *>(find_process(doc, fx.pid()));
    REQUIRE(p);
    REQUIRE((*p)["io_uring"].Size() == 1);
    *ring = &(*p)["io_uring"][0];
    return doc;
}

// The obstacles of dump --check -j, by kind.
std::multiset<std::string> obstacle_kinds(const Fixture &fx, int *code) {
    auto r = run_uringdump({"dump", "--check", "-j", fx.pid_str()});
    *code = r.code;
    auto doc = parse_json(r.out);
    std::multiset<std::string> kinds;
    for (auto &o : doc["obstacles"].GetArray()) kinds.insert(o["kind"].GetString());
    return kinds;
}

void check_waiting(const char *scenario, std::uint32_t busy_bit) {
    CAPTURE(scenario);
    Fixture fx({scenario});
    const auto &truth = fx.truth()["rings"][0];
    rapidjson::Value *ring = nullptr;
    auto doc = show_ring(fx, &ring);
    std::uint32_t waiting = (*ring)["waiting"].GetUint();
    if (busy_bit)
        CHECK((waiting & busy_bit) != 0);
    else
        CHECK(waiting == 0);  // io-wq: on no list of the ring
    if (per_ring_count()) {
        CHECK((*ring)["inflight"].GetUint() == truth["inflight"].GetUint());
        CHECK_FALSE(has(*ring, "tasks_inflight"));
    } else {
        // 6.1, 6.12: the task's count has it; which ring cannot be told.
        CHECK((*ring)["inflight"].IsNull());
        REQUIRE(has(*ring, "tasks_inflight"));
        CHECK((*ring)["tasks_inflight"].GetUint() == truth["inflight"].GetUint());
    }
    int code = 0;
    auto kinds = obstacle_kinds(fx, &code);
    CHECK(code == 5);
    // Listed or counted: in flight. Counted per task only and on no list
    // (io-wq on 6.1, 6.12): not known to be this ring's, so state-unknown.
    bool known = busy_bit || per_ring_count();
    CHECK(kinds == std::multiset<std::string>{known ? "in-flight" : "state-unknown"});
}

}  // namespace

TEST_CASE("dump: a ring whose only request is an armed poll is not quiet (every kernel)") {
    if (!need_bpf()) return;
    check_waiting("wait-poll", UD_BUSY_POLL);
    // fdinfo agrees that the read is armed as a poll (op 22: IORING_OP_READ).
    Fixture fx({"wait-poll"});
    auto polls = fdinfo_section(fdinfo_text(fx.pid(), fx.truth()["rings"][0]["fd"].GetInt()), "PollList");
    CHECK(polls.size() == 1);
}

TEST_CASE("dump: a ring whose only request is a timeout is not quiet (every kernel)") {
    if (!need_bpf()) return;
    check_waiting("wait-timeout", UD_BUSY_TIMEOUT);
}

TEST_CASE("dump: a ring whose only request blocks in io-wq is not quiet (every kernel)") {
    if (!need_bpf()) return;
    check_waiting("wait-iowq", 0);
}

TEST_CASE("dump: a ring whose requests all completed is quiet (every kernel)") {
    if (!need_bpf()) return;
    Fixture fx({"quiet"});
    rapidjson::Value *ring = nullptr;
    auto doc = show_ring(fx, &ring);
    CHECK((*ring)["inflight"].GetUint() == 0);
    CHECK((*ring)["waiting"].GetUint() == 0);
    if (!per_ring_count()) {
        REQUIRE(has(*ring, "tasks_inflight"));
        CHECK((*ring)["tasks_inflight"].GetUint() == 0);
    }
    int code = 0;
    CHECK(obstacle_kinds(fx, &code).empty());
    CHECK(code == 0);
}
