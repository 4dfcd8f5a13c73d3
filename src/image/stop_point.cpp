#include "image/stop_point.h"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace ud::image {

void stop_point(const char *name) {
    const char *want = std::getenv("URINGDUMP_TEST_STOP");
    if (want && std::strcmp(want, name) == 0) std::raise(SIGSTOP);
}

}  // namespace ud::image
