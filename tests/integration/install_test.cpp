// make install / uninstall into a temporary DESTDIR, and the man page: clean
// under mandoc -Tlint, documenting every command, option and exit code.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "support/env.h"
#include "support/run.h"

using namespace ud::test;

namespace {

bool exists(const std::string &p, mode_t *mode = nullptr) {
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) return false;
    if (mode) *mode = st.st_mode;
    return true;
}

std::string slurp(const std::string &p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("make install and uninstall with PREFIX and DESTDIR") {
    char tmpl[] = "/tmp/ud-destdir-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    std::string dest = tmpl;
    auto r = run({"make", "-s", "install", "DESTDIR=" + dest, "PREFIX=/usr"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    mode_t mode = 0;
    const char *files[] = {"/usr/sbin/uringdump",
                           "/usr/share/man/man8/uringdump.8",
                           "/usr/share/bash-completion/completions/uringdump",
                           "/usr/share/zsh/vendor-completions/_uringdump",
                           "/usr/share/fish/vendor_completions.d/uringdump.fish",
                           "/usr/share/uringdump/uringdump.proto",
                           "/usr/share/man/man8/uringdump-export.8",
                           "/usr/lib/systemd/system/uringdump-export.service",
                           "/usr/share/uringdump/uringdump-alerts.yml"};
    for (const char *f : files) {
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
    for (const char *f : files) {
        INFO(f);
        CHECK_FALSE(exists(dest + f));
    }
    run({"rm", "-rf", dest});
}

TEST_CASE("man page: clean under mandoc -Tlint; every command, option and exit code documented") {
    if (std::system("command -v mandoc >/dev/null 2>&1") != 0) {
        if (in_ci()) FAIL("mandoc is not installed (make deps installs it)");
        skip("mandoc is not installed");
        return;
    }
    for (const char *page : {"man/uringdump.8", "man/uringdump-export.8"}) {
        INFO(page);
        auto lint = run({"mandoc", "-Tlint", page});
        CHECK(lint.code == 0);
        CHECK(lint.out.empty());
    }
    // export's own page: every option and metric family of the command.
    std::string export_page;
    {
        std::string raw = run({"mandoc", "-Tutf8", "man/uringdump-export.8"}).out;
        for (std::size_t i = 0; i < raw.size(); i++) {
            if (i + 1 < raw.size() && raw[i + 1] == '\b') {
                i++;  // overstrike bold c\bc: keep the second
                continue;
            }
            export_page += raw[i];
        }
    }
    for (const char *word : {"--listen", "--min-interval", "--textfile", "--interval", "--once", "--aggregate",
                             "uringdump_pinned_pages", "uringdump_ring_cqes_posted_total",
                             "uringdump_exporter_read_errors_total", "uringdump-export.service", "9975"}) {
        INFO(word);
        CHECK(export_page.find(word) != std::string::npos);
    }
    std::string page = run({"mandoc", "-Tutf8", "man/uringdump.8"}).out;
    // Strip the overstrike bold of -Tutf8 (c\bc).
    std::string plain;
    for (std::size_t i = 0; i < page.size(); i++) {
        if (i + 1 < page.size() && page[i + 1] == '\b') {
            i++;
            continue;
        }
        plain += page[i];
    }
    for (const char *word : {"show", "top", "dump", "image", "iter pin", "iter list", "iter unpin", "feature",
                             "--json", "--pretty", "--debug", "--require-bpf", "--procfs", "--version", "--help",
                             "--force", "--pages", "--check", "URINGDUMP_NO_BPF", "\"processes\"", "export",
                             "--listen", "--textfile", "uringdump-export(8)"}) {
        INFO(word);
        CHECK(plain.find(word) != std::string::npos);
    }
    for (int code = 0; code <= 7; code++) CHECK(plain.find("\n       " + std::to_string(code) + "  ") != std::string::npos);
    // The version it names is the binary's.
    std::string version = run_uringdump({"-V"}).out;
    version = version.substr(version.find(' ') + 1);
    version.pop_back();
    CHECK(slurp("man/uringdump.8").find("uringdump " + version) != std::string::npos);
}
