#include "support/env.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "support/run.h"

namespace ud::test {
namespace {
std::atomic<int> g_skipped{0};
}

std::string uringdump_bin() {
    const char *v = std::getenv("UD_BIN");
    return v && *v ? v : "./uringdump";
}

std::string fixture_bin() {
    const char *v = std::getenv("UD_FIXTURE");
    return v && *v ? v : "build/tests/ud_fixture";
}

std::string image_schema() {
    const char *v = std::getenv("UD_SCHEMA");
    return v && *v ? v : "src/image/uringdump.proto";
}

bool in_ci() {
    const char *v = std::getenv("CI");
    return v && (std::strcmp(v, "true") == 0 || std::strcmp(v, "1") == 0);
}

bool need_bpf() {
    static std::once_flag once;
    static bool usable = false;
    static std::string why;
    std::call_once(once, [] {
        // Probe with the tool itself: --require-bpf fails with exit code 7
        // and one line saying why when BPF cannot be used.
        Result r = run_uringdump({"--require-bpf", "show", "1"});
        usable = r.code != 7;
        why = r.err;
    });
    if (usable) return true;
    if (in_ci()) {
        FAIL("BPF cannot be used in CI, where BPF tests must run: " << why);
        return false;
    }
    g_skipped++;
    MESSAGE("skipped: BPF cannot be used here: " << why);
    return false;
}

int skipped_count() { return g_skipped.load(); }

}  // namespace ud::test
