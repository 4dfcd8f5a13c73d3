// The exporter's state between scrapes: the collector, the last reading,
// the counters kept across readings and how reading went. Reads the kernel
// at most once per min_interval however often it is asked; a failed read
// is remembered as failed (its metrics say so) and the next request after
// min_interval tries again. Thread-safe: the HTTP server's threads may ask
// at once.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "collect/collector.h"
#include "export/metrics.h"
#include "export/reading.h"
#include "export/ring_counters.h"

namespace ud::exporter {

struct ExporterOptions {
    std::chrono::duration<double> min_interval{1.0};
    bool aggregate_comm = false;
    // Told why a read failed (the exporter goes on); may be empty.
    std::function<void(const std::string &)> on_error;
};

class Exporter : public prometheus::Collectable {
public:
    Exporter(std::unique_ptr<collect::Collector> collector, ExporterOptions opts);

    // The families of the latest reading (reading the kernel first if the
    // last read is older than min_interval). Never throws for a read error.
    std::vector<prometheus::MetricFamily> Collect() const override;

    // Reads now, whatever the interval (textfile mode, tests); false when
    // the read failed, with why.
    bool refresh(std::string *why = nullptr);
    std::vector<prometheus::MetricFamily> families() const;

private:
    bool refresh_locked(std::string *why) const;
    std::vector<prometheus::MetricFamily> families_locked() const;

    // Mutable: prometheus-cpp's Collect() is const, and reading is what
    // being asked means here. All of it under mutex_.
    mutable std::mutex mutex_;
    std::unique_ptr<collect::Collector> collector_;  // not const itself: a read changes it
    ExporterOptions opts_;
    mutable std::optional<Reading> reading_;  // the last good one; served only while last_read_ok
    mutable RingCounters counters_;
    mutable ExporterStatus status_;
    mutable std::optional<std::chrono::steady_clock::time_point> last_attempt_;
};

}  // namespace ud::exporter
