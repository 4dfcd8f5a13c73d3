// The JSON shape uringdump-show(8) promises, key by key, and -p against -j.
#include <doctest/doctest.h>

#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"

using namespace ud::test;

namespace {

void check_number(const rapidjson::Value &v, const char *key) {
    INFO("key " << key);
    REQUIRE(has(v, key));
    CHECK(v[key].IsNumber());
}

void check_string(const rapidjson::Value &v, const char *key) {
    INFO("key " << key);
    REQUIRE(has(v, key));
    CHECK(v[key].IsString());
}

void check_int_array(const rapidjson::Value &v, const char *key) {
    INFO("key " << key);
    REQUIRE(has(v, key));
    REQUIRE(v[key].IsArray());
    for (auto &x : v[key].GetArray()) CHECK(x.IsInt());
}

}  // namespace

TEST_CASE("show -j: the documented shape, with JSON numbers") {
    if (!need_bpf()) return;
    Fixture ring_fx({"ring"});
    Fixture ep_fx({"epoll"});
    auto r = run_uringdump({"show", "-j", ring_fx.pid_str(), ep_fx.pid_str()});
    REQUIRE(r.code == 0);
    auto doc = parse_json(r.out);
    REQUIRE(doc["processes"].IsArray());
    REQUIRE(doc["processes"].Size() == 2);
    for (auto &p : doc["processes"].GetArray()) {
        check_number(p, "pid");
        check_string(p, "comm");
        REQUIRE(p["io_uring"].IsArray());
        REQUIRE(p["epoll"].IsArray());
        for (auto &ring : p["io_uring"].GetArray()) {
            CHECK((ring["fd"].IsInt() || ring["fd"].IsNull()));
            for (auto k : {"flags", "sq_entries", "cq_entries"}) check_number(ring, k);
            check_number(ring["sq"], "head");
            check_number(ring["sq"], "tail");
            for (auto k : {"head", "tail", "overflow"}) check_number(ring["cq"], k);
            REQUIRE(ring["files"].IsArray());
            for (auto &f : ring["files"].GetArray()) {
                check_number(f, "slot");
                check_int_array(f, "fds");
                check_string(f, "path");
                check_number(f, "ino");
            }
            REQUIRE(ring["buffers"].IsArray());
            CHECK(ring["buffers"].Size() == 4);
            for (auto &b : ring["buffers"].GetArray()) {
                for (auto k : {"slot", "addr", "len"}) check_number(b, k);
                REQUIRE(b["segments"].IsArray());
                for (auto &s : b["segments"].GetArray())
                    for (auto k : {"pfn", "offset", "len"}) check_number(s, k);
            }
        }
        for (auto &ep : p["epoll"].GetArray()) {
            check_number(ep, "fd");
            REQUIRE(ep["items"].IsArray());
            for (auto &it : ep["items"].GetArray()) {
                check_number(it, "tfd");
                check_int_array(it, "fds");
                for (auto k : {"events", "data", "ino"}) check_number(it, k);
                check_string(it, "path");
            }
        }
    }
}

TEST_CASE("show -p: the same document as -j, indented") {
    if (!need_bpf()) return;
    Fixture fx({"epoll"});
    auto compact = run_uringdump({"show", "-j", fx.pid_str()});
    auto pretty = run_uringdump({"show", "-p", fx.pid_str()});
    REQUIRE(compact.code == 0);
    REQUIRE(pretty.code == 0);
    CHECK(lines(compact.out).size() == 1);
    CHECK(lines(pretty.out).size() > 20);
    CHECK(pretty.out.find("\n    \"processes\"") != std::string::npos);
    auto a = parse_json(compact.out), b = parse_json(pretty.out);
    // Items are compared as documents; the epoll set has not changed between runs.
    CHECK(a["processes"] == b["processes"]);
}

TEST_CASE("show without PIDs: every process holding a ring or an epoll set, not uringdump itself") {
    if (!need_bpf()) return;
    Fixture ring_fx({"ring"});
    Fixture ep_fx({"epoll"});
    Fixture idle_fx({"idle"});
    auto r = run_uringdump({"show", "-j"});
    REQUIRE(r.code == 0);
    auto doc = parse_json(r.out);
    CHECK(find_process(doc, ring_fx.pid()));
    CHECK(find_process(doc, ep_fx.pid()));
    CHECK_FALSE(find_process(doc, idle_fx.pid()));
    for (auto &p : doc["processes"].GetArray()) {
        CHECK(std::string(p["comm"].GetString()) != "uringdump");
        CHECK((p["io_uring"].Size() + p["epoll"].Size()) > 0);
    }
}
