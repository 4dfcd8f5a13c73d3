#include "export/reading.h"

#include <chrono>

#include "collect/fail_point.h"

namespace ud::exporter {

Reading read_kernel(collect::Collector &collector) {
    auto start = std::chrono::steady_clock::now();
    Reading r;
    r.snap = collector.snapshot({}, true);
    // Between the two reads a process may exit: its smaps is then empty
    // and its buffers' kind "unknown", which the metrics say as such.
    collect::fail_point("export-memory");
    r.memory = collect::classify_buffers(r.snap);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace ud::exporter
