// A snapshot as JSON, in the shape uringdump-show(8) documents:
// {"processes":[{"pid","comm","io_uring":[...],"epoll":[...]}], ...}.
#pragma once

#include "model/snapshot.h"
#include "render/json_out.h"

namespace ud::render {

void snapshot_json(JsonOut &j, const model::Snapshot &snap);

}  // namespace ud::render
