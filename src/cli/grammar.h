// The command line as data, bpftool's way: a table of commands per level
// (iter pin|list|unpin, image show|check), each with its own options and
// help. Everything that spells the grammar out -- dispatch, help, the
// hidden `uringdump __grammar` that the completion and man page tests
// compare against -- reads these tables; nothing else lists a command.
#pragma once

#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "cli/context.h"

namespace ud::render {
class JsonOut;
}

namespace ud::cli {

struct Option {
    std::string_view name;        // long name, without "--"
    char short_name = 0;          // 0: long form only
    std::string_view value = {};  // what it takes ("PATH"); empty: a flag
    std::string_view help = {};
};

struct Command {
    std::string_view name;
    // What follows the command's words, one form per line ("PID... -o PATH").
    std::string_view synopsis;
    std::string_view summary;  // one line
    std::span<const Option> options = {};
    std::span<const Command> subcommands = {};  // non-empty: run is not called
    int (*run)(Context &) = nullptr;
    // What the positional arguments are, for completions: "pids", "image",
    // "bpffs", "iter_kind bpffs pid pids"; empty: none.
    std::string_view args = {};
    bool hidden = false;  // not in help or completions (__grammar)
};

// The global options (bpftool's -j/-p/-d...), valid before and after the
// command words; a command's own option of the same spelling wins after
// its words (top -d is the delay).
std::span<const Option> global_options();

// The top-level table (commands.cpp).
std::span<const Command> top_commands();

// What the command line asks for.
struct Invocation {
    enum class Action { run, help, version } action = Action::run;
    const Command *command = nullptr;  // run: the leaf; help: whose help (null: the top level)
    std::string words;                 // the command's words as matched ("iter pin")
};

// Dispatches argv through the tables: each word by unique prefix (exact
// match first; an ambiguous prefix is refused with the candidates), options
// by the command that owns them. Fills ctx; throws Error(kUsage) on a bad
// command line.
Invocation parse_command_line(int argc, char **argv, Context &ctx);

// bpftool's do_help: usage of the top level (command null) or of one command.
void print_help(std::FILE *f, const Command *command, std::string_view words);

// The tables as one JSON document (uringdump __grammar).
void grammar_json(render::JsonOut &j);

}  // namespace ud::cli
