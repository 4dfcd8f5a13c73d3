// Shell completion: bash's function called with COMP_WORDS/COMP_CWORD, fish
// through `complete -C`, zsh's registration and its PID helper. PIDs offered
// must be those of processes with an io_uring or epoll fd.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
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
    for (const char *c : {"show", "top", "dump", "image", "iter", "feature", "export", "help"}) CHECK(has(cmds, c));
    auto eopts = bash_complete({"uringdump", "export", "--"});
    for (const char *o : {"--listen", "--min-interval", "--textfile", "--interval", "--once", "--aggregate"})
        CHECK(has(eopts, o));
    CHECK(bash_complete({"uringdump", "export", "--aggregate", ""}) == std::vector<std::string>{"comm"});
    auto pids = bash_complete({"uringdump", "show", ""});
    CHECK(has(pids, ring.pid_str()));
    CHECK_FALSE(has(pids, idle.pid_str()));
    CHECK(has(bash_complete({"uringdump", "-j", "dump", ""}), ring.pid_str()));
    // Words by unique prefix, as uringdump takes them.
    CHECK(has(bash_complete({"uringdump", "sh", ""}), ring.pid_str()));
    CHECK(bash_complete({"uringdump", "it", "p", "e"}) == std::vector<std::string>{"epoll"});
    auto opts = bash_complete({"uringdump", "dump", "--"});
    for (const char *o : {"--output", "--force", "--pages", "--check", "--json"}) CHECK(has(opts, o));
    CHECK(bash_complete({"uringdump", "iter", "pin", "e"}) == std::vector<std::string>{"epoll"});
    CHECK(bash_complete({"uringdump", "iter", "pin", "io"}) ==
          std::vector<std::string>{"io_uring_file", "io_uring_buf", "io_uring_req"});
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
    CHECK(has(fish_complete("uringdump ex"), "export"));
    auto eopts = fish_complete("uringdump export --");
    for (const char *o : {"--listen", "--min-interval", "--textfile", "--interval", "--once", "--aggregate"})
        CHECK(has(eopts, o));
    auto kinds = fish_complete("uringdump iter pin ");
    CHECK(kinds == std::vector<std::string>{"epoll", "io_uring_buf", "io_uring_file", "io_uring_req"});
}

// (compinit -d names where it writes its dump: never /dev/null, which it
// would replace with a regular file.)
TEST_CASE("zsh completion: registers for uringdump, offers PIDs with rings or epoll sets only") {
    if (!shell_installed("zsh")) return;
    Fixture ring({"ring"});
    Fixture idle({"idle"});
    auto r = run(
        {"zsh", "-f", "-c",
         "autoload -Uz compinit; compinit -u -d \"${TMPDIR:-/tmp}/ud-zcompdump-$$\"; source completions/_uringdump; "
         "print -r -- ${_comps[uringdump]}; _uringdump_pids; rm -f \"${TMPDIR:-/tmp}/ud-zcompdump-$$\"*"});
    auto out = lines(r.out);
    REQUIRE(!out.empty());
    CHECK(out[0] == "_uringdump");
    CHECK(has(out, ring.pid_str()));
    CHECK_FALSE(has(out, idle.pid_str()));
}

