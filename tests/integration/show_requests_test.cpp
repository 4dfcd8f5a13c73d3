// The requests a ring holds, listed: show -j against what the fixture
// submitted (tests/fixtures/ud_fixture_requests.c) and, for polls, against
// fdinfo's PollList ("  op=N, task_works=N", one line per armed poll, printed
// by 6.1 to 6.18 alike). Where the kernels differ (futex and waitid requests
// from 6.7; a per-ring request count from 6.13) the expectation comes from
// the running kernel's BTF, never from uringdump's output.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/kernel.h"
#include "support/procfs_truth.h"
#include "support/run.h"

using namespace ud::test;

namespace {

// IORING_OP_* numbers (UAPI) of the opcodes the fixtures submit.
const std::map<std::string, int> kOpcodes = {{"recv", 27}, {"poll_add", 6}, {"accept", 13}, {"read", 22}};

struct Shown {
    rapidjson::Document doc;
    const rapidjson::Value *ring = nullptr;
};

Shown show_ring(const Fixture &fx) {
    Shown s;
    auto r = run_uringdump({"show", "-j", fx.pid_str()});
    REQUIRE(r.code == 0);
    s.doc = parse_json(r.out);
    const auto *p = find_process(s.doc, fx.pid());
    REQUIRE(p);
    REQUIRE((*p)["io_uring"].Size() == 1);
    s.ring = &(*p)["io_uring"][0];
    REQUIRE(has(*s.ring, "requests"));
    return s;
}

// The shown request with this user_data, or null; fails on two of them.
const rapidjson::Value *by_user_data(const rapidjson::Value &ring, std::uint64_t ud) {
    const rapidjson::Value *found = nullptr;
    for (auto &q : ring["requests"].GetArray()) {
        if (q["user_data"].GetUint64() != ud) continue;
        CHECK_MESSAGE(!found, "user_data " << ud << " listed twice");
        found = &q;
    }
    return found;
}

// One request the fixture submitted, as show lists it.
void check_request(const rapidjson::Value &ring, const rapidjson::Value &want) {
    std::uint64_t ud = want["user_data"].GetUint64();
    std::string waiting = want["waiting"].GetString();
    CAPTURE(ud);
    CAPTURE(waiting);
    const auto *q = by_user_data(ring, ud);
    REQUIRE(q);
    CHECK(std::string((*q)["opcode"].GetString()) == want["opcode"].GetString());
    CHECK(std::string((*q)["waiting"].GetString()) == waiting);
    int fd = want["fd"].GetInt();
    // Work queued in io-wq: 6.1 takes its file before queueing it
    // (io_req_prep_async()), later kernels only when a worker issues it.
    if (fd < 0 && has(want, "sqe_fd") && want["sqe_fd"].GetInt() >= 0 && (*q)["fd"].IsInt())
        fd = want["sqe_fd"].GetInt();
    if (fd < 0) {
        CHECK((*q)["fd"].IsNull());
        CHECK((*q)["path"].IsNull());
    } else {
        REQUIRE((*q)["fd"].IsInt());
        CHECK((*q)["fd"].GetInt() == fd);
        CHECK(int_list((*q)["fds"]) == std::vector<int>{fd});
        CHECK((*q)["slot"].IsNull());
        CHECK((*q)["path"].IsString());
    }
    if (has(want, "io_wq")) {
        REQUIRE(has(*q, "io_wq"));
        const auto &w = (*q)["io_wq"];
        std::string state = want["io_wq"]["state"].GetString();
        CHECK(std::string(w["state"].GetString()) == state);
        CHECK(std::string(w["worker"].GetString()) == want["io_wq"]["worker"].GetString());
        CHECK_FALSE(w["hashed"].GetBool());
        CHECK(w["worker_tid"].IsInt() == (state == "running"));
    }
}

// The name the kernel gives a thread: "iou-wrk-PID" for an io-wq worker.
std::string thread_comm(int pid, int tid) {
    std::ifstream in(fmt::format("/proc/{}/task/{}/comm", pid, tid));
    std::string comm;
    std::getline(in, comm);
    return comm;
}

}  // namespace

