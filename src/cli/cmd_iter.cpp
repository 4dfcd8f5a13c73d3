// uringdump iter pin KIND PATH [pid PID] | iter list | iter unpin PATH:
// text iterators in bpffs, as `bpftool iter pin` pins them.
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/json_doc.h"
#include "collect/collector.h"
#include "collect/text_iter.h"
#include "render/json_out.h"
#include "render/name_json.h"
#include "render/name_text.h"

namespace ud::cli {
namespace {

Error usage(const std::string &why) { return usage_error(why + " (see uringdump iter help)"); }

int pin(Context &ctx) {
    const auto &a = ctx.args;
    if (a.size() != 2 && a.size() != 4) throw usage("iter pin takes a kind and a path, and optionally pid PID");
    auto kind = collect::text_iter_kind(a[0]);
    if (!kind) throw usage(fmt::format("unknown iterator kind '{}'", render::name_text(a[0])));
    int pid = 0;
    if (a.size() == 4) {
        if (a[2] != "pid") throw usage(fmt::format("expected 'pid', got '{}'", render::name_text(a[2])));
        pid = parse_pids({a[3]})[0];
    }
    // The programs need what calibration learns: which f_op marks ring and
    // epoll files, and where struct pages start. collect::BpfUnavailable is
    // exit 7, collect::PinError exit 1 (errors.cpp).
    auto reader = std::make_unique<collect::BpfReader>();
    collect::pin_text_iter(*kind, a[1], pid, reader->facts());
    if (!reader->facts().pfn.ok) p_note("page frames will print as '-': " + reader->facts().pfn.reason);
    return kOk;
}

int list(Context &ctx) {
    if (!ctx.args.empty()) throw usage("iter list takes no arguments");
    auto pins = collect::list_text_iters();
    if (ctx.json) {
        print_json(ctx, [&](render::JsonOut &j) {
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
        });
    } else {
        if (!pins.empty()) std::printf("%-40s %-14s %s\n", "PATH", "KIND", "PID");
        for (auto &p : pins)
            std::printf("%-40s %-14s %s\n", render::name_text(p.path).c_str(), collect::text_iter_name(p.kind),
                        p.pid ? std::to_string(p.pid).c_str() : "all");
    }
    return kOk;
}

int unpin(Context &ctx) {
    if (ctx.args.size() != 1) throw usage("iter unpin takes a path");
    collect::unpin_text_iter(ctx.args[0]);  // PinPermissionError: exit 4
    return kOk;
}

const Command kSubcommands[] = {
    {"pin",
     "{io_uring_file|io_uring_buf|io_uring_req|epoll} PATH [pid PID]",
     "pin a text iterator in bpffs, of one process or all: cat PATH prints from the kernel",
     {},
     {},
     pin,
     "iter_kind bpffs pid pids"},
    {"list", "", "the iterators uringdump pinned", {}, {}, list},
    {"unpin", "PATH", "remove a pinned iterator", {}, {}, unpin, "bpffs"},
};

}  // namespace

const Command &iter_command() {
    static const Command c{"iter",
                           "",
                           "pin a text iterator in bpffs (read it with cat), list the pinned ones, remove one",
                           {},
                           kSubcommands};
    return c;
}

}  // namespace ud::cli
