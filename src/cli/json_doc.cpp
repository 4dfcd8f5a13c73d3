#include "cli/json_doc.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/errors.h"

namespace ud::cli {

void print_json(bool pretty, const std::function<void(render::JsonOut &)> &fn) {
    char *buf = nullptr;
    std::size_t size = 0;
    std::FILE *mem = open_memstream(&buf, &size);
    if (!mem) throw Error(kError, "out of memory");
    std::unique_ptr<char, decltype(&std::free)> owned(nullptr, &std::free);
    try {
        {
            render::JsonOut j(mem, pretty);
            fn(j);
        }
        std::fputc('\n', mem);
    } catch (...) {
        std::fclose(mem);
        std::free(buf);
        throw;
    }
    std::fclose(mem);
    owned.reset(buf);
    if (std::fwrite(buf, 1, size, stdout) != size || std::fflush(stdout) != 0)
        throw Error(kError, "cannot write the output");
}

}  // namespace ud::cli
