// A test hook: with URINGDUMP_TEST_FAIL=NAME in the environment, the reader
// throws std::runtime_error when it reaches the point NAME, so that a test
// can see what a collection cut short leaves behind. No timing involved.
//
// NAME@N fails from the Nth time the point is reached on (counted from 1 in
// this process), NAME@N-M only the Nth to the Mth time: a long-running
// command (export) can read well, fail, and recover.
//
// Points: "resume" (BpfReader: the first resume pass of a collection, its
// cursors stored and the programs in resume mode, about to read);
// "collect" (BpfReader: every pass of a collection read, the snapshot not
// yet finished); "export-memory" (export: the snapshot read, the buffers'
// memory not yet classified).
//
// fail_point_armed(NAME) only says whether NAME is the point asked for (and
// this hit within N-M), for hooks that change data instead of throwing:
// "tear" (Collector: after its consistency check, the first buffer with
// segments loses its last one, or else a fixed file names no file: a table
// torn in a way no check before dump caught would come).
#pragma once

namespace ud::collect {

void fail_point(const char *name);
bool fail_point_armed(const char *name);

}  // namespace ud::collect
