// The two encodings of names (render/name_text.h for terminals,
// render/name_json.h for JSON) against the README's rules, checked with the
// tests' own decoders (support/names.h): every byte, valid multibyte UTF-8
// kept, overlong, surrogate, truncated and out-of-range sequences treated as
// invalid, and every name back to its exact bytes.
#include <doctest/doctest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "model/join.h"
#include "render/json_lines.h"
#include "render/json_out.h"
#include "render/name_json.h"
#include "render/name_text.h"
#include "render/utf8.h"
#include "support/names.h"

using namespace ud::test;
using ud::render::name_text;

namespace {

// The text form of one byte that is not part of a kept sequence.
std::string byte_form(unsigned char c) {
    if (c == '\\') return "\\\\";
    if (c == '\t') return "\\t";
    if (c == '\n') return "\\n";
    if (c == '\r') return "\\r";
    if (c >= 0x20 && c < 0x7f) return std::string(1, static_cast<char>(c));
    char b[8];
    std::snprintf(b, sizeof(b), "\\x%02x", c);
    return b;
}

std::string escaped_bytes(std::string_view s) {
    std::string out;
    for (unsigned char c : s) out += byte_form(c);
    return out;
}

// Names that hit every case: random bytes drawn mostly from the troublesome
// ones, and pieces of valid and invalid UTF-8. Deterministic.
std::vector<std::string> hostile_names() {
    static const char *const kPieces[] = {
        "\xc3\xa9",         "\xe2\x9c\x93",     "\xf0\x9f\x98\x80", "\xc2\x9b",     "\xc2\xa0",
        "\xe2\x80\xae",     "\xe2\x81\xa6",     "\xe2\x80\xa7",     "\xc0\xaf",     "\xe0\x80\xaf",
        "\xed\xa0\x80",     "\xf4\x90\x80\x80", "\xe2\x82",         "\x1b[31m",     "\\x41",
        "\\",               "\n",               "\t",               "\r",           "\x7f",
        "\xef\xbf\xbd",     "\xf0\x90\x80",     "a",                " (deleted)",   "\"'",
    };
    std::mt19937 rng(12);
    std::vector<std::string> out;
    for (int n = 0; n < 20000; n++) {
        std::string s;
        int len = static_cast<int>(rng() % 24);
        for (int i = 0; i < len; i++) {
            if (rng() % 2)
                s += kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
            else
                s += static_cast<char>(rng() % 256);
        }
        out.push_back(s);
    }
    return out;
}

// A document with one name written by name_kv, as the tool writes it.
std::string kv_document(std::string_view name) {
    char *buf = nullptr;
    std::size_t size = 0;
    std::FILE *f = open_memstream(&buf, &size);
    {
        ud::render::JsonOut j(f, false);
        j.begin_object();
        ud::render::name_kv(j, "path", name);
        j.end_object();
    }
    std::fclose(f);
    std::string out(buf, size);
    std::free(buf);
    return out;
}

}  // namespace

