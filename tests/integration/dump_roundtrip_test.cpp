// dump, then image show: the image of a fixture renders exactly as show does
// of the same fixture, holds its snapshot field by field, decodes with protoc
// and the shipped schema, and with --pages holds what /proc/PID/mem holds.
#include <doctest/doctest.h>

#include <regex>

#include "collect/collector.h"
#include "support/env.h"
#include "support/fixture.h"
#include "support/image_bytes.h"
#include "support/image_file.h"
#include "support/json.h"
#include "support/model_compare.h"
#include "support/procfs_truth.h"
#include "support/run.h"

using namespace ud::test;

namespace {

// An image records no requests (a ring holding any is not dumped without
// --force, and no restore could resubmit them): what show says of the
// requests of these quiet rings is left out of the comparison.
std::string without_requests(const std::string &out) {
    static const std::regex json(R"(,"requests":\[\],"requests_unlisted":(null|[0-9]+))");
    std::string s = std::regex_replace(out, json, "");
    std::string kept;
    bool in_requests = false;
    for (auto &line : lines(s)) {
        if (line.rfind("    requests: ", 0) == 0) {
            in_requests = true;
            continue;
        }
        if (in_requests && line.rfind("     ", 0) == 0) continue;
        in_requests = false;
        kept += line + "\n";
    }
    return kept;
}

// show and image show of the same fixture, as JSON and as tables.
void check_image_shows_as_show(const Fixture &fx, const std::string &image, const std::vector<std::string> &global) {
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), global.begin(), global.end());
        return run_uringdump(args);
    };
    auto show_json = with({"show", "-j", fx.pid_str()}), image_json = run_uringdump({"image", "show", "-j", image});
    REQUIRE(show_json.code == 0);
    REQUIRE(image_json.code == 0);
    CHECK(find_process(parse_json(image_json.out), fx.pid()));
    CHECK(image_json.out == without_requests(show_json.out));
    auto show_table = with({"show", fx.pid_str()}), image_table = run_uringdump({"image", "show", image});
    CHECK(image_table.code == 0);
    CHECK(image_table.out == without_requests(show_table.out));
}

// The image's snapshot against one collected here right after, field by
// field: what the renderers never print must come back too. The fixtures
// are still, so only the moment of collection differs.
void check_image_model(const Fixture &fx, const std::string &image, bool procfs) {
    ud::image::Image img = decode_image(read_file(image));
    ud::collect::Collector c({procfs});
    auto live = c.snapshot({fx.pid()});
    REQUIRE(live.processes.size() == 1);
    auto diff = model_differences(live, img.snap, {.same_moment = false});
    std::string listed;
    for (auto &d : diff) listed += d + "\n";
    INFO(listed);
    CHECK(diff.empty());
}

// The concatenated contents of each buffer in an image, by buffer address.
std::map<std::uint64_t, std::pair<std::string, std::string>> contents_by_addr(const std::string &bytes) {
    std::map<std::uint64_t, std::pair<std::string, std::string>> out;  // addr -> (data, error)
    std::uint64_t addr = 0;
    for (auto &r : image_records(bytes)) {
        if (r.has_buffer()) addr = r.buffer().addr(), out[addr] = {};
        if (!r.has_buffer_data()) continue;
        out[addr].first += r.buffer_data().data();
        out[addr].second += r.buffer_data().error();
    }
    return out;
}

}  // namespace

TEST_CASE("dump: image show gives what show gives of the same fixture (rings, epoll sets, a registered ring)") {
    if (!need_bpf()) return;
    for (const char *scenario : {"ring", "epoll", "regring"}) {
        CAPTURE(scenario);
        Fixture fx({scenario});
        TempDir dir;
        auto r = run_uringdump({"dump", fx.pid_str(), "-o", dir.file("x.img")});
        REQUIRE(r.code == 0);
        check_image_shows_as_show(fx, dir.file("x.img"), {});
        check_image_model(fx, dir.file("x.img"), false);
    }
}

