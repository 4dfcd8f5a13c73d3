#include "cli/json_doc.h"

#include <cstdio>

#include "cli/errors.h"

namespace ud::cli {
namespace {

bool g_started = false;

}  // namespace

void print_json(bool pretty, const std::function<void(render::JsonOut &)> &fn) {
    g_started = true;
    {
        render::JsonOut j(stdout, pretty);
        fn(j);
    }
    std::fputc('\n', stdout);
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw Error(kError, "cannot write the output");
}

bool json_document_started() { return g_started; }

}  // namespace ud::cli
