// uringdump export when things go wrong: bad command lines, ports and
// directories it cannot use, reads of the kernel that fail (fail points,
// src/collect/fail_point.h), processes that exit between reads; and how
// often it reads at all.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "support/env.h"
#include "support/export_truth.h"
#include "support/fixture.h"
#include "support/hugepage.h"
#include "support/kernel.h"
#include "support/names.h"
#include "support/paths.h"
#include "support/prom.h"
#include "support/run.h"

using namespace ud::test;

TEST_CASE("export: reads the kernel at most once per --min-interval however often scraped") {
    if (!need_bpf()) return;
    ExportServer ex({"--min-interval", "30"});
    std::string last;
    for (int i = 0; i < 5; i++) last = ex.metrics();
    CHECK(sample_value(parse_exposition(last), "uringdump_exporter_reads_total", {}) == 1);
}

TEST_CASE("export: a process exiting between reads and the kernel read failing mid-scrape") {
    if (!need_bpf()) return;
    auto fx = std::make_unique<Fixture>(std::vector<std::string>{"bufmem"});
    std::string pid = fx->pid_str();
    // Reads 1 and 4 on succeed, 2 and 3 fail inside the BPF reader (its
    // passes read, the snapshot not finished).
    ExportServer ex({"--min-interval", "0"}, {{"URINGDUMP_TEST_FAIL", "collect@2-3"}});
    auto s1 = parse_exposition(ex.metrics());
    CHECK(sample_value(s1, "uringdump_exporter_last_read_success", {}) == 1);
    CHECK(samples_with(s1, "uringdump_rings", {{"pid", pid}}).size() == 1);
    fx->command("nop 3");

    for (int failed = 1; failed <= 2; failed++) {
        CAPTURE(failed);
        auto s = parse_exposition(ex.metrics());  // still 200
        CHECK(sample_value(s, "uringdump_exporter_last_read_success", {}) == 0);
        CHECK(sample_value(s, "uringdump_exporter_read_errors_total", {}) == failed);
        // Last values are not served as fresh: no per-process series at all.
        CHECK(samples_with(s, "uringdump_rings", {}).empty());
        CHECK(samples_with(s, "uringdump_ring_cqes_posted_total", {}).empty());
    }
    CHECK(ex.daemon().alive());
    std::string err = ex.daemon().err();
    CHECK(err.find("uringdump: error: reading the kernel failed: failure injected at collect") != std::string::npos);

    auto s4 = parse_exposition(ex.metrics());
    CHECK(sample_value(s4, "uringdump_exporter_last_read_success", {}) == 1);
    CHECK(sample_value(s4, "uringdump_exporter_read_errors_total", {}) == 2);
    CHECK(sample_value(s4, "uringdump_exporter_reads_total", {}) == 4);
    // The NOPs submitted while reads failed are counted once reading works.
    CHECK(samples_with(s4, "uringdump_ring_cqes_posted_total", {{"pid", pid}}).at(0).value == 3);

    // The process exits between two reads: its series go, no error.
    fx.reset();
    auto s5 = parse_exposition(ex.metrics());
    CHECK(samples_with(s5, "uringdump_rings", {{"pid", pid}}).empty());
    CHECK(samples_with(s5, "uringdump_pinned_pages", {{"pid", pid}}).empty());
    CHECK(sample_value(s5, "uringdump_exporter_last_read_success", {}) == 1);
    CHECK(sample_value(s5, "uringdump_exporter_read_errors_total", {}) == 2);
    CHECK(ex.daemon().stop() == 0);  // SIGTERM: a clean exit
}

TEST_CASE("export --textfile --once: a failed read is written as such and exits 1") {
    if (!need_bpf()) return;
    Fixture fx({"bufmem"});
    std::string dir = export_temp_dir();
    auto r =
        run_uringdump({"export", "--textfile", dir + "/u.prom", "--once"}, {{"URINGDUMP_TEST_FAIL", "export-memory"}});
    CHECK(r.code == 1);
    CHECK(lines(r.err).size() == 1);
    CHECK(r.err.rfind("uringdump: error: reading the kernel failed: ", 0) == 0);
    auto s = parse_exposition(slurp(dir + "/u.prom"));
    CHECK(sample_value(s, "uringdump_exporter_last_read_success", {}) == 0);
    CHECK(samples_with(s, "uringdump_rings", {}).empty());
    run({"rm", "-rf", dir});
}

TEST_CASE("export: bad input, each one line and its exit code") {
    auto one_error = [](const Result &r, int code, const std::string &has) {
        CAPTURE(r.err);
        CHECK(r.code == code);
        CHECK(r.out.empty());
        CHECK(lines(r.err).size() == 1);
        CHECK(r.err.rfind("uringdump: error: ", 0) == 0);
        CHECK(r.err.find(has) != std::string::npos);
    };
    one_error(run_uringdump({"export", "--listen", "1.2.3:80"}), 2, "not an IPv4 address");
    one_error(run_uringdump({"export", "--listen", "localhost:9975"}), 2, "names are not resolved");
    one_error(run_uringdump({"export", "--listen", "127.0.0.1:70000"}), 2, "port");
    one_error(run_uringdump({"export", "--listen", "[::1"}), 2, "[ADDRESS]:PORT");
    one_error(run_uringdump({"export", "--listen"}), 2, "needs a value");
    one_error(run_uringdump({"export", "--min-interval", "-1"}), 2, "seconds");
    one_error(run_uringdump({"export", "--textfile", "/tmp/x.txt"}), 2, ".prom");
    one_error(run_uringdump({"export", "--aggregate", "pid"}), 2, "only 'comm'");
    one_error(run_uringdump({"export", "--once"}), 2, "--textfile");
    one_error(run_uringdump({"export", "--listen", "127.0.0.1:1", "--textfile", "/tmp/a.prom"}), 2, "one");
    one_error(run_uringdump({"export", "12"}), 2, "no argument");
    one_error(run_uringdump({"show", "--once"}), 2, "unknown option");

    // Port in use: held by a socket of the test.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    socklen_t len = sizeof(sa);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &len);
    std::string port = std::to_string(ntohs(sa.sin_port));
    one_error(run_uringdump({"export", "--listen", "127.0.0.1:" + port}), 1, "Address already in use");
    ::close(fd);
    // Debian 12's civetweb has no IPv6: said so, not as a null context.
    auto v6 = run_uringdump({"export", "--listen", "[::1]:0"});
    if (v6.code != 0) one_error(v6, 1, "without IPv6");
    // An address of no interface here (TEST-NET-1).
    one_error(run_uringdump({"export", "--listen", "192.0.2.1:9975"}), 1, "cannot listen on 192.0.2.1:9975");

    // Textfile directories that cannot be written.
    one_error(run_uringdump({"export", "--textfile", "/nonexistent-ud/u.prom", "--once"}), 1, "/nonexistent-ud");
    one_error(run_uringdump({"export", "--textfile", "/proc/self/u.prom", "--once"}), 1, "/proc/self");
    std::string dir = export_temp_dir();
    ::chmod(dir.c_str(), 0755);
    auto r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", uringdump_bin(), "export",
                  "--textfile", dir + "/u.prom", "--once"});
    // nobody reads /proc without BPF: a note says so, then the one error.
    CHECK(r.code == 1);
    CHECK(r.err.find("uringdump: error: cannot create a file in " + dir) != std::string::npos);
    run({"rm", "-rf", dir});
}
