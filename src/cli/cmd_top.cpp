// uringdump top [-d SECONDS] [-b] [-n N] [PID...]: the live view, or with -b
// plain-text refreshes. After the command name -d is the interval, as in
// top(1); --debug stays the global debug flag.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "collect/collector.h"
#include "render/name_text.h"
#include "tui/batch.h"
#include "tui/top_app.h"

namespace ud::cli {

bool is_top_option(const std::string &a) {
    for (const char *o : {"-d", "--delay", "-b", "--batch", "-n", "--iterations"})
        if (a == o) return true;
    return a.rfind("--delay=", 0) == 0 || a.rfind("--iterations=", 0) == 0;
}

bool top_option_takes_value(const std::string &a) {
    return a == "-d" || a == "--delay" || a == "-n" || a == "--iterations";
}

namespace {

// Parses top's own arguments; false (error printed) on a bad one.
bool parse_top(const std::vector<std::string> &args, tui::TopOptions &opts, int *code) {
    std::vector<std::string> pids;
    for (std::size_t i = 0; i < args.size(); i++) {
        std::string a = args[i], value;
        auto eq = a.find('=');
        if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
        } else if (top_option_takes_value(a)) {
            if (i + 1 >= args.size()) {
                p_err("option " + render::name_text(a) + " needs a value");
                *code = kUsage;
                return false;
            }
            value = args[++i];
        }
        char *end = nullptr;
        if (a == "-d" || a == "--delay") {
            opts.delay = std::strtod(value.c_str(), &end);
            if (!end || *end || !(opts.delay >= 0.1 && opts.delay <= 3600)) {
                p_err(fmt::format("'{}' is not an interval in seconds (0.1 to 3600)", render::name_text(value)));
                *code = kUsage;
                return false;
            }
        } else if (a == "-n" || a == "--iterations") {
            opts.iterations = std::strtol(value.c_str(), &end, 10);
            if (!end || *end || opts.iterations < 1) {
                p_err(fmt::format("'{}' is not a number of refreshes (1 or more)", render::name_text(value)));
                *code = kUsage;
                return false;
            }
        } else if (a == "-b" || a == "--batch") {
            opts.batch = true;
        } else {
            pids.push_back(args[i]);
        }
    }
    return parse_pids(pids, opts.pids, code);
}

}  // namespace

int cmd_top(Context &ctx) {
    tui::TopOptions opts;
    int code = kOk;
    if (!parse_top(ctx.args, opts, &code)) return code;
    if (!opts.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        p_err("top needs a terminal; use top -b for plain text");
        return kUsage;
    }
    std::unique_ptr<collect::Collector> collector = make_collector(ctx, &code);
    if (!collector) return code;
    if (opts.batch) {
        if (!collector->using_bpf()) p_note("partial output: " + collector->fallback_reason());
        return tui::run_batch(*collector, opts, stdout) ? kError : kOk;
    }
    return tui::run_top(*collector, opts);
}

}  // namespace ud::cli
