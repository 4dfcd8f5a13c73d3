// A snapshot in and out: the one every command takes, with notes on what it
// lacks, and the output show and image show give of one.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "collect/collector.h"
#include "render/json_out.h"
#include "render/snapshot_json.h"
#include "render/snapshot_table.h"

namespace ud::cli {

void note_gaps(const model::Snapshot &snap) {
    // In the fallback the first note is why BPF was not used.
    for (auto &why : snap.partial) p_note("partial output: " + why);
    if (snap.source == model::Source::bpf && !snap.pfn.ok) p_note("page frames not shown: " + snap.pfn.reason);
}

std::optional<model::Snapshot> take_snapshot(const Context &ctx, const std::vector<int> &pids, int *exit_code) {
    std::unique_ptr<collect::Collector> collector;
    try {
        collector = std::make_unique<collect::Collector>(
            collect::CollectOptions{ctx.force_procfs || collect::env_forces_procfs(), ctx.require_bpf});
    } catch (const collect::BpfUnavailable &e) {
        p_err(fmt::format("BPF cannot be used: {}", e.what()));
        *exit_code = kNoBpf;
        return std::nullopt;
    }
    model::Snapshot snap = collector->snapshot(pids);

    note_gaps(snap);
    for (int pid : pids) {
        bool found = std::any_of(snap.processes.begin(), snap.processes.end(),
                                 [&](const model::Process &p) { return p.pid == pid; });
        if (!found) p_note(fmt::format("process {} holds no io_uring or epoll instance", pid));
    }
    return snap;
}

int print_snapshot(const Context &ctx, const model::Snapshot &snap) {
    if (ctx.json) {
        {
            render::JsonOut j(stdout, ctx.pretty);
            render::snapshot_json(j, snap);
        }
        std::fputc('\n', stdout);
    } else {
        render::snapshot_table(stdout, snap);
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        p_err("cannot write the output");
        return kError;
    }
    return kOk;
}

}  // namespace ud::cli
