// The detail view of one process: its rates per ring, then the tables of
// show (ring state, fixed files, buffers with frame runs, epoll items with
// decoded events and joined fds), as lines.
#pragma once

#include <string>
#include <vector>

#include "model/snapshot.h"
#include "tui/rates.h"

namespace ud::tui {

std::vector<std::string> detail_lines(const model::Snapshot &snap, const model::Process &p, const RateTracker &rates);

// One line of rates for a process and each of its rings ("-" until seen twice).
std::vector<std::string> rate_lines(const model::Process &p, const RateTracker &rates);

}  // namespace ud::tui
