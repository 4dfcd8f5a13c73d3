// Images that are not whole: truncated, with a bit flipped, of another
// format version. image show and image check say so in one line on stderr,
// print nothing on stdout and exit 6, never crash (make asan-test runs these
// under ASan and UBSan). Made without BPF (--procfs), so they run anywhere.
#include <doctest/doctest.h>
#include <zlib.h>

#include "support/env.h"
#include "support/fixture.h"
#include "support/image_file.h"
#include "support/json.h"
#include "support/run.h"

using namespace ud::test;

namespace {

std::string good_image(const TempDir &dir) {
    Fixture fx({"ring"});
    auto r = run_uringdump({"--procfs", "dump", "--force", "--pages", fx.pid_str(), "-o", dir.file("good.img")});
    REQUIRE(r.code == 0);
    return read_file(dir.file("good.img"));
}

void check_bad(const TempDir &dir, const std::string &bytes, const std::string &what) {
    CAPTURE(what);
    write_file(dir.file("bad.img"), bytes);
    for (auto args : {std::vector<std::string>{"image", "show", dir.file("bad.img")},
                      std::vector<std::string>{"image", "check", dir.file("bad.img")}}) {
        auto r = run_uringdump(args);
        CHECK(r.code == 6);
        CHECK(r.out.empty());
        auto err = lines(r.err);
        REQUIRE(err.size() == 1);
        CHECK(err[0].rfind("uringdump: error: " + dir.file("bad.img") + ": ", 0) == 0);
    }
    // Under -j the error is the document on stdout, as bpftool's.
    auto r = run_uringdump({"image", "show", "-j", dir.file("bad.img")});
    CHECK(r.code == 6);
    CHECK(r.err.empty());
    auto doc = parse_json(r.out);
    REQUIRE(has(doc, "error"));
    CHECK(std::string(doc["error"].GetString()).rfind(dir.file("bad.img") + ": ", 0) == 0);
}

}  // namespace

TEST_CASE("image: truncated images are one error line and exit 6") {
    TempDir dir;
    std::string bytes = good_image(dir);
    REQUIRE(run_uringdump({"image", "check", dir.file("good.img")}).code == 5);  // partial: an obstacle
    for (std::size_t len : {std::size_t(0), std::size_t(7), std::size_t(15), std::size_t(16), std::size_t(20),
                            bytes.size() / 3, bytes.size() / 2, bytes.size() - 1})
        check_bad(dir, bytes.substr(0, len), "cut at " + std::to_string(len));
}

TEST_CASE("image: bit-flipped images are one error line and exit 6") {
    TempDir dir;
    std::string bytes = good_image(dir);
    for (std::size_t at : {std::size_t(0), std::size_t(9), std::size_t(13), std::size_t(17), std::size_t(21),
                           bytes.size() / 4, bytes.size() / 2, bytes.size() - 1}) {
        std::string bad = bytes;
        bad[at] = static_cast<char>(bad[at] ^ 0x10);
        check_bad(dir, bad, "bit 4 of byte " + std::to_string(at));
    }
}

TEST_CASE("image: an image of another format version is one error line naming it, exit 6") {
    TempDir dir;
    std::string bytes = good_image(dir);
    bytes[8] = 7;  // version 7, header checksum made to match
    std::uint32_t crc = static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef *>(bytes.data()), 12));
    for (int i = 0; i < 4; i++) bytes[12 + i] = static_cast<char>(crc >> (8 * i));
    check_bad(dir, bytes, "version 7");
    auto r = run_uringdump({"image", "show", dir.file("bad.img")});
    CHECK(r.err.find("version 7") != std::string::npos);
}

TEST_CASE("image: a missing file, a directory and bad command lines") {
    TempDir dir;
    CHECK(run_uringdump({"image", "show", dir.file("none.img")}).code == 1);
    CHECK(run_uringdump({"image", "check", dir.path()}).code == 1);
    CHECK(run_uringdump({"image"}).code == 2);
    CHECK(run_uringdump({"image", "show"}).code == 2);
    CHECK(run_uringdump({"image", "frobnicate", dir.file("x")}).code == 2);
    CHECK(run_uringdump({"image", "show", "--force", dir.file("x")}).code == 2);
}

TEST_CASE("dump: bad command lines are usage errors and write nothing") {
    TempDir dir;
    std::string out = dir.file("x.img");
    for (auto args : std::vector<std::vector<std::string>>{
             {"dump", "-o", out},
             {"dump", "1"},
             {"dump", "--check", "1", "-o", out},
             {"dump", "--check", "--pages", "1"},
             {"dump", "1", "-o"},
             {"dump", "1", "--output="},
             {"dump", "abc", "-o", out},
             {"show", "-o", out, "1"},
             {"show", "--pages", "1"},
         }) {
        auto r = run_uringdump(args);
        CAPTURE(args[1]);
        CHECK(r.code == 2);
        CHECK(lines(r.err).size() == 1);
    }
    CHECK(dir.entries().empty());
    CHECK(run_uringdump({"dump", "999999999", "-o", out}).code == 3);
}
