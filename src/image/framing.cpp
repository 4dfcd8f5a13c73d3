#include "image/framing.h"

#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace ud::image {
namespace {

std::uint32_t crc32_of(std::uint32_t crc, const void *data, std::size_t n) {
    const auto *p = static_cast<const Bytef *>(data);
    // zlib takes uInt lengths; frames are far below that, the loop is for form.
    while (n) {
        uInt chunk = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
        crc = static_cast<std::uint32_t>(::crc32(crc, p, chunk));
        p += chunk;
        n -= chunk;
    }
    return crc;
}

void put_le32(unsigned char *p, std::uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint32_t get_le32(const unsigned char *p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
    return v;
}

}  // namespace

std::size_t FdSource::read(std::span<char> out) {
    std::size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::read(fd_, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    return got;
}

std::size_t MemorySource::read(std::span<char> out) {
    std::size_t n = std::min(out.size(), bytes_.size());
    std::memcpy(out.data(), bytes_.data(), n);
    bytes_ = bytes_.subspan(n);
    return n;
}

FrameWriter::FrameWriter(int fd) : fd_(fd) {
    unsigned char h[kFileHeaderSize];
    std::memcpy(h, kMagic, sizeof(kMagic));
    put_le32(h + 8, kFormatVersion);
    put_le32(h + 12, crc32_of(0, h, 12));
    put(h, sizeof(h));
}

void FrameWriter::put(const void *data, std::size_t n) {
    const char *p = static_cast<const char *>(data);
    crc_ = crc32_of(crc_, p, n);
    bytes_ += n;
    while (n) {
        ssize_t w = ::write(fd_, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw std::system_error(errno, std::generic_category(), "cannot write the image");
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

void FrameWriter::write(const std::string &payload) {
    if (payload.size() > kMaxPayload) throw std::logic_error("image frame larger than the format allows");
    unsigned char h[kFrameHeaderSize];
    put_le32(h, static_cast<std::uint32_t>(payload.size()));
    put_le32(h + 4, crc32_of(0, payload.data(), payload.size()));
    put(h, sizeof(h));
    put(payload.data(), payload.size());
    frames_++;
}

std::size_t FrameReader::read_exact(void *out, std::size_t n) {
    std::size_t got = src_.read({static_cast<char *>(out), n});
    crc_ = crc32_of(crc_, out, got);
    bytes_ += got;
    return got;
}

FrameReader::FrameReader(ByteSource &src) : src_(src) {
    unsigned char h[kFileHeaderSize];
    std::size_t got = read_exact(h, sizeof(h));
    if (got < sizeof(kMagic) || std::memcmp(h, kMagic, sizeof(kMagic)) != 0)
        throw ImageError("not a uringdump image (no magic number at the start)");
    if (got < sizeof(h)) throw ImageError(fmt::format("truncated: the file header has {} of 16 bytes", got));
    if (get_le32(h + 12) != crc32_of(0, h, 12)) throw ImageError("corrupt file header (checksum mismatch)");
    std::uint32_t version = get_le32(h + 8);
    if (version != kFormatVersion)
        throw ImageError(fmt::format("image format version {}; this uringdump reads version {}", version,
                                     kFormatVersion));
}

std::string FrameReader::where() const { return fmt::format("frame {} at byte {}", frames_before_, bytes_before_); }

bool FrameReader::next(std::string &payload) {
    frames_before_ = frames_;
    bytes_before_ = bytes_;
    crc_before_ = crc_;
    unsigned char h[kFrameHeaderSize];
    std::size_t got = read_exact(h, sizeof(h));
    if (got == 0) return false;
    if (got < sizeof(h)) throw ImageError(fmt::format("truncated: {} ends inside its header", where()));
    std::uint32_t len = get_le32(h), crc = get_le32(h + 4);
    if (len > kMaxPayload)
        throw ImageError(fmt::format("{}: length {} exceeds the limit of {} bytes", where(), len, kMaxPayload));
    payload.resize(len);
    if (read_exact(payload.data(), len) < len)
        throw ImageError(fmt::format("truncated: {} ends before its {} bytes", where(), len));
    if (crc32_of(0, payload.data(), len) != crc) throw ImageError(fmt::format("{}: checksum mismatch", where()));
    frames_++;
    return true;
}

}  // namespace ud::image
