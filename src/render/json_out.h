// The JSON writer every command shares (bpftool's json_writer, here on
// RapidJSON): compact for -j, indented for -p, streaming to a FILE with a
// buffer, so a document of any size never sits in memory whole.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string_view>

namespace ud::render {

class JsonOut {
public:
    JsonOut(std::FILE *out, bool pretty);
    ~JsonOut();  // flushes
    JsonOut(const JsonOut &) = delete;
    JsonOut &operator=(const JsonOut &) = delete;

    JsonOut &begin_object();
    JsonOut &end_object();
    JsonOut &begin_array();
    JsonOut &end_array();
    // Keys and strings are written as valid UTF-8 whatever they hold (bytes
    // that are not become U+FFFD); a name whose bytes matter goes through
    // name_kv (name_json.h).
    JsonOut &key(std::string_view k);
    JsonOut &str(std::string_view v);
    JsonOut &u64(std::uint64_t v);
    JsonOut &i64(std::int64_t v);
    JsonOut &boolean(bool v);
    JsonOut &null();
    // A complete JSON object, already formatted (see json_lines.h).
    JsonOut &raw_object(std::string_view json);
    void flush();

    // key + value shorthands
    JsonOut &kv(std::string_view k, std::string_view v) { return key(k).str(v); }
    JsonOut &kv(std::string_view k, const char *v) { return key(k).str(v); }
    JsonOut &kv_u(std::string_view k, std::uint64_t v) { return key(k).u64(v); }
    JsonOut &kv_i(std::string_view k, std::int64_t v) { return key(k).i64(v); }
    JsonOut &kv_b(std::string_view k, bool v) { return key(k).boolean(v); }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ud::render
