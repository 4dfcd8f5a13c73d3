#include "cli/context.h"

#include <cstdio>

namespace ud::cli {

void p_err(const std::string &msg) { std::fprintf(stderr, "uringdump: error: %s\n", msg.c_str()); }
void p_note(const std::string &msg) { std::fprintf(stderr, "uringdump: note: %s\n", msg.c_str()); }

}  // namespace ud::cli
