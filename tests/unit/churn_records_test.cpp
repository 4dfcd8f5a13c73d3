// What the record stream says of a table that changed while it was read, and
// what the collector makes of it, without a kernel: entries the BPF side
// found changed (UD_WARN_CHANGED) are dropped and named in `partial`; a file
// address that was two files in one snapshot keeps each its own path; and
// what the BPF side cannot check (a torn buffer, a slot beyond its table, an
// item twice) is dropped by the collector's one check (collect/validate.h),
// the one image check applies.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "collect/validate.h"
#include "model/builder.h"
#include "model/consistency.h"

using namespace ud::model;

namespace {

constexpr std::uint32_t kPid = 42;
constexpr std::uint64_t kCtx = 0xffff888010000000, kFile = 0xffff888020000000, kEp = 0xffff888030000000;

template <typename R>
R rec(std::uint16_t type) {
    R r;
    std::memset(&r, 0, sizeof(r));
    r.hdr.type = type;
    r.hdr.size = sizeof(R);
    r.hdr.pid = kPid;
    return r;
}

ud_ring ring_rec(std::uint32_t via, int fd, std::uint32_t tid = 0, int reg = -1) {
    auto r = rec<ud_ring>(UD_REC_RING);
    r.via = via;
    r.fd = fd;
    r.tid = tid;
    r.reg_index = reg;
    r.ctx = kCtx;
    r.nr_files = 8;
    r.nr_bufs = 8;
    return r;
}

ud_file file_rec(std::uint64_t file, std::uint64_t ino, const char *leaf, std::uint64_t magic, std::uint32_t flags) {
    auto r = rec<ud_file>(UD_REC_FILE);
    r.file = file;
    r.ino = ino;
    r.magic = magic;
    r.flags = flags;
    std::size_t len = std::strlen(leaf);
    r.path[0] = static_cast<char>(len);
    std::memcpy(r.path + 1, leaf, len);
    r.path_len = static_cast<std::uint16_t>(1 + len);
    r.ncomp = 1;
    return r;
}

ud_ring_file slot_rec(std::uint32_t slot, std::uint64_t file, std::uint64_t ino) {
    auto r = rec<ud_ring_file>(UD_REC_RING_FILE);
    r.slot = slot;
    r.file = file;
    r.ino = ino;
    return r;
}

ud_warn changed(std::uint32_t table, std::uint64_t owner, std::uint64_t value) {
    auto w = rec<ud_warn>(UD_REC_WARN);
    w.table = table;
    w.code = UD_WARN_CHANGED;
    w.owner = owner;
    w.value = value;
    return w;
}

void add_buffer(SnapshotBuilder &b, std::uint32_t slot, std::uint64_t len, std::initializer_list<std::uint32_t> segs) {
    auto r = rec<ud_ring_buf>(UD_REC_RING_BUF);
    r.slot = slot;
    r.addr = 0x10000 * (slot + 1);
    r.len = len;
    r.nr_bvecs = static_cast<std::uint32_t>(segs.size());
    b.add(r.hdr);
    std::uint32_t i = 0;
    for (auto l : segs) {
        auto s = rec<ud_buf_seg>(UD_REC_BUF_SEG);
        s.slot = slot;
        s.index = i++;
        s.len = l;
        b.add(s.hdr);
    }
}

bool said(const Snapshot &snap, const std::string &what) {
    return std::any_of(snap.partial.begin(), snap.partial.end(),
                       [&](const std::string &p) { return p.find(what) != std::string::npos; });
}

}  // namespace

TEST_CASE("records: a ring whose thread context changed while read is dropped, with its tables") {
    Snapshot snap;
    SnapshotBuilder b(snap);
    auto r = ring_rec(UD_VIA_TCTX, -1, 77);
    b.add(r.hdr);
    add_buffer(b, 0, 4096, {4096});
    auto w = changed(UD_TABLE_TCTX, kCtx, (77ULL << 32) | 0xffffffffULL);
    b.add(w.hdr);
    b.finish(0, 0);
    REQUIRE(snap.processes.size() == 1);
    CHECK(snap.processes[0].rings.empty());
    CHECK(said(snap, "pid 42 io_uring (no fd) used by thread 77: changed while read (closed, or left"));
}

TEST_CASE("records: a ring reached by an fd too keeps that fd when its context reading is dropped") {
    Snapshot snap;
    SnapshotBuilder b(snap);
    auto byfd = ring_rec(UD_VIA_FD, 5);
    b.add(byfd.hdr);
    add_buffer(b, 1, 8192, {4096, 4096});
    auto alias = ring_rec(UD_VIA_TCTX, -1, 42);
    alias.alias = 1;
    b.add(alias.hdr);
    auto w = changed(UD_TABLE_TCTX, kCtx, (42ULL << 32) | 0xffffffffULL);
    b.add(w.hdr);
    b.finish(0, 0);
    REQUIRE(snap.processes[0].rings.size() == 1);
    const Ring &ring = snap.processes[0].rings[0];
    CHECK(*ring.fd == 5);
    CHECK(ring.users.empty());
    CHECK(ring.buffers.size() == 1);  // the tables came with the fd
}

