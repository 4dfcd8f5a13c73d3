// One read of the kernel for the exporter: the summary snapshot top's list
// uses (fixed files and epoll items counted, buffers without segments) and
// the kind of memory behind every registered buffer, from the same smaps
// reading dump's restorability check uses. Nothing here is new kernel code.
#pragma once

#include <cstdint>

#include "collect/collector.h"
#include "collect/memory_map.h"
#include "model/snapshot.h"

namespace ud::exporter {

struct Reading {
    model::Snapshot snap;
    collect::BufferMemoryMap memory;
    double seconds = 0;  // how long the read took
};

// Every process holding a ring or an epoll set. Throws what the collector
// throws when the read fails.
Reading read_kernel(collect::Collector &collector);

}  // namespace ud::exporter
