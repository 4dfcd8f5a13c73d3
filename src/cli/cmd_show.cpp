// uringdump show [PID...]: one snapshot, as tables or JSON.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "cli/commands.h"
#include "cli/errors.h"
#include "collect/procfs.h"
#include "render/name_text.h"

namespace ud::cli {

std::vector<int> parse_pids(const std::vector<std::string> &args) {
    std::vector<int> pids;
    for (auto &a : args) {
        int pid = 0;
        auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), pid);
        if (ec != std::errc() || end != a.data() + a.size() || pid <= 0)
            throw usage_error(fmt::format("'{}' is not a PID (a positive number)", render::name_text(a)));
        switch (collect::check_pid(pid)) {
            case collect::PidStatus::exists:
                break;
            case collect::PidStatus::no_such_process:
                throw Error(kNoSuchProcess, fmt::format("no such process: {}", pid));
            case collect::PidStatus::no_permission:
                throw Error(
                    kPermission,
                    fmt::format("no permission to read process {} (its fds are not visible to this user)", pid));
        }
        if (std::find(pids.begin(), pids.end(), pid) == pids.end()) pids.push_back(pid);
    }
    return pids;
}

void expect_args(const Context &ctx, std::size_t min, std::size_t max, const std::string &what) {
    if (ctx.args.size() < min || ctx.args.size() > max) throw usage_error(what);
}

namespace {

int run_show(Context &ctx) {
    std::vector<int> pids = parse_pids(ctx.args);
    SnapshotTiming timing;
    model::Snapshot snap = take_snapshot(ctx, pids, &timing);
    if (pids.empty() && snap.processes.empty() && !ctx.json) p_note("no process holds an io_uring or epoll instance");
    print_snapshot(ctx, snap, &timing);
    return kOk;
}

}  // namespace

const Command &show_command() {
    static const Command c{
        "show", "[PID...]", "rings, fixed files, registered buffers with page frames and epoll items of processes",
        {},     {},         run_show,
        "pids"};
    return c;
}

}  // namespace ud::cli
