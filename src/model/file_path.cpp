#include "model/file_path.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

namespace ud::model {
namespace {

// include/uapi/linux/magic.h
constexpr std::uint64_t SOCKFS_MAGIC = 0x534F434B;
constexpr std::uint64_t PIPEFS_MAGIC = 0x50495045;
constexpr std::uint64_t ANON_INODE_FS_MAGIC = 0x09041934;
constexpr std::uint64_t PIDFS_MAGIC = 0x50494446;
constexpr std::uint64_t TMPFS_MAGIC = 0x01021994;
constexpr std::uint64_t HUGETLBFS_MAGIC = 0x958458f6;

// The components of rec.path, leaf first, as views into the record.
std::vector<std::string_view> components(const ud_file &rec) {
    std::vector<std::string_view> out;
    std::size_t off = 0;
    const std::size_t end = std::min<std::size_t>(rec.path_len, sizeof(rec.path));
    while (off < end && out.size() < rec.ncomp) {
        std::size_t len = static_cast<unsigned char>(rec.path[off]);
        if (off + 1 + len > end) break;
        out.emplace_back(rec.path + off + 1, len);
        off += 1 + len;
    }
    return out;
}

}  // namespace

RebuiltPath rebuild_path(const ud_file &rec) {
    auto names = components(rec);
    RebuiltPath out;
    if (rec.flags & UD_FILE_DNAME) {
        std::string_view name = names.empty() ? std::string_view{} : names.front();
        switch (rec.magic) {
        case SOCKFS_MAGIC:  // sockfs_dname
            out.path = fmt::format("socket:[{}]", rec.ino);
            break;
        case PIPEFS_MAGIC:  // pipefs_dname
            out.path = fmt::format("pipe:[{}]", rec.ino);
            break;
        case ANON_INODE_FS_MAGIC:  // anon_inodefs_dname
            out.path = fmt::format("anon_inode:{}", name);
            break;
        case PIDFS_MAGIC:  // pidfs_dname keeps the anon inode spelling
            out.path = "anon_inode:[pidfd]";
            break;
        case TMPFS_MAGIC:
        case HUGETLBFS_MAGIC:  // d_alloc_pseudo's simple_dname (memfd)
            out.path = fmt::format("/{} (deleted)", name);
            break;
        default:
            out.path = fmt::format("/{} (deleted)", name);
            out.exact = false;
            break;
        }
        return out;
    }
    if (names.empty()) {
        out.path = "/";
    } else {
        for (auto it = names.rbegin(); it != names.rend(); ++it) {
            out.path += '/';
            out.path += *it;
        }
    }
    if (rec.flags & UD_FILE_TRUNCATED) {
        out.path = "..." + out.path;
        out.exact = false;
    }
    if (rec.flags & UD_FILE_DELETED) out.path += " (deleted)";
    return out;
}

}  // namespace ud::model
