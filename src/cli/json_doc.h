// Every JSON document a command prints goes through here: written to
// memory first and to stdout whole, so that a failure half-way (an
// exception while rendering) leaves stdout empty for the error document
// instead of half a document followed by another.
#pragma once

#include <functional>

#include "cli/context.h"
#include "render/json_out.h"

namespace ud::cli {

// Renders with fn and prints the document and a newline; throws Error on
// a failed write.
void print_json(bool pretty, const std::function<void(render::JsonOut &)> &fn);
inline void print_json(const Context &ctx, const std::function<void(render::JsonOut &)> &fn) {
    print_json(ctx.pretty, fn);
}

}  // namespace ud::cli
