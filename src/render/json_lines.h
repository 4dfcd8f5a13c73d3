// The three lists that can hold hundreds of thousands of entries (epoll
// items, fixed files, buffer segments) are written one object per line,
// formatted here with fmt into a reusable buffer and handed to the shared
// writer as raw values: about a tenth of the instructions of a key-by-key
// writer. Paths are written once per file, as name_json.h says (RapidJSON
// escapes them; `path_b64` carries a path that is not UTF-8).
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <unordered_map>

#include "model/snapshot.h"
#include "render/name_json.h"

namespace ud::render {

class JsonLines {
public:
    explicit JsonLines(const model::Snapshot &snap) : snap_(snap) {}

    // Each returns the object's JSON text, valid until the next call.
    std::string_view epoll_item(const model::Process &p, const model::EpollItem &it);
    std::string_view fixed_file(const model::Process &p, const model::FixedFile &f);
    std::string_view segment(const model::Segment &s);
    // next / guards: indices in the ring's requests of the request linked
    // behind it and of the request a linked timeout guards, -1 if none.
    std::string_view request(const model::Process &p, const model::Request &q, long next, long guards);

private:
    // `"path":"...",` (or null), `"path_b64":"...",` when the path is not
    // UTF-8, and `"path_truncated":true,` when so: the file's path, or
    // `fallback` for an id without one.
    const std::string &path_fields(model::FileId id, const std::string &fallback);
    void fds(const model::Process &p, model::FdSpan span, bool known);
    void append(std::string_view s);

    const model::Snapshot &snap_;
    fmt::memory_buffer buf_;
    std::unordered_map<model::FileId, std::string> paths_;
    std::string scratch_;
    model::FileId last_id_ = ~0ULL;
    const std::string *last_path_ = nullptr;
};

}  // namespace ud::render
