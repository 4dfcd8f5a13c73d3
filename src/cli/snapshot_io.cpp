// A snapshot in and out: the one every command takes, with notes on what it
// lacks, and the output show and image show give of one.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "collect/collector.h"
#include "render/json_out.h"
#include "render/snapshot_json.h"
#include "render/name_text.h"
#include "render/snapshot_table.h"

namespace ud::cli {

void note_gaps(const model::Snapshot &snap) {
    // In the fallback the first note is why BPF was not used. An image may
    // hold any bytes here: escaped as names are.
    for (auto &why : snap.partial) p_note("partial output: " + render::name_text(why));
    if (snap.source == model::Source::bpf && !snap.pfn.ok)
        p_note("page frames not shown: " + render::name_text(snap.pfn.reason));
}

namespace {

std::uint64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string describe_collection(const collect::Collector &c, std::uint64_t collect_ns) {
    const auto *bpf = c.bpf();
    if (!bpf) return fmt::format("collect {:.1f} ms (procfs)", ms(collect_ns));
    const auto &f = bpf->facts();
    const auto &s = bpf->last_stats();
    return fmt::format(
        "load {:.1f} ms ({}), calibrate {:.1f} ms, collect {:.1f} ms ({} passes, {} links, {:.1f} MiB of records, "
        "reading {:.1f} ms, building {:.1f} ms)",
        ms(f.load_ns), bpf->loader(), ms(f.calibrate_ns), ms(collect_ns), s.passes, s.links,
        static_cast<double>(s.bytes) / 1048576.0, ms(s.read_ns), ms(s.build_ns));
}

}  // namespace

collect::CollectOptions collect_options(const Context &ctx) {
    return {ctx.force_procfs || collect::env_forces_procfs(), ctx.require_bpf};
}

std::unique_ptr<collect::Collector> make_collector(const Context &ctx, int *exit_code) {
    try {
        return std::make_unique<collect::Collector>(collect_options(ctx));
    } catch (const collect::BpfUnavailable &e) {
        p_err(fmt::format("BPF cannot be used: {}", e.what()));
        *exit_code = kNoBpf;
        return nullptr;
    }
}

std::optional<model::Snapshot> take_snapshot(const Context &ctx, const std::vector<int> &pids, int *exit_code,
                                             SnapshotTiming *timing) {
    std::unique_ptr<collect::Collector> collector = make_collector(ctx, exit_code);
    if (!collector) return std::nullopt;
    std::uint64_t t0 = monotonic_ns();
    model::Snapshot snap = collector->snapshot(pids);
    if (timing && (ctx.debug || std::getenv("UD_TIMING"))) {
        timing->wanted = true;
        timing->collect = describe_collection(*collector, monotonic_ns() - t0);
    }

    note_gaps(snap);
    for (int pid : pids) {
        bool found = std::any_of(snap.processes.begin(), snap.processes.end(),
                                 [&](const model::Process &p) { return p.pid == pid; });
        if (!found) p_note(fmt::format("process {} holds no io_uring or epoll instance", pid));
    }
    return snap;
}

int print_snapshot(const Context &ctx, const model::Snapshot &snap, const SnapshotTiming *timing) {
    std::uint64_t t0 = monotonic_ns();
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
    if (timing && timing->wanted)
        std::fprintf(stderr, "uringdump: debug: %s, render %.1f ms\n", timing->collect.c_str(), ms(monotonic_ns() - t0));
    return kOk;
}

}  // namespace ud::cli
