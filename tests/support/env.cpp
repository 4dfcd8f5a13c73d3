#include "support/env.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unistd.h>

#include "support/run.h"

namespace ud::test {
namespace {
// Test cases run one at a time; the lock only guards against a test that
// calls skip() from a helper thread.
std::mutex g_mu;
bool g_skip_pending = false;
std::string g_skip_why;
}  // namespace

bool in_ci() {
    const char *v = std::getenv("CI");
    return v && (std::strcmp(v, "true") == 0 || std::strcmp(v, "1") == 0);
}

void skip(const std::string &why) {
    std::lock_guard<std::mutex> lock(g_mu);
    g_skip_pending = true;
    g_skip_why = why;
    MESSAGE("skipped: " << why);
}

bool take_skip(const std::string &case_name, SkippedCase &out) {
    std::lock_guard<std::mutex> lock(g_mu);
    if (!g_skip_pending) return false;
    g_skip_pending = false;
    out = {case_name, std::move(g_skip_why)};
    return true;
}

bool need_bpf() {
    static std::once_flag once;
    static bool usable = false;
    static std::string why;
    std::call_once(once, [] {
        // Probe with the tool itself on the test process, which exists and
        // may be read: only a clean exit means BPF loaded and collected.
        // Any other code (7: --require-bpf found BPF unusable; 4: no
        // permission; 1: a load or read error) means it cannot be used.
        Result r = run_uringdump({"--require-bpf", "show", std::to_string(::getpid())});
        usable = r.code == 0;
        why = r.err.empty() ? "exit code " + std::to_string(r.code) : r.err;
        while (!why.empty() && why.back() == '\n') why.pop_back();
    });
    if (usable) return true;
    if (in_ci()) {
        FAIL("BPF cannot be used in CI, where BPF tests must run: " << why);
        return false;
    }
    skip("BPF cannot be used here: " + why);
    return false;
}

}  // namespace ud::test
