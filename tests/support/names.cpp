#include "support/names.h"

#include <doctest/doctest.h>
#include <rapidjson/error/en.h>

namespace ud::test {

std::size_t utf8_oracle(std::string_view s) {
    if (s.empty()) return 0;
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char c = b(0);
    if (c < 0x80) return 1;
    std::size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (!n || s.size() < n) return 0;
    std::uint32_t cp = c & (0x7f >> n);
    for (std::size_t k = 1; k < n; k++) {
        if ((b(k) & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (b(k) & 0x3f);
    }
    static const std::uint32_t kFewest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kFewest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

bool utf8_valid(std::string_view s) {
    while (!s.empty()) {
        std::size_t n = utf8_oracle(s);
        if (!n) return false;
        s.remove_prefix(n);
    }
    return true;
}

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> unescape_name(std::string_view t) {
    std::string out;
    for (std::size_t i = 0; i < t.size(); i++) {
        if (t[i] != '\\') {
            out += t[i];
            continue;
        }
        if (++i >= t.size()) return std::nullopt;
        switch (t[i]) {
        case '\\': out += '\\'; break;
        case 't': out += '\t'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 'x': {
            int hi = i + 1 < t.size() ? hex_digit(t[i + 1]) : -1, lo = i + 2 < t.size() ? hex_digit(t[i + 2]) : -1;
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi << 4 | lo);
            i += 2;
            break;
        }
        default: return std::nullopt;
        }
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view b64) {
    static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (b64.size() % 4) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < b64.size(); i += 4) {
        std::uint32_t v = 0;
        int pad = 0;
        for (std::size_t k = 0; k < 4; k++) {
            char c = b64[i + k];
            if (c == '=' && i + 4 == b64.size() && k >= 2) {
                pad++;
                v <<= 6;
                continue;
            }
            auto at = kAlphabet.find(c);
            if (at == std::string::npos || pad) return std::nullopt;
            v = v << 6 | static_cast<std::uint32_t>(at);
        }
        out += static_cast<char>(v >> 16);
        if (pad < 2) out += static_cast<char>(v >> 8);
        if (pad < 1) out += static_cast<char>(v);
    }
    return out;
}

std::string hex_decode(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(hex_digit(hex[i]) << 4 | hex_digit(hex[i + 1]));
    return out;
}

std::string hex_of(std::string_view bytes) {
    static const char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

std::string terminal_hazard(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        std::string where = " at byte " + std::to_string(i);
        if ((c < 0x20 && c != '\n') || c == 0x7f) return "control byte 0x" + hex_of(text.substr(i, 1)) + where;
        std::size_t n = utf8_oracle(text.substr(i));
        if (!n) return "byte 0x" + hex_of(text.substr(i, 1)) + " not UTF-8" + where;
        auto p = reinterpret_cast<const unsigned char *>(text.data() + i);
        if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) return "C1 control" + where;
        if (n == 3 && p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xa8 && p[2] <= 0xae) ||
                                       (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
            return "separator or bidirectional control" + where;
        i += n;
    }
    return {};
}

std::optional<std::string> json_name(const rapidjson::Value &obj, const char *key) {
    std::string b64_key = std::string(key) + "_b64";
    if (!obj.IsObject() || !obj.HasMember(key) || !obj[key].IsString()) {
        FAIL_CHECK("no string member " << key);
        return std::nullopt;
    }
    std::string text(obj[key].GetString(), obj[key].GetStringLength());
    if (!obj.HasMember(b64_key.c_str())) return text;
    auto bytes = base64_decode(obj[b64_key.c_str()].GetString());
    if (!bytes) {
        FAIL_CHECK(b64_key << " is not base64");
        return std::nullopt;
    }
    CHECK_MESSAGE(!utf8_valid(*bytes), b64_key << " present for a valid UTF-8 name");
    // KEY holds the bytes with each invalid one as U+FFFD.
    std::string lossy;
    for (std::string_view s = *bytes; !s.empty();) {
        std::size_t n = utf8_oracle(s);
        lossy += n ? std::string(s.substr(0, n)) : "\xEF\xBF\xBD";
        s.remove_prefix(n ? n : 1);
    }
    CHECK(text == lossy);
    return bytes;
}

rapidjson::Document parse_json_strict(const std::string &text) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(text.c_str(), text.size());
    if (d.HasParseError()) {
        FAIL_CHECK("invalid JSON at offset " << d.GetErrorOffset() << ": "
                                             << rapidjson::GetParseError_En(d.GetParseError()));
        d.SetObject();
    }
    return d;
}

NamesTruth names_truth(const rapidjson::Document &t) {
    NamesTruth out;
    out.pid = t["pid"].GetInt();
    out.comm = hex_decode(t["comm_hex"].GetString());
    out.ring_fd = t["ring_fd"].GetInt();
    out.epoll_fd = t["epoll_fd"].GetInt();
    for (auto &n : t["names"].GetArray())
        out.names.push_back({n["slot"].GetUint(), n["fd"].GetInt(), n["deleted"].GetBool(),
                             hex_decode(n["leaf_hex"].GetString()), hex_decode(n["path_hex"].GetString())});
    return out;
}

}  // namespace ud::test
