// An image as uringdump holds it in memory: the snapshot the renderers take,
// and what dump recorded around it. The encoder writes one, the decoder
// reads one back.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "collect/memory_map.h"
#include "image/restorability.h"
#include "model/snapshot.h"

namespace ud::image {

struct ImageInfo {
    std::string tool_version;
    std::string kernel_release;
    std::uint64_t taken_unix_ns = 0;
    std::vector<int> pids;        // as given to dump
    bool with_pages = false;      // buffer contents follow each user buffer
    bool forced = false;          // written despite obstacles
    std::vector<Obstacle> obstacles;
};

// What an image holds of one buffer's contents.
struct BufferContents {
    std::uint64_t bytes = 0;  // from the start of the buffer
    std::string error;        // why the rest is missing; empty when complete
};

struct Image {
    ImageInfo info;
    model::Snapshot snap;
    collect::BufferMemoryMap memory;
    std::map<collect::BufferKey, BufferContents> contents;  // with_pages only
    std::uint64_t frames = 0;  // in the file, trailer included
    std::uint64_t bytes = 0;
};

}  // namespace ud::image