TEST_CASE("utf8: the validator agrees with the code point rules on every short sequence") {
    auto check = [](const std::string &s) {
        INFO("bytes " << hex_of(s));
        CHECK(ud::render::utf8_sequence(s, 0) == utf8_oracle(s));
    };
    std::string s;
    for (int a = 0; a < 256; a++) {
        check(std::string(1, static_cast<char>(a)));
        for (int b = 0; b < 256; b++) check({static_cast<char>(a), static_cast<char>(b)});
    }
    const unsigned char kTails[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
    for (int a = 0xc0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            for (unsigned char c : kTails) {
                check({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
                for (unsigned char d : kTails)
                    check({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)});
            }
}

TEST_CASE("name text: every byte alone, and inside a name, in the documented form") {
    for (int c = 0; c < 256; c++) {
        std::string one(1, static_cast<char>(c));
        INFO("byte " << c);
        CHECK(name_text(one) == byte_form(static_cast<unsigned char>(c)));
        // At every offset of a long name (no vectorised path may differ).
        for (std::size_t at = 0; at < 40; at += 7) {
            std::string s = std::string(at, 'a') + one + std::string(40 - at, 'b');
            CHECK(name_text(s) == std::string(at, 'a') + byte_form(static_cast<unsigned char>(c)) +
                                      std::string(40 - at, 'b'));
        }
    }
}

TEST_CASE("name text: valid UTF-8 is kept, except characters a terminal acts on or that reorder text") {
    for (const char *kept : {"\xc3\xa9", "\xe2\x9c\x93", "\xf0\x9f\x98\x80", "\xe6\x97\xa5\xe6\x9c\xac",
                             "\xc2\xa0", "\xe2\x80\xa7", "\xe2\x80\xaf", "\xe2\x81\xa5", "\xe2\x81\xaa",
                             "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf", "\xee\x80\x80"}) {
        INFO(hex_of(kept));
        CHECK(name_text(std::string("x") + kept + "y") == std::string("x") + kept + "y");
    }
    // C1 controls (U+0080-U+009F), U+2028-U+202E, U+2066-U+2069: each byte.
    for (const char *hidden : {"\xc2\x80", "\xc2\x9b", "\xc2\x9f", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaa",
                               "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa9"}) {
        INFO(hex_of(hidden));
        CHECK(name_text(std::string("x") + hidden + "y") == "x" + escaped_bytes(hidden) + "y");
    }
}

TEST_CASE("name text: overlong, surrogate, truncated and out-of-range sequences are escaped byte by byte") {
    for (const char *bad : {"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xf0\x80\x80\xaf",
                            "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
                            "\xff", "\xfe", "\x80", "\xbf", "\xe2\x82", "\xf0\x9f\x98", "\xc3"}) {
        INFO(hex_of(bad));
        CHECK(name_text(bad) == escaped_bytes(bad));
        CHECK(name_text(std::string(bad) + "A") == escaped_bytes(bad) + "A");
        // A valid sequence right after an invalid byte is kept.
        CHECK(name_text(std::string(bad) + "\xc3\xa9") == escaped_bytes(bad) + "\xc3\xa9");
    }
    // The bytes of a truncated sequence followed by a valid one.
    CHECK(name_text("\xe2\x82\xe2\x82\xac") == "\\xe2\\x82\xe2\x82\xac");
}

TEST_CASE("name text: any name reads back to its exact bytes and holds nothing a terminal acts on") {
    std::vector<std::string> names = hostile_names();
    for (int c = 0; c < 256; c++) names.push_back(std::string(1, static_cast<char>(c)));
    for (auto &s : names) {
        std::string t = name_text(s);
        INFO("name " << hex_of(s) << " text " << hex_of(t));
        CHECK(terminal_hazard(t).empty());
        CHECK(t.find('\n') == std::string::npos);
        auto back = unescape_name(t);
        REQUIRE(back);
        CHECK(*back == s);
    }
    // Distinct names stay distinct where a naive form would merge them.
    CHECK(name_text("\\x41") != name_text("A"));
    CHECK(name_text("\\n") != name_text("\n"));
    CHECK(name_text("\\") != name_text("\\\\"));
}

TEST_CASE("base64: RFC 4648 test vectors") {
    using ud::render::base64;
    CHECK(base64("") == "");
    CHECK(base64("f") == "Zg==");
    CHECK(base64("fo") == "Zm8=");
    CHECK(base64("foo") == "Zm9v");
    CHECK(base64("foob") == "Zm9vYg==");
    CHECK(base64("fooba") == "Zm9vYmE=");
    CHECK(base64("foobar") == "Zm9vYmFy");
    CHECK(base64(std::string_view("\xff\xfe\x00\x80", 4)) == "//4AgA==");
}

TEST_CASE("name json: valid UTF-8 JSON for any name; path_b64 when not UTF-8 gives the exact bytes") {
    std::vector<std::string> names = hostile_names();
    for (int c = 0; c < 256; c++) {
        names.push_back(std::string(1, static_cast<char>(c)));
        // Long enough for any vectorised scan of the writer to engage.
        names.push_back(std::string(21, 'a') + static_cast<char>(c) + std::string(21, 'b'));
    }
    for (auto &s : names) {
        INFO("name " << hex_of(s));
        std::string doc_text = kv_document(s);
        auto doc = parse_json_strict(doc_text);
        REQUIRE(doc.IsObject());
        CHECK(doc.HasMember("path_b64") == !utf8_valid(s));
        auto back = json_name(doc, "path");
        REQUIRE(back);
        CHECK(*back == s);
    }
}

TEST_CASE("name json: every string the shared writer gets stays valid UTF-8, and json_quote too") {
    std::string bad = "x\xff\xc0\xaf\x1b[1m\xed\xa0\x80y";
    char *buf = nullptr;
    std::size_t size = 0;
    std::FILE *f = open_memstream(&buf, &size);
    {
        ud::render::JsonOut j(f, true);
        j.begin_object().kv("message", "quoting " + bad).key(bad).str(bad).end_object();
    }
    std::fclose(f);
    std::string text(buf, size);
    std::free(buf);
    auto doc = parse_json_strict(text);
    REQUIRE(doc.IsObject());
    CHECK(std::string(doc["message"].GetString()) ==
          "quoting x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\x1b[1m\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy");
    rapidjson::Document q;
    std::string quoted = ud::render::json_quote(bad);
    CHECK_FALSE(q.Parse<rapidjson::kParseValidateEncodingFlag>(quoted.c_str()).HasParseError());
}

TEST_CASE("name json: the pre-formatted lines carry path_b64 for a path that is not UTF-8") {
    using namespace ud::model;
    Snapshot snap;
    FileInfo f;
    f.id = 0xa;
    f.ino = 7;
    f.path = "/tmp/d/bad\xff\xfe\x1b[31m\n (deleted)";
    snap.files[0xa] = f;
    FileInfo g;
    g.id = 0xb;
    g.path = "/tmp/d/caf\xc3\xa9\t";
    snap.files[0xb] = g;
    Process p;
    p.task_fds = {{4, 0xa, 0}, {5, 0xb, 0}};
    Epoll e;
    e.items = {{4, 1, 2, 0xa, 7, 0, {}, true}, {5, 1, 3, 0xb, 8, 0, {}, true}};
    Ring r;
    r.files = {{0, 0xa, 7, 0, 0010600, {}, {}, true}, {1, 0xb, 8, 0, 0010600, {}, {}, true}};
    p.epolls.push_back(e);
    p.rings.push_back(r);
    join_fds(p);
    ud::render::JsonLines lines(snap);
    for (int i = 0; i < 2; i++) {
        const std::string &want = i ? g.path : f.path;
        for (std::string text : {std::string(lines.epoll_item(p, p.epolls[0].items[i])),
                                 std::string(lines.fixed_file(p, p.rings[0].files[i]))}) {
            INFO(text);
            auto doc = parse_json_strict(text);
            REQUIRE(doc.IsObject());
            CHECK(doc.HasMember("path_b64") == (i == 0));
            auto back = json_name(doc, "path");
            REQUIRE(back);
            CHECK(*back == want);
        }
    }
}
