// The test runner: doctest, plus the plain summary line `make test` ends
// with ("N passed, N failed", counting test cases).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>

#include "support/env.h"

namespace {

std::atomic<int> g_passed{0}, g_failed{0};

struct Counter : doctest::IReporter {
    explicit Counter(const doctest::ContextOptions &) {}
    void report_query(const doctest::QueryData &) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats &) override {}
    void test_case_start(const doctest::TestCaseData &) override {}
    void test_case_reenter(const doctest::TestCaseData &) override {}
    void test_case_end(const doctest::CurrentTestCaseStats &st) override {
        (st.testCaseSuccess ? g_passed : g_failed)++;
    }
    void test_case_exception(const doctest::TestCaseException &) override {}
    void subcase_start(const doctest::SubcaseSignature &) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData &) override {}
    void log_message(const doctest::MessageData &) override {}
    void test_case_skipped(const doctest::TestCaseData &) override {}
};

REGISTER_LISTENER("counter", 1, Counter);

}  // namespace

int main(int argc, char **argv) {
    doctest::Context ctx;
    ctx.applyCommandLine(argc, argv);
    int rc = ctx.run();
    if (ctx.shouldExit()) return rc;
    if (int skipped = ud::test::skipped_count())
        std::printf("%d skipped (BPF not usable outside CI; see messages above)\n", skipped);
    std::printf("%d passed, %d failed\n", g_passed.load(), g_failed.load());
    return g_failed.load() ? 1 : rc;
}
