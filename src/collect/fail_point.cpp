#include "collect/fail_point.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ud::collect {

void fail_point(const char *name) {
    const char *want = std::getenv("URINGDUMP_TEST_FAIL");
    if (want && std::strcmp(want, name) == 0)
        throw std::runtime_error(std::string("failure injected at ") + name + " (URINGDUMP_TEST_FAIL)");
}

}  // namespace ud::collect
