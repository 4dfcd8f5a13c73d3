#include "render/json_out.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>
#include <string>
#include <variant>

#include "render/utf8.h"

namespace ud::render {

// The writers work on a StringBuffer, which goes to the FILE whenever it
// passes kFlushAt, so memory stays bounded whatever the document's size.
// (Not RAPIDJSON_SSE2: see the Makefile.)
struct JsonOut::Impl {
    static constexpr std::size_t kFlushAt = 1 << 16;
    std::FILE *out;
    rapidjson::StringBuffer buf;
    std::variant<rapidjson::Writer<rapidjson::StringBuffer>, rapidjson::PrettyWriter<rapidjson::StringBuffer>> w;

    Impl(std::FILE *f, bool pretty)
        : out(f), w(pretty ? decltype(w)(std::in_place_index<1>, buf) : decltype(w)(std::in_place_index<0>, buf)) {
        if (pretty) std::get<1>(w).SetIndent(' ', 4);
    }
    template <typename F>
    void with(F f) {
        std::visit(f, w);
        if (buf.GetSize() >= kFlushAt) drain();
    }
    void drain() {
        std::fwrite(buf.GetString(), 1, buf.GetSize(), out);
        buf.Clear();
    }
};

JsonOut::JsonOut(std::FILE *out, bool pretty) : impl_(std::make_unique<Impl>(out, pretty)) {}
JsonOut::~JsonOut() { flush(); }

void JsonOut::flush() {
    impl_->drain();
    std::fflush(impl_->out);
}

JsonOut &JsonOut::begin_object() {
    impl_->with([](auto &w) { w.StartObject(); });
    return *this;
}
JsonOut &JsonOut::end_object() {
    impl_->with([](auto &w) { w.EndObject(); });
    return *this;
}
JsonOut &JsonOut::begin_array() {
    impl_->with([](auto &w) { w.StartArray(); });
    return *this;
}
JsonOut &JsonOut::end_array() {
    impl_->with([](auto &w) { w.EndArray(); });
    return *this;
}
// Whatever a caller passes, the document stays valid UTF-8: bytes that are
// not (a message quoting a name, text read from an image) become U+FFFD.
// Names whose exact bytes matter go through name_kv (name_json.h).
JsonOut &JsonOut::key(std::string_view k) {
    std::string valid;
    if (!is_utf8(k)) k = valid = utf8_lossy(k);
    impl_->with([&](auto &w) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); });
    return *this;
}
JsonOut &JsonOut::str(std::string_view v) {
    std::string valid;
    if (!is_utf8(v)) v = valid = utf8_lossy(v);
    impl_->with([&](auto &w) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); });
    return *this;
}
JsonOut &JsonOut::u64(std::uint64_t v) {
    impl_->with([&](auto &w) { w.Uint64(v); });
    return *this;
}
JsonOut &JsonOut::i64(std::int64_t v) {
    impl_->with([&](auto &w) { w.Int64(v); });
    return *this;
}
JsonOut &JsonOut::boolean(bool v) {
    impl_->with([&](auto &w) { w.Bool(v); });
    return *this;
}
JsonOut &JsonOut::raw_object(std::string_view json) {
    // RawValue of nothing writes the separator and indentation and counts
    // the value; the text itself is copied in one piece (RawValue would
    // copy it byte by byte).
    impl_->with([&](auto &w) {
        w.RawValue("", 0, rapidjson::kObjectType);
        std::memcpy(impl_->buf.Push(json.size()), json.data(), json.size());
    });
    return *this;
}

JsonOut &JsonOut::null() {
    impl_->with([](auto &w) { w.Null(); });
    return *this;
}

}  // namespace ud::render
