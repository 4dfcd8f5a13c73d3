// The process list of top: one row per process, the columns it can be
// sorted by, and the filter. Pure: no terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "tui/rates.h"

namespace ud::tui {

enum class Column {
    pid,
    comm,
    rings,
    epolls,
    files,
    buffers,
    pages,
    items,
    sq_rate,
    cq_rate,
    overflow,
    inflight,
    count
};

const char *column_title(Column c);

struct ProcRow {
    int pid = 0;
    std::string comm;
    std::uint64_t rings = 0, epolls = 0, files = 0, buffers = 0, pages = 0, items = 0, overflow = 0;
    std::optional<Rate> rate;  // empty until the process was seen twice
    // Requests its rings hold in the kernel (RingState::inflight); false
    // when a ring's count is unknown (kernels that count per task only).
    std::uint64_t inflight = 0;
    bool inflight_known = true;
};

// page_size: the snapshot's (Snapshot::page_size), for PAGES.
ProcRow make_row(const model::Process &p, const RateTracker &rates, std::uint32_t page_size);

// Rows of the snapshot that pass the filter (a PID prefix or a part of the
// command name; empty: all), sorted by `by`: numbers largest first, PID and
// name in ascending order.
std::vector<ProcRow> make_rows(const model::Snapshot &snap, const RateTracker &rates, const std::string &filter,
                               Column by);

bool row_matches(const ProcRow &row, const std::string &filter);

// The table line of a row, and of the titles, `width` columns wide.
std::string format_row(const ProcRow &row, Column sorted_by);
std::string format_titles(Column sorted_by);

}  // namespace ud::tui
