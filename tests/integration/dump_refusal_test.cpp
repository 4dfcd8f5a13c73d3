// dump's refusals: a ring that is not quiet, and each piece of state a
// restore could not recreate, set up by a fixture that says what it set up.
// Refused means exit 5, every reason on stderr, and no file.
#include <doctest/doctest.h>
#include <unistd.h>

#include <set>

#include "support/env.h"
#include "support/fixture.h"
#include "support/image_file.h"
#include "support/json.h"
#include "support/kernel.h"
#include "support/procfs_truth.h"
#include "support/run.h"

using namespace ud::test;

namespace {

// The obstacles dump --check -j lists for the fixture, as (kind, slot or -1).
std::multiset<std::pair<std::string, long>> check_kinds(const Fixture &fx) {
    auto r = run_uringdump({"dump", "--check", "-j", fx.pid_str()});
    CHECK(r.code == 5);
    auto doc = parse_json(r.out);
    CHECK_FALSE(doc["dumpable"].GetBool());
    std::multiset<std::pair<std::string, long>> kinds;
    for (auto &o : doc["obstacles"].GetArray()) {
        CHECK(o["pid"].GetInt() == fx.pid());
        kinds.insert({o["kind"].GetString(), has(o, "slot") ? o["slot"].GetInt() : -1});
    }
    return kinds;
}

// dump without --force: exit 5, one stderr line per obstacle and the error
// last, no file; with --force: the image, whose check lists them.
void check_refused_then_forced(const Fixture &fx, std::size_t obstacles) {
    TempDir dir;
    auto r = run_uringdump({"dump", fx.pid_str(), "-o", dir.file("x.img")});
    CHECK(r.code == 5);
    CHECK(r.out.empty());
    auto err = lines(r.err);
    REQUIRE(err.size() == obstacles + 1);
    for (std::size_t i = 0; i < obstacles; i++) CHECK(err[i].find("pid " + fx.pid_str()) != std::string::npos);
    CHECK(err.back().rfind("uringdump: error: ", 0) == 0);
    CHECK(dir.entries().empty());

    auto forced = run_uringdump({"dump", "--force", fx.pid_str(), "-o", dir.file("x.img")});
    REQUIRE(forced.code == 0);
    auto check = run_uringdump({"image", "check", "-j", dir.file("x.img")});
    CHECK(check.code == 5);
    auto doc = parse_json(check.out);
    CHECK(doc["forced"].GetBool());
    CHECK(doc["obstacles"].Size() == obstacles);
}

}  // namespace

TEST_CASE("dump: a quiet ring with nothing unrestorable is dumpable") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    auto r = run_uringdump({"dump", "--check", "-j", fx.pid_str()});
    CHECK(r.code == 0);
    auto doc = parse_json(r.out);
    CHECK(doc["dumpable"].GetBool());
    CHECK(doc["obstacles"].Empty());
}

TEST_CASE("dump: a ring with queued, unreaped and in-flight requests is refused") {
    if (!need_bpf()) return;
    Fixture fx({"pending"});
    const auto &truth = fx.truth()["rings"][0];
    // The kernel's own account agrees with what the fixture left behind.
    std::string info = fdinfo_text(fx.pid(), truth["fd"].GetInt());
    auto num = [&](const char *key) { return std::stoul(fdinfo_value(info, key).value_or("0")); };
    CHECK(num("SqTail") - num("SqHead") == truth["sq_unsubmitted"].GetUint());
    CHECK(num("CqTail") - num("CqHead") == truth["cq_unreaped"].GetUint());
    CHECK(fdinfo_section(info, "PollList").size() == truth["inflight"].GetUint());
    auto show = parse_json(run_uringdump({"show", "-j", fx.pid_str()}).out);
    const auto *p = find_process(show, fx.pid());
    REQUIRE(p);
    // 6.18 counts per ring (nr_req_allocated); 6.1 and 6.12 per task only.
    const auto &ring = (*p)["io_uring"][0];
    if (kernel_has_field("io_ring_ctx", "nr_req_allocated"))
        CHECK(ring["inflight"].GetUint() == truth["inflight"].GetUint());
    else
        CHECK(ring["tasks_inflight"].GetUint() == truth["inflight"].GetUint());

    auto kinds = check_kinds(fx);
    CHECK(kinds == std::multiset<std::pair<std::string, long>>{{"sq-pending", -1}, {"cq-pending", -1}, {"in-flight", -1}});
    check_refused_then_forced(fx, 3);
}

