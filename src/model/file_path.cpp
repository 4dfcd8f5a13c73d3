#include "model/file_path.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "ud_names.h"

namespace ud::model {
namespace {

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

// The forms are decided by bpf/ud_names.h, which the pinned iterators follow too.
RebuiltPath rebuild_path(const ud_file &rec) {
    auto names = components(rec);
    std::string_view leaf = names.empty() ? std::string_view{} : names.front();
    RebuiltPath out;
    switch (ud_name_form(rec.flags, rec.magic)) {
        case UD_NAME_SOCKET:
            out.path = fmt::format("socket:[{}]", rec.ino);
            return out;
        case UD_NAME_PIPE:
            out.path = fmt::format("pipe:[{}]", rec.ino);
            return out;
        case UD_NAME_ANON:
            out.path = fmt::format("{}{}", UD_NAME_ANON_PREFIX, leaf);
            return out;
        case UD_NAME_PIDFD:
            out.path = UD_NAME_PIDFD_NAME;
            return out;
        case UD_NAME_PSEUDO_GUESS:
            out.exact = false;
            [[fallthrough]];
        case UD_NAME_PSEUDO:
            out.path = fmt::format("/{}{}", leaf, UD_NAME_DELETED);
            return out;
        case UD_NAME_PATH:
            break;
    }
    if (names.empty()) out.path = "/";
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
        out.path += '/';
        out.path += *it;
    }
    if (rec.flags & UD_FILE_TRUNCATED) {
        out.path = UD_NAME_TRUNCATED + out.path;
        out.exact = false;
    }
    if (rec.flags & UD_FILE_DELETED) out.path += UD_NAME_DELETED;
    return out;
}

}  // namespace ud::model
