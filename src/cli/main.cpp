// uringdump: command line front end, as bpftool's: global options anywhere,
// then COMMAND [ARGS]; every command reads through the same collector.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "collect/libbpf_log.h"
#include "render/name_text.h"
#include "version.h"

namespace ud::cli {
namespace {

const Command kCommands[] = {
    {"show", cmd_show, "show [PID...]",
     "rings, fixed files, registered buffers with page frames and epoll items of processes"},
    {"dump", cmd_dump, "dump PID... -o PATH [--force] [--pages] | dump --check PID...",
     "write a checkpoint image of the processes' rings and epoll sets, or only check that one can be written",
     "-o --force --pages --check"},
    {"image", cmd_image, "image show PATH | image check PATH",
     "render an image as show does, or validate it and list what a restore would need"},
    {"top", cmd_top, "top [-d SECONDS] [-b] [-n N] [PID...]",
     "a live view: processes with rings and epoll sets, SQ/CQ rates, details of one (-b: plain text)"},
    {"iter", cmd_iter,
     "iter pin {io_uring_file|io_uring_buf|io_uring_req|epoll} PATH [pid PID] | iter list | iter unpin PATH",
     "pin a text iterator in bpffs (read it with cat), list the pinned ones, remove one"},
    {"feature", cmd_feature, "feature",
     "probe what this kernel and these privileges allow: BTF, iterators, layout, page frames, fallback"},
};

void print_help(std::FILE *f) {
    std::fprintf(f,
                 "Usage: uringdump [OPTIONS] COMMAND [ARGS]\n"
                 "       uringdump help | COMMAND help\n\n"
                 "Commands:\n");
    for (auto &c : kCommands)
        std::fprintf(f, "  %-24.*s %.*s\n", static_cast<int>(c.usage.size()), c.usage.data(),
                     static_cast<int>(c.summary.size()), c.summary.data());
    std::fprintf(f,
                 "\nOptions:\n"
                 "  -j, --json          JSON output\n"
                 "  -p, --pretty        indented JSON output (implies -j)\n"
                 "  -d, --debug         print libbpf's messages\n"
                 "      --require-bpf   fail instead of falling back to /proc\n"
                 "      --procfs        read /proc only, without BPF (also URINGDUMP_NO_BPF=1)\n"
                 "  -V, --version       print the version\n"
                 "  -h, --help          print this help\n"
                 "\nOptions of top (after the word top):\n"
                 "  -d, --delay SECONDS refresh interval (default 1, fractions allowed)\n"
                 "  -b, --batch         plain-text refreshes instead of the live view\n"
                 "  -n, --iterations N  number of refreshes (with -b)\n"
                 "\nOptions of dump:\n"
                 "  -o, --output PATH   the image to write (not replaced unless --force)\n"
                 "      --force         write despite obstacles (marked in the image); replace PATH\n"
                 "      --pages         include the contents of every registered buffer\n"
                 "      --check         only report whether an image could be written\n");
}

}  // namespace

const Command *find_command(std::string_view name) {
    for (auto &c : kCommands)
        if (c.name == name) return &c;
    return nullptr;
}
const Command *commands_begin() { return std::begin(kCommands); }
const Command *commands_end() { return std::end(kCommands); }

enum class OptResult { ok, unknown, version, help };

// Applies one option; short options may be clustered ("-jd").
OptResult apply_option(const std::string &arg, Context &ctx) {
    auto set = [&](std::string_view name) {
        if (name == "json" || name == "j") ctx.json = true;
        else if (name == "pretty" || name == "p") ctx.json = ctx.pretty = true;
        else if (name == "debug" || name == "d") ctx.debug = true;
        else if (name == "require-bpf") ctx.require_bpf = true;
        else if (name == "force") ctx.force = true, ctx.command_options.push_back("--force");
        else if (name == "pages") ctx.pages = true, ctx.command_options.push_back("--pages");
        else if (name == "check") ctx.check = true, ctx.command_options.push_back("--check");
        else if (name == "procfs") ctx.force_procfs = true;
        else if (name == "version" || name == "V") return OptResult::version;
        else if (name == "help" || name == "h") return OptResult::help;
        else return OptResult::unknown;
        return OptResult::ok;
    };
    if (arg.rfind("--", 0) == 0) return set(std::string_view(arg).substr(2));
    for (std::size_t i = 1; i < arg.size(); i++) {
        OptResult r = set(std::string_view(arg).substr(i, 1));
        if (r != OptResult::ok) return r;
    }
    return OptResult::ok;
}

int main_impl(int argc, char **argv) {
    Context ctx;
    // The command word; "given" apart from its text, so that an empty word
    // (uringdump '') is an unknown command, not a missing one.
    std::string name;
    bool have_name = false;
    bool only_positional = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        bool is_option = !only_positional && a.size() > 1 && a[0] == '-';
        if (is_option && a == "--") {
            only_positional = true;
            continue;
        }
        // top's own options (-d SECONDS as in top(1), -b, -n N) go to it.
        if (is_option && name == "top" && is_top_option(a)) {
            ctx.args.push_back(a);
            if (top_option_takes_value(a) && i + 1 < argc) ctx.args.push_back(argv[++i]);
            continue;
        }
        // The one option with a value: -o PATH, --output PATH, --output=PATH.
        if (is_option && (a == "-o" || a == "--output" || a.rfind("--output=", 0) == 0)) {
            bool inline_value = a.rfind("--output=", 0) == 0;
            if (inline_value)
                ctx.output = a.substr(9);
            else if (i + 1 < argc)
                ctx.output = argv[++i];
            if (ctx.output.empty()) {
                p_err("option " + render::name_text(a) + " needs a path");
                return kUsage;
            }
            ctx.command_options.push_back("-o");
            continue;
        }
        if (is_option) {
            switch (apply_option(a, ctx)) {
            case OptResult::ok: continue;
            case OptResult::version: std::printf("uringdump %s\n", UD_VERSION); return kOk;
            case OptResult::help: print_help(stdout); return kOk;
            case OptResult::unknown:
                p_err("unknown option '" + render::name_text(a) + "' (see uringdump help)");
                return kUsage;
            }
        }
        if (!have_name) {
            name = a;
            have_name = true;
        } else {
            ctx.args.push_back(a);
        }
    }
    if (!have_name) {
        print_help(stderr);
        return kUsage;
    }
    if (name == "help") {
        print_help(stdout);
        return kOk;
    }
    const Command *cmd = find_command(name);
    if (!cmd) {
        p_err("unknown command '" + render::name_text(name) + "' (see uringdump help)");
        return kUsage;
    }
    for (auto &opt : ctx.command_options) {
        bool takes = false;
        for (std::string_view rest = cmd->options; !rest.empty();) {
            std::size_t sp = rest.find(' ');
            takes |= rest.substr(0, sp) == opt;
            rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
        }
        if (!takes) {
            p_err("option " + opt + " does not apply to " + name + " (see uringdump help)");
            return kUsage;
        }
    }
    if (ctx.args.size() == 1 && ctx.args[0] == "help") {
        std::printf("Usage: uringdump %.*s\n  %.*s\n", static_cast<int>(cmd->usage.size()), cmd->usage.data(),
                    static_cast<int>(cmd->summary.size()), cmd->summary.data());
        return kOk;
    }
    collect::LibbpfLog::set_debug(ctx.debug);
    return cmd->run(ctx);
}

}  // namespace ud::cli

int main(int argc, char **argv) {
    try {
        return ud::cli::main_impl(argc, argv);
    } catch (const std::exception &e) {
        ud::cli::p_err(e.what());
        return ud::cli::kError;
    }
}
