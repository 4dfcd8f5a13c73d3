#include "collect/fail_point.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace ud::collect {

bool fail_point_armed(const char *name) {
    const char *want = std::getenv("URINGDUMP_TEST_FAIL");
    if (!want) return false;
    std::string spec = want;
    unsigned long from = 1, to = ~0UL;
    if (auto at = spec.find('@'); at != std::string::npos) {
        char *end = nullptr;
        from = std::strtoul(spec.c_str() + at + 1, &end, 10);
        if (end && *end == '-') to = std::strtoul(end + 1, nullptr, 10);
        spec.resize(at);
    }
    if (spec != name) return false;
    static std::mutex mutex;
    static std::map<std::string, unsigned long> hits;
    unsigned long hit;
    {
        std::lock_guard lock(mutex);
        hit = ++hits[spec];
    }
    return hit >= from && hit <= to;
}

void fail_point(const char *name) {
    if (fail_point_armed(name))
        throw std::runtime_error(std::string("failure injected at ") + name + " (URINGDUMP_TEST_FAIL)");
}

}  // namespace ud::collect
