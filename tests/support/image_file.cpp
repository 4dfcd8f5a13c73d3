#include "support/image_file.h"

#include <dirent.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ud::test {
namespace {

std::uint32_t le32(const std::string &b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
    return v;
}

}  // namespace

std::vector<std::string> image_payloads(const std::string &bytes) {
    // uringdump-image(5): 8 bytes magic, u32 version, u32 header CRC; then frames of
    // u32 length, u32 CRC, payload.
    std::vector<std::string> out;
    REQUIRE(bytes.size() >= 16);
    CHECK(bytes.compare(0, 8, "\x89UDIMG\r\n") == 0);
    std::size_t at = 16;
    while (at < bytes.size()) {
        REQUIRE(at + 8 <= bytes.size());
        std::uint32_t len = le32(bytes, at);
        REQUIRE(at + 8 + len <= bytes.size());
        out.push_back(bytes.substr(at + 8, len));
        at += 8 + len;
    }
    return out;
}

std::vector<uringdump::image::Record> image_records(const std::string &bytes) {
    std::vector<uringdump::image::Record> out;
    for (auto &payload : image_payloads(bytes)) {
        uringdump::image::Record r;
        CHECK(r.ParseFromString(payload));
        out.push_back(std::move(r));
    }
    return out;
}

std::string read_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_file(const std::string &path, const std::string &bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + path);
}

TempDir::TempDir() {
    char tmpl[] = "/tmp/ud_test_XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> TempDir::entries() const {
    std::vector<std::string> names;
    for (auto &e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace ud::test
