// Which bytes of a name are UTF-8. File names and comm are bytes the kernel
// takes from anyone; the views decide per byte whether it is part of a valid
// UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF, no truncated sequence) and treat every other byte on its own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ud::render {

// The length (1 to 4) of the valid UTF-8 sequence that starts at s[i], or 0
// when s[i] does not start one. i < s.size().
std::size_t utf8_sequence(std::string_view s, std::size_t i);

bool is_utf8(std::string_view s);

// s with each byte that is not part of a valid sequence replaced by U+FFFD:
// always valid UTF-8, and s itself when s is.
std::string utf8_lossy(std::string_view s);

}  // namespace ud::render