TEST_CASE("dump: SQPOLL, provided buffers, personalities, eventfd, io-wq limits and restrictions are refused") {
    if (!need_bpf()) return;
    const std::pair<const char *, const char *> cases[] = {
        {"sqpoll", "sqpoll"},       {"pbuf", "provided-buffers"}, {"personality", "personalities"},
        {"eventfd", "eventfd"},     {"iowq", "iowq-limits"},      {"restricted", "restrictions"},
    };
    for (auto &[scenario, kind] : cases) {
        CAPTURE(scenario);
        Fixture fx({scenario});
        CHECK(check_kinds(fx) == std::multiset<std::pair<std::string, long>>{{kind, -1}});
        check_refused_then_forced(fx, 1);
    }
}

TEST_CASE("dump: the SQPOLL thread refused is the one the kernel reports") {
    if (!need_bpf()) return;
    Fixture fx({"sqpoll"});
    int fd = fx.truth()["rings"][0]["fd"].GetInt();
    auto thread = fdinfo_value(fdinfo_text(fx.pid(), fd), "SqThread");
    // Before 6.7 fdinfo reads the thread only when it also gets
    // sq_data->lock, which the thread holds while awake (here its first
    // sq_thread_idle, 1 s): -1 until it sleeps.
    for (int i = 0; i < 50 && fdinfo_sq_thread_needs_sq_lock() && thread == std::optional<std::string>("-1"); i++) {
        usleep(100 * 1000);
        thread = fdinfo_value(fdinfo_text(fx.pid(), fd), "SqThread");
    }
    REQUIRE(thread);
    CHECK(*thread != "-1");
    auto r = run_uringdump({"dump", "--check", "-j", fx.pid_str()});
    auto doc = parse_json(r.out);
    REQUIRE(doc["obstacles"].Size() == 1);
    CHECK(std::string(doc["obstacles"][0]["detail"].GetString()).find("pid " + *thread) != std::string::npos);
}

TEST_CASE("dump: buffers not backed by plain anonymous or file memory are refused, slot by slot") {
    if (!need_bpf()) return;
    Fixture fx({"bufmem"});
    std::multiset<std::pair<std::string, long>> expected;
    for (auto &b : fx.truth()["rings"][0]["buffers"].GetArray())
        if (!b["plain"].GetBool()) expected.insert({"buffer-memory", b["slot"].GetInt()});
    REQUIRE(expected.size() == 3);
    CHECK(check_kinds(fx) == expected);
    check_refused_then_forced(fx, expected.size());
}

TEST_CASE("dump: a snapshot image check would reject is refused, even with --force") {
    // The collector drops what its consistency check finds torn; the hook
    // tears a buffer after that check (URINGDUMP_TEST_FAIL=tear), as a tear
    // no earlier check caught would come. dump must run image check's
    // checks itself and write nothing.
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    REQUIRE(fx.truth()["rings"][0]["buffers"].Size() > 0);
    TempDir dir;
    const std::map<std::string, std::string> tear{{"URINGDUMP_TEST_FAIL", "tear"}};
    auto forced = run_uringdump({"dump", "--force", fx.pid_str(), "-o", dir.file("x.img")}, tear);
    CHECK(forced.code == 5);
    CHECK(forced.err.find("inconsistent") != std::string::npos);
    CHECK(forced.err.find("buffer slot") != std::string::npos);
    auto err = lines(forced.err);
    REQUIRE_FALSE(err.empty());
    CHECK(err.back().rfind("uringdump: error: ", 0) == 0);
    CHECK(dir.entries().empty());
    auto check = run_uringdump({"dump", "--check", "-j", fx.pid_str()}, tear);
    CHECK(check.code == 5);
    bool named = false;
    for (auto &o : parse_json(check.out)["obstacles"].GetArray())
        named |= std::string(o["detail"].GetString()).find("inconsistent") != std::string::npos;
    CHECK(named);
    // Untorn, the same ring is written and its image passes image check.
    auto plain = run_uringdump({"dump", fx.pid_str(), "-o", dir.file("y.img")});
    REQUIRE(plain.code == 0);
    CHECK(run_uringdump({"image", "check", dir.file("y.img")}).code == 0);
}
