#include "render/name_text.h"

#include "render/utf8.h"

namespace ud::render {
namespace {

// Whether the valid sequence p[0..n) encodes a character a terminal acts on
// or that reorders the text after it (see name_text.h).
bool is_hidden(const unsigned char *p, std::size_t n) {
    if (n == 2) return p[0] == 0xc2 && p[1] < 0xa0;  // U+0080-U+009F
    if (n == 3 && p[0] == 0xe2) {
        if (p[1] == 0x80) return p[2] >= 0xa8 && p[2] <= 0xae;  // U+2028-U+202E
        if (p[1] == 0x81) return p[2] >= 0xa6 && p[2] <= 0xa9;  // U+2066-U+2069
    }
    return false;
}

template <typename Out>
void put(Out &out, std::string_view s) {
    out.append(s.data(), s.data() + s.size());
}

template <typename Out>
void put_hex(Out &out, unsigned char c) {
    static constexpr char kDigits[] = "0123456789abcdef";
    const char esc[4] = {'\\', 'x', kDigits[c >> 4], kDigits[c & 15]};
    out.append(esc, esc + 4);
}

// Copies runs of bytes that need nothing in one piece: most names are
// printable ASCII throughout and cost one scan and one copy.
template <typename Out>
void escape(Out &out, std::string_view s) {
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    std::size_t run = 0, i = 0;
    auto flush = [&] {
        out.append(s.data() + run, s.data() + i);
    };
    while (i < s.size()) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            i++;
            continue;
        }
        std::size_t n = c >= 0x80 ? utf8_sequence(s, i) : 0;
        if (n && !is_hidden(p + i, n)) {
            i += n;
            continue;
        }
        flush();
        switch (c) {
        case '\\': put(out, "\\\\"); break;
        case '\t': put(out, "\\t"); break;
        case '\n': put(out, "\\n"); break;
        case '\r': put(out, "\\r"); break;
        default:
            // An invalid byte alone; a hidden character byte by byte.
            for (std::size_t k = 0; k < (n ? n : 1); k++) put_hex(out, p[i + k]);
            i += n ? n - 1 : 0;
            break;
        }
        run = ++i;
    }
    flush();
}

}  // namespace

void append_name_text(std::string &out, std::string_view name) { escape(out, name); }
void append_name_text(fmt::memory_buffer &out, std::string_view name) { escape(out, name); }

std::string name_text(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    escape(out, name);
    return out;
}

}  // namespace ud::render
