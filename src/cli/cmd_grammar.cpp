// uringdump __grammar: the command tables as JSON, for the tests that hold
// the completions and man pages to them. Hidden: not in help, not
// completed, and not a prefix match (its name must be given whole).
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/json_doc.h"

namespace ud::cli {
namespace {

int run_grammar(Context &ctx) {
    expect_args(ctx, 0, 0, "__grammar takes no arguments");
    print_json(ctx, grammar_json);
    return kOk;
}

}  // namespace

const Command &grammar_command() {
    static const Command c{"__grammar", "", "the command tables as JSON", {}, {}, run_grammar, {}, true};
    return c;
}

}  // namespace ud::cli
