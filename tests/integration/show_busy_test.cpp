// Rings whose uring_lock is held: fdinfo prints nothing for them, show does.
#include <doctest/doctest.h>

#include "integration/ring_checks.h"
#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/procfs_truth.h"

using namespace ud::test;

namespace {

void check_show_reports(const Fixture &fx) {
    const auto &truth = fx.truth()["rings"][0];
    auto shown = show_json(fx.pid());
    const auto *p = shown.proc;
    REQUIRE((*p)["io_uring"].Size() == 1);
    const auto &ring = (*p)["io_uring"][0];
    CHECK(ring["fd"].GetInt() == truth["fd"].GetInt());
    check_ring_tables(fx.pid(), ring, truth);
    check_frames_against_pagemap(fx.pid(), ring);
}

}  // namespace

TEST_CASE("show -j: a ring held by a blocked register call: fdinfo is empty, show reports it all") {
    if (!need_bpf()) return;
    Fixture fx({"locked"});
    std::string text = fdinfo_text(fx.pid(), fx.truth()["rings"][0]["fd"].GetInt());
    // The generic lines only; no SqHead, no UserFiles, no UserBufs.
    CHECK(fdinfo_value(text, "pos"));
    CHECK_FALSE(fdinfo_value(text, "SqHead"));
    CHECK_FALSE(fdinfo_value(text, "UserFiles"));
    check_show_reports(fx);
}

TEST_CASE("show -j: a ring that keeps submitting: fdinfo is empty at times, show reports it every time") {
    if (!need_bpf()) return;
    Fixture fx({"busy"});
    int fd = fx.truth()["rings"][0]["fd"].GetInt();
    int empty = 0, tries = 0;
    for (; tries < 2000 && empty == 0; tries++)
        if (!fdinfo_value(fdinfo_text(fx.pid(), fd), "SqHead")) empty++;
    INFO("fdinfo reads until one came back empty: " << tries);
    CHECK(empty > 0);
    for (int i = 0; i < 3; i++) check_show_reports(fx);
}
