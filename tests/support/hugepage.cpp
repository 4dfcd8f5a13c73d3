#include "support/hugepage.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace ud::test {
namespace {

constexpr const char *kPool = "/proc/sys/vm/nr_hugepages";
// The fixture maps the default huge page size and assumes 2 MiB.
constexpr const char *kFree = "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages";

long read_long(const char *path) {
    std::ifstream f(path);
    long v = -1;
    f >> v;
    return f ? v : -1;
}

bool write_long(const char *path, long v) {
    std::ofstream f(path);
    f << v << '\n';
    f.flush();
    return static_cast<bool>(f);
}

// The default huge page size from /proc/meminfo, in kB (0 if absent).
long default_huge_kb() {
    std::ifstream f("/proc/meminfo");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("Hugepagesize:", 0) == 0) return std::atol(line.c_str() + 13);
    return 0;
}

}  // namespace

HugePage::HugePage() {
    if (default_huge_kb() != 2048) {
        why_ = "the default huge page size is not 2 MiB";
        return;
    }
    long before = read_long(kPool);
    if (before < 0) {
        why_ = std::string("cannot read ") + kPool;
        return;
    }
    if (!write_long(kPool, before + 1)) {
        why_ = std::string("cannot write ") + kPool + " (not root?)";
        return;
    }
    // The kernel allocates what it can of the pages asked for.
    grew_ = read_long(kPool) >= before + 1;
    if (!grew_) why_ = "the kernel could not allocate a 2 MiB huge page (memory too fragmented)";
    if (!grew_) return;
    // Growing the pool may first make a surplus page persistent, one still
    // held by a process that ended (an io_uring ring frees its registered
    // buffers after the process has gone): give it time to come free.
    for (int i = 0; i < 60 && read_long(kFree) < 1; i++) ::usleep(50 * 1000);
    if (read_long(kFree) < 1) why_ = "no page of the pool came free (held by other processes)";
}

HugePage::~HugePage() {
    if (!grew_) return;
    long now = read_long(kPool);
    if (now > 0) write_long(kPool, now - 1);
}

}  // namespace ud::test