TEST_CASE("show -j: requests: each request the fixture left waiting is listed where the kernel holds it") {
    if (!need_bpf()) return;
    Fixture fx({"requests"});
    const auto &truth = fx.truth()["rings"][0];
    auto s = show_ring(fx);
    const auto &ring = *s.ring;
    CHECK_FALSE(has(s.doc, "partial"));

    for (auto &want : truth["requests"].GetArray()) check_request(ring, want);
    check_request(ring, truth["drained"]);
    for (auto &want : truth["requests"].GetArray())
        if (want["fd"].GetInt() >= 0) {
            const auto *q = by_user_data(ring, want["user_data"].GetUint64());
            REQUIRE(q);
            CHECK(std::string((*q)["path"].GetString()) == fd_link(fx.pid(), want["fd"].GetInt()));
        }

    // Polls: single-shot and multishot as submitted.
    auto multishot = [&](std::uint64_t ud) { return (*by_user_data(ring, ud))["poll"]["multishot"].GetBool(); };
    CHECK_FALSE(multishot(0x1001));  // recv
    CHECK(multishot(0x1002));        // poll_add with IORING_POLL_ADD_MULTI
    CHECK(multishot(0x1004));        // multishot accept
    CHECK_FALSE(multishot(0x1003));  // accept
    CHECK((*by_user_data(ring, 0x1002))["poll"]["poll_add"].GetBool());

    // Timeouts of an hour, armed a moment ago.
    for (std::uint64_t ud : {0x1006, 0x1008}) {
        const auto &t = (*by_user_data(ring, ud))["timeout"];
        REQUIRE(t["left_ns"].IsInt64());
        CHECK(t["left_ns"].GetInt64() > 3000 * 1000000000LL);
        CHECK(t["left_ns"].GetInt64() <= 3600 * 1000000000LL);
        CHECK(std::string(t["clock"].GetString()) == "monotonic");
    }
    // The chain: recv 0x1007 -> link_timeout 0x1008, which guards it.
    auto index_of = [&](std::uint64_t ud) {
        const auto &reqs = ring["requests"];
        for (rapidjson::SizeType i = 0; i < reqs.Size(); i++)
            if (reqs[i]["user_data"].GetUint64() == ud) return static_cast<int>(i);
        return -1;
    };
    const auto &head = *by_user_data(ring, 0x1007);
    REQUIRE(head["next"].IsInt());
    CHECK(head["next"].GetInt() == index_of(0x1008));
    CHECK((*by_user_data(ring, 0x1008))["timeout"]["guards"].GetInt() == index_of(0x1007));
    CHECK(std::set<std::string>{"link"} == [&] {
        std::set<std::string> f;
        for (auto &x : head["flags"].GetArray()) f.insert(x.GetString());
        return f;
    }());

    // Every listed request is one the fixture submitted.
    std::size_t expected = truth["requests"].Size() + truth["optional"].Size() + 1 /* drained */;
    CHECK(ring["requests"].Size() == expected);
    // In flight on no list: nothing, where the kernel counts the ring's
    // requests (6.13+); not known elsewhere.
    if (kernel_has_field("io_ring_ctx", "nr_req_allocated"))
        CHECK(ring["requests_unlisted"].GetUint() == 0);
    else
        CHECK(ring["requests_unlisted"].IsNull());

    // fdinfo's PollList: the same armed polls, by opcode.
    auto text = fdinfo_text(fx.pid(), truth["fd"].GetInt());
    REQUIRE_FALSE(fdinfo_read_locked(text));
    std::multiset<int> fdinfo_ops, shown_ops;
    for (auto &line : fdinfo_section(text, "PollList")) {
        auto at = line.find("op=");
        REQUIRE(at != std::string::npos);
        fdinfo_ops.insert(std::stoi(line.substr(at + 3)));
    }
    for (auto &q : ring["requests"].GetArray())
        if (std::string(q["waiting"].GetString()) == "poll") shown_ops.insert(kOpcodes.at(q["opcode"].GetString()));
    CHECK(fdinfo_ops == shown_ops);
}

