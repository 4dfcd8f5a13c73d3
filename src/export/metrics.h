// The exporter's metrics, built from one reading (a summary snapshot and the
// memory behind its buffers) and the counters kept across readings. Every
// call builds the families anew from what it is given, so a process that
// has exited is simply not there: no stale series.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <string>
#include <vector>

#include "collect/memory_map.h"
#include "export/ring_counters.h"
#include "model/snapshot.h"

namespace ud::exporter {

// How the exporter itself is doing (the uringdump_exporter_* metrics).
struct ExporterStatus {
    std::string source;             // "bpf" or "procfs"
    double last_read_seconds = 0;   // duration of the last read, failed or not
    std::uint64_t reads = 0;        // reads of the kernel attempted
    std::uint64_t read_errors = 0;  // of which failed
    bool last_read_ok = false;
    double last_success_unix = 0;  // wall-clock time of the last good read (0: none yet)
};

struct MetricsInput {
    // The last reading, or null when the last read failed: then only the
    // exporter's own metrics are built (last values are not served as fresh).
    const model::Snapshot *snap = nullptr;
    const collect::BufferMemoryMap *memory = nullptr;
    const RingCounters *counters = nullptr;
    bool aggregate_comm = false;  // labels {comm} only, summed over processes
    ExporterStatus status;
};

// The memory kinds of uringdump_pinned_pages{kind}: the smaps kinds dump
// tells apart, folded into those an operator cares about.
std::string_view pinned_kind(collect::MemoryKind k);

std::vector<prometheus::MetricFamily> build_metrics(const MetricsInput &in);

}  // namespace ud::exporter
