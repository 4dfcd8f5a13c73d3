// uringdump iter pin KIND PATH [pid PID] | iter list | iter unpin PATH:
// text iterators in bpffs, as `bpftool iter pin` pins them.
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "collect/collector.h"
#include "collect/text_iter.h"
#include "render/json_out.h"
#include "render/name_json.h"
#include "render/name_text.h"

namespace ud::cli {
namespace {

int usage(const std::string &why) {
    p_err(why +
          " (usage: uringdump iter pin {io_uring_file|io_uring_buf|io_uring_req|epoll} PATH [pid PID] | iter list | "
          "iter unpin PATH)");
    return kUsage;
}

int pin(Context &ctx) {
    const auto &a = ctx.args;
    if (a.size() != 3 && a.size() != 5) return usage("iter pin takes a kind and a path, and optionally pid PID");
    auto kind = collect::text_iter_kind(a[1]);
    if (!kind) return usage(fmt::format("unknown iterator kind '{}'", render::name_text(a[1])));
    int pid = 0;
    if (a.size() == 5) {
        if (a[3] != "pid") return usage(fmt::format("expected 'pid', got '{}'", render::name_text(a[3])));
        std::vector<int> pids;
        int code = kOk;
        if (!parse_pids({a[4]}, pids, &code)) return code;
        pid = pids[0];
    }
    // The programs need what calibration learns: which f_op marks ring and
    // epoll files, and where struct pages start.
    std::unique_ptr<collect::BpfReader> reader;
    try {
        reader = std::make_unique<collect::BpfReader>();
    } catch (const collect::BpfUnavailable &e) {
        p_err(fmt::format("BPF cannot be used: {}", e.what()));
        return kNoBpf;
    }
    try {
        collect::pin_text_iter(*kind, a[2], pid, reader->facts());
    } catch (const collect::PinError &e) {
        p_err(e.what());
        return kError;
    }
    if (!reader->facts().pfn.ok) p_note("page frames will print as '-': " + reader->facts().pfn.reason);
    return kOk;
}

int list(Context &ctx) {
    if (ctx.args.size() != 1) return usage("iter list takes no arguments");
    auto pins = collect::list_text_iters();
    if (ctx.json) {
        {
            render::JsonOut j(stdout, ctx.pretty);
            j.begin_array();
            for (auto &p : pins) {
                j.begin_object();
                render::name_kv(j, "path", p.path);
                j.kv("kind", collect::text_iter_name(p.kind));
                if (p.pid)
                    j.kv_i("pid", p.pid);
                else
                    j.key("pid").null();
                j.kv_u("link_id", p.link_id).end_object();
            }
            j.end_array();
        }
        std::fputc('\n', stdout);
    } else {
        if (!pins.empty()) std::printf("%-40s %-14s %s\n", "PATH", "KIND", "PID");
        for (auto &p : pins)
            std::printf("%-40s %-14s %s\n", render::name_text(p.path).c_str(), collect::text_iter_name(p.kind),
                        p.pid ? std::to_string(p.pid).c_str() : "all");
    }
    return kOk;
}

int unpin(Context &ctx) {
    if (ctx.args.size() != 2) return usage("iter unpin takes a path");
    try {
        collect::unpin_text_iter(ctx.args[1]);
    } catch (const collect::PinPermissionError &e) {
        p_err(e.what());
        return kPermission;
    } catch (const collect::PinError &e) {
        p_err(e.what());
        return kError;
    }
    return kOk;
}

}  // namespace

int cmd_iter(Context &ctx) {
    if (ctx.args.empty()) return usage("iter needs a subcommand");
    const std::string &sub = ctx.args[0];
    if (sub == "pin") return pin(ctx);
    if (sub == "list") return list(ctx);
    if (sub == "unpin") return unpin(ctx);
    return usage(fmt::format("unknown iter subcommand '{}'", render::name_text(sub)));
}

}  // namespace ud::cli
