// top -b: refreshes as plain text, for scripts and logs: the process list
// with rates, then per process the tables of show with each ring's rates.
#pragma once

#include <cstdio>

#include "collect/collector.h"
#include "tui/top_options.h"

namespace ud::tui {

int run_batch(collect::Collector &collector, const TopOptions &opts, std::FILE *out);

}  // namespace ud::tui
