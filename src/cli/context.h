// What the command line set, handed to the command that runs (bpftool's
// json_output / pretty_output / verifier_logs, as one struct): the global
// options, the command's own options by long name, its positional words.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ud::cli {

struct Context {
    bool json = false;
    bool pretty = false;
    bool debug = false;
    bool require_bpf = false;
    bool force_procfs = false;
    // The running command's own options, by long name: the value given
    // (last one wins), "" for a flag.
    std::map<std::string, std::string, std::less<>> options;
    std::vector<std::string> args;  // positional words after the command's words

    bool has(std::string_view option) const { return options.find(option) != options.end(); }
    // The value of an option, or "" when it was not given.
    const std::string &value(std::string_view option) const;
};

}  // namespace ud::cli
