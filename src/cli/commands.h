// The command table: each command has a handler and a help text; `uringdump
// help` and `uringdump CMD help` come from here.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "cli/context.h"
#include "collect/collector.h"
#include "model/snapshot.h"

namespace ud::cli {

struct Command {
    std::string_view name;
    int (*run)(Context &);
    std::string_view usage;    // one line per form, after "uringdump "
    std::string_view summary;  // one line
    std::string_view options = {};  // the command's own options, space separated ("-o --force")
};

const Command *find_command(std::string_view name);
const Command *commands_begin();
const Command *commands_end();

int cmd_show(Context &ctx);
int cmd_dump(Context &ctx);
int cmd_image(Context &ctx);
int cmd_iter(Context &ctx);
int cmd_top(Context &ctx);

// top's own options, which main hands to it (cmd_top.cpp).
bool is_top_option(const std::string &arg);
bool top_option_takes_value(const std::string &arg);
int cmd_feature(Context &ctx);
int cmd_export(Context &ctx);

// export's own options, which main hands to it (cmd_export.cpp).
bool is_export_option(const std::string &arg);
bool export_option_takes_value(const std::string &arg);

// Where a snapshot's time went (-d or UD_TIMING=1): filled by take_snapshot,
// completed and printed on stderr by print_snapshot.
struct SnapshotTiming {
    bool wanted = false;
    std::string collect;  // "load .. ms (..), calibrate .., collect .. (..)"
};

// What the global options ask of collection (--procfs, URINGDUMP_NO_BPF,
// --require-bpf).
collect::CollectOptions collect_options(const Context &ctx);

// The collector the global options ask for (--procfs, URINGDUMP_NO_BPF,
// --require-bpf). Null, with the error printed and *exit_code set, when
// --require-bpf was given and BPF cannot be used.
std::unique_ptr<collect::Collector> make_collector(const Context &ctx, int *exit_code);

// One snapshot of pids (every process when empty) through the collector,
// with notes on stderr on what it lacks. Empty, with the error printed and
// *exit_code set, when --require-bpf was given and BPF cannot be used.
std::optional<model::Snapshot> take_snapshot(const Context &ctx, const std::vector<int> &pids, int *exit_code,
                                             SnapshotTiming *timing = nullptr);

// Notes on stderr on what a snapshot lacks (its partial list, page frames).
void note_gaps(const model::Snapshot &snap);

// Writes a snapshot to stdout as show does: tables, or JSON with -j/-p.
int print_snapshot(const Context &ctx, const model::Snapshot &snap, const SnapshotTiming *timing = nullptr);

// Parses PID arguments; on a bad one prints the error and returns false with
// *exit_code set.
bool parse_pids(const std::vector<std::string> &args, std::vector<int> &pids, int *exit_code);

}  // namespace ud::cli
