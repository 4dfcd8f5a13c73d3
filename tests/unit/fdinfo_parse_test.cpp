// The fdinfo parsers of the procfs fallback, on text in the kernel's formats
// (io_uring/fdinfo.c and fs/eventpoll.c of 6.1 and 6.18).
#include <doctest/doctest.h>

#include "collect/fdinfo.h"

using namespace ud::collect;

TEST_CASE("fdinfo: a 6.18 io_uring block with files (escaped paths) and buffers") {
    const char *text =
        "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t1064\n"
        "SqMask:\t0x7\nSqHead:\t6\nSqTail:\t6\nCachedSqHead:\t6\n"
        "CqMask:\t0xf\nCqHead:\t6\nCqTail:\t6\nCachedCqTail:\t6\n"
        "SQEs:\t0\nCQEs:\t0\nSqThread:\t-1\nSqThreadCpu:\t-1\nSqTotalTime:\t0\nSqWorkTime:\t0\n"
        "UserFiles:\t64\n    3: /tmp/a\\040b (deleted)\n   10: pipe:[13329]\n"
        "UserBufs:\t3\n    0: 0x7f920a2ed000/4096\n    1: <none>\n    2: 0x7f920a2e9064/10000\n"
        "PollList:\nCqOverflowList:\n  user_data=5, res=0, flags=0\nNAPI:\tdisabled\n";
    FdinfoRing r = parse_fdinfo_ring(text);
    REQUIRE(r.present);
    CHECK(r.sq_mask == 7);
    CHECK(r.cq_mask == 15);
    CHECK(r.sq_head == 6);
    CHECK(r.cached_cq_tail == 6);
    CHECK(r.user_files == 64u);
    REQUIRE(r.files.size() == 2);
    CHECK(r.files[0].slot == 3);
    CHECK(r.files[0].name == "/tmp/a b (deleted)");
    CHECK(r.files[1].name == "pipe:[13329]");
    REQUIRE(r.bufs.size() == 2);
    CHECK(r.bufs[1].slot == 2);
    CHECK(r.bufs[1].addr == 0x7f920a2e9064ULL);
    CHECK(r.bufs[1].len == 10000);
    CHECK(r.overflow.size() == 1);
}

TEST_CASE("fdinfo: a ring whose uring_lock was held prints only the generic lines") {
    FdinfoRing r = parse_fdinfo_ring("pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t1064\n");
    CHECK_FALSE(r.present);
    CHECK(r.files.empty());
}

TEST_CASE("fdinfo: 6.1 marks an empty buffer slot with the dummy address") {
    FdinfoRing r = parse_fdinfo_ring("SqMask:\t0x3\nUserBufs:\t2\n    0: 0xffffffffffffffff/1\n    1: 0x1000/4096\n");
    REQUIRE(r.bufs.size() == 1);
    CHECK(r.bufs[0].slot == 1);
}

TEST_CASE("fdinfo: epoll items") {
    auto items = parse_fdinfo_epoll(
        "pos:\t0\nflags:\t02\nmnt_id:\t16\nino:\t1038\n"
        "tfd:        5 events: 8000001d data:             1111  pos:0 ino:344d sdev:9\n"
        "tfd:        9 events: 4000001d data: deadbeefcafef00d  pos:0 ino:40e sdev:f\n");
    REQUIRE(items.size() == 2);
    CHECK(items[0].tfd == 5);
    CHECK(items[0].events == 0x8000001dU);
    CHECK(items[0].data == 0x1111);
    CHECK(items[0].ino == 0x344d);
    CHECK(items[0].sdev == 9);
    CHECK(items[1].data == 0xdeadbeefcafef00dULL);
}
