// Checks shared by the ring tests: a ring of `show -j` against what the
// fixture registered, against fdinfo, and its frames against pagemap.
#pragma once

#include <rapidjson/document.h>

namespace ud::test {

// Files and buffers of `ring` (show -j) equal those of `truth` (fixture).
void check_ring_tables(int pid, const rapidjson::Value &ring, const rapidjson::Value &truth);

// Every page of every segment of every buffer is the frame pagemap gives
// for that page of the buffer.
void check_frames_against_pagemap(int pid, const rapidjson::Value &ring);

// Counters, table sizes and per-slot lines equal /proc/PID/fdinfo/FD.
void check_ring_against_fdinfo(int pid, int fd, const rapidjson::Value &ring);

}  // namespace ud::test
