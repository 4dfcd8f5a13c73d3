// A test hook: with URINGDUMP_TEST_FAIL=NAME in the environment, the reader
// throws std::runtime_error when it reaches the point NAME, so that a test
// can see what a collection cut short leaves behind. No timing involved.
//
// Points: "resume" (BpfReader: the first resume pass of a collection, its
// cursors stored and the programs in resume mode, about to read).
#pragma once

namespace ud::collect {

void fail_point(const char *name);

}  // namespace ud::collect
