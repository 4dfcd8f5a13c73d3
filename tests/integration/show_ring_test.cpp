// show on rings: state, fixed files (kept fd, closed fd, direct descriptor),
// buffers (one page, 16 pages, unaligned, huge page) and their frames. The
// huge-page cases reserve a hugetlb page, or are skipped saying why.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "integration/ring_checks.h"
#include "support/env.h"
#include "support/kernel.h"
#include "support/fixture.h"
#include "support/hugepage.h"
#include "support/json.h"
#include "support/procfs_truth.h"

using namespace ud::test;

TEST_CASE("show -j: a ring's files, buffers and frames match the fixture, fdinfo and pagemap") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    auto r = run_uringdump({"show", "-j", fx.pid_str()});
    REQUIRE(r.code == 0);
    CHECK(r.err.empty());
    auto doc = parse_json(r.out);
    const auto *p = find_process(doc, fx.pid());
    REQUIRE(p);
    CHECK(std::string((*p)["comm"].GetString()) == "ud_fixture");
    REQUIRE((*p)["io_uring"].Size() == 1);
    CHECK((*p)["epoll"].Size() == 0);
    const auto &ring = (*p)["io_uring"][0];
    const auto &truth = fx.truth()["rings"][0];

    CHECK(ring["fd"].GetInt() == truth["fd"].GetInt());
    CHECK(ring["sq_entries"].GetUint() == truth["sq_entries"].GetUint());
    CHECK(ring["cq_entries"].GetUint() == truth["cq_entries"].GetUint());
    // Five NOPs submitted and reaped, plus the openat of the direct descriptor.
    CHECK(ring["sq"]["head"].GetUint() == 6);
    CHECK(ring["cq"]["tail"].GetUint() == 6);
    CHECK(ring["cq"]["overflow"].GetUint() == 0);
    CHECK(ring["sq_thread"].IsNull());
    CHECK(ring["eventfd"].GetBool() == false);

    check_ring_tables(fx.pid(), ring, truth);
    check_frames_against_pagemap(fx.pid(), ring);
    check_ring_against_fdinfo(fx.pid(), truth["fd"].GetInt(), ring);
}

namespace {

// The ring fixture with its huge-page buffer (slot 3) on a hugetlb page for
// sure: hp reserved it first and outlives the fixture. Null, with the case
// skipped and why, when no huge page could be had (not root, memory too
// fragmented, another process took the page).
std::unique_ptr<Fixture> hugetlb_ring(const HugePage &hp) {
    if (!hp.ok()) {
        skip("no hugetlb page for the huge-page buffer: " + hp.why());
        return nullptr;
    }
    try {
        return std::make_unique<Fixture>(std::vector<std::string>{"ring-hugetlb"});
    } catch (const std::exception &e) {
        skip(std::string("the reserved hugetlb page was not had: ") + e.what());
        return nullptr;
    }
}

}  // namespace

TEST_CASE("show -j: a huge-page buffer is one folio with contiguous frames") {
    if (!need_bpf()) return;
    HugePage hp;
    auto fx = hugetlb_ring(hp);
    if (!fx) return;
    auto shown = show_json(fx->pid());
    const auto *p = shown.proc;
    const auto &truth = fx->truth()["rings"][0]["buffers"][3];
    const auto &buf = (*p)["io_uring"][0]["buffers"][3];
    REQUIRE(std::string(truth["kind"].GetString()) == "hugetlb");
    // One 2 MiB page: the 64 pages of the buffer are contiguous frames.
    auto first = pagemap_pfn(fx->pid(), truth["addr"].GetUint64());
    auto last = pagemap_pfn(fx->pid(), truth["addr"].GetUint64() + truth["len"].GetUint64() - 4096);
    REQUIRE(first);
    REQUIRE(last);
    REQUIRE(*last - *first == 63);
    if (!kernel_has_field("io_mapped_ubuf", "folio_shift")) {
        // Before folio coalescing (6.1: no io_mapped_ubuf.folio_shift) the
        // kernel keeps one bio_vec per 4 KiB page: 64 segments, each the
        // next frame of the huge page.
        CHECK(buf["folio_shift"].GetUint() == 12);
        REQUIRE(buf["segments"].Size() == 64);
        for (unsigned i = 0; i < 64; i++) {
            CAPTURE(i);
            CHECK(buf["segments"][i]["pfn"].GetUint64() == *first + i);
            CHECK(buf["segments"][i]["offset"].GetUint() == 0);
            CHECK(buf["segments"][i]["len"].GetUint64() == 4096);
        }
        return;
    }
    // The kernel coalesces a buffer inside one folio into one bio_vec whose
    // offset points into the folio; the tool reports the frame of the first
    // byte, so the single segment starts at the frame pagemap gives.
    CHECK(buf["folio_shift"].GetUint() == 21);
    REQUIRE(buf["segments"].Size() == 1);
    CHECK(buf["segments"][0]["pfn"].GetUint64() == *first);
    CHECK(buf["segments"][0]["offset"].GetUint() == 0);
    CHECK(buf["segments"][0]["len"].GetUint64() == truth["len"].GetUint64());
}

TEST_CASE("show: the table merges the contiguous frames of a huge page into one run") {
    if (!need_bpf()) return;
    HugePage hp;
    auto fx = hugetlb_ring(hp);
    if (!fx) return;
    auto r = run_uringdump({"show", fx->pid_str()});
    REQUIRE(r.code == 0);
    const auto &truth = fx->truth()["rings"][0]["buffers"][3];
    auto first = pagemap_pfn(fx->pid(), truth["addr"].GetUint64());
    auto last = pagemap_pfn(fx->pid(), truth["addr"].GetUint64() + truth["len"].GetUint64() - 4096);
    REQUIRE(first);
    REQUIRE(last);
    REQUIRE(*last - *first == 63);
    char run[64];
    std::snprintf(run, sizeof(run), "pfn %#llx-%#llx (64)", static_cast<unsigned long long>(*first),
                  static_cast<unsigned long long>(*last));
    CHECK(r.out.find(run) != std::string::npos);
}

