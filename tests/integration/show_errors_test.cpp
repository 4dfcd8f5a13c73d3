// Bad input: one line on stderr, a documented exit code, nothing on stdout.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"

using namespace ud::test;

namespace {

int unused_pid() {
    int max = 4194304;
    std::ifstream("/proc/sys/kernel/pid_max") >> max;
    struct stat st;
    for (int pid = max - 1; pid > 1; pid--)
        if (::stat(("/proc/" + std::to_string(pid)).c_str(), &st) != 0) return pid;
    return -1;
}

void check_one_error_line(const Result &r, int code, const std::string &words) {
    CHECK(r.code == code);
    CHECK(r.out.empty());
    auto l = lines(r.err);
    REQUIRE(l.size() == 1);
    CHECK(l[0].rfind("uringdump: error: ", 0) == 0);
    CHECK(l[0].find(words) != std::string::npos);
}

// Runs uringdump as the unprivileged user nobody.
Result run_as_nobody(const std::vector<std::string> &args) {
    std::vector<std::string> argv{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                  "--inh-caps=-all", "--bounding-set=-all", uringdump_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

}  // namespace

TEST_CASE("show: an unknown PID is exit 3 with one line") {
    int pid = unused_pid();
    REQUIRE(pid > 0);
    check_one_error_line(run_uringdump({"show", "-j", std::to_string(pid)}), 3, "no such process");
}

TEST_CASE("show: odd command lines are exit 2 with one line") {
    check_one_error_line(run_uringdump({"show", "abc"}), 2, "not a PID");
    check_one_error_line(run_uringdump({"show", "0"}), 2, "not a PID");
    check_one_error_line(run_uringdump({"show", "12x"}), 2, "not a PID");
    check_one_error_line(run_uringdump({"show", "--frobnicate"}), 2, "unknown option");
    check_one_error_line(run_uringdump({"-x", "show"}), 2, "unknown option");
    check_one_error_line(run_uringdump({"frobnicate"}), 2, "unknown command");
    // An empty word is a command that does not exist, not a missing one.
    check_one_error_line(run_uringdump({""}), 2, "unknown command ''");
    auto none = run_uringdump({});
    CHECK(none.code == 2);
    CHECK(none.out.empty());
}

TEST_CASE("show: a process without ring or epoll: empty result, a note, exit 0") {
    Fixture fx({"idle"});
    auto r = run_uringdump({"show", "-j", fx.pid_str()});
    CHECK(r.code == 0);
    auto doc = parse_json(r.out);
    CHECK(doc["processes"].Empty());
    CHECK(r.err.find("holds no io_uring or epoll") != std::string::npos);
}

TEST_CASE("show: no permission to read a process is exit 4 with one line") {
    Fixture fx({"ring"});
    check_one_error_line(run_as_nobody({"show", "-j", fx.pid_str()}), 4, "no permission");
}

TEST_CASE("show --require-bpf: without BPF privileges it is exit 7; without it, the fallback") {
    Fixture fx({"idle"});
    check_one_error_line(run_as_nobody({"--require-bpf", "show", "-j"}), 7, "BPF cannot be used");
    // As nobody without --require-bpf: the fallback reads what nobody may
    // read (its own processes: none with rings) and says why it fell back.
    auto r = run_as_nobody({"show", "-j"});
    CHECK(r.code == 0);
    parse_json(r.out);
    CHECK(r.err.find("partial output") != std::string::npos);
}

TEST_CASE("show: a kernel without BTF falls back, or fails with --require-bpf") {
    std::map<std::string, std::string> env{{"UD_VMLINUX_BTF", "/nonexistent/vmlinux"}};
    auto r = run_uringdump({"--require-bpf", "show", "-j"}, env);
    check_one_error_line(r, 7, "BTF");
    Fixture fx({"epoll"});
    auto f = run_uringdump({"show", "-j", fx.pid_str()}, env);
    CHECK(f.code == 0);
    auto doc = parse_json(f.out);
    CHECK(std::string(doc["source"].GetString()) == "procfs");
    CHECK(f.err.find("BTF") != std::string::npos);
}
