// The image decoder on hostile input: truncated, bit-flipped, foreign and
// crafted images are each one ImageError of one line, never a crash, and no
// allocation follows a length the input only claims.
#include <doctest/doctest.h>
#include <zlib.h>

#include "image/decoder.h"
#include "support/image_bytes.h"
#include "support/sample_snapshot.h"

using namespace ud;
using namespace ud::test;
namespace pb = uringdump::image;

namespace {

std::string sample_image() {
    model::Snapshot snap = sample_snapshot();
    auto memory = sample_memory(snap);
    image::ImageInfo info;
    info.pids = {100, 200};
    info.obstacles = image::find_obstacles(snap, memory);
    info.forced = true;
    return encode_image(info, snap, memory);
}

// The error decoding bytes gives; "" if they decode.
std::string error_of(const std::string &bytes) {
    try {
        decode_image(bytes);
    } catch (const image::ImageError &e) {
        return e.what();
    }
    return "";
}

pb::Record header() {
    pb::Record r;
    r.mutable_header()->add_pids(1);
    return r;
}

pb::Record process(int pid) {
    pb::Record r;
    r.mutable_process()->set_pid(pid);
    return r;
}

pb::Record ring() {
    pb::Record r;
    r.mutable_ring()->mutable_state()->add_iowq_max(0);
    r.mutable_ring()->mutable_state()->add_iowq_max(0);
    return r;
}

void put_le32(std::string &b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; i++) b[at + i] = static_cast<char>(v >> (8 * i));
}

// A frame around any payload, with the right checksum.
std::string raw_frame(const std::string &payload) {
    std::string h(8, '\0');
    put_le32(h, 0, static_cast<std::uint32_t>(payload.size()));
    put_le32(h, 4, static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef *>(payload.data()),
                                                      static_cast<uInt>(payload.size()))));
    return h + payload;
}

}  // namespace

TEST_CASE("image decoder: every truncation is one error line") {
    std::string bytes = sample_image();
    REQUIRE(error_of(bytes).empty());
    for (std::size_t len = 0; len < bytes.size(); len++) {
        std::string err = error_of(bytes.substr(0, len));
        REQUIRE_MESSAGE(!err.empty(), "an image cut at " << len << " bytes decoded");
        REQUIRE(err.find('\n') == std::string::npos);
    }
}

TEST_CASE("image decoder: every single flipped bit is caught") {
    std::string bytes = sample_image();
    for (std::size_t at = 0; at < bytes.size(); at++) {
        for (int bit = 0; bit < 8; bit++) {
            std::string bad = bytes;
            bad[at] = static_cast<char>(bad[at] ^ (1 << bit));
            std::string err = error_of(bad);
            REQUIRE_MESSAGE(!err.empty(), "bit " << bit << " of byte " << at << " flipped went unnoticed");
            REQUIRE(err.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("image decoder: another format version is named, a foreign file is not an image") {
    std::string bytes = sample_image();
    put_le32(bytes, 8, 2);
    put_le32(bytes, 12, static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef *>(bytes.data()), 12)));
    CHECK(error_of(bytes).find("version 2") != std::string::npos);
    CHECK(error_of("#!/bin/sh\necho not an image\n").find("not a uringdump image") == 0);
    CHECK(error_of("").find("not a uringdump image") == 0);
}

TEST_CASE("image decoder: a frame claiming more than the limit is refused before it is read") {
    std::string bytes = frame_records({header()}, false);
    std::string huge(8, '\0');
    put_le32(huge, 0, 0xffffffffu);
    CHECK(error_of(bytes + huge).find("exceeds the limit") != std::string::npos);
}

TEST_CASE("image decoder: frames out of order or contradicting each other are refused") {
    pb::Record buffer;
    buffer.mutable_buffer()->set_len(8192);
    buffer.mutable_buffer()->add_seg_pfn(1);  // no offset and len columns
    pb::Record big_buffer;
    big_buffer.mutable_buffer()->set_len(1ull << 31);
    pb::Record obstacle;
    obstacle.mutable_obstacles()->add_obstacles()->set_kind(static_cast<pb::Obstacle::Kind>(99));
    pb::Record memory;
    memory.mutable_buffer()->set_memory(static_cast<pb::MemoryKind>(42));
    pb::Record pages_header = header();
    pages_header.mutable_header()->set_with_pages(true);
    pb::Record small_buffer;
    small_buffer.mutable_buffer()->set_len(10);
    pb::Record data_gap;
    data_gap.mutable_buffer_data()->set_offset(4);
    data_gap.mutable_buffer_data()->set_data("xy");
    pb::Record data_long;
    data_long.mutable_buffer_data()->set_data(std::string(11, 'x'));
    pb::Record item;
    item.mutable_epoll_items()->add_items()->set_tfd(-1);
    pb::Record epoll;
    epoll.mutable_epoll()->set_fd(3);

    struct Case {
        const char *what;
        std::string bytes;
        const char *error;
    };
    const Case cases[] = {
        {"no header", frame_records({process(1)}), "does not start with a header"},
        {"two headers", frame_records({header(), header()}), "header record out of place"},
        {"a process twice", frame_records({header(), process(7), process(7)}), "appears twice"},
        {"a ring outside a process", frame_records({header(), ring()}), "ring record out of place"},
        {"an epoll item outside an epoll", frame_records({header(), process(1), item}), "out of place"},
        {"a negative tfd", frame_records({header(), process(1), epoll, item}), "tfd -1"},
        {"segment columns of different lengths", frame_records({header(), process(1), ring(), buffer}),
         "columns differ"},
        {"a buffer beyond 1 GiB", frame_records({header(), process(1), ring(), big_buffer}), "buffer of"},
        {"an unknown obstacle", frame_records({header(), obstacle}), "unknown obstacle kind 99"},
        {"an unknown memory kind", frame_records({header(), process(1), ring(), memory}), "unknown memory kind 42"},
        {"contents without --pages", frame_records({header(), process(1), ring(), small_buffer, data_gap}),
         "buffer contents record out of place"},
        {"contents with a gap", frame_records({pages_header, process(1), ring(), small_buffer, data_gap}),
         "offset 4, expected 0"},
        {"contents longer than the buffer", frame_records({pages_header, process(1), ring(), small_buffer, data_long}),
         "longer than the buffer"},
        {"no trailer", frame_records({header(), process(1)}, false), "no trailer"},
        {"data after the trailer", frame_records({header()}) + frame_records({header()}).substr(16),
         "data after the trailer"},
        {"a payload that is not a Record", frame_records({header()}, false) + raw_frame("\xff\xff\xff"),
         "not a Record message"},
    };
    for (auto &c : cases) {
        CAPTURE(c.what);
        std::string err = error_of(c.bytes);
        CHECK_FALSE(err.empty());
        CHECK(err.find('\n') == std::string::npos);
        CHECK_MESSAGE(err.find(c.error) != std::string::npos, err);
    }
}
