// Shell completion: bash's function called with COMP_WORDS/COMP_CWORD, fish
// through `complete -C`, zsh's registration and its PID helper. PIDs offered
// must be those of processes with an io_uring or epoll fd.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/env.h"
#include "support/fixture.h"
#include "support/run.h"

using namespace ud::test;

namespace {

// Candidates bash offers for `words`, the last one being completed.
std::vector<std::string> bash_complete(const std::vector<std::string> &words) {
    std::string arr;
    for (auto &w : words) arr += " '" + w + "'";
    std::string script = "source completions/uringdump.bash; COMP_WORDS=(" + arr +
                         "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                         "; _uringdump; printf '%s\\n' \"${COMPREPLY[@]}\"";
    return lines(run({"bash", "-c", script}).out);
}

// Candidates fish offers for a command line (descriptions cut off).
std::vector<std::string> fish_complete(const std::string &line) {
    auto out = lines(run({"fish", "-c", "source completions/uringdump.fish; complete -C '" + line + "'"}).out);
    for (auto &l : out) l = l.substr(0, l.find('\t'));
    return out;
}

bool has(const std::vector<std::string> &v, const std::string &s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

bool shell_installed(const char *shell) {
    std::string probe = std::string("command -v ") + shell + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return true;
    if (in_ci()) FAIL(shell << " is not installed (make deps installs it)");
    skip(std::string(shell) + " is not installed");
    return false;
}

}  // namespace

TEST_CASE("bash completion: commands, options, PIDs with rings or epoll sets only, iter words") {
    Fixture ring({"ring"});
    Fixture idle({"idle"});
    CHECK(bash_complete({"uringdump", "s"}) == std::vector<std::string>{"show"});
    auto cmds = bash_complete({"uringdump", ""});
    for (const char *c : {"show", "top", "dump", "image", "iter", "feature", "help"}) CHECK(has(cmds, c));
    auto pids = bash_complete({"uringdump", "show", ""});
    CHECK(has(pids, ring.pid_str()));
    CHECK_FALSE(has(pids, idle.pid_str()));
    CHECK(has(bash_complete({"uringdump", "-j", "dump", ""}), ring.pid_str()));
    auto opts = bash_complete({"uringdump", "dump", "--"});
    for (const char *o : {"--output", "--force", "--pages", "--check", "--json"}) CHECK(has(opts, o));
    CHECK(bash_complete({"uringdump", "iter", "pin", "e"}) == std::vector<std::string>{"epoll"});
    CHECK(bash_complete({"uringdump", "iter", "pin", "epoll", "/sys/fs/bpf/", "p"}) == std::vector<std::string>{"pid"});
    CHECK(has(bash_complete({"uringdump", "iter", "pin", "epoll", "/sys/fs/bpf/", "pid", ""}), ring.pid_str()));
    CHECK(bash_complete({"uringdump", "image", "c"}) == std::vector<std::string>{"check"});
    for (auto &p : bash_complete({"uringdump", "iter", "unpin", ""})) CHECK(p.rfind("/sys/fs/bpf/", 0) == 0);
}

TEST_CASE("fish completion: commands, PIDs with rings or epoll sets only, dump options, iter kinds") {
    if (!shell_installed("fish")) return;
    Fixture ring({"ring"});
    Fixture idle({"idle"});
    CHECK(fish_complete("uringdump sh") == std::vector<std::string>{"show"});
    auto pids = fish_complete("uringdump show ");
    CHECK(has(pids, ring.pid_str()));
    CHECK_FALSE(has(pids, idle.pid_str()));
    auto opts = fish_complete("uringdump dump --");
    CHECK(has(opts, "--force"));
    CHECK(has(opts, "--pages"));
    auto kinds = fish_complete("uringdump iter pin ");
    CHECK(kinds == std::vector<std::string>{"epoll", "io_uring_buf", "io_uring_file", "io_uring_req"});
}

// (compinit -d names where it writes its dump: never /dev/null, which it
// would replace with a regular file.)
TEST_CASE("zsh completion: registers for uringdump, offers PIDs with rings or epoll sets only") {
    if (!shell_installed("zsh")) return;
    Fixture ring({"ring"});
    Fixture idle({"idle"});
    auto r = run({"zsh", "-f", "-c",
                  "autoload -Uz compinit; compinit -u -d \"${TMPDIR:-/tmp}/ud-zcompdump-$$\"; source completions/_uringdump; "
                  "print -r -- ${_comps[uringdump]}; _uringdump_pids; rm -f \"${TMPDIR:-/tmp}/ud-zcompdump-$$\"*"});
    auto out = lines(r.out);
    REQUIRE(!out.empty());
    CHECK(out[0] == "_uringdump");
    CHECK(has(out, ring.pid_str()));
    CHECK_FALSE(has(out, idle.pid_str()));
}
