#include "support/image_bytes.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "image/decoder.h"
#include "render/json_out.h"
#include "render/snapshot_json.h"
#include "render/snapshot_table.h"

namespace ud::test {
namespace {

// Runs write(fd) on an in-memory file and returns what it wrote.
template <typename Write>
std::string through_memfd(Write write) {
    int fd = ::memfd_create("ud_test_image", MFD_CLOEXEC);
    if (fd < 0) throw std::runtime_error("memfd_create");
    write(fd);
    std::string out(static_cast<std::size_t>(::lseek(fd, 0, SEEK_END)), '\0');
    if (::pread(fd, out.data(), out.size(), 0) != static_cast<ssize_t>(out.size())) throw std::runtime_error("pread");
    ::close(fd);
    return out;
}

template <typename Render>
std::string through_memstream(Render render) {
    char *buf = nullptr;
    std::size_t len = 0;
    std::FILE *f = ::open_memstream(&buf, &len);
    render(f);
    std::fclose(f);
    std::string out(buf, len);
    std::free(buf);
    return out;
}

}  // namespace

std::string encode_image(const image::ImageInfo &info, const model::Snapshot &snap,
                         const collect::BufferMemoryMap &memory, const image::ContentReader &read) {
    return through_memfd([&](int fd) {
        image::FrameWriter w(fd);
        image::write_image(w, info, snap, memory, read);
    });
}

std::string frame_records(const std::vector<uringdump::image::Record> &records, bool trailer) {
    return through_memfd([&](int fd) {
        image::FrameWriter w(fd);
        for (auto &r : records) w.write(r.SerializeAsString());
        if (!trailer) return;
        uringdump::image::Record t;
        t.mutable_trailer()->set_frames(w.frames());
        t.mutable_trailer()->set_bytes(w.bytes());
        t.mutable_trailer()->set_crc(w.crc());
        w.write(t.SerializeAsString());
    });
}

image::Image decode_image(const std::string &bytes) {
    image::MemorySource src({bytes.data(), bytes.size()});
    return image::read_image(src);
}

std::string json_of(const model::Snapshot &snap) {
    return through_memstream([&](std::FILE *f) {
        render::JsonOut j(f, false);
        render::snapshot_json(j, snap);
    });
}

std::string table_of(const model::Snapshot &snap) {
    return through_memstream([&](std::FILE *f) { render::snapshot_table(f, snap); });
}

}  // namespace ud::test
