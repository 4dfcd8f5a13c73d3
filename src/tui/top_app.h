// top's interactive view (ncurses): the process list with rates and the
// details of the selected process, refreshed through the collector.
#pragma once

#include "collect/collector.h"
#include "tui/top_options.h"

namespace ud::tui {

// Runs until q, F10, SIGINT or SIGTERM; the terminal is restored on every
// way out. Collection errors propagate (after the terminal is restored).
int run_top(collect::Collector &collector, const TopOptions &opts);

}  // namespace ud::tui
