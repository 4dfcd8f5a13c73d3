// Contiguous page frames of a buffer merged into runs for display:
// "pfn 0x145b00-0x145b0f (16)". A run continues while the next segment
// starts in the frame right after the last frame of the previous one.
#pragma once

#include <cstdint>
#include <vector>

#include "model/snapshot.h"

namespace ud::model {

struct PfnRun {
    std::uint64_t first = 0;  // frame
    std::uint64_t count = 0;  // frames
};

// Frames each segment covers, from its first byte's frame and its length,
// in pages of page_size bytes (Snapshot::page_size).
std::uint64_t segment_frames(const Segment &s, std::uint64_t page_size);

std::vector<PfnRun> pfn_runs(const Segment *begin, const Segment *end, std::uint64_t page_size);

}  // namespace ud::model
