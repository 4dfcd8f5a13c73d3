// The record stream: whole records whatever the read boundaries, and a
// clear error for records that do not match their type.
#include <doctest/doctest.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "collect/record_stream.h"

using ud::collect::RecordStream;

namespace {

std::vector<char> sample_stream() {
    std::vector<char> bytes;
    auto add = [&](const void *rec, std::size_t n) {
        const char *p = static_cast<const char *>(rec);
        bytes.insert(bytes.end(), p, p + n);
    };
    ud_task_fd fd{};
    fd.hdr = {UD_REC_TASK_FD, sizeof(fd), 42};
    fd.fd = 7;
    fd.file = 0xffff888000001000ULL;
    add(&fd, sizeof(fd));
    ud_file f{};
    f.hdr = {UD_REC_FILE, sizeof(f), 42};
    f.file = fd.file;
    f.ino = 99;
    add(&f, sizeof(f));
    ud_epoll_item it{};
    it.hdr = {UD_REC_EPOLL_ITEM, sizeof(it), 42};
    it.tfd = 7;
    it.data = 0xdeadbeef;
    add(&it, sizeof(it));
    return bytes;
}

}  // namespace

TEST_CASE("record stream: the same records however the bytes are split") {
    auto bytes = sample_stream();
    for (std::size_t chunk : {bytes.size(), std::size_t{1}, std::size_t{7}, std::size_t{33}, std::size_t{4096}}) {
        std::vector<std::uint16_t> types;
        std::uint64_t data = 0;
        RecordStream rs([&](const ud_hdr &h) {
            types.push_back(h.type);
            if (h.type == UD_REC_EPOLL_ITEM) data = reinterpret_cast<const ud_epoll_item &>(h).data;
        });
        for (std::size_t off = 0; off < bytes.size(); off += chunk)
            rs.feed(bytes.data() + off, std::min(chunk, bytes.size() - off));
        INFO("chunk " << chunk);
        CHECK(types == std::vector<std::uint16_t>{UD_REC_TASK_FD, UD_REC_FILE, UD_REC_EPOLL_ITEM});
        CHECK(data == 0xdeadbeef);
        CHECK(rs.at_boundary());
    }
}

TEST_CASE("record stream: a record cut by the end of the data is pending") {
    auto bytes = sample_stream();
    int n = 0;
    RecordStream rs([&](const ud_hdr &) { n++; });
    rs.feed(bytes.data(), bytes.size() - 5);
    CHECK(n == 2);
    CHECK_FALSE(rs.at_boundary());
}

TEST_CASE("record stream: unknown type or wrong size is an error, not a guess") {
    RecordStream rs([](const ud_hdr &) {});
    ud_hdr bad{UD_REC_RING, 16, 1};  // a RING record is larger
    std::vector<char> b(64, 0);
    std::memcpy(b.data(), &bad, sizeof(bad));
    CHECK_THROWS_AS(rs.feed(b.data(), b.size()), std::runtime_error);
    RecordStream rs2([](const ud_hdr &) {});
    ud_hdr unknown{200, 8, 1};
    CHECK_THROWS_AS(rs2.feed(reinterpret_cast<const char *>(&unknown), sizeof(unknown)), std::runtime_error);
}
