// Every JSON document a command prints goes through here, once, after the
// command's work is done: the callback only renders what was computed, so
// nothing but a failed write can stop it half-way. Streamed, not buffered
// (a snapshot of 200k epoll items would otherwise sit in memory twice); if
// it does stop, the error is not appended to half a document: see
// report_error (errors.h).
#pragma once

#include <functional>

#include "cli/context.h"
#include "render/json_out.h"

namespace ud::cli {

// Renders with fn to stdout, then a newline; throws Error on a failed write.
void print_json(bool pretty, const std::function<void(render::JsonOut &)> &fn);
inline void print_json(const Context &ctx, const std::function<void(render::JsonOut &)> &fn) {
    print_json(ctx.pretty, fn);
}

// Whether a document has been started on stdout.
bool json_document_started();

}  // namespace ud::cli
