// The test runner: doctest, plus the plain summary line `make test` ends
// with ("N passed, N failed, N skipped", counting test cases). A case that
// called ud::test::skip() and failed nothing counts as skipped, not passed;
// every skipped case is listed with its reason before the summary.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support/env.h"

namespace {

int g_passed = 0, g_failed = 0;
std::vector<ud::test::SkippedCase> g_skipped;
std::string g_case;

struct Counter : doctest::IReporter {
    explicit Counter(const doctest::ContextOptions &) {}
    void report_query(const doctest::QueryData &) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats &) override {}
    void test_case_start(const doctest::TestCaseData &tc) override { g_case = tc.m_name; }
    void test_case_reenter(const doctest::TestCaseData &) override {}
    void test_case_end(const doctest::CurrentTestCaseStats &st) override {
        ud::test::SkippedCase s;
        bool skipped = ud::test::take_skip(g_case, s);
        if (!st.testCaseSuccess)
            g_failed++;
        else if (skipped)
            g_skipped.push_back(std::move(s));
        else
            g_passed++;
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
    // Line-buffered even into a pipe or file (CI, the kernel matrix's
    // console): a run killed at its deadline still shows its last test.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    doctest::Context ctx;
    ctx.applyCommandLine(argc, argv);
    int rc = ctx.run();
    if (ctx.shouldExit()) return rc;
    for (auto &s : g_skipped) std::printf("skipped: %s: %s\n", s.name.c_str(), s.why.c_str());
    std::printf("%d passed, %d failed, %zu skipped\n", g_passed, g_failed, g_skipped.size());
    return g_failed ? 1 : rc;
}
