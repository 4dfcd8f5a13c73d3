// A snapshot built by hand for the image's unit tests, using every field the
// model has: rings with and without an fd, state known and unknown, optional
// counts present and absent, fixed files with and without fds, kernel and
// user buffers, epoll items whose tfd was closed, fallback-style entries.
#pragma once

#include "collect/memory_map.h"
#include "model/snapshot.h"

namespace ud::test {

model::Snapshot sample_snapshot();

// A memory kind for every buffer of sample_snapshot(), plain and not.
collect::BufferMemoryMap sample_memory(const model::Snapshot &snap);

}  // namespace ud::test
