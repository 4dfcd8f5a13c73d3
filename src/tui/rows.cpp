#include "tui/rows.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/pfn_runs.h"
#include "render/name_text.h"

namespace ud::tui {

namespace {

// Frames behind a ring's buffers: from its segments when read, otherwise
// (summary snapshots, the /proc fallback) the pages the buffers span.
std::uint64_t pages_of(const model::Ring &r, std::uint64_t page) {
    std::uint64_t n = 0;
    if (!r.segments.empty()) {
        for (auto &s : r.segments) n += model::segment_frames(s, page);
        return n;
    }
    for (auto &b : r.buffers) n += (b.addr % page + b.len + page - 1) / page;
    return n;
}

double rate_key(const std::optional<Rate> &r, bool cq) { return r ? (cq ? r->cq : r->sq) : -1; }

std::string rate_text(const std::optional<Rate> &r, bool cq) {
    if (!r) return "-";
    double v = cq ? r->cq : r->sq;
    if (v >= 1e6) return fmt::format("{:.1f}M", v / 1e6);
    if (v >= 1e4) return fmt::format("{:.0f}k", v / 1e3);
    return fmt::format("{:.0f}", v);
}

}  // namespace

const char *column_title(Column c) {
    switch (c) {
    case Column::pid: return "PID";
    case Column::comm: return "COMM";
    case Column::rings: return "RINGS";
    case Column::epolls: return "EPOLLS";
    case Column::files: return "FILES";
    case Column::buffers: return "BUFS";
    case Column::pages: return "PAGES";
    case Column::items: return "ITEMS";
    case Column::sq_rate: return "SQ/s";
    case Column::cq_rate: return "CQ/s";
    case Column::overflow: return "OVERFLOW";
    case Column::inflight: return "INFLIGHT";
    default: return "";
    }
}

ProcRow make_row(const model::Process &p, const RateTracker &rates, std::uint32_t page_size) {
    ProcRow row;
    row.pid = p.pid;
    row.comm = p.comm;
    row.rings = p.rings.size();
    row.epolls = p.epolls.size();
    for (auto &r : p.rings) {
        row.files += r.files.empty() ? r.files_counted : r.files.size();
        row.buffers += r.buffers.size();
        row.pages += pages_of(r, page_size);
        row.overflow += r.state.cq_overflow;
        if (r.state.inflight)
            row.inflight += *r.state.inflight;
        else
            row.inflight_known = false;
    }
    for (auto &e : p.epolls) row.items += e.items.empty() ? e.items_counted : e.items.size();
    row.rate = rates.process(p);
    return row;
}

bool row_matches(const ProcRow &row, const std::string &filter) {
    if (filter.empty()) return true;
    if (std::to_string(row.pid).rfind(filter, 0) == 0) return true;
    return row.comm.find(filter) != std::string::npos;
}

std::vector<ProcRow> make_rows(const model::Snapshot &snap, const RateTracker &rates, const std::string &filter,
                               Column by) {
    std::vector<ProcRow> rows;
    for (auto &p : snap.processes) {
        ProcRow row = make_row(p, rates, snap.page_size);
        if (row_matches(row, filter)) rows.push_back(std::move(row));
    }
    auto num = [&](const ProcRow &r) -> double {
        switch (by) {
        case Column::rings: return static_cast<double>(r.rings);
        case Column::epolls: return static_cast<double>(r.epolls);
        case Column::files: return static_cast<double>(r.files);
        case Column::buffers: return static_cast<double>(r.buffers);
        case Column::pages: return static_cast<double>(r.pages);
        case Column::items: return static_cast<double>(r.items);
        case Column::sq_rate: return rate_key(r.rate, false);
        case Column::cq_rate: return rate_key(r.rate, true);
        case Column::overflow: return static_cast<double>(r.overflow);
        case Column::inflight: return static_cast<double>(r.inflight) + (r.inflight_known ? 0 : 0.5);
        default: return 0;
        }
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const ProcRow &a, const ProcRow &b) {
        if (by == Column::pid) return a.pid < b.pid;
        if (by == Column::comm) return a.comm != b.comm ? a.comm < b.comm : a.pid < b.pid;
        double x = num(a), y = num(b);
        return x != y ? x > y : a.pid < b.pid;
    });
    return rows;
}

std::string format_titles(Column sorted_by) {
    std::string t[static_cast<int>(Column::count)];
    for (int i = 0; i < static_cast<int>(Column::count); i++) {
        t[i] = column_title(static_cast<Column>(i));
        if (static_cast<Column>(i) == sorted_by) t[i] = "*" + t[i];
    }
    return fmt::format("{:>8} {:<16} {:>6} {:>6} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}", t[0], t[1], t[2],
                       t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11]);
}

// The name is escaped before it is cut to its column: a cut escape is still
// no control byte.
std::string format_row(const ProcRow &r, Column) {
    // INFLIGHT: "?" when no ring's count is known, "N+" when some are not.
    std::string inflight = r.inflight_known ? std::to_string(r.inflight)
                           : r.inflight     ? std::to_string(r.inflight) + "+"
                                            : std::string("?");
    return fmt::format("{:>8} {:<16.16} {:>6} {:>6} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}", r.pid,
                       render::name_text(r.comm), r.rings, r.epolls, r.files, r.buffers, r.pages, r.items,
                       rate_text(r.rate, false), rate_text(r.rate, true), r.overflow, inflight);
}

}  // namespace ud::tui
