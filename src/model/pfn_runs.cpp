#include "model/pfn_runs.h"

namespace ud::model {

std::uint64_t segment_frames(const Segment &s, std::uint64_t page_size) {
    if (!s.len) return 0;
    return (s.offset + static_cast<std::uint64_t>(s.len) + page_size - 1) / page_size;
}

std::vector<PfnRun> pfn_runs(const Segment *begin, const Segment *end, std::uint64_t page_size) {
    std::vector<PfnRun> runs;
    for (const Segment *s = begin; s != end; ++s) {
        std::uint64_t n = segment_frames(*s, page_size);
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