TEST_CASE("show: requests: the table lists each request once, the one linked behind another marked ->") {
    if (!need_bpf()) return;
    Fixture fx({"requests"});
    auto r = run_uringdump({"show", fx.pid_str()});
    REQUIRE(r.code == 0);
    std::map<std::uint64_t, std::vector<std::string>> rows;
    bool in_requests = false;
    for (auto &line : lines(r.out)) {
        if (line.rfind("    requests: ", 0) == 0) {
            in_requests = true;
            continue;
        }
        if (!in_requests || line.find("USER_DATA") != std::string::npos) continue;
        std::istringstream in(line);
        std::vector<std::string> cols;
        for (std::string c; in >> c;) cols.push_back(c);
        if (cols.empty() || cols[0].find_first_not_of("0123456789") != std::string::npos) break;
        CHECK_MESSAGE(rows.emplace(std::stoull(cols[0]), cols).second, "listed twice: " << line);
    }
    // The chain: recv 0x1007, then its link timeout (also on ltimeout_list).
    REQUIRE(rows.count(0x1007));
    REQUIRE(rows.count(0x1008));
    REQUIRE(rows.count(0x1006));
    CHECK(rows[0x1007][1] == "recv");
    CHECK(rows[0x1008][1] == "->link_timeout");
    CHECK(rows[0x1008][2] == "timeout");
    CHECK(rows[0x1006][1] == "timeout");  // a timeout of its own: no chain
}

TEST_CASE("show -j: requests: a futex wait and a waitid are listed on their lists (6.7+)") {
    if (!need_bpf()) return;
    // io_uring has futex and waitid requests from 6.7 (io_ring_ctx.futex_list,
    // waitid_list). The fixture submits them where the kernel accepts the
    // opcodes (its probe); that must be where the kernel's BTF has the lists.
    bool futex = kernel_has_field("io_ring_ctx", "futex_list");
    bool waitid = kernel_has_field("io_ring_ctx", "waitid_list");
    Fixture fx({"requests"});
    const auto &truth = fx.truth()["rings"][0];
    CHECK(truth["futex"].GetBool() == futex);
    CHECK(truth["waitid"].GetBool() == waitid);
    if (!futex || !waitid) {
        skip("no io_uring futex/waitid requests on this kernel (io_ring_ctx.futex_list, waitid_list: 6.7+)");
        return;
    }
    auto s = show_ring(fx);
    REQUIRE(truth["optional"].Size() == 2);
    for (auto &want : truth["optional"].GetArray()) check_request(*s.ring, want);
}

TEST_CASE("show -j: requests: 10,000 armed polls in one ring are all listed, over resume passes") {
    if (!need_bpf()) return;
    const int n = 10000;
    Fixture fx({"requests-many", std::to_string(n)});
    const auto &truth = fx.truth()["rings"][0];
    auto s = show_ring(fx);
    CHECK_FALSE(has(s.doc, "partial"));
    const auto &reqs = (*s.ring)["requests"];
    CHECK(reqs.Size() == static_cast<unsigned>(n));
    std::set<std::uint64_t> uds;
    int sock = truth["socket"].GetInt();
    for (auto &q : reqs.GetArray()) {
        uds.insert(q["user_data"].GetUint64());
        if (q["fd"].GetInt() != sock || std::string(q["waiting"].GetString()) != "poll" ||
            std::string(q["opcode"].GetString()) != "recv")
            FAIL_CHECK("request " << q["user_data"].GetUint64() << " is not a recv armed on fd " << sock);
    }
    CHECK(uds.size() == static_cast<std::size_t>(n));
    CHECK(*uds.begin() == truth["first_user_data"].GetUint64());
    CHECK(*uds.rbegin() == truth["first_user_data"].GetUint64() + n - 1);
    auto polls = fdinfo_section(fdinfo_text(fx.pid(), truth["fd"].GetInt()), "PollList");
    CHECK(polls.size() == static_cast<std::size_t>(n));
}

