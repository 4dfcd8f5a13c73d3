// Snapshot -> image frames (src/image/uringdump.proto): tables in chunks,
// kernel addresses replaced by identities local to the image, buffer
// contents read piece by piece so that no buffer sits in memory whole.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "collect/process_memory.h"
#include "image/framing.h"
#include "image/image.h"

namespace ud::image {

// Reads [addr, addr + out.size()) of a process (collect::read_process_memory
// in dump; something else in tests).
using ContentReader = std::function<collect::MemoryRead(int pid, std::uint64_t addr, std::span<char> out)>;

struct WriteStats {
    std::uint64_t content_bytes = 0;
    // One line per buffer whose contents could not be read in full.
    std::vector<std::string> unread;
};

// Writes every frame, the trailer last. Contents are read with `read` when
// info.with_pages. Throws what the writer throws.
WriteStats write_image(FrameWriter &w, const ImageInfo &info, const model::Snapshot &snap,
                       const collect::BufferMemoryMap &memory, const ContentReader &read);

}  // namespace ud::image
