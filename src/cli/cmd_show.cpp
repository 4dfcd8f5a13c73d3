// uringdump show [PID...]: one snapshot, as tables or JSON.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "collect/procfs.h"
#include "render/name_text.h"

namespace ud::cli {

bool parse_pids(const std::vector<std::string> &args, std::vector<int> &pids, int *exit_code) {
    for (auto &a : args) {
        int pid = 0;
        auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), pid);
        if (ec != std::errc() || end != a.data() + a.size() || pid <= 0) {
            p_err(fmt::format("'{}' is not a PID (a positive number)", render::name_text(a)));
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

int cmd_show(Context &ctx) {
    std::vector<int> pids;
    int code = kOk;
    if (!parse_pids(ctx.args, pids, &code)) return code;

    SnapshotTiming timing;
    std::optional<model::Snapshot> taken = take_snapshot(ctx, pids, &code, &timing);
    if (!taken) return code;
    const model::Snapshot &snap = *taken;
    if (pids.empty() && snap.processes.empty() && !ctx.json) p_note("no process holds an io_uring or epoll instance");

    return print_snapshot(ctx, snap, &timing);
}

}  // namespace ud::cli
