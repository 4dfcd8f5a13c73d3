// libFuzzer target for the image decoder. Each input is decoded twice: as
// it is, as an image file would be, and re-framed with every checksum and
// the trailer made right, so that mutations get past the CRCs and reach the
// decoder's grammar and bounds, the consistency check and the renderers.
// An ImageError is the expected answer to garbage; anything else (a crash,
// a sanitizer report, another exception) is a bug.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "image/decoder.h"
#include "image/image_check.h"
#include "image/uringdump.pb.h"
#include "render/json_out.h"
#include "render/snapshot_json.h"
#include "render/snapshot_table.h"

namespace {

void put_le32(std::string &out, std::uint32_t v) {
    for (int i = 0; i < 4; i++) out.push_back(static_cast<char>(v >> (8 * i)));
}

std::uint32_t crc_of(const std::string &s, std::size_t from = 0, std::size_t n = std::string::npos) {
    n = std::min(n, s.size() - from);
    return static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef *>(s.data() + from), static_cast<uInt>(n)));
}

// The input's frames, split leniently, written again with a valid file
// header, right checksums, and any trailer record telling the truth.
std::string reframe(const std::uint8_t *data, std::size_t size) {
    std::string out("\x89UDIMG\r\n", 8);
    put_le32(out, 1);
    put_le32(out, crc_of(out));
    std::size_t at = 16, frames = 0;
    while (at + 8 <= size) {
        std::uint32_t len = 0;
        std::memcpy(&len, data + at, 4);
        len = std::min<std::uint32_t>(len, static_cast<std::uint32_t>(size - at - 8));
        std::string payload(reinterpret_cast<const char *>(data + at + 8), len);
        at += 8 + len;
        uringdump::image::Record rec;
        if (rec.ParseFromString(payload) && rec.has_trailer()) {
            rec.mutable_trailer()->set_frames(frames);
            rec.mutable_trailer()->set_bytes(out.size());
            rec.mutable_trailer()->set_crc(crc_of(out));
            payload = rec.SerializeAsString();
        }
        put_le32(out, static_cast<std::uint32_t>(payload.size()));
        put_le32(out, crc_of(payload));
        out += payload;
        frames++;
    }
    return out;
}

void decode(const char *data, std::size_t size) {
    static std::FILE *sink = std::fopen("/dev/null", "w");
    ud::image::MemorySource src({data, size});
    try {
        ud::image::Image img = ud::image::read_image(src);
        ud::image::check_consistency(img);
        ud::image::restore_plan(img);
        {
            ud::render::JsonOut j(sink, false);
            ud::render::snapshot_json(j, img.snap);
        }
        ud::render::snapshot_table(sink, img.snap);
    } catch (const ud::image::ImageError &) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    decode(reinterpret_cast<const char *>(data), size);
    std::string fixed = reframe(data, size);
    decode(fixed.data(), fixed.size());
    return 0;
}
