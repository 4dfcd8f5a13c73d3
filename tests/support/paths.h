// Where the binaries under test are (shared by the tests and the benchmark).
#pragma once

#include <string>

namespace ud::test {

std::string uringdump_bin();  // $UD_BIN or ./uringdump
std::string fixture_bin();    // $UD_FIXTURE or build/tests/ud_fixture
std::string image_schema();   // $UD_SCHEMA or src/image/uringdump.proto

}  // namespace ud::test
