// make bench: what `uringdump export` costs over a workload that is running
// (W4: 200 processes). A scrape's median time, against show -j of the same
// workload in the same run; the exporter's CPU (% of one core) and RSS over
// a run scraped every UD_BENCH_SCRAPE_INTERVAL seconds (15, Prometheus'
// default) for UD_BENCH_EXPORT_SECONDS (300: five minutes, twenty scrapes).
#pragma once

#include <string>

namespace ud::bench {

struct ExportCost {
    double scrape_median_s = 0;  // GET /metrics, each one reading the kernel (--min-interval 0)
    std::size_t scrape_bytes = 0;
    double cpu_percent = -1;  // of one core over the run, start-up excluded
    double run_seconds = 0;
    double interval_s = 0;
    long rss_first_kib = 0, rss_last_kib = 0;  // after warm-up (4 scrapes), at the end
    std::string error;                         // why nothing was measured
};

ExportCost measure_export(int runs);

}  // namespace ud::bench
