#include "collect/fail_point.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ud::collect {

bool fail_point_armed(const char *name) {
    const char *want = std::getenv("URINGDUMP_TEST_FAIL");
    return want && std::strcmp(want, name) == 0;
}

void fail_point(const char *name) {
    if (fail_point_armed(name))
        throw std::runtime_error(std::string("failure injected at ") + name + " (URINGDUMP_TEST_FAIL)");
}

}  // namespace ud::collect