TEST_CASE("show -j: requests in io-wq are listed queued or running, for bound or unbound workers, with the worker") {
    if (!need_bpf()) return;
    Fixture fx({"requests-iowq"});
    const auto &truth = fx.truth()["rings"][0];
    auto s = show_ring(fx);
    const auto &ring = *s.ring;
    CHECK_FALSE(has(s.doc, "partial"));
    CHECK(ring["requests"].Size() == truth["requests"].Size());
    std::set<int> workers;
    for (auto &want : truth["requests"].GetArray()) {
        check_request(ring, want);
        const auto *q = by_user_data(ring, want["user_data"].GetUint64());
        if (!q || !(*q)["io_wq"]["worker_tid"].IsInt()) continue;
        // A thread of the process: one of its io-wq workers, each running
        // one request.
        int tid = (*q)["io_wq"]["worker_tid"].GetInt();
        CAPTURE(tid);
        CHECK(thread_comm(fx.pid(), tid) == fmt::format("iou-wrk-{}", fx.pid()));
        CHECK(workers.insert(tid).second);
    }
    CHECK(workers.size() == 2);
    // The table says the same in words.
    auto r = run_uringdump({"show", fx.pid_str()});
    REQUIRE(r.code == 0);
    for (auto &want : truth["requests"].GetArray()) {
        std::string ud = std::to_string(want["user_data"].GetUint64());
        std::string state = want["io_wq"]["state"].GetString(), worker = want["io_wq"]["worker"].GetString();
        CAPTURE(ud);
        bool found = false;
        for (auto &line : lines(r.out)) {
            std::istringstream in(line);
            std::string first;
            in >> first;
            if (first != ud) continue;
            found = true;
            CHECK(line.find(" io-wq ") != std::string::npos);
            CHECK(line.find(state == "running" ? "running in worker " : "queued") != std::string::npos);
            CHECK(line.find(", " + worker) != std::string::npos);
        }
        CHECK(found);
    }
}

TEST_CASE("show -j: requests that complete while read are listed whole or not at all") {
    if (!need_bpf()) return;
    Fixture fx({"requests-churn"});
    const auto &truth = fx.truth()["rings"][0];
    std::uint64_t lo = truth["churn_user_data"][0].GetUint64(), hi = truth["churn_user_data"][1].GetUint64();
    int churn_fd = truth["churn_fd"].GetInt();
    int changed = 0, churned = 0;
    // 40 reads at least; more while none has caught a churning request on
    // its list, since the whole-or-nothing checks need some to check.
    for (int round = 0; round < 40 || (churned == 0 && round < 400); round++) {
        CAPTURE(round);
        auto s = show_ring(fx);
        const auto &ring = *s.ring;
        // The requests that stay are there, once, as submitted, unless a
        // list was given up after it changed under every reading (said).
        bool gave_up = false;
        std::string partial;  // for the message of a failure
        if (has(s.doc, "partial"))
            for (auto &why : s.doc["partial"].GetArray()) {
                gave_up |= std::string(why.GetString()).find("rest of that list") != std::string::npos;
                partial += std::string(why.GetString()) + "; ";
            }
        CAPTURE(partial);
        std::string listed;  // for the message of a failure
        for (auto &q : ring["requests"].GetArray())
            listed += fmt::format("{:#x} {}; ", q["user_data"].GetUint64(), q["waiting"].GetString());
        CAPTURE(listed);
        for (auto &want : truth["requests"].GetArray())
            if (!gave_up || by_user_data(ring, want["user_data"].GetUint64())) check_request(ring, want);
        std::set<std::uint64_t> seen;
        for (auto &q : ring["requests"].GetArray()) {
            std::uint64_t ud = q["user_data"].GetUint64();
            std::string op = q["opcode"].GetString(), waiting = q["waiting"].GetString();
            if (ud == 0x3001 || ud == 0x3002) continue;
            churned++;
            // Anything else is one of the churning requests, whole: a recv
            // armed on the churn socket or a timeout, never a mix.
            CHECK((ud >= lo && ud <= hi));
            if (op == "recv") {
                CHECK(waiting == "poll");
                CHECK(q["fd"].GetInt() == churn_fd);
            } else {
                CHECK(op == "timeout");
                CHECK(waiting == "timeout");
                CHECK(q["fd"].IsNull());
            }
            CHECK(seen.insert(ud).second);
        }
        if (has(s.doc, "partial"))
            for (auto &why : s.doc["partial"].GetArray()) {
                std::string w = why.GetString();
                CHECK(w.find("request") != std::string::npos);
                changed++;
            }
    }
    INFO("churning requests listed: " << churned << ", reads that dropped a changed one: " << changed);
    CHECK(churned > 0);
}

