// The container of an image: a file header (magic, format version, its own
// checksum) and frames (length, CRC-32, payload). It knows nothing of what
// the payloads hold; src/image/uringdump.proto describes both.
//
// The reader treats its input as hostile: a frame longer than kMaxPayload
// is refused before anything is allocated for it, and every failure is an
// ImageError whose message is one line saying where and what.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace ud::image {

inline constexpr unsigned char kMagic[8] = {0x89, 'U', 'D', 'I', 'M', 'G', '\r', '\n'};
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kFileHeaderSize = 16;
inline constexpr std::size_t kFrameHeaderSize = 8;
// No payload the writer makes comes near this: it splits tables into chunks
// and buffer contents into pieces of kDataPiece bytes.
inline constexpr std::uint32_t kMaxPayload = 4u << 20;
inline constexpr std::uint32_t kDataPiece = 1u << 20;

// A corrupt, truncated or foreign image.
struct ImageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Where the bytes of an image come from.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Reads up to out.size() bytes; fewer only at the end. Throws on I/O errors.
    virtual std::size_t read(std::span<char> out) = 0;
};

class FdSource : public ByteSource {
public:
    explicit FdSource(int fd) : fd_(fd) {}
    std::size_t read(std::span<char> out) override;

private:
    int fd_;
};

class MemorySource : public ByteSource {
public:
    explicit MemorySource(std::span<const char> bytes) : bytes_(bytes) {}
    std::size_t read(std::span<char> out) override;

private:
    std::span<const char> bytes_;
};

// Writes the file header on construction, then one frame per payload.
// Throws std::system_error when the file cannot be written.
class FrameWriter {
public:
    explicit FrameWriter(int fd);
    void write(const std::string &payload);

    std::uint64_t frames() const { return frames_; }
    std::uint64_t bytes() const { return bytes_; }  // written so far, file header included
    std::uint32_t crc() const { return crc_; }      // CRC-32 of those bytes

private:
    void put(const void *data, std::size_t n);

    int fd_;
    std::uint64_t frames_ = 0, bytes_ = 0;
    std::uint32_t crc_ = 0;
};

// Checks the file header on construction, then hands out payloads.
class FrameReader {
public:
    explicit FrameReader(ByteSource &src);
    // The next payload, or false at the end of the input.
    bool next(std::string &payload);

    // Counted up to the start of the frame next() returned last.
    std::uint64_t frames_before() const { return frames_before_; }
    std::uint64_t bytes_before() const { return bytes_before_; }
    std::uint32_t crc_before() const { return crc_before_; }
    std::uint64_t bytes_read() const { return bytes_; }
    // Where the frame next() returned last starts, for messages.
    std::string where() const;

private:
    std::size_t read_exact(void *out, std::size_t n);

    ByteSource &src_;
    std::uint64_t frames_ = 0, bytes_ = 0;
    std::uint32_t crc_ = 0;
    std::uint64_t frames_before_ = 0, bytes_before_ = 0;
    std::uint32_t crc_before_ = 0;
};

}  // namespace ud::image
