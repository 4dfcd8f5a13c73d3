#include "model/pfn_runs.h"

namespace ud::model {

std::uint64_t segment_frames(const Segment &s) {
    constexpr std::uint64_t page = 4096;
    if (!s.len) return 0;
    return (s.offset + static_cast<std::uint64_t>(s.len) + page - 1) / page;
}

std::vector<PfnRun> pfn_runs(const Segment *begin, const Segment *end) {
    std::vector<PfnRun> runs;
    for (const Segment *s = begin; s != end; ++s) {
        std::uint64_t n = segment_frames(*s);
        if (!n) continue;
        if (!runs.empty() && runs.back().first + runs.back().count == s->pfn) {
            runs.back().count += n;
        } else {
            runs.push_back({s->pfn, n});
        }
    }
    return runs;
}

}  // namespace ud::model
