#include "tui/detail.h"

#include <fmt/format.h>

#include "render/snapshot_table.h"

namespace ud::tui {
namespace {

std::string rate_pair(const std::optional<Rate> &r) {
    if (!r) return "SQ -/s  CQ -/s";
    return fmt::format("SQ {:.0f}/s  CQ {:.0f}/s", r->sq, r->cq);
}

}  // namespace

std::vector<std::string> rate_lines(const model::Process &p, const RateTracker &rates) {
    std::vector<std::string> out;
    for (auto &r : p.rings)
        out.push_back(fmt::format("  rate io_uring fd {}: {}", r.fd ? std::to_string(*r.fd) : std::string("none"),
                                  rate_pair(rates.ring(p.pid, r))));
    return out;
}

std::vector<std::string> detail_lines(const model::Snapshot &snap, const model::Process &p, const RateTracker &rates) {
    std::string text;
    render::process_table(text, snap, p);
    std::vector<std::string> out = rate_lines(p, rates);
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

}  // namespace ud::tui
