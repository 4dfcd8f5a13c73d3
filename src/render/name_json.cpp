#include "render/name_json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "render/utf8.h"

namespace ud::render {

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];
        for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
    }
    if (std::size_t left = bytes.size() - i) {
        std::uint32_t v = p[i] << 16 | (left > 1 ? p[i + 1] << 8 : 0);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += left > 1 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string json_quote(std::string_view s) {
    std::string valid;
    if (!is_utf8(s)) s = valid = utf8_lossy(s);
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return std::string(sb.GetString(), sb.GetSize());
}

void name_kv(JsonOut &j, std::string_view key, std::string_view name) {
    if (is_utf8(name)) {
        j.kv(key, name);
        return;
    }
    j.kv(key, utf8_lossy(name));
    j.kv(std::string(key) + "_b64", base64(name));
}

void append_name_members(std::string &out, std::string_view key, std::string_view name) {
    bool valid = is_utf8(name);
    out += json_quote(key);
    out += ':';
    out += json_quote(name);
    out += ',';
    if (valid) return;
    out += json_quote(std::string(key) + "_b64");
    out += ":\"";
    out += base64(name);
    out += "\",";
}

}  // namespace ud::render