TEST_CASE("records: a buffer that changed while read is dropped with its segments") {
    Snapshot snap;
    SnapshotBuilder b(snap);
    auto r = ring_rec(UD_VIA_FD, 3);
    b.add(r.hdr);
    add_buffer(b, 0, 4096, {4096});
    add_buffer(b, 2, 8192, {4096});  // one bio_vec out, then found replaced
    auto w = changed(UD_TABLE_BUFS, kCtx, 2);
    b.add(w.hdr);
    add_buffer(b, 3, 8192, {4096, 4096});
    b.finish(0, 0);
    const Ring &ring = snap.processes[0].rings[0];
    REQUIRE(ring.buffers.size() == 2);
    CHECK(ring.buffers[0].slot == 0);
    CHECK(ring.buffers[1].slot == 3);
    CHECK(ring.buffers[1].seg_begin == 1);
    CHECK(ring.segments.size() == 3);
    CHECK(said(snap, "pid 42 io_uring fd 3: buffer slot 2 changed while read; dropped"));
    CHECK(ring_flaws(snap, ring).empty());
}

TEST_CASE("records: one file address that was two files keeps each its own path and inode") {
    Snapshot snap;
    SnapshotBuilder b(snap);
    auto r = ring_rec(UD_VIA_FD, 3);
    b.add(r.hdr);
    auto regular = file_rec(kFile, 1001, "f1", 0xef53, 0);
    b.add(regular.hdr);
    auto s0 = slot_rec(0, kFile, 1001);
    b.add(s0.hdr);
    // Freed and reused as an eventfd before slot 4 was read.
    auto eventfd = file_rec(kFile, 9, "[eventfd]", 0x09041934, UD_FILE_DNAME);
    b.add(eventfd.hdr);
    auto s4 = slot_rec(4, kFile, 9);
    b.add(s4.hdr);
    b.finish(0, 0);
    const Ring &ring = snap.processes[0].rings[0];
    REQUIRE(ring.files.size() == 2);
    const FileInfo *a = snap.file(ring.files[0].file), *e = snap.file(ring.files[1].file);
    REQUIRE(a);
    REQUIRE(e);
    CHECK(a->path == "/f1");
    CHECK(a->ino == 1001);
    CHECK(ring.files[0].fds_known);
    CHECK(e->path == "anon_inode:[eventfd]");
    CHECK(e->ino == 9);
    CHECK(ring.files[1].file != kFile);
    CHECK_FALSE(ring.files[1].fds_known);  // which fd holds which file is not known
}

TEST_CASE("records: a FILE record no slot or item took names nothing in the snapshot") {
    Snapshot snap;
    SnapshotBuilder b(snap);
    auto r = ring_rec(UD_VIA_FD, 3);
    b.add(r.hdr);
    auto f = file_rec(kFile, 5, "x", 0xef53, 0);
    b.add(f.hdr);
    auto w = changed(UD_TABLE_FILES, kCtx, 6);
    b.add(w.hdr);
    b.finish(0, 0);
    CHECK(snap.files.empty());
    CHECK(snap.processes[0].rings[0].files.empty());
    CHECK(said(snap, "pid 42 io_uring fd 3: fixed-file slot 6 changed while read; dropped"));
}

TEST_CASE("records: epoll items whose file was being released are named, removed nodes marked") {
    Snapshot snap;
    SnapshotBuilder b(snap);
    auto e = rec<ud_epoll>(UD_REC_EPOLL);
    e.fd = 9;
    e.ep = kEp;
    b.add(e.hdr);
    auto item = changed(UD_TABLE_EPOLL, kEp, 12);
    b.add(item.hdr);
    auto removed = changed(UD_TABLE_EPOLL, kEp, ~0ULL);
    b.add(removed.hdr);
    b.finish(0, 0);
    CHECK(said(snap, "pid 42 epoll fd 9: item tfd 12 changed while read; dropped"));
    CHECK(said(snap, "pid 42 epoll fd 9: an item was removed while the tree was walked; items may be missing"));
}

TEST_CASE("collector: torn buffers, slots beyond their table and repeated items are dropped and said") {
    Snapshot snap;
    snap.source = Source::bpf;
    Process p;
    p.pid = 7;
    Ring r;
    r.fd = 4;
    r.state.nr_files = 2;
    r.state.nr_bufs = 4;
    r.files = {{0, 0, 1, 0, 0, "", {}, true}, {5, 0, 2, 0, 0, "", {}, true}};
    r.buffers = {{0, 0x1000, 4096, 1, 12, false, 0, 1},
                 {1, 0x3000, 8192, 2, 12, false, 1, 1},    // 2 bio_vecs, 1 segment of 4096
                 {3, 0x9000, 8192, 2, 12, false, 2, 2}};
    r.segments = {{1, 0, 0, 4096}, {2, 0, 0, 4096}, {3, 0, 0, 4096}, {4, 0, 0, 4096}};  // pfn 1..4
    p.rings = {r};
    Epoll e;
    e.fd = 3;
    e.items = {{5, 1, 0, 0, 10, 0, {}, true}, {6, 1, 0, 0, 11, 0, {}, true}, {5, 1, 0, 0, 10, 0, {}, true}};
    p.epolls = {e};
    snap.processes = {p};

    ud::collect::drop_flawed(snap);
    const Ring &kept = snap.processes[0].rings[0];
    REQUIRE(kept.files.size() == 1);
    CHECK(kept.files[0].slot == 0);
    REQUIRE(kept.buffers.size() == 2);
    CHECK(kept.buffers[1].slot == 3);
    CHECK(kept.buffers[1].seg_begin == 1);
    CHECK(kept.segments.size() == 3);
    CHECK(kept.segments[1].pfn == 3);
    CHECK(snap.processes[0].epolls[0].items.size() == 2);
    CHECK(said(snap, "pid 7 io_uring fd 4: fixed-file slot 5 beyond the table of 2"));
    CHECK(said(snap, "pid 7 io_uring fd 4: buffer slot 1: segments hold 4096 bytes of 8192"));
    CHECK(said(snap, "pid 7 epoll fd 3: item tfd 5 listed twice"));
    CHECK(ring_flaws(snap, kept).empty());
}
