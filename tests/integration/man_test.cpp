// The man pages: clean under mandoc -Tlint, naming the binary's version, and
// holding the grammar as the binary has it (uringdump __grammar): an
// overview with every command, global option and exit code, and a page per
// command whose SYNOPSIS names each subcommand and option and whose OPTIONS
// describe each option. A command added to the tables without its page fails
// here, and so does a page left behind by a removed command; export's page
// describes every metric family export serves.
#include <dirent.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/env.h"
#include "support/export_truth.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/prom.h"
#include "support/run.h"

using namespace ud::test;

namespace {

bool have_mandoc() {
    if (std::system("command -v mandoc >/dev/null 2>&1") == 0) return true;
    if (in_ci()) FAIL("mandoc is not installed (make deps installs it)");
    skip("mandoc is not installed");
    return false;
}

std::vector<std::string> pages() {
    std::vector<std::string> out;
    if (DIR *d = ::opendir("man")) {
        while (dirent *e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n.size() > 2 && (n.ends_with(".8") || n.ends_with(".5"))) out.push_back("man/" + n);
        }
        ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The page as text, without -Tutf8's overstrike (c\bc) bold and underline.
std::string render(const std::string &page) {
    std::string out = run({"mandoc", "-Tutf8", page}).out, plain;
    for (std::size_t i = 0; i < out.size(); i++) {
        if (i + 1 < out.size() && out[i + 1] == '\b') {
            i++;
            continue;
        }
        plain += out[i];
    }
    return plain;
}

// Sections by heading (a line in capitals at column 0).
std::map<std::string, std::string> sections(const std::string &text) {
    std::map<std::string, std::string> out;
    std::string current;
    for (auto &line : lines(text)) {
        bool heading = !line.empty() && line[0] >= 'A' && line[0] <= 'Z' &&
                       std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || (c >= 'A' && c <= 'Z'); });
        if (heading)
            current = line;
        else
            out[current] += line + "\n";
    }
    return out;
}

bool names_option(const std::string &text, const rapidjson::Value &o) {
    if (text.find(std::string("--") + o["name"].GetString()) != std::string::npos) return true;
    if (!o["short"].IsString()) return false;
    std::string s = std::string("-") + o["short"].GetString();
    return text.find(" " + s) != std::string::npos || text.find("[" + s) != std::string::npos;
}

}  // namespace

TEST_CASE("man page: clean under mandoc -Tlint and naming the binary's version") {
    if (!have_mandoc()) return;
    std::string version = run_uringdump({"-V"}).out;
    version = version.substr(version.find(' ') + 1);
    version.pop_back();
    REQUIRE(pages().size() >= 8);
    for (auto &p : pages()) {
        CAPTURE(p);
        auto lint = run({"mandoc", "-Tlint", p});
        CHECK(lint.code == 0);
        CHECK(lint.out.empty());
        CHECK(render(p).find("uringdump " + version) != std::string::npos);
    }
}

TEST_CASE("man page: the overview has every command, global option and exit code") {
    if (!have_mandoc()) return;
    auto g = parse_json(run_uringdump({"__grammar"}).out);
    std::string page = render("man/uringdump.8");
    auto s = sections(page);
    for (auto &o : g["options"].GetArray()) CHECK(names_option(s["OPTIONS"], o));
    for (auto &c : g["commands"].GetArray()) {
        std::string name = c["name"].GetString();
        CAPTURE(name);
        CHECK(s["COMMANDS"].find(name) != std::string::npos);
        CHECK(s["SEE ALSO"].find("uringdump-" + name + "(8)") != std::string::npos);
    }
    for (int code = 0; code <= 7; code++)
        CHECK(page.find("\n       " + std::to_string(code) + "  ") != std::string::npos);
    CHECK(page.find("URINGDUMP_NO_BPF") != std::string::npos);
    CHECK(s["SEE ALSO"].find("uringdump-image(5)") != std::string::npos);
    CHECK(render("man/uringdump-show.8").find("\"processes\"") != std::string::npos);
}

TEST_CASE("man page: one per command, its SYNOPSIS and OPTIONS as the tables have them") {
    if (!have_mandoc()) return;
    auto g = parse_json(run_uringdump({"__grammar"}).out);
    std::set<std::string> expected{"man/uringdump.8", "man/uringdump-image.5"};
    for (auto &c : g["commands"].GetArray()) {
        std::string name = c["name"].GetString();
        CAPTURE(name);
        std::string file = "man/uringdump-" + name + ".8";
        expected.insert(file);
        auto s = sections(render(file));
        const std::string &synopsis = s["SYNOPSIS"];
        CHECK(synopsis.find("uringdump " + name + " help") != std::string::npos);
        for (auto &o : c["options"].GetArray()) {
            CAPTURE(o["name"].GetString());
            CHECK(names_option(synopsis, o));
            CHECK(s["OPTIONS"].find(std::string("--") + o["name"].GetString()) != std::string::npos);
        }
        for (auto &sub : c["commands"].GetArray()) {
            std::string words = name + " " + sub["name"].GetString();
            CAPTURE(words);
            CHECK(synopsis.find(words) != std::string::npos);
            CHECK(s["DESCRIPTION"].find(sub["name"].GetString()) != std::string::npos);
            for (auto &o : sub["options"].GetArray()) {
                CHECK(names_option(synopsis, o));
                CHECK(s["OPTIONS"].find(std::string("--") + o["name"].GetString()) != std::string::npos);
            }
        }
    }
    auto present = pages();
    CHECK(std::set<std::string>(present.begin(), present.end()) == expected);
}

// The families come from what export writes for a process with a ring and an
// epoll set, per process and aggregated, not from a list kept here.
TEST_CASE("man page: export's page describes every metric family it serves") {
    if (!have_mandoc() || !need_bpf()) return;
    Fixture ring({"ring"});
    Fixture ep({"epoll"});
    std::string dir = export_temp_dir();
    std::set<std::string> families;
    for (bool aggregate : {false, true}) {
        std::vector<std::string> argv{"export", "--textfile", dir + "/u.prom", "--once"};
        if (aggregate) argv.insert(argv.end(), {"--aggregate", "comm"});
        auto r = run_uringdump(argv);
        REQUIRE_MESSAGE(r.code == 0, r.err);
        for (auto &sample : parse_exposition(slurp(dir + "/u.prom"))) families.insert(sample.name);
    }
    CHECK(families.count("uringdump_ring_cqes_posted_total"));  // per-ring families were served
    CHECK(families.count("uringdump_processes"));                // and the aggregated one
    auto s = sections(render("man/uringdump-export.8"));
    for (auto &name : families) {
        CAPTURE(name);
        CHECK(s["METRICS"].find(name) != std::string::npos);
    }
    run({"rm", "-rf", dir});
}
