// Timing of whole commands and of in-process baselines: medians of repeated
// runs, peak RSS of a child, and the phase times `uringdump` reports with
// UD_TIMING=1.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ud::bench {

double median(std::vector<double> v);

struct CommandRun {
    double seconds = 0;     // wall time
    long max_rss_kib = 0;   // peak resident set of the child
    std::string err;        // its stderr
    int code = -1;
};

// Runs argv with stdout to /dev/null; env entries NAME=value added.
CommandRun run_command(const std::vector<std::string> &argv, const std::vector<std::string> &env = {});

// Median wall time of `runs` runs of argv (after one warm-up run).
struct Timed {
    double median_s = 0;
    long max_rss_kib = 0;
    std::string last_err;
};
Timed time_command(const std::vector<std::string> &argv, int runs, const std::vector<std::string> &env = {});

// Median time of `runs` calls of f (after one warm-up call).
double time_call(const std::function<void()> &f, int runs);

// A value in milliseconds out of a UD_TIMING line ("collect 12.3 ms").
double timing_field(const std::string &stderr_text, const std::string &name);

}  // namespace ud::bench
