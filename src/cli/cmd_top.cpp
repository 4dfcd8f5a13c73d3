// uringdump top [-d SECONDS] [-b] [-n N] [PID...]: the live view, or with -b
// plain-text refreshes. top's -d is the delay, as in top(1) and htop: its
// own options are parsed after the word top, where they shadow the global
// -d (--debug), which stays the debug flag before the command word
// (uringdump -d top) and as --debug anywhere.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "cli/errors.h"
#include "collect/collector.h"
#include "render/name_text.h"
#include "tui/batch.h"
#include "tui/top_app.h"

namespace ud::cli {
namespace {

const Option kOptions[] = {
    {"delay", 'd', "SECONDS", "refresh interval (default 1, fractions allowed, 0.1 to 3600)"},
    {"batch", 'b', {}, "plain-text refreshes instead of the live view"},
    {"iterations", 'n', "N", "number of refreshes (default: until quit)"},
};

tui::TopOptions parse_top(const Context &ctx) {
    tui::TopOptions opts;
    char *end = nullptr;
    if (ctx.has("delay")) {
        const std::string &v = ctx.value("delay");
        opts.delay = std::strtod(v.c_str(), &end);
        if (!end || *end || !(opts.delay >= 0.1 && opts.delay <= 3600))
            throw usage_error(fmt::format("'{}' is not an interval in seconds (0.1 to 3600)", render::name_text(v)));
    }
    if (ctx.has("iterations")) {
        const std::string &v = ctx.value("iterations");
        opts.iterations = std::strtol(v.c_str(), &end, 10);
        if (!end || *end || opts.iterations < 1)
            throw usage_error(fmt::format("'{}' is not a number of refreshes (1 or more)", render::name_text(v)));
    }
    opts.batch = ctx.has("batch");
    opts.pids = parse_pids(ctx.args);
    return opts;
}

int run_top(Context &ctx) {
    tui::TopOptions opts = parse_top(ctx);
    if (!opts.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
        throw usage_error("top needs a terminal; use top -b for plain text");
    std::unique_ptr<collect::Collector> collector = make_collector(ctx);
    if (opts.batch) {
        if (!collector->using_bpf()) p_note("partial output: " + collector->fallback_reason());
        if (tui::run_batch(*collector, opts, stdout)) throw Error(kError, "cannot write the output");
        return kOk;
    }
    return tui::run_top(*collector, opts);
}

}  // namespace

const Command &top_command() {
    static const Command c{"top",
                           "[-d SECONDS] [-b] [-n N] [PID...]",
                           "a live view: processes with rings and epoll sets, SQ/CQ rates, details of one (-b: plain "
                           "text)",
                           kOptions,
                           {},
                           run_top,
                           "pids"};
    return c;
}

}  // namespace ud::cli
