// What the global options set, handed to every command (bpftool's
// json_output / pretty_output / verifier_logs, as one struct).
#pragma once

#include <string>
#include <vector>

namespace ud::cli {

struct Context {
    bool json = false;
    bool pretty = false;
    bool debug = false;
    bool require_bpf = false;
    bool force_procfs = false;
    // Options of one command (Command::options lists which take them).
    std::string output;  // -o PATH
    bool force = false;  // --force
    bool pages = false;  // --pages
    bool check = false;  // --check
    std::vector<std::string> command_options;  // those given, as spelled in Command::options
    std::vector<std::string> args;  // after the command name
};

// One-line diagnostics on stderr, bpftool's p_err / p_info.
void p_err(const std::string &msg);
void p_note(const std::string &msg);

}  // namespace ud::cli
