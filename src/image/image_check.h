// What `uringdump image check` adds to decoding: the parts of an image
// checked against each other, and what a restore would have to recreate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "image/image.h"

namespace ud::image {

// Contradictions between the parts of a decoded image, one line each; none
// for an image dump wrote. Among them: the snapshot's own flaws
// (model/consistency.h), and obstacles that are not what the image's own
// snapshot and buffer memory give.
std::vector<std::string> check_consistency(const Image &img);

// The same checks on the parts an image is made of, before there is one:
// what dump runs on the snapshot it is about to write, so that it never
// writes an image this check rejects.
using ContentsMap = std::map<collect::BufferKey, BufferContents>;
std::vector<std::string> check_parts(const ImageInfo &info, const model::Snapshot &snap,
                                     const collect::BufferMemoryMap &memory, const ContentsMap &contents);

struct RingPlan {
    std::string label;  // "io_uring fd 3"
    std::uint32_t flags = 0, sq_entries = 0, cq_entries = 0;
    std::uint32_t sq_tail = 0, cq_tail = 0;  // positions to advance the new ring to
    std::size_t files = 0, file_slots = 0, files_without_fd = 0;
    std::size_t buffers = 0;
    std::uint64_t buffer_bytes = 0;
    std::size_t buffers_without_contents = 0;  // with_pages: could not be read
};

struct EpollPlan {
    int fd = -1;
    std::size_t items = 0;
};

struct ProcessPlan {
    int pid = 0;
    std::string comm;
    std::vector<RingPlan> rings;
    std::vector<EpollPlan> epolls;
};

// What a restore would recreate, process by process.
std::vector<ProcessPlan> restore_plan(const Image &img);

}  // namespace ud::image