TEST_CASE("dump --check -j: the in-flight obstacle names the requests the fixture left waiting") {
    if (!need_bpf()) return;
    Fixture fx({"requests"});
    const auto &truth = fx.truth()["rings"][0];
    auto r = run_uringdump({"dump", "--check", "-j", fx.pid_str()});
    CHECK(r.code == 5);
    auto doc = parse_json(r.out);
    const rapidjson::Value *inflight = nullptr;
    for (auto &o : doc["obstacles"].GetArray())
        if (std::string(o["kind"].GetString()) == "in-flight") inflight = &o;
    REQUIRE(inflight);
    std::map<std::uint64_t, const rapidjson::Value *> named;
    for (auto &q : (*inflight)["requests"].GetArray()) named[q["user_data"].GetUint64()] = &q;
    for (auto &want : truth["requests"].GetArray()) {
        std::uint64_t ud = want["user_data"].GetUint64();
        CAPTURE(ud);
        REQUIRE(named.count(ud));
        CHECK(std::string((*named[ud])["opcode"].GetString()) == want["opcode"].GetString());
        if (want["fd"].GetInt() >= 0)
            CHECK((*named[ud])["fd"].GetInt() == want["fd"].GetInt());
        else
            CHECK((*named[ud])["fd"].IsNull());
    }
    // The text line names them too: the first eight in the order -j lists
    // them, then how many more.
    auto text = run_uringdump({"dump", "--check", fx.pid_str()});
    std::string all = text.out + text.err;
    auto at = all.find("; listed: ");
    REQUIRE(at != std::string::npos);
    std::string line = all.substr(at, all.find('\n', at) - at);
    CAPTURE(line);
    const auto &listed = (*inflight)["requests"];
    std::size_t pos = 0;
    for (rapidjson::SizeType i = 0; i < listed.Size() && i < 8; i++) {
        std::string one = std::string(listed[i]["opcode"].GetString()) + " user_data " +
                          std::to_string(listed[i]["user_data"].GetUint64());
        CAPTURE(one);
        pos = line.find(one, pos);
        REQUIRE(pos != std::string::npos);
    }
    if (listed.Size() > 8)
        CHECK(line.ends_with(" and " + std::to_string(listed.Size() - 8) + " more"));
    else
        CHECK(line.find(" more") == std::string::npos);
}

