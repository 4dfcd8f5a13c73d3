// The top-level command table. A new command is one line here, its
// cmd_*.cpp (entry and handler), its completions and its man page; the
// completion and man page tests fail until all of them agree.
#include "cli/commands.h"

namespace ud::cli {

std::span<const Command> top_commands() {
    // Built on first use: the entries live in other files.
    static const Command table[] = {
        show_command(), top_command(),     dump_command(),    image_command(),
        iter_command(), feature_command(), export_command(), grammar_command(),
    };
    return table;
}

}  // namespace ud::cli