TEST_CASE("dump: an image read through /proc shows as show --procfs does") {
    Fixture fx({"ring"});
    TempDir dir;
    // The fallback's snapshot is partial: an obstacle, so --force.
    auto r = run_uringdump({"--procfs", "dump", "--force", fx.pid_str(), "-o", dir.file("x.img")});
    REQUIRE(r.code == 0);
    check_image_shows_as_show(fx, dir.file("x.img"), {"--procfs"});
    check_image_model(fx, dir.file("x.img"), true);
    auto check = run_uringdump({"image", "check", "-j", dir.file("x.img")});
    CHECK(check.code == 5);
    auto doc = parse_json(check.out);
    REQUIRE(doc["obstacles"].Size() >= 1);
    CHECK(std::string(doc["obstacles"][0]["kind"].GetString()) == "partial");
}

TEST_CASE("dump: protoc decodes every frame with the shipped schema") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    TempDir dir;
    REQUIRE(run_uringdump({"dump", fx.pid_str(), "-o", dir.file("x.img")}).code == 0);
    std::string decoded;
    for (auto &payload : image_payloads(read_file(dir.file("x.img")))) {
        write_file(dir.file("payload"), payload);
        auto r = run({"sh", "-c", "protoc --decode=uringdump.image.Record -I\"$(dirname \"$1\")\" \"$1\" < \"$2\"", "sh",
                      image_schema(), dir.file("payload")});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        decoded += r.out;
    }
    const auto &truth = fx.truth()["rings"][0];
    CHECK(decoded.find("pid: " + fx.pid_str()) != std::string::npos);
    CHECK(decoded.find("comm: \"ud_fixture\"") != std::string::npos);
    CHECK(decoded.find("sq_entries: " + std::to_string(truth["sq_entries"].GetUint())) != std::string::npos);
    for (auto &f : truth["files"].GetArray())
        CHECK(decoded.find("path: \"" + std::string(f["path"].GetString()) + "\"") != std::string::npos);
    for (auto &b : truth["buffers"].GetArray())
        CHECK(decoded.find("addr: " + std::to_string(b["addr"].GetUint64())) != std::string::npos);
}

TEST_CASE("dump --pages: the image holds each buffer's bytes as /proc/PID/mem reads them") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    TempDir dir;
    REQUIRE(run_uringdump({"dump", "--pages", fx.pid_str(), "-o", dir.file("x.img")}).code == 0);
    auto contents = contents_by_addr(read_file(dir.file("x.img")));
    const auto &buffers = fx.truth()["rings"][0]["buffers"];
    REQUIRE(contents.size() == buffers.Size());
    for (auto &b : buffers.GetArray()) {
        std::uint64_t addr = b["addr"].GetUint64(), len = b["len"].GetUint64();
        CAPTURE(addr);
        REQUIRE(contents.count(addr));
        CHECK(contents[addr].second.empty());
        CHECK(contents[addr].first.size() == len);
        CHECK(contents[addr].first == proc_mem(fx.pid(), addr, len));
    }
    auto check = run_uringdump({"image", "check", dir.file("x.img")});
    CHECK(check.code == 0);
}

TEST_CASE("dump --pages: a buffer no longer mapped is reported, not skipped") {
    if (!need_bpf()) return;
    Fixture fx({"bufmem"});
    TempDir dir;
    auto r = run_uringdump({"dump", "--pages", "--force", fx.pid_str(), "-o", dir.file("x.img")});
    REQUIRE(r.code == 0);
    auto contents = contents_by_addr(read_file(dir.file("x.img")));
    for (auto &b : fx.truth()["rings"][0]["buffers"].GetArray()) {
        std::uint64_t addr = b["addr"].GetUint64(), len = b["len"].GetUint64();
        std::string kind = b["kind"].GetString();
        CAPTURE(kind);
        REQUIRE(contents.count(addr));
        if (kind == "unmapped") {
            CHECK(proc_mem(fx.pid(), addr, len).empty());
            CHECK(contents[addr].first.empty());
            CHECK_FALSE(contents[addr].second.empty());
            std::string slot = "buffer slot " + std::to_string(b["slot"].GetUint()) + ": contents";
            CHECK(r.err.find(slot) != std::string::npos);
        } else {
            CHECK(contents[addr].first == proc_mem(fx.pid(), addr, len));
        }
    }
}
