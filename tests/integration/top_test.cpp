// top, driven for real inside tmux (send-keys, capture-pane) against fixture
// processes, and top -b as plain text.
#include <doctest/doctest.h>
#include <dirent.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "support/env.h"
#include "support/fixture.h"
#include "support/run.h"
#include "support/tmux.h"

using namespace ud::test;

namespace {

// The screen's list row of a process: the line starting with its PID.
std::string row_of(const std::string &screen, int pid) {
    std::istringstream in(screen);
    std::string line, p = std::to_string(pid);
    while (std::getline(in, line)) {
        auto first = line.find_first_not_of(' ');
        if (first != std::string::npos && line.compare(first, p.size() + 1, p + " ") == 0) return line;
    }
    return {};
}

// Column i (0: PID) of a list row.
std::string col(const std::string &row, std::size_t i) {
    std::istringstream in(row);
    std::vector<std::string> cols;
    for (std::string c; in >> c;) cols.push_back(c);
    return i < cols.size() ? cols[i] : std::string();
}

constexpr std::size_t kSqRate = 8, kCqRate = 9;

void start_top(Tmux &t, const std::vector<int> &pids, const std::string &extra = "") {
    std::string cmd = uringdump_bin() + " top -d 0.3 " + extra;
    for (int p : pids) cmd += " " + std::to_string(p);
    t.line(cmd + "; echo TOP_DONE");
}

// The top started in t: the uringdump child of the pane's shell, so that a
// test signals exactly the process it started, never another run's (as
// pkill -f would). 0 if there is none.
pid_t top_pid(const Tmux &t) {
    std::string pane = run({"tmux", "display-message", "-p", "-t", t.name(), "#{pane_pid}"}).out;
    int shell = std::atoi(pane.c_str());
    if (shell <= 0) return 0;
    DIR *d = ::opendir("/proc");
    if (!d) return 0;
    pid_t found = 0;
    while (dirent *e = ::readdir(d)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        // /proc/PID/stat: "PID (COMM) STATE PPID ..."; COMM may hold spaces.
        std::ifstream f(std::string("/proc/") + e->d_name + "/stat");
        std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        auto open = stat.find('('), close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        std::istringstream rest(stat.substr(close + 1));
        std::string state;
        int ppid = 0;
        rest >> state >> ppid;
        if (ppid == shell && stat.substr(open + 1, close - open - 1) == "uringdump") found = std::atoi(e->d_name);
    }
    ::closedir(d);
    return found;
}

bool back_at_prompt(Tmux &t) {
    if (!t.wait_for("TOP_DONE")) return false;
    t.line("echo ALIVE-$((6*7))");
    return t.wait_for("ALIVE-42");
}

}  // namespace

TEST_CASE("top: lists the fixtures, moves, shows details, quits back to the shell") {
    if (!need_bpf()) return;
    Fixture ring({"ring"});
    Fixture ep({"epoll"});
    Tmux t(120, 30);
    start_top(t, {ring.pid(), ep.pid()});
    REQUIRE(t.wait_until([&](const std::string &s) { return !row_of(s, ring.pid()).empty() && !row_of(s, ep.pid()).empty(); }));
    std::string s = t.screen();
    CHECK(col(row_of(s, ring.pid()), 2) == "1");  // rings
    CHECK(col(row_of(s, ep.pid()), 3) == "2");    // epoll sets
    CHECK(col(row_of(s, ep.pid()), 7) == "7");    // items: 6 + 1 nested
    CHECK(col(row_of(s, ring.pid()), 4) == std::to_string(ring.truth()["rings"][0]["files"].Size()));

    // Sorted by PID: the ring fixture (started first) is selected; j moves
    // to the epoll fixture, Enter shows its details.
    t.keys({"j", "Enter"});
    CHECK(t.wait_for("details of pid " + ep.pid_str()));
    CHECK(t.wait_for("IN|ERR|HUP|ONESHOT"));
    t.keys({"Tab", "k", "Enter"});
    CHECK(t.wait_for("details of pid " + ring.pid_str()));
    CHECK(t.wait_for("registered buffers: 4 of 4 slots"));
    t.keys({"Tab", "End", "Enter"});
    CHECK(t.wait_for("details of pid " + ep.pid_str()));
    t.keys({"Tab", "Home", "Enter"});
    CHECK(t.wait_for("details of pid " + ring.pid_str()));
    t.keys({"Tab", "q"});
    CHECK(back_at_prompt(t));
}

