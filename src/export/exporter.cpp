#include "export/exporter.h"

#include <exception>

namespace ud::exporter {

Exporter::Exporter(std::unique_ptr<collect::Collector> collector, ExporterOptions opts)
    : collector_(std::move(collector)), opts_(opts) {
    status_.source = collector_->using_bpf() ? "bpf" : "procfs";
}

bool Exporter::refresh(std::string *why) {
    std::lock_guard lock(mutex_);
    return refresh_locked(why);
}

bool Exporter::refresh_locked(std::string *why) const {
    auto start = std::chrono::steady_clock::now();
    last_attempt_ = start;
    status_.reads++;
    try {
        Reading r = read_kernel(*collector_);
        counters_.update(r.snap);
        status_.last_read_seconds = r.seconds;
        status_.last_read_ok = true;
        status_.last_success_unix =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        reading_ = std::move(r);
        return true;
    } catch (const std::exception &e) {
        // The counters keep their last positions: when reading works again
        // the deltas since then are added, nothing is lost or doubled.
        status_.read_errors++;
        status_.last_read_ok = false;
        status_.last_read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (why) *why = e.what();
        if (opts_.on_error) opts_.on_error(e.what());
        return false;
    }
}

std::vector<prometheus::MetricFamily> Exporter::families_locked() const {
    MetricsInput in;
    // After a failed read the last good values are not served as fresh:
    // the per-process series are left out until a read succeeds.
    if (status_.last_read_ok && reading_) {
        in.snap = &reading_->snap;
        in.memory = &reading_->memory;
    }
    in.counters = &counters_;
    in.aggregate_comm = opts_.aggregate_comm;
    in.status = status_;
    return build_metrics(in);
}

std::vector<prometheus::MetricFamily> Exporter::families() const {
    std::lock_guard lock(mutex_);
    return families_locked();
}

std::vector<prometheus::MetricFamily> Exporter::Collect() const {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (!last_attempt_ || now - *last_attempt_ >= opts_.min_interval) refresh_locked(nullptr);
    return families_locked();
}

}  // namespace ud::exporter
