// The command line as bpftool has it: words matched by unique prefix at
// every level, ambiguous ones refused with the candidates, help per object
// (null under -j), options owned by their command (top -d is the delay,
// -d before the command is --debug), and every failure one error: a line
// on stderr, or {"error":...} on stdout under -j/-p.
#include <doctest/doctest.h>

#include <chrono>

#include "support/fixture.h"
#include "support/image_file.h"
#include "support/json.h"
#include "support/run.h"

using namespace ud::test;

namespace {

void check_usage_error(const Result &r, const std::string &words) {
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    auto l = lines(r.err);
    REQUIRE(l.size() == 1);
    CHECK(l[0].rfind("uringdump: error: ", 0) == 0);
    CHECK(l[0].find(words) != std::string::npos);
}

double seconds_of(const std::vector<std::string> &args, Result *r) {
    auto t0 = std::chrono::steady_clock::now();
    *r = run_uringdump(args);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("cli: commands and subcommands are matched by unique prefix") {
    Fixture fx({"ring"});
    auto r = run_uringdump({"sh", "-j", fx.pid_str()});
    REQUIRE(r.code == 0);
    auto doc = parse_json(r.out);
    REQUIRE(find_process(doc, fx.pid()) != nullptr);
    // A level below: image c = image check.
    TempDir dir;
    auto c = run_uringdump({"im", "c", dir.file("none.img")});
    CHECK(c.code == 1);
    CHECK(c.err.find("cannot open") != std::string::npos);
    CHECK(run_uringdump({"it", "l", "-j"}).code == 0);
    // Long options too, as getopt_long takes them.
    CHECK(run_uringdump({"dump", "--ch", "-j", fx.pid_str()}).out.find("\"dumpable\"") != std::string::npos);
}

TEST_CASE("cli: an ambiguous prefix is refused with the candidates named") {
    check_usage_error(run_uringdump({"i"}), "ambiguous command 'i': image, iter");
    check_usage_error(run_uringdump({"iter", "x"}), "unknown iter command 'x'");
    // A unique prefix that then lacks its arguments is the subcommand's error.
    check_usage_error(run_uringdump({"iter", "p"}), "iter pin takes a kind and a path");
    check_usage_error(run_uringdump({"show", "--p"}), "ambiguous option '--p'");
    check_usage_error(run_uringdump({"iter"}), "iter needs a command: pin, list, unpin");
    check_usage_error(run_uringdump({}), "missing command");
}

TEST_CASE("cli: each object has its own help; under -j it is null as bpftool's") {
    for (auto args : std::vector<std::vector<std::string>>{{"help"},
                                                           {"h"},
                                                           {"-h"},
                                                           {"iter", "help"},
                                                           {"image", "help"},
                                                           {"iter", "pin", "help"},
                                                           {"show", "help"},
                                                           {"help", "dump"},
                                                           {"dump", "-h"},
                                                           {"top", "--help"}}) {
        CAPTURE(args[0]);
        auto r = run_uringdump(args);
        CHECK(r.code == 0);
        CHECK(r.err.empty());
        CHECK(r.out.rfind("Usage: uringdump", 0) == 0);
    }
    auto iter = run_uringdump({"iter", "help"}).out;
    for (const char *w : {"iter pin", "iter list", "iter unpin"}) CHECK(iter.find(w) != std::string::npos);
    auto dump = run_uringdump({"help", "dump"}).out;
    for (const char *w : {"--output PATH", "--force", "--pages", "--check"}) CHECK(dump.find(w) != std::string::npos);
    // Usage lines stand apart from the descriptions (two spaces at least).
    auto top = run_uringdump({"help"}).out;
    CHECK(top.find("\n  show     ") != std::string::npos);
    CHECK(run_uringdump({"-j", "help"}).out == "null\n");
    CHECK(run_uringdump({"iter", "help", "-p"}).out == "null\n");
}

TEST_CASE("cli: -d is --debug before the command; top -d is top's delay") {
    Fixture fx({"ring"});
    // show has no -d of its own: the global one, before or after the word.
    for (auto args :
         std::vector<std::vector<std::string>>{{"-d", "show", fx.pid_str()}, {"show", "-d", fx.pid_str()}}) {
        auto r = run_uringdump(args);
        CHECK(r.code == 0);
        CHECK(r.err.find("uringdump: debug: ") != std::string::npos);
    }
    // uringdump -d top: debug, and the interval stays 1 second: four
    // refreshes wait three times, at least 3 s (a lower bound: an emulated
    // machine may be slower, never faster). Each refresh's header names the
    // interval top took from its own -d, however it was spelled.
    Result r;
    double slow = seconds_of({"-d", "top", "-b", "-n", "4", fx.pid_str()}, &r);
    CHECK(r.code == 0);
    CHECK(slow >= 3.0);
    CHECK(r.out.find("refresh 4, every 1 s,") != std::string::npos);
    for (auto args : std::vector<std::vector<std::string>>{{"top", "-d", "0.2", "-b", "-n", "4", fx.pid_str()},
                                                           {"top", "--delay=0.2", "-bn4", fx.pid_str()}}) {
        auto fast = run_uringdump(args);
        CHECK(fast.code == 0);
        CHECK(fast.out.find("refresh 4, every 0.2 s,") != std::string::npos);
    }
    check_usage_error(run_uringdump({"top", "-d"}), "needs a value");
}

TEST_CASE("cli: options belong to their command") {
    check_usage_error(run_uringdump({"show", "--force", "1"}), "unknown option '--force' of show");
    check_usage_error(run_uringdump({"--delay", "1", "top"}), "unknown option '--delay'");
    check_usage_error(run_uringdump({"image", "show", "-b", "x"}), "unknown option '-b' of image show");
    check_usage_error(run_uringdump({"feature", "--json=1"}), "takes no value");
}

TEST_CASE("cli: under -j and -p every error is {\"error\":...} on stdout, nothing else") {
    for (auto args : std::vector<std::vector<std::string>>{{"-j", "frobnicate"},
                                                           {"frobnicate", "-p"},
                                                           {"show", "-j", "abc"},
                                                           {"-j", "i"},
                                                           {"-j", "image", "check", "/nonexistent/x.img"},
                                                           {"-p", "dump", "1"}}) {
        CAPTURE(args[1]);
        auto r = run_uringdump(args);
        CHECK(r.code != 0);
        CHECK(r.err.empty());
        auto doc = parse_json(r.out);
        REQUIRE(doc.IsObject());
        CHECK(doc.MemberCount() == 1);
        CHECK(has(doc, "error"));
    }
    auto v = parse_json(run_uringdump({"-j", "-V"}).out);
    CHECK(has(v, "version"));
}

TEST_CASE("cli: under -j notes are JSON lines on stderr") {
    Fixture fx({"idle"});
    auto r = run_uringdump({"-j", "show", fx.pid_str()});
    CHECK(r.code == 0);
    parse_json(r.out);
    auto l = lines(r.err);
    REQUIRE(!l.empty());
    for (auto &line : l) CHECK(has(parse_json(line), "note"));
}

TEST_CASE("cli: -- ends the options") { check_usage_error(run_uringdump({"show", "--", "-j"}), "'-j' is not a PID"); }