TEST_CASE("iter pin io_uring_req: cat prints one line per request the fixture left waiting") {
    if (!need_bpf()) return;
    Fixture fx({"requests"});
    const auto &truth = fx.truth()["rings"][0];
    std::string path = "/sys/fs/bpf/ud-test-" + std::to_string(::getpid()) + "-reqs";
    struct Unpin {
        const std::string &path;
        ~Unpin() { ::unlink(path.c_str()); }
    } unpin{path};
    REQUIRE(run_uringdump({"iter", "pin", "io_uring_req", path, "pid", fx.pid_str()}).code == 0);
    auto text = run({"cat", path}).out;
    // iter list knows the kind.
    auto listed = parse_json(run_uringdump({"iter", "list", "-j"}).out);
    bool found = false;
    for (auto &e : listed.GetArray())
        if (std::string(e["path"].GetString()) == path) {
            found = true;
            CHECK(std::string(e["kind"].GetString()) == "io_uring_req");
            CHECK(e["pid"].GetInt() == fx.pid());
        }
    CHECK(found);
    auto all = lines(text);
    REQUIRE(!all.empty());
    CHECK(all[0] == "PID RING_FD USER_DATA OPCODE WAITING EVENTS NAME");
    std::map<std::uint64_t, std::vector<std::string>> by_ud;
    for (std::size_t i = 1; i < all.size(); i++) {
        std::istringstream in(all[i]);
        std::vector<std::string> cols;
        for (std::string c; in >> c;) cols.push_back(c);
        REQUIRE(cols.size() >= 7);
        CHECK(cols[0] == fx.pid_str());
        CHECK(std::stoi(cols[1]) == truth["fd"].GetInt());
        // A request linked behind another is printed after it ("linked")
        // and again on the list it waits on, if any: that line wins.
        auto [it, fresh] = by_ud.emplace(std::stoull(cols[2]), cols);
        if (!fresh) {
            CHECK((it->second[4] == "linked" || cols[4] == "linked"));
            if (it->second[4] == "linked") it->second = cols;
        }
    }
    std::size_t want_lines = 0;
    auto check = [&](const rapidjson::Value &want) {
        std::uint64_t ud = want["user_data"].GetUint64();
        CAPTURE(ud);
        std::string waiting = want["waiting"].GetString();
        want_lines++;
        REQUIRE(by_ud.count(ud));
        CHECK(by_ud[ud][4] == waiting);
        if (want["fd"].GetInt() >= 0)
            CHECK(by_ud[ud][6] == fd_link(fx.pid(), want["fd"].GetInt()));
        else
            CHECK(by_ud[ud][6] == "-");
    };
    for (auto &want : truth["requests"].GetArray()) check(want);
    for (auto &want : truth["optional"].GetArray()) check(want);
    check(truth["drained"]);
    CHECK(by_ud.size() == want_lines);
}

TEST_CASE("top -b: the INFLIGHT column counts the requests a ring holds (requests fixture)") {
    if (!need_bpf()) return;
    Fixture fx({"requests"});
    auto r = run_uringdump({"top", "-b", "-n", "1", fx.pid_str()});
    REQUIRE(r.code == 0);
    auto all = lines(r.out);
    REQUIRE(all.size() >= 2);
    CHECK(std::any_of(all.begin(), all.end(), [](const std::string &l) {
        return l.find("PID") != std::string::npos && l.find("INFLIGHT") != std::string::npos;
    }));
    std::string row;
    for (auto &l : all) {
        // The process's row (PID COMM ...), not a request line whose
        // USER_DATA happens to be the same number.
        std::istringstream in(l);
        std::string first, comm;
        if (in >> first >> comm && first == fx.pid_str() && comm == "ud_fixture") row = l;
    }
    REQUIRE(!row.empty());
    std::string last = row.substr(row.find_last_of(' ') + 1);
    // Every request the fixture submitted is in flight: the ring's count
    // where the kernel keeps one (6.13+), "?" where it counts per task.
    const auto &truth = fx.truth()["rings"][0];
    std::size_t submitted = truth["requests"].Size() + truth["optional"].Size() + 1;
    if (kernel_has_field("io_ring_ctx", "nr_req_allocated"))
        CHECK(last == std::to_string(submitted));
    else
        CHECK(last == "?");
}
