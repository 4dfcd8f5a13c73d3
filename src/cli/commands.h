// The command table: each command has a handler and a help text; `uringdump
// help` and `uringdump CMD help` come from here.
#pragma once

#include <string_view>

#include "cli/context.h"

namespace ud::cli {

struct Command {
    std::string_view name;
    int (*run)(Context &);
    std::string_view usage;    // one line per form, after "uringdump "
    std::string_view summary;  // one line
};

const Command *find_command(std::string_view name);
const Command *commands_begin();
const Command *commands_end();

int cmd_show(Context &ctx);

// Parses PID arguments; on a bad one prints the error and returns false with
// *exit_code set.
bool parse_pids(const std::vector<std::string> &args, std::vector<int> &pids, int *exit_code);

}  // namespace ud::cli
