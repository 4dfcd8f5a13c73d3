// Names from the kernel (file names, comm) in JSON. JSON text is UTF-8 and a
// file name need not be, so a name goes out as two keys (README, "Names"):
//
//   "KEY": the name with each byte that is not part of a valid UTF-8
//          sequence replaced by U+FFFD; the name itself when it is valid
//          (JSON's own escapes then carry every byte, controls included);
//   "KEY_b64": only when the name is not valid UTF-8: its exact bytes in
//          base64 (RFC 4648, standard alphabet, padded).
//
// So `KEY_b64` if present, else `KEY`, is always the exact name; e.g.
// `jq -r '.processes[0].comm_b64' | base64 -d`, or in Python
// `b64decode(o["path_b64"]) if "path_b64" in o else o["path"].encode()`.
// Every JSON writer uses this: JsonOut for keys written one by one, and the
// pre-formatted lines of json_lines.h.
#pragma once

#include <string>
#include <string_view>

#include "render/json_out.h"

namespace ud::render {

// RFC 4648 base64 with padding.
std::string base64(std::string_view bytes);

// A string as a JSON string literal, quotes included, valid UTF-8 (invalid
// bytes as U+FFFD).
std::string json_quote(std::string_view s);

// "key": name, and "key_b64" when the name is not valid UTF-8.
void name_kv(JsonOut &j, std::string_view key, std::string_view name);

// The same as pre-formatted members, each followed by a comma:
// `"key":"...",` and when needed `"key_b64":"...",`.
void append_name_members(std::string &out, std::string_view key, std::string_view name);

}  // namespace ud::render
