// make install / uninstall into a temporary DESTDIR: the binary, every man
// page (man_test.cpp checks what they say), completions and the schema.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/env.h"
#include "support/json.h"
#include "support/run.h"

using namespace ud::test;

namespace {

bool exists(const std::string &p, mode_t *mode = nullptr) {
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) return false;
    if (mode) *mode = st.st_mode;
    return true;
}


}  // namespace

TEST_CASE("make install and uninstall with PREFIX and DESTDIR") {
    char tmpl[] = "/tmp/ud-destdir-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    std::string dest = tmpl;
    auto r = run({"make", "-s", "install", "DESTDIR=" + dest, "PREFIX=/usr"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    mode_t mode = 0;
    std::vector<std::string> files{"/usr/sbin/uringdump",
                                   "/usr/share/man/man8/uringdump.8",
                                   "/usr/share/man/man5/uringdump-image.5",
                                   "/usr/share/bash-completion/completions/uringdump",
                                   "/usr/share/zsh/vendor-completions/_uringdump",
                                   "/usr/share/fish/vendor_completions.d/uringdump.fish",
                                   "/usr/share/uringdump/uringdump.proto",
                                   "/usr/lib/systemd/system/uringdump-export.service",
                                   "/usr/share/uringdump/uringdump-alerts.yml"};
    // A page per command of the tables.
    auto grammar = parse_json(run_uringdump({"__grammar"}).out);
    for (auto &c : grammar["commands"].GetArray())
        files.push_back(std::string("/usr/share/man/man8/uringdump-") + c["name"].GetString() + ".8");
    for (auto &f : files) {
        INFO(f);
        CHECK(exists(dest + f, &mode));
    }
    REQUIRE(exists(dest + "/usr/sbin/uringdump", &mode));
    CHECK((mode & 0111) != 0);
    // The installed binary runs.
    auto v = run({dest + "/usr/sbin/uringdump", "-V"});
    CHECK(v.code == 0);
    CHECK(v.out == run_uringdump({"--version"}).out);

    // The unit runs the installed binary.
    auto unit = run({"cat", dest + "/usr/lib/systemd/system/uringdump-export.service"}).out;
    CHECK(unit.find("ExecStart=/usr/sbin/uringdump export") != std::string::npos);
    CHECK(unit.find("@SBINDIR@") == std::string::npos);

    REQUIRE(run({"make", "-s", "uninstall", "DESTDIR=" + dest, "PREFIX=/usr"}).code == 0);
    for (auto &f : files) {
        INFO(f);
        CHECK_FALSE(exists(dest + f));
    }
    run({"rm", "-rf", dest});
}
