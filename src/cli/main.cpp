// uringdump: command line front end, as bpftool's: global options anywhere,
// then COMMAND [SUBCOMMAND] [ARGS], dispatched through the tables of
// grammar.h. main knows no command's options, and is the one place where
// a failure becomes its message and exit code.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/exit_codes.h"
#include "cli/grammar.h"
#include "cli/json_doc.h"
#include "collect/libbpf_log.h"
#include "version.h"

namespace ud::cli {
namespace {

// Whether -j/-p is on the line, for reporting an error found while the line
// is parsed (before the parser reached the option).
void json_from_words(int argc, char **argv) {
    bool json = false, pretty = false;
    for (int i = 1; i < argc; i++) {
        if (std::strcmp(argv[i], "--") == 0) break;
        json |= !std::strcmp(argv[i], "-j") || !std::strcmp(argv[i], "--json");
        pretty |= !std::strcmp(argv[i], "-p") || !std::strcmp(argv[i], "--pretty");
    }
    set_json_diagnostics(json || pretty, pretty);
}

int run(int argc, char **argv) {
    Context ctx;
    Invocation inv = parse_command_line(argc, argv, ctx);
    set_json_diagnostics(ctx.json, ctx.pretty);
    switch (inv.action) {
        case Invocation::Action::version:
            if (ctx.json)
                print_json(ctx, [](render::JsonOut &j) { j.begin_object().kv("version", UD_VERSION).end_object(); });
            else
                std::printf("uringdump %s\n", UD_VERSION);
            return kOk;
        case Invocation::Action::help:
            // bpftool's do_help: under -j the document is null.
            if (ctx.json)
                print_json(ctx, [](render::JsonOut &j) { j.null(); });
            else
                print_help(stdout, inv.command, inv.words);
            return kOk;
        case Invocation::Action::run:
            break;
    }
    collect::LibbpfLog::set_debug(ctx.debug);
    return inv.command->run(ctx);
}

}  // namespace
}  // namespace ud::cli

int main(int argc, char **argv) {
    using namespace ud::cli;
    json_from_words(argc, argv);
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        std::string msg;
        int code = exit_code_of(e, &msg);
        report_error(msg);
        return code;
    }
}
