// A test hook: with URINGDUMP_TEST_STOP=NAME in the environment, dump stops
// itself with SIGSTOP when it reaches the point NAME, so that a test can
// kill it exactly there (SIGKILL) and look at what it left. No timing.
//
// Points: "created" (temporary file open, nothing written), "pages" (header
// and tables written, reading the first buffer's contents), "written" (all
// frames written, not yet synced), "synced" (synced, not yet linked),
// "linked" (--force only: linked under a temporary name, not yet renamed).
#pragma once

namespace ud::image {

void stop_point(const char *name);

}  // namespace ud::image
