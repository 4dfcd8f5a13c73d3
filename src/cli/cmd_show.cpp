// uringdump show [PID...]: one snapshot, as tables or JSON.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "collect/collector.h"
#include "collect/procfs.h"
#include "render/json_out.h"
#include "render/snapshot_json.h"
#include "render/snapshot_table.h"

namespace ud::cli {

bool parse_pids(const std::vector<std::string> &args, std::vector<int> &pids, int *exit_code) {
    for (auto &a : args) {
        int pid = 0;
        auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), pid);
        if (ec != std::errc() || end != a.data() + a.size() || pid <= 0) {
            p_err(fmt::format("'{}' is not a PID (a positive number)", a));
            *exit_code = kUsage;
            return false;
        }
        switch (collect::check_pid(pid)) {
        case collect::PidStatus::exists:
            break;
        case collect::PidStatus::no_such_process:
            p_err(fmt::format("no such process: {}", pid));
            *exit_code = kNoSuchProcess;
            return false;
        case collect::PidStatus::no_permission:
            p_err(fmt::format("no permission to read process {} (its fds are not visible to this user)", pid));
            *exit_code = kPermission;
            return false;
        }
        if (std::find(pids.begin(), pids.end(), pid) == pids.end()) pids.push_back(pid);
    }
    return true;
}

namespace {

std::uint64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

// With -d or UD_TIMING set: where the time went, one line on stderr.
void print_timing(const collect::Collector &c, std::uint64_t collect_ns, std::uint64_t render_ns) {
    auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e6; };
    if (const auto *bpf = c.bpf()) {
        const auto &f = bpf->facts();
        const auto &s = bpf->last_stats();
        std::fprintf(stderr,
                     "uringdump: debug: load %.1f ms (%s), calibrate %.1f ms, collect %.1f ms (%u passes, %u links, "
                     "%.1f MiB of records, reading %.1f ms, building %.1f ms), render %.1f ms\n",
                     ms(f.load_ns), bpf->loader(), ms(f.calibrate_ns), ms(collect_ns), s.passes, s.links,
                     static_cast<double>(s.bytes) / 1048576.0, ms(s.read_ns), ms(s.build_ns), ms(render_ns));
    } else {
        std::fprintf(stderr, "uringdump: debug: collect %.1f ms, render %.1f ms\n", ms(collect_ns), ms(render_ns));
    }
}

}  // namespace

int cmd_show(Context &ctx) {
    std::vector<int> pids;
    int code = kOk;
    if (!parse_pids(ctx.args, pids, &code)) return code;

    std::unique_ptr<collect::Collector> collector;
    try {
        collector = std::make_unique<collect::Collector>(
            collect::CollectOptions{ctx.force_procfs || collect::env_forces_procfs(), ctx.require_bpf});
    } catch (const collect::BpfUnavailable &e) {
        p_err(fmt::format("BPF cannot be used: {}", e.what()));
        return kNoBpf;
    }
    std::uint64_t t0 = monotonic_ns();
    model::Snapshot snap = collector->snapshot(pids);
    std::uint64_t t1 = monotonic_ns();

    if (!collector->using_bpf()) p_note("partial output: " + snap.partial.front());
    for (std::size_t i = collector->using_bpf() ? 0 : 1; i < snap.partial.size(); i++)
        p_note("partial output: " + snap.partial[i]);
    if (collector->using_bpf() && !snap.pfn.ok) p_note("page frames not shown: " + snap.pfn.reason);
    for (int pid : pids) {
        bool found = std::any_of(snap.processes.begin(), snap.processes.end(),
                                 [&](const model::Process &p) { return p.pid == pid; });
        if (!found) p_note(fmt::format("process {} holds no io_uring or epoll instance", pid));
    }
    if (pids.empty() && snap.processes.empty() && !ctx.json) p_note("no process holds an io_uring or epoll instance");

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
    if (ctx.debug || std::getenv("UD_TIMING")) print_timing(*collector, t1 - t0, monotonic_ns() - t1);
    return kOk;
}

}  // namespace ud::cli
