#include "support/paths.h"

#include <cstdlib>

namespace ud::test {

std::string uringdump_bin() {
    const char *v = std::getenv("UD_BIN");
    return v && *v ? v : "./uringdump";
}

std::string fixture_bin() {
    const char *v = std::getenv("UD_FIXTURE");
    return v && *v ? v : "build/tests/ud_fixture";
}

std::string image_schema() {
    const char *v = std::getenv("UD_SCHEMA");
    return v && *v ? v : "src/image/uringdump.proto";
}

}  // namespace ud::test
