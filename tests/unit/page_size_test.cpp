// The page size is the system's, never 4096 assumed: the pure functions that
// count frames and split bio_vec offsets, fed pages of 16 and 64 KiB.
#include <doctest/doctest.h>

#include <unistd.h>

#include "model/builder.h"
#include "model/page_size.h"
#include "model/pfn_runs.h"

using namespace ud::model;

TEST_CASE("page size: the system's, as sysconf gives it") {
    CHECK(system_page_size() == static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE)));
    CHECK(Snapshot{}.page_size == system_page_size());
    CHECK(page_shift(4096) == 12);
    CHECK(page_shift(16384) == 14);
    CHECK(page_shift(65536) == 16);
}

TEST_CASE("frame runs: frames counted in pages of the snapshot's size") {
    // 16 KiB pages: 100 bytes in, 16384 bytes long, the segment reaches into
    // a second frame; with 4 KiB pages it would be five.
    CHECK(segment_frames({0x10, 0, 100, 16384}, 16384) == 2);
    CHECK(segment_frames({0x10, 0, 100, 16284}, 16384) == 1);
    CHECK(segment_frames({0x10, 0, 0, 65536}, 65536) == 1);
    CHECK(segment_frames({0x10, 0, 0, 65536}, 4096) == 16);

    std::vector<Segment> segs = {
        {0x100, 0, 0, 32768},  // two 16 KiB frames: 0x100, 0x101
        {0x102, 0, 0, 100},    // the next frame: same run
        {0x200, 0, 8192, 16384},  // from half-way into 0x200, into 0x201
    };
    auto runs = pfn_runs(segs.data(), segs.data() + segs.size(), 16384);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].first == 0x100);
    CHECK(runs[0].count == 3);
    CHECK(runs[1].first == 0x200);
    CHECK(runs[1].count == 2);
}

namespace {

// A snapshot from records: one ring with one buffer of one segment whose
// bv_offset runs 40000 bytes into its folio.
Snapshot one_segment(std::uint32_t page_size) {
    constexpr std::uint64_t base = 0xffffea0000000000ULL, stride = 64, head_pfn = 0x1000;
    Snapshot snap;
    snap.page_size = page_size;
    snap.pfn = {true, {}};
    SnapshotBuilder b(snap);
    ud_ring ring{};
    ring.hdr = {UD_REC_RING, sizeof(ring), 42};
    ring.fd = 3;
    ring.via = UD_VIA_FD;
    ring.ctx = 0xffff888000001000ULL;
    b.add(ring.hdr);
    ud_ring_buf buf{};
    buf.hdr = {UD_REC_RING_BUF, sizeof(buf), 42};
    buf.nr_bvecs = 1;
    buf.addr = 0x7f0000000000ULL;
    buf.len = 1000;
    b.add(buf.hdr);
    ud_buf_seg seg{};
    seg.hdr = {UD_REC_BUF_SEG, sizeof(seg), 42};
    seg.page = base + head_pfn * stride;  // the folio's head page
    seg.offset = 40000;
    seg.len = 1000;
    b.add(seg.hdr);
    b.finish(base, stride);
    return snap;
}

}  // namespace

TEST_CASE("builder: a bio_vec offset past the first page is split in pages of the snapshot's size") {
    for (std::uint32_t page : {4096u, 16384u, 65536u}) {
        CAPTURE(page);
        Snapshot snap = one_segment(page);
        REQUIRE(snap.processes.size() == 1);
        REQUIRE(snap.processes[0].rings.size() == 1);
        const auto &segs = snap.processes[0].rings[0].segments;
        REQUIRE(segs.size() == 1);
        // The frame holding byte 40000 of the folio, and the offset in it.
        CHECK(segs[0].pfn == 0x1000 + 40000 / page);
        CHECK(segs[0].offset == 40000 % page);
        CHECK(segs[0].len == 1000);
    }
}
