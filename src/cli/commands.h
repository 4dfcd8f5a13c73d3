// The commands: each cmd_*.cpp defines its entry of the grammar (grammar.h)
// -- words, options, help -- next to the code that runs it; commands.cpp
// lists them. Shared here: what several commands do with a snapshot.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/grammar.h"
#include "collect/collector.h"
#include "model/snapshot.h"

namespace ud::cli {

const Command &show_command();
const Command &dump_command();
const Command &image_command();
const Command &top_command();
const Command &iter_command();
const Command &feature_command();
const Command &export_command();
const Command &grammar_command();

// Where a snapshot's time went (--debug or UD_TIMING=1): filled by
// take_snapshot, completed and printed on stderr by print_snapshot.
struct SnapshotTiming {
    bool wanted = false;
    std::string collect;  // "load .. ms (..), calibrate .., collect .. (..)"
};

// What the global options ask of collection (--procfs, URINGDUMP_NO_BPF,
// --require-bpf).
collect::CollectOptions collect_options(const Context &ctx);

// The collector the global options ask for; throws (exit 7) when
// --require-bpf was given and BPF cannot be used.
std::unique_ptr<collect::Collector> make_collector(const Context &ctx);

// One snapshot of pids (every process when empty) through the collector,
// with notes on stderr on what it lacks.
model::Snapshot take_snapshot(const Context &ctx, const std::vector<int> &pids, SnapshotTiming *timing = nullptr);

// Notes on stderr on what a snapshot lacks (its partial list, page frames).
void note_gaps(const model::Snapshot &snap);

// Writes a snapshot to stdout as show does: tables, or JSON with -j/-p.
void print_snapshot(const Context &ctx, const model::Snapshot &snap, const SnapshotTiming *timing = nullptr);

// PID arguments, checked to exist and be readable; throws Error with exit
// 2, 3 or 4 otherwise.
std::vector<int> parse_pids(const std::vector<std::string> &args);

// Throws a usage error unless the command got between min and max
// positional words ("iter pin takes KIND PATH [pid PID]").
void expect_args(const Context &ctx, std::size_t min, std::size_t max, const std::string &what);

}  // namespace ud::cli