TEST_CASE("top: filter, sort and help") {
    if (!need_bpf()) return;
    Fixture ring({"ring"});
    Fixture ep({"epoll"});
    Tmux t(120, 30);
    start_top(t, {ring.pid(), ep.pid()});
    REQUIRE(t.wait_until([&](const std::string &s) { return !row_of(s, ep.pid()).empty(); }));

    // Filter by PID: only that process stays.
    t.keys({"/"});
    REQUIRE(t.wait_for("filter (PID or name):"));
    t.line(ep.pid_str());
    CHECK(t.wait_until([&](const std::string &s) { return row_of(s, ring.pid()).empty() && !row_of(s, ep.pid()).empty(); }));
    CHECK(t.screen().find("filter: " + ep.pid_str()) != std::string::npos);
    t.keys({"/", "C-u"});
    t.keys({"BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "Enter"});
    CHECK(t.wait_until([&](const std::string &s) { return !row_of(s, ring.pid()).empty(); }));

    // Sort: each s moves the marked column; by ITEMS the epoll fixture leads.
    for (int i = 0; i < 7; i++) t.keys({"s"});
    REQUIRE(t.wait_for("*ITEMS"));
    std::string s = t.screen();
    CHECK(s.find(row_of(s, ep.pid())) < s.find(row_of(s, ring.pid())));
    t.keys({"<"});
    CHECK(t.wait_for("*PAGES"));
    s = t.screen();
    CHECK(s.find(row_of(s, ring.pid())) < s.find(row_of(s, ep.pid())));

    t.keys({"?"});
    CHECK(t.wait_for("uringdump top: keys"));
    t.keys({"x"});
    CHECK(t.wait_for("*PAGES"));
    t.keys({"F10"});
    CHECK(back_at_prompt(t));
}

TEST_CASE("top: rates move while a fixture submits, stop when it idles, freeze when paused") {
    if (!need_bpf()) return;
    Fixture busy({"busy"});
    Tmux t(120, 30);
    start_top(t, {busy.pid()});
    auto rate = [&](const std::string &s) { return col(row_of(s, busy.pid()), kCqRate); };
    REQUIRE(t.wait_until([&](const std::string &s) {
        std::string r = rate(s);
        return !r.empty() && r != "-" && r != "0";
    }));
    CHECK(col(row_of(t.screen(), busy.pid()), kSqRate) != "0");

    busy.command("idle");
    CHECK(t.wait_until([&](const std::string &s) { return rate(s) == "0"; }));
    busy.command("busy");
    CHECK(t.wait_until([&](const std::string &s) { return rate(s) != "0" && rate(s) != "-"; }));

    // Paused: the status says so and the numbers stay as they were.
    t.keys({"p"});
    REQUIRE(t.wait_for("[PAUSED]"));
    std::string frozen = row_of(t.screen(), busy.pid());
    ::usleep(1000 * 1000);
    CHECK(row_of(t.screen(), busy.pid()) == frozen);
    t.keys({"space"});
    CHECK(t.wait_until([&](const std::string &s) { return s.find("[PAUSED]") == std::string::npos; }));

    // The interval can be changed from the keyboard.
    t.keys({"d"});
    REQUIRE(t.wait_for("refresh interval in seconds:"));
    t.keys({"BSpace", "BSpace", "BSpace", "BSpace"});
    t.line("2");
    CHECK(t.wait_for("every 2 s"));
    t.keys({"q"});
    CHECK(back_at_prompt(t));
}

TEST_CASE("top: resize, processes that come and go, SIGTERM restores the terminal") {
    if (!need_bpf()) return;
    Fixture ring({"ring"});
    Tmux t(120, 30);
    start_top(t, {});
    REQUIRE(t.wait_until([&](const std::string &s) { return !row_of(s, ring.pid()).empty(); }));
    int gone = -1;
    {
        Fixture late({"epoll"});
        CHECK(t.wait_until([&](const std::string &s) { return !row_of(s, late.pid()).empty(); }));
        gone = late.pid();
    }
    // The fixture above exited: its row goes at the next refresh.
    CHECK(t.wait_until([&](const std::string &s) { return row_of(s, gone).empty(); }));
    t.resize(70, 15);
    CHECK(t.wait_until([](const std::string &s) {
        std::istringstream in(s);
        std::string line;
        int n = 0;
        while (std::getline(in, line)) {
            n++;
            if (line.size() > 70) return false;
        }
        return n <= 15 && s.find("uringdump top") != std::string::npos;
    }));
    CHECK(!row_of(t.screen(), ring.pid()).empty());
    // SIGTERM: the loop ends and endwin runs; the shell gets its prompt.
    pid_t top = top_pid(t);
    REQUIRE(top > 0);
    CHECK(::kill(top, SIGTERM) == 0);
    CHECK(back_at_prompt(t));
}

TEST_CASE("top: the details of an epoll set of thousands of items scroll to the end and back") {
    if (!need_bpf()) return;
    Fixture fx({"scale-epoll", "5000"});
    // The last line of show's table for the process is the last item row.
    auto shown = lines(run_uringdump({"show", fx.pid_str()}).out);
    REQUIRE(shown.size() > 5000);
    std::string last = shown.back();
    Tmux t(120, 30);
    start_top(t, {fx.pid()});
    REQUIRE(t.wait_until([&](const std::string &s) { return !row_of(s, fx.pid()).empty(); }));
    CHECK(col(row_of(t.screen(), fx.pid()), 7) == "5000");
    t.keys({"Enter"});
    REQUIRE(t.wait_for("details of pid " + fx.pid_str()));
    t.keys({"End"});
    // The line above the key hints (the bottom one) is the last item.
    auto at_end = [&](const std::string &s) {
        auto l = lines(s);
        while (!l.empty() && l.back().empty()) l.pop_back();
        return l.size() >= 2 && l[l.size() - 2] == last;
    };
    CHECK(t.wait_until(at_end));
    t.keys({"PPage"});
    CHECK(t.wait_until([&](const std::string &s) { return !at_end(s); }));
    t.keys({"NPage"});
    CHECK(t.wait_until(at_end));
    t.keys({"Home"});
    CHECK(t.wait_for("items 5000"));  // the set's header line, at the top again
    t.keys({"q"});
    CHECK(back_at_prompt(t));
}

TEST_CASE("top: NO_COLOR and a monochrome terminal draw without colour") {
    if (!need_bpf()) return;
    Fixture ring({"ring"});
    for (const char *env : {"NO_COLOR=1", "TERM=vt100"}) {
        INFO(env);
        Tmux t(120, 30, {env});
        start_top(t, {ring.pid()});
        REQUIRE(t.wait_until([&](const std::string &s) { return !row_of(s, ring.pid()).empty(); }));
        std::string esc = t.screen(true);
        // SGR colour codes: 30-37/40-47, 38;5/48;5, 90-97.
        for (const char *c : {"\x1b[30m", "\x1b[32m", "\x1b[46m", "\x1b[38;5", "\x1b[48;5", "\x1b[42m", "\x1b[36m"})
            CHECK(esc.find(c) == std::string::npos);
        // Reverse video marks titles and selection ("\e[7m", or "\e[0;7m" after a reset).
        CHECK((esc.find("\x1b[7m") != std::string::npos || esc.find(";7m") != std::string::npos));
        t.keys({"q"});
        CHECK(back_at_prompt(t));
    }
}

TEST_CASE("top without BPF says so in its status line") {
    Fixture ring({"ring"});
    Tmux t(120, 30, {"URINGDUMP_NO_BPF=1"});
    start_top(t, {ring.pid()});
    CHECK(t.wait_for("procfs fallback"));
    CHECK(t.wait_until([&](const std::string &s) { return !row_of(s, ring.pid()).empty(); }));
    t.keys({"q"});
    CHECK(back_at_prompt(t));
}

TEST_CASE("top -b -n: refreshes as plain text with rates, the same tables as show") {
    if (!need_bpf()) return;
    Fixture busy({"busy"});
    Fixture idle({"ring"});
    auto r = run_uringdump({"top", "-b", "-n", "3", "-d", "0.3", busy.pid_str(), idle.pid_str()});
    REQUIRE(r.code == 0);
    auto refreshes = 0;
    std::string last;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("uringdump top: refresh ", 0) == 0) refreshes++;
        if (refreshes == 3) last += line + "\n";
    }
    CHECK(refreshes == 3);
    // First refresh: no rate yet; last: the busy one moves, the idle one not.
    CHECK(col(row_of(r.out, busy.pid()), kCqRate) == "-");
    CHECK(col(row_of(last, busy.pid()), kCqRate) != "0");
    CHECK(col(row_of(last, idle.pid()), kCqRate) == "0");
    // The tables are show's.
    auto show = run_uringdump({"show", idle.pid_str()});
    CHECK(last.find(show.out.substr(0, show.out.find('\n'))) != std::string::npos);
    CHECK(last.find("registered buffers: 4 of 4 slots") != std::string::npos);
}

TEST_CASE("top: bad options are exit 2 with one line; no terminal without -b is refused") {
    for (auto args : std::vector<std::vector<std::string>>{
             {"top", "-d", "0"}, {"top", "-d", "x"}, {"top", "-n", "0", "-b"}, {"top", "-n"}, {"top", "-b", "abc"}}) {
        auto r = run_uringdump(args);
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        CHECK(lines(r.err).size() == 1);
    }
    auto r = run_uringdump({"top"});  // stdin is /dev/null here
    CHECK(r.code == 2);
    CHECK(r.err.find("top -b") != std::string::npos);
}
