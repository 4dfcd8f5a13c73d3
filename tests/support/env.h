// Where the binaries under test are, whether BPF works here, and how a test
// that cannot apply says so.
//
// A skipped test case is counted as skipped, never as passed: skip() records
// the reason, and the runner's closing line reads "N passed, N failed,
// N skipped" with every skipped case named above it.
#pragma once

#include <string>
#include <vector>

#include "support/paths.h"

namespace ud::test {

bool in_ci();

// Marks the running test case as skipped with a reason (one line). The
// caller returns right after. Assertions already failed still fail the case.
void skip(const std::string &why);

// True when BPF can be used; otherwise skips the test (outside CI) or fails
// it (in CI, CI=true, where a BPF test must never skip) and returns false:
// the caller returns.
bool need_bpf();

struct SkippedCase {
    std::string name;
    std::string why;
};

// Called by the runner: takes the skip of the case that just ended, if any.
bool take_skip(const std::string &case_name, SkippedCase &out);

}  // namespace ud::test
