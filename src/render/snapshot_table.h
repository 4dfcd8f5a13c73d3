// A snapshot as tables for a terminal of 100 columns: per process its rings
// (state, fixed files, buffers with page frame runs) and epoll sets.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace ud::render {

// Appends the tables of one process to out.
void process_table(std::string &out, const model::Snapshot &snap, const model::Process &p);

// Writes every process, flushing per process.
void snapshot_table(std::FILE *f, const model::Snapshot &snap);

// The frame runs of a buffer, "pfn 0x145b00-0x145b0f (16)" each; none without frames.
std::vector<std::string> frame_runs(const model::Snapshot &snap, const model::Ring &r, const model::Buffer &b);

}  // namespace ud::render
