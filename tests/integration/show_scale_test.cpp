// Tables far larger than one iterator object's output: the walks resume and
// nothing is lost or repeated.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/procfs_truth.h"

using namespace ud::test;

TEST_CASE("show -j: an epoll set of 50000 items comes back whole") {
    if (!need_bpf()) return;
    const long n = 50000;
    Fixture fx({"scale-epoll", std::to_string(n)});
    long nfiles = fx.truth()["epolls"][0]["files"].GetInt64();
    auto shown = show_json(fx.pid());
    CHECK_FALSE(has(shown.doc, "partial"));
    const auto *p = shown.proc;
    const auto &items = (*p)["epoll"][0]["items"];
    REQUIRE(items.Size() == n);
    // The fixture gave item k the data k and the tfd 1000 + k / nfiles.
    std::vector<char> seen(n, 0);
    long bad_tfd = 0;
    for (auto &it : items.GetArray()) {
        auto k = it["data"].GetUint64();
        REQUIRE(k < static_cast<std::uint64_t>(n));
        seen[k]++;
        if (it["tfd"].GetInt64() != 1000 + static_cast<long>(k) / nfiles) bad_tfd++;
    }
    CHECK(bad_tfd == 0);
    CHECK(std::count(seen.begin(), seen.end(), 1) == n);
}

TEST_CASE("show -j: 2048 buffers of 64 KiB come back whole, every frame as pagemap says") {
    if (!need_bpf()) return;
    Fixture fx({"scale-bufs", "2048"});
    auto shown = show_json(fx.pid());
    const auto *p = shown.proc;
    const auto &bufs = (*p)["io_uring"][0]["buffers"];
    REQUIRE(bufs.Size() == 2048);
    std::set<unsigned> slots;
    long wrong = 0, pages = 0;
    for (auto &b : bufs.GetArray()) {
        slots.insert(b["slot"].GetUint());
        std::uint64_t addr = b["addr"].GetUint64();
        REQUIRE(b["segments"].Size() == 16);
        for (rapidjson::SizeType i = 0; i < 16; i++, pages++) {
            auto want = pagemap_pfn(fx.pid(), addr + i * 4096ULL);
            if (!want || *want != b["segments"][i]["pfn"].GetUint64()) wrong++;
        }
    }
    CHECK(slots.size() == 2048);
    CHECK(pages == 2048 * 16);
    CHECK(wrong == 0);
}

TEST_CASE("show -j: a fixed-file table of 20000 used slots comes back whole") {
    if (!need_bpf()) return;
    Fixture fx({"scale-files", "20000"});
    auto shown = show_json(fx.pid());
    const auto *p = shown.proc;
    const auto &files = (*p)["io_uring"][0]["files"];
    REQUIRE(files.Size() == 20000);
    std::set<unsigned> slots;
    for (auto &f : files.GetArray()) slots.insert(f["slot"].GetUint());
    CHECK(slots.size() == 20000);
    CHECK(*slots.rbegin() == 19999);
    CHECK(std::string(files[19999]["path"].GetString()) == "anon_inode:[eventfd]");
}
