// Images and files as the tests see them: an image's frames split by the
// layout uringdump-image(5) documents (not by the tool's decoder), files read and
// written whole, and a directory of a test's own.
#pragma once

#include <string>
#include <vector>

#include "image/uringdump.pb.h"

namespace ud::test {

// The payloads of an image's frames, in order; FAILs the test on an image
// that does not have the documented layout.
std::vector<std::string> image_payloads(const std::string &bytes);

// Each payload parsed as a Record with the classes protoc generates from the
// shipped schema.
std::vector<uringdump::image::Record> image_records(const std::string &bytes);

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &bytes);

// A fresh directory under /tmp, removed with what it holds.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::string &path() const { return path_; }
    std::string file(const std::string &name) const { return path_ + "/" + name; }
    // Names in the directory, sorted, without . and ..
    std::vector<std::string> entries() const;

private:
    std::string path_;
};

}  // namespace ud::test
