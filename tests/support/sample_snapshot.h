// A snapshot built by hand for the image's unit tests, using every field the
// model has: rings with and without an fd, state known and unknown, optional
// counts present and absent, fixed files with and without fds, kernel and
// user buffers, epoll items whose tfd was closed, fallback-style entries.
#pragma once

#include "collect/memory_map.h"
#include "model/snapshot.h"

namespace ud::test {

// Buffer 0 of the first ring: longer than one piece of contents (1 MiB).
constexpr std::uint64_t kBigBuffer = (1u << 20) + 8192;

model::Snapshot sample_snapshot();

// The same as the /proc fallback would have it: source and page frames.
model::Snapshot sample_procfs_snapshot();

// A memory kind for every buffer of sample_snapshot(), plain and not.
collect::BufferMemoryMap sample_memory(const model::Snapshot &snap);

}  // namespace ud::test
