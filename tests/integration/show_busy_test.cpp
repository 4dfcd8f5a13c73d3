// Rings whose uring_lock is held: fdinfo leaves out their tables (6.15 and
// 6.14.8 on: everything; before: all but the counters and table headers),
// show does not.
#include <doctest/doctest.h>

#include "integration/ring_checks.h"
#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/kernel.h"
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

TEST_CASE("show -j: a ring held by a blocked register call: fdinfo leaves out its tables, show reports it all") {
    if (!need_bpf()) return;
    Fixture fx({"locked"});
    const auto &truth = fx.truth()["rings"][0];
    std::string text = fdinfo_text(fx.pid(), truth["fd"].GetInt());
    CHECK(fdinfo_value(text, "pos"));
    if (fdinfo_all_or_nothing()) {
        // 6.15 / 6.14.8 (d871198ee431): the generic lines only.
        CHECK_FALSE(fdinfo_value(text, "SqHead"));
        CHECK_FALSE(fdinfo_value(text, "UserFiles"));
        CHECK_FALSE(fdinfo_value(text, "UserBufs"));
    } else {
        // Before: the counters and the table sizes, read without the lock,
        // but no slot line, and SqThread -1 (has_lock false).
        CHECK(fdinfo_value(text, "SqHead"));
        CHECK(fdinfo_value(text, "UserFiles") == std::optional<std::string>("64"));
        CHECK(fdinfo_value(text, "UserBufs") == std::optional<std::string>(std::to_string(truth["buffers"].Size())));
        CHECK(fdinfo_section(text, "UserFiles").empty());
        CHECK(fdinfo_section(text, "UserBufs").empty());
        CHECK(fdinfo_value(text, "SqThread") == std::optional<std::string>("-1"));
    }
    CHECK(fdinfo_read_locked(text));
    check_show_reports(fx);
}

TEST_CASE("show -j: a ring that keeps submitting: fdinfo leaves out its tables at times, show reports it every time") {
    if (!need_bpf()) return;
    Fixture fx({"busy"});
    int fd = fx.truth()["rings"][0]["fd"].GetInt();
    // A read made while a submitter held uring_lock: nothing io_uring at
    // all from 6.15 / 6.14.8, the counters without one slot line before.
    int locked = 0, tries = 0;
    for (; tries < 2000 && locked == 0; tries++)
        if (fdinfo_read_locked(fdinfo_text(fx.pid(), fd))) locked++;
    INFO("fdinfo reads until one was made under another task's uring_lock: " << tries);
    CHECK(locked > 0);
    for (int i = 0; i < 3; i++) check_show_reports(fx);
}
