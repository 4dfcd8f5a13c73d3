#include "render/json_out.h"

#include <rapidjson/filewritestream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/writer.h>

#include <variant>
#include <vector>

namespace ud::render {

struct JsonOut::Impl {
    std::vector<char> buf = std::vector<char>(1 << 16);
    rapidjson::FileWriteStream stream;
    std::variant<rapidjson::Writer<rapidjson::FileWriteStream>, rapidjson::PrettyWriter<rapidjson::FileWriteStream>> w;

    Impl(std::FILE *out, bool pretty)
        : stream(out, buf.data(), buf.size()),
          w(pretty ? decltype(w)(std::in_place_index<1>, stream) : decltype(w)(std::in_place_index<0>, stream)) {
        if (pretty) std::get<1>(w).SetIndent(' ', 4);
    }
    template <typename F>
    void with(F f) {
        std::visit(f, w);
    }
};

JsonOut::JsonOut(std::FILE *out, bool pretty) : impl_(std::make_unique<Impl>(out, pretty)) {}
JsonOut::~JsonOut() { flush(); }

void JsonOut::flush() { impl_->stream.Flush(); }

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
JsonOut &JsonOut::key(std::string_view k) {
    impl_->with([&](auto &w) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); });
    return *this;
}
JsonOut &JsonOut::str(std::string_view v) {
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
JsonOut &JsonOut::null() {
    impl_->with([](auto &w) { w.Null(); });
    return *this;
}

}  // namespace ud::render