TEST_CASE("show: the table shows a one-page buffer as a run of one, within 100 columns") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    auto r = run_uringdump({"show", fx.pid_str()});
    REQUIRE(r.code == 0);
    // the one-page buffer: a run of one
    auto one = pagemap_pfn(fx.pid(), fx.truth()["rings"][0]["buffers"][0]["addr"].GetUint64());
    REQUIRE(one);
    char single[64];
    std::snprintf(single, sizeof(single), "pfn %#llx (1)", static_cast<unsigned long long>(*one));
    CHECK(r.out.find(single) != std::string::npos);
    for (auto &line : lines(r.out)) CHECK(line.size() <= 100);
}

TEST_CASE("show -j: a ring whose fd was registered and closed is found with fd null") {
    if (!need_bpf()) return;
    // In the main thread, and in a second thread: registered rings live in
    // the io_uring context of the thread that registered them.
    for (const char *scenario : {"regring", "regring-thread"}) {
        INFO("scenario " << scenario);
        Fixture fx({scenario});
        const auto &truth = fx.truth()["rings"][0];
        // The fixture's fd table no longer has the ring.
        for (int fd : open_fds(fx.pid())) CHECK(fd_link(fx.pid(), fd) != "anon_inode:[io_uring]");
        auto shown = show_json(fx.pid());
        const auto *p = shown.proc;
        REQUIRE((*p)["io_uring"].Size() == 1);
        const auto &ring = (*p)["io_uring"][0];
        CHECK(ring["fd"].IsNull());
        CHECK(ring["fds"].Empty());
        REQUIRE(has(ring, "registered"));
        bool registered_slot0 = false;
        for (auto &u : ring["registered"].GetArray())
            if (u["tid"].GetInt() == truth["tid"].GetInt() && u["index"].IsInt() && u["index"].GetInt() == 0)
                registered_slot0 = true;
        CHECK(registered_slot0);
        check_ring_tables(fx.pid(), ring, truth);
        check_frames_against_pagemap(fx.pid(), ring);
    }
}

TEST_CASE("show -j: a ring the process submitted to and handed to a child is the child's only") {
    if (!need_bpf()) return;
    Fixture fx({"handed"});
    int child = fx.truth()["child"].GetInt(), child_fd = fx.truth()["child_fd"].GetInt();
    // The truth: the parent holds no ring by any fd, the child holds it.
    for (int fd : open_fds(fx.pid())) CHECK(fd_link(fx.pid(), fd) != "anon_inode:[io_uring]");
    REQUIRE(fd_link(child, child_fd) == "anon_inode:[io_uring]");
    // The parent's io_uring context still refers to the ring (the node of
    // a thread that submitted to it stays until the ring's exit work), but
    // the parent does not hold it: not listed, and said in partial.
    auto r = run_uringdump({"show", "-j", std::to_string(fx.pid())});
    REQUIRE(r.code == 0);
    auto parent = parse_json(r.out);
    const auto *p = find_process(parent, fx.pid());  // a process holding nothing is not listed
    CHECK((p == nullptr || (*p)["io_uring"].Empty()));
    REQUIRE(has(parent, "partial"));
    bool said = false;
    for (auto &why : parent["partial"].GetArray())
        said |= std::string(why.GetString()).find("held by no fd or registered ring") != std::string::npos;
    CHECK(said);
    auto kid = show_json(child);
    REQUIRE((*kid.proc)["io_uring"].Size() == 1);
    CHECK((*kid.proc)["io_uring"][0]["fd"].GetInt() == child_fd);
}

TEST_CASE("show -j: a ring and an epoll set held by two fds and two processes are listed by each, whole") {
    if (!need_bpf()) return;
    Fixture fx({"shared"});
    const auto &truth = fx.truth();
    int child = truth["child"].GetInt();
    auto r = run_uringdump({"show", "-j", fx.pid_str(), std::to_string(child)});
    REQUIRE(r.code == 0);
    auto doc = parse_json(r.out);
    for (int pid : {fx.pid(), child}) {
        INFO("pid " << pid);
        const auto *p = find_process(doc, pid);
        REQUIRE(p);
        REQUIRE((*p)["io_uring"].Size() == 1);
        const auto &ring = (*p)["io_uring"][0];
        CHECK(ring["fd"].GetInt() == truth["rings"][0]["fd"].GetInt());
        CHECK(int_list(ring["fds"]) ==
              std::vector<int>{truth["rings"][0]["fd"].GetInt(), truth["rings"][0]["dup"].GetInt()});
        // The child inherited the fds; its fixed files' fds are its own.
        check_ring_tables(pid, ring, truth["rings"][0]);
        check_frames_against_pagemap(fx.pid(), ring);
        REQUIRE((*p)["epoll"].Size() == 1);
        const auto &ep = (*p)["epoll"][0];
        CHECK(int_list(ep["fds"]) ==
              std::vector<int>{truth["epolls"][0]["fd"].GetInt(), truth["epolls"][0]["dup"].GetInt()});
        REQUIRE(ep["items"].Size() == 1);
        CHECK(ep["items"][0]["data"].GetUint64() == 7);
    }
}
