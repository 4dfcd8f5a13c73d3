#include "render/utf8.h"

#include <rapidjson/encodings.h>
#include <rapidjson/memorystream.h>

namespace ud::render {
namespace {

// RapidJSON's validator copies what it checks to an output stream; only the
// verdict and how far it read matter here.
struct Discard {
    using Ch = char;
    void Put(char) {}
};

}  // namespace

std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    if (!(static_cast<unsigned char>(s[i]) & 0x80)) return 1;
    // The same validator RapidJSON's parser applies with
    // kParseValidateEncodingFlag. MemoryStream yields NUL past the end,
    // which is never a continuation byte: a truncated sequence fails.
    rapidjson::MemoryStream in(s.data() + i, s.size() - i);
    Discard out;
    if (!rapidjson::UTF8<char>::Validate(in, out)) return 0;
    return in.Tell();
}

bool is_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_sequence(s, i);
        if (!n) return false;
        i += n;
    }
    return true;
}

std::string utf8_lossy(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        if (std::size_t n = utf8_sequence(s, i)) {
            out.append(s.data() + i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
            i++;
        }
    }
    return out;
}

}  // namespace ud::render
