// Where the binaries under test are, and whether BPF works here. A test that
// needs BPF calls need_bpf(): outside CI it skips (and is counted), in CI
// (CI=true) it fails, because there a BPF test must never skip.
#pragma once

#include <string>

namespace ud::test {

std::string uringdump_bin();  // $UD_BIN or ./uringdump
std::string fixture_bin();    // $UD_FIXTURE or build/tests/ud_fixture
std::string image_schema();   // $UD_SCHEMA or src/image/uringdump.proto

bool in_ci();

// True when BPF can be used; otherwise records a skip (or a failure in CI)
// and returns false: the caller returns.
bool need_bpf();

int skipped_count();

}  // namespace ud::test
