// Image frames -> Image: the snapshot the renderers take, with the dump's
// record around it. The input is hostile: frames must come in the order the
// format prescribes, every table within the bounds of the kernel that could
// have produced it, and nothing is allocated for a count the input merely
// claims. Any violation is an ImageError whose message is one line.
#pragma once

#include "image/framing.h"
#include "image/image.h"

namespace ud::image {

Image read_image(ByteSource &src);

}  // namespace ud::image
