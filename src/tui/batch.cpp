#include "tui/batch.h"

#include <time.h>

#include <cmath>

#include "render/snapshot_table.h"
#include "tui/detail.h"
#include "tui/rates.h"
#include "tui/rows.h"

namespace ud::tui {

int run_batch(collect::Collector &collector, const TopOptions &opts, std::FILE *out) {
    RateTracker rates;
    for (long i = 0; opts.iterations < 0 || i < opts.iterations; i++) {
        if (i > 0) {
            double whole;
            double frac = std::modf(opts.delay, &whole);
            timespec ts{static_cast<time_t>(whole), static_cast<long>(frac * 1e9)};
            while (nanosleep(&ts, &ts) != 0) {
            }
        }
        model::Snapshot snap = collector.snapshot(opts.pids);
        rates.update(snap);
        std::fprintf(out, "uringdump top: refresh %ld, every %g s, %zu processes, source %s%s\n", i + 1, opts.delay,
                     snap.processes.size(),
                     snap.source == model::Source::bpf ? "bpf" : "procfs",
                     collector.using_bpf() ? "" : (" (" + collector.fallback_reason() + ")").c_str());
        std::fprintf(out, "%s\n", format_titles(Column::pid).c_str());
        for (auto &row : make_rows(snap, rates, {}, Column::pid))
            std::fprintf(out, "%s\n", format_row(row, Column::pid).c_str());
        for (auto &p : snap.processes) {
            std::fputc('\n', out);
            for (auto &line : detail_lines(snap, p, rates)) std::fprintf(out, "%s\n", line.c_str());
        }
        std::fputc('\n', out);
        std::fflush(out);
        if (std::ferror(out)) return 1;
    }
    return 0;
}

}  // namespace ud::tui
