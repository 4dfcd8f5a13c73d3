// Names from the kernel (file names, comm) as text for a terminal, the way
// `ls -b` shows them: one line, no byte a terminal acts on, and distinct
// names stay distinct. Every view that prints text uses this: show's tables
// (and so image show and top), top's list, image check, and the messages
// that quote a path or a name.
//
// The form (README, "Names"):
//   - a byte of a valid UTF-8 sequence (utf8.h) is kept, except as below;
//   - `\` is written `\\`; tab, newline, carriage return `\t`, `\n`, `\r`;
//   - every other byte is written `\xHH` (two lowercase hex digits) when it
//     is a C0 control (0x00-0x1f) or DEL (0x7f), when it is not part of a
//     valid UTF-8 sequence, or when it is part of the encoding of a C1
//     control (U+0080-U+009F: 8-bit CSI and the like), of U+2028/U+2029
//     (line and paragraph separators) or of the bidirectional embedding,
//     override and isolate controls (U+202A-U+202E, U+2066-U+2069), which
//     reorder what follows them on screen.
// Reading it back: `\\` `\t` `\n` `\r` and `\xHH` stand for one byte each,
// everything else for itself. bpf/uringdump_text.bpf.c writes the same form.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace ud::render {

void append_name_text(std::string &out, std::string_view name);
void append_name_text(fmt::memory_buffer &out, std::string_view name);
std::string name_text(std::string_view name);

}  // namespace ud::render
