// Hostile names as the tests see them, written apart from the tool's own
// encoders so that each side checks the other: the escaped text form read
// back, base64 decoded, UTF-8 judged from the code point rules, and the
// bytes a terminal must never get.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ud::test {

// The length (1-4) of the valid UTF-8 sequence at the start of s, or 0: the
// bits decoded to a code point, which must be encoded in the fewest bytes,
// not be a surrogate and not exceed U+10FFFF.
std::size_t utf8_oracle(std::string_view s);
bool utf8_valid(std::string_view s);

// The bytes of the README's text form (`\\` `\t` `\n` `\r` `\xHH`, anything
// else itself); nullopt on any other backslash sequence.
std::optional<std::string> unescape_name(std::string_view text);

std::optional<std::string> base64_decode(std::string_view b64);
std::string hex_decode(std::string_view hex);
std::string hex_of(std::string_view bytes);

// What in text a terminal would act on, "" if nothing: a byte below 0x20
// other than a newline, DEL, a C1 control, a line or paragraph separator or
// a bidirectional control, or bytes that are not UTF-8.
std::string terminal_hazard(std::string_view text);

// A name as JSON carries it: KEY_b64 decoded when present (then KEY must be
// KEY's bytes with U+FFFD for the invalid ones, and the bytes must not be
// UTF-8), else KEY's bytes. nullopt, with a failed check, when malformed.
std::optional<std::string> json_name(const rapidjson::Value &obj, const char *key);

// Parses with kParseValidateEncodingFlag: FAILs on invalid JSON or UTF-8.
rapidjson::Document parse_json_strict(const std::string &text);

// What the "names" fixture made (tests/fixtures/ud_fixture_names.c).
struct NameTruth {
    unsigned slot = 0;
    int fd = -1;
    bool deleted = false;
    std::string leaf;  // the file's name
    std::string path;  // what /proc/PID/fd/N links to
};
struct NamesTruth {
    int pid = 0;
    std::string comm;
    int ring_fd = -1, epoll_fd = -1;
    std::vector<NameTruth> names;  // by slot (= epoll data)
};
NamesTruth names_truth(const rapidjson::Document &truth);

}  // namespace ud::test
