// Images made and read in memory, for the unit tests of the image code.
#pragma once

#include <string>
#include <vector>

#include "image/encoder.h"
#include "image/uringdump.pb.h"

namespace ud::test {

// What write_image writes for these, as bytes.
std::string encode_image(const image::ImageInfo &info, const model::Snapshot &snap,
                         const collect::BufferMemoryMap &memory, const image::ContentReader &read = {});

// Frames of the given records, in order, after a valid file header; with
// `trailer`, a correct trailer last.
std::string frame_records(const std::vector<uringdump::image::Record> &records, bool trailer = true);

// read_image over the bytes.
image::Image decode_image(const std::string &bytes);

// The renderers' output for a snapshot, as show prints it.
std::string json_of(const model::Snapshot &snap);
std::string table_of(const model::Snapshot &snap);

}  // namespace ud::test