// The grammar as the binary holds it (uringdump __grammar): every command,
// subcommand and option in it must be offered by each completion script.
// A command added to the table without its completions fails here.
namespace {

rapidjson::Document grammar() {
    auto r = run_uringdump({"__grammar"});
    REQUIRE(r.code == 0);
    return parse_json(r.out);
}

std::vector<std::string> option_words(const rapidjson::Value &options) {
    std::vector<std::string> out;
    for (auto &o : options.GetArray()) {
        out.push_back(std::string("--") + o["name"].GetString());
        if (o["short"].IsString()) out.push_back(std::string("-") + o["short"].GetString());
    }
    return out;
}

std::string slurp(const std::string &path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// The zsh script's case branch for a command: "NAME) ... ;;" on one line,
// or from "NAME)" to the ";;" at the branch's depth (its nested cases end
// in ";;" too, further in).
std::string zsh_branch(const std::string &script, const std::string &name) {
    auto at = script.find("\n        " + name + ")");
    if (at == std::string::npos) return {};
    auto eol = script.find('\n', at + 1);
    auto one_line = script.find(";;", at);
    if (one_line < eol) return script.substr(at, one_line - at);
    auto end = script.find("\n            ;;", at);
    return script.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace

TEST_CASE("bash completion: offers every command, subcommand and option of the tables") {
    auto g = grammar();
    std::vector<std::string> names{"help"};
    for (auto &c : g["commands"].GetArray()) names.push_back(c["name"].GetString());
    auto offered = bash_complete({"uringdump", ""});
    std::sort(names.begin(), names.end());
    std::sort(offered.begin(), offered.end());
    CHECK(offered == names);
    for (auto &o : option_words(g["options"])) CHECK(has(bash_complete({"uringdump", "-"}), o));
    for (auto &c : g["commands"].GetArray()) {
        std::string name = c["name"].GetString();
        CAPTURE(name);
        for (auto &o : option_words(c["options"])) CHECK(has(bash_complete({"uringdump", name, "-"}), o));
        for (auto &s : c["commands"].GetArray()) {
            std::string sub = s["name"].GetString();
            CAPTURE(sub);
            CHECK(has(bash_complete({"uringdump", name, ""}), sub));
            for (auto &o : option_words(s["options"])) CHECK(has(bash_complete({"uringdump", name, sub, "-"}), o));
        }
    }
}

TEST_CASE("fish completion: offers every command, subcommand and option of the tables") {
    if (!shell_installed("fish")) return;
    auto g = grammar();
    auto top = fish_complete("uringdump ");
    for (auto &o : option_words(g["options"])) CHECK(has(fish_complete("uringdump -"), o));
    for (auto &c : g["commands"].GetArray()) {
        std::string name = c["name"].GetString();
        CAPTURE(name);
        CHECK(has(top, name));
        for (auto &o : option_words(c["options"])) CHECK(has(fish_complete("uringdump " + name + " -"), o));
        for (auto &s : c["commands"].GetArray()) {
            std::string sub = s["name"].GetString();
            CHECK(has(fish_complete("uringdump " + name + " "), sub));
            for (auto &o : option_words(s["options"]))
                CHECK(has(fish_complete("uringdump " + name + " " + sub + " -"), o));
        }
    }
}

TEST_CASE("zsh completion: the script names every command, subcommand and option of the tables") {
    auto g = grammar();
    std::string script = slurp("completions/_uringdump");
    for (auto &o : g["options"].GetArray())
        CHECK(script.find(std::string("--") + o["name"].GetString()) != std::string::npos);
    for (auto &c : g["commands"].GetArray()) {
        std::string name = c["name"].GetString();
        CAPTURE(name);
        CHECK(script.find("'" + name + ":") != std::string::npos);
        std::string branch = zsh_branch(script, name);
        if (c["options"].Empty() && c["commands"].Empty()) continue;
        REQUIRE(!branch.empty());
        for (auto &o : option_words(c["options"])) {
            CAPTURE(o);
            // -x and --xx appear as {-x,--xx} or '--xx[...]'.
            bool found = o.size() == 2
                             ? branch.find(o + ",") != std::string::npos
                             : branch.find(o + "[") != std::string::npos || branch.find(o + "}") != std::string::npos;
            CHECK(found);
        }
        for (auto &s : c["commands"].GetArray()) CHECK(branch.find(s["name"].GetString()) != std::string::npos);
    }
    // iter pin's kinds (collect/text_iter.cpp), which the tables leave to
    // the scripts ("iter_kind").
    std::string iter = zsh_branch(script, "iter");
    for (const char *kind : {"io_uring_file", "io_uring_buf", "io_uring_req", "epoll"}) {
        CAPTURE(kind);
        CHECK(iter.find(std::string(" ") + kind) != std::string::npos);
    }
}
