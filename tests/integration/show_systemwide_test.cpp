// A system-wide show (no PIDs) with more processes whose tables need a resume
// pass than the reader continues one link per process (kSystemWideResume):
// then the resume passes run on the system-wide links, and every item of
// every process must still come back, counted against what each fixture made.
#include <doctest/doctest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "collect/bpf_reader.h"
#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/procfs_truth.h"

using namespace ud::test;

namespace {

// Each table is several times one object's output budget (32 KiB): every
// one of these processes needs resume passes.
constexpr long kItems = 3000;  // epoll items, ~40 bytes each
constexpr long kSlots = 5000;  // fixed files, ~40 bytes each
constexpr long kBufs = 300;    // 300 buffers of 16 segments

// Every partial reason that names one of pids ("pid N: ...").
std::vector<std::string> partial_of(const rapidjson::Document &doc, const std::vector<int> &pids) {
    std::vector<std::string> out;
    if (!has(doc, "partial")) return out;
    for (auto &why : doc["partial"].GetArray()) {
        std::string s = why.GetString();
        for (int pid : pids)
            if (s.find("pid " + std::to_string(pid) + ":") != std::string::npos) out.push_back(s);
    }
    return out;
}

void check_epoll(const rapidjson::Value &p, const Fixture &fx) {
    REQUIRE(p["epoll"].Size() == 1);
    const auto &items = p["epoll"][0]["items"];
    CHECK(items.Size() == kItems);
    // The fixture gave item k the data k and the tfd 1000 + k / nfiles.
    long nfiles = fx.truth()["epolls"][0]["files"].GetInt64();
    std::set<std::uint64_t> data;
    long bad_tfd = 0;
    for (auto &it : items.GetArray()) {
        auto k = it["data"].GetUint64();
        data.insert(k);
        if (it["tfd"].GetInt64() != 1000 + static_cast<long>(k) / nfiles) bad_tfd++;
    }
    CHECK(data.size() == static_cast<std::size_t>(kItems));
    CHECK((data.empty() || *data.rbegin() == kItems - 1));
    CHECK(bad_tfd == 0);
}

void check_files(const rapidjson::Value &p) {
    REQUIRE(p["io_uring"].Size() == 1);
    const auto &files = p["io_uring"][0]["files"];
    CHECK(files.Size() == kSlots);
    std::set<unsigned> slots;
    for (auto &f : files.GetArray()) slots.insert(f["slot"].GetUint());
    CHECK(slots.size() == static_cast<std::size_t>(kSlots));
    CHECK((slots.empty() || *slots.rbegin() == kSlots - 1));
}

void check_bufs(const rapidjson::Value &p, const Fixture &fx) {
    REQUIRE(p["io_uring"].Size() == 1);
    const auto &bufs = p["io_uring"][0]["buffers"];
    CHECK(bufs.Size() == kBufs);
    std::set<unsigned> slots;
    long segments = 0, wrong = 0;
    for (auto &b : bufs.GetArray()) {
        slots.insert(b["slot"].GetUint());
        std::uint64_t addr = b["addr"].GetUint64();
        for (rapidjson::SizeType i = 0; i < b["segments"].Size(); i++, segments++) {
            auto want = pagemap_pfn(fx.pid(), addr + i * 4096ULL);
            if (!want || *want != b["segments"][i]["pfn"].GetUint64()) wrong++;
        }
    }
    CHECK(slots.size() == static_cast<std::size_t>(kBufs));
    CHECK(segments == kBufs * 16);
    CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("show -j, system-wide: more processes to resume than per-process links serve, every item back") {
    if (!need_bpf()) return;
    // Enough epoll processes alone to exceed the threshold, and rings with
    // large file and buffer tables beside them.
    const std::size_t n_epoll = ud::collect::kSystemWideResume + 4;
    std::vector<std::unique_ptr<Fixture>> epolls, files, bufs;
    for (std::size_t i = 0; i < n_epoll; i++)
        epolls.push_back(std::make_unique<Fixture>(std::vector<std::string>{"scale-epoll", std::to_string(kItems)}));
    for (int i = 0; i < 3; i++) {
        files.push_back(std::make_unique<Fixture>(std::vector<std::string>{"scale-files", std::to_string(kSlots)}));
        bufs.push_back(std::make_unique<Fixture>(std::vector<std::string>{"scale-bufs", std::to_string(kBufs)}));
    }
    std::vector<int> ours;
    for (auto *set : {&epolls, &files, &bufs})
        for (auto &fx : *set) ours.push_back(fx->pid());

    // UD_TIMING: the debug line on stderr counts the iterator links made.
    Result r = run_uringdump({"show", "-j"}, {{"UD_TIMING", "1"}});
    REQUIRE(r.code == 0);
    auto doc = parse_json(r.out);
    // The resume rounds that continue all of ours ran on the two
    // system-wide links: a link per process would make at least one for
    // each of ours beside those two. (Processes with tables left after
    // ours are done, here or elsewhere on the machine, may add a few.)
    INFO(r.err);
    unsigned links = 0;
    auto at = r.err.find(" passes, ");
    REQUIRE(at != std::string::npos);
    links = static_cast<unsigned>(std::stoul(r.err.substr(at + 9)));
    CHECK(links < 2 + ours.size());
    // Other processes on this machine may change while read; ours do not.
    CHECK(partial_of(doc, ours).empty());
    for (auto &fx : epolls) {
        INFO("scale-epoll pid " << fx->pid());
        const auto *p = find_process(doc, fx->pid());
        REQUIRE(p);
        check_epoll(*p, *fx);
    }
    for (auto &fx : files) {
        INFO("scale-files pid " << fx->pid());
        const auto *p = find_process(doc, fx->pid());
        REQUIRE(p);
        check_files(*p);
    }
    for (auto &fx : bufs) {
        INFO("scale-bufs pid " << fx->pid());
        const auto *p = find_process(doc, fx->pid());
        REQUIRE(p);
        check_bufs(*p, *fx);
    }
}
