// Model pieces without a kernel: path rebuilding, words for bits, frame runs,
// the fd join.
#include <doctest/doctest.h>

#include <cstring>

#include "model/describe.h"
#include "model/file_path.h"
#include "model/join.h"
#include "model/pfn_runs.h"

using namespace ud::model;

namespace {

ud_file file_rec(std::initializer_list<const char *> leaf_first, std::uint32_t flags = 0, std::uint64_t magic = 0) {
    ud_file r{};
    r.flags = flags;
    r.magic = magic;
    for (const char *name : leaf_first) {
        std::size_t len = std::strlen(name);
        r.path[r.path_len] = static_cast<char>(len);
        std::memcpy(r.path + r.path_len + 1, name, len);
        r.path_len = static_cast<std::uint16_t>(r.path_len + 1 + len);
        r.ncomp++;
    }
    return r;
}

}  // namespace

TEST_CASE("paths: rebuilt as d_path() prints them") {
    CHECK(rebuild_path(file_rec({"hostname", "etc"})).path == "/etc/hostname");
    CHECK(rebuild_path(file_rec({})).path == "/");
    CHECK(rebuild_path(file_rec({"x", "tmp"}, UD_FILE_DELETED)).path == "/tmp/x (deleted)");
    auto sock = file_rec({""}, UD_FILE_DNAME, 0x534F434B);
    sock.ino = 123;
    CHECK(rebuild_path(sock).path == "socket:[123]");
    auto pipe = file_rec({""}, UD_FILE_DNAME, 0x50495045);
    pipe.ino = 7;
    CHECK(rebuild_path(pipe).path == "pipe:[7]");
    CHECK(rebuild_path(file_rec({"[eventfd]"}, UD_FILE_DNAME, 0x09041934)).path == "anon_inode:[eventfd]");
    CHECK(rebuild_path(file_rec({"memfd:buf"}, UD_FILE_DNAME, 0x01021994)).path == "/memfd:buf (deleted)");
    auto unknown = rebuild_path(file_rec({"x"}, UD_FILE_DNAME, 0x1234));
    CHECK_FALSE(unknown.exact);
    auto cut = rebuild_path(file_rec({"leaf", "deep"}, UD_FILE_TRUNCATED));
    CHECK(cut.path == ".../deep/leaf");
    CHECK_FALSE(cut.exact);
}

TEST_CASE("describe: epoll masks, setup flags, inode types, devices") {
    CHECK(epoll_events_str(0x8000001d) == "IN|OUT|ERR|HUP|ET");
    CHECK(epoll_events_str(0) == "0");
    CHECK(epoll_events_str(0x1 | 0x100000) == "IN|0x100000");
    CHECK(setup_flags_str(0x2 | 0x4) == "SQPOLL|SQ_AFF");
    CHECK(setup_flags_str(0) == "-");
    CHECK(std::string(inode_type(0100644)) == "reg");
    CHECK(std::string(inode_type(0140777)) == "sock");
    CHECK(std::string(inode_type(0600)) == "anon");
    CHECK(dev_str((8u << 20) | 1) == "8:1");
}

TEST_CASE("frame runs: contiguous frames merge, gaps split, partial pages count") {
    std::vector<Segment> segs(4);
    segs[0] = {0x100, 0, 100, 3996};   // starts at byte 100 of frame 0x100
    segs[1] = {0x101, 0, 0, 4096};
    segs[2] = {0x200, 0, 0, 8192};     // two frames
    segs[3] = {0x202, 0, 0, 10};
    auto runs = pfn_runs(segs.data(), segs.data() + segs.size(), 4096);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].first == 0x100);
    CHECK(runs[0].count == 2);
    CHECK(runs[1].first == 0x200);
    CHECK(runs[1].count == 3);
    CHECK(segment_frames({0, 0, 4000, 200}, 4096) == 2);  // crosses into a second frame
}

TEST_CASE("join: slots and items find every fd of their file, in fd order") {
    Process p;
    p.task_fds = {{3, 0xa, 0}, {4, 0xb, 0}, {7, 0xa, 0}, {9, 0xc, 0}};
    Ring r;
    r.file = 0xc;
    r.files = {{0, 0xa, 0, 0, 0, {}, {}, true}, {1, 0xd, 0, 0, 0, {}, {}, true}};
    p.rings.push_back(r);
    Epoll e;
    e.file = 0xb;
    e.items = {{3, 1, 0, 0xa, 0, 0, {}, true}, {5, 1, 0, 0xe, 0, 0, {}, true}};
    p.epolls.push_back(e);
    join_fds(p);
    auto fds = [&](FdSpan s) { return std::vector<int>(span_begin(p, s), span_end(p, s)); };
    CHECK(fds(p.rings[0].files[0].fds) == std::vector<int>{3, 7});
    CHECK(fds(p.rings[0].files[1].fds).empty());
    CHECK(p.rings[0].fds == std::vector<int>{9});
    CHECK(p.epolls[0].fds == std::vector<int>{4});
    CHECK(fds(p.epolls[0].items[0].fds) == std::vector<int>{3, 7});
    CHECK(fds(p.epolls[0].items[1].fds).empty());
}
