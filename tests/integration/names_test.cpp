// Hostile file names and comm (the "names" fixture: invalid UTF-8, newlines,
// tabs, ESC sequences, C1 and bidirectional controls, quotes, backslashes,
// deleted files, a hostile comm) through every way uringdump prints names:
// show -j must stay valid UTF-8 JSON from which the exact bytes come back;
// tables, image show, image check, top -b, the pinned iterators and the
// messages that quote a path must hold nothing a terminal acts on, one row
// per item, each name reading back to the bytes the fixture made.
#include <doctest/doctest.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "render/name_text.h"
#include "support/env.h"
#include "support/fixture.h"
#include "support/image_file.h"
#include "support/names.h"
#include "support/run.h"

using namespace ud::test;

namespace {

// The line's whitespace-separated fields after skipping `count` of them,
// then `gap` spaces: the rest of the line (a name may hold spaces).
std::optional<std::string> rest_after(const std::string &line, int count, std::size_t gap,
                                      std::vector<std::string> *fields = nullptr) {
    std::size_t i = 0;
    for (int k = 0; k < count; k++) {
        i = line.find_first_not_of(' ', i);
        if (i == std::string::npos) return std::nullopt;
        std::size_t end = line.find(' ', i);
        if (end == std::string::npos) return std::nullopt;
        if (fields) fields->push_back(line.substr(i, end - i));
        i = end;
    }
    if (line.compare(i, gap, std::string(gap, ' ')) != 0) return std::nullopt;
    return line.substr(i + gap);
}

std::string deleted_suffix(const NameTruth &n) { return n.deleted ? " (deleted)" : ""; }

// show's tables of the fixture inside text (show, image show, top -b):
// the header's comm, one row per fixed file and per epoll item, each path
// read back to the fixture's bytes.
void check_tables(const std::string &text, const NamesTruth &t) {
    CHECK(terminal_hazard(text) == "");
    auto l = lines(text);
    std::string head = "pid " + std::to_string(t.pid) + "  ";
    std::size_t at = 0;
    while (at < l.size() && l[at].rfind(head, 0) != 0) at++;
    REQUIRE(at < l.size());
    auto rings = l[at].rfind("  rings ");
    REQUIRE(rings != std::string::npos);
    CHECK(unescape_name(l[at].substr(head.size(), rings - head.size())) == t.comm);

    std::map<unsigned, std::string> files, items;  // slot / data -> path
    enum { none, file_rows, item_rows } in = none;
    for (at++; at < l.size() && l[at].rfind("pid ", 0) != 0; at++) {
        const std::string &line = l[at];
        if (line.find("SLOT  FDS") != std::string::npos) {
            in = file_rows;
            continue;
        }
        if (line.find("TFD  FDS") != std::string::npos) {
            in = item_rows;
            continue;
        }
        if (line.rfind("     ", 0) != 0) {  // rows are indented further than titles of sections
            in = none;
            continue;
        }
        std::vector<std::string> f;
        if (in == file_rows) {
            auto path = rest_after(line, 4, 2, &f);
            REQUIRE_MESSAGE(path, line);
            auto bytes = unescape_name(*path);
            REQUIRE_MESSAGE(bytes, line);
            unsigned slot = static_cast<unsigned>(std::stoul(f[0]));
            CHECK_MESSAGE(!files.count(slot), line);
            files[slot] = *bytes;
        } else if (in == item_rows) {
            auto path = rest_after(line, 5, 1, &f);
            REQUIRE_MESSAGE(path, line);
            auto bytes = unescape_name(*path);
            REQUIRE_MESSAGE(bytes, line);
            unsigned data = static_cast<unsigned>(std::stoul(f[3], nullptr, 16));
            CHECK_MESSAGE(!items.count(data), line);
            items[data] = *bytes;
        }
    }
    CHECK(files.size() == t.names.size());
    CHECK(items.size() == t.names.size());
    for (auto &n : t.names) {
        INFO("slot " << n.slot << " path " << hex_of(n.path));
        CHECK(files[n.slot] == n.path);
        CHECK(items[n.slot] == n.path);
    }
}

// show -j (or image show -j) of the fixture: strictly valid, and every name
// exact. With paths false (the /proc fallback: no paths for epoll targets,
// fixed files named as fdinfo prints them) only comm is compared, and every
// path present must still decode.
void check_json(const std::string &text, const NamesTruth &t, bool paths = true) {
    auto doc = parse_json_strict(text);
    REQUIRE(doc.IsObject());
    const rapidjson::Value *proc = nullptr;
    for (auto &p : doc["processes"].GetArray())
        if (p["pid"].GetInt() == t.pid) proc = &p;
    REQUIRE(proc);
    CHECK(json_name(*proc, "comm") == t.comm);
    CHECK(proc->HasMember("comm_b64"));  // the fixture's comm holds \xff
    std::map<std::uint64_t, std::string> items, files;  // by data, by slot
    for (auto &e : (*proc)["epoll"].GetArray())
        for (auto &it : e["items"].GetArray())
            if (it["path"].IsString()) items[it["data"].GetUint64()] = json_name(it, "path").value_or("?");
    REQUIRE((*proc)["io_uring"].Size() == 1);
    for (auto &f : (*proc)["io_uring"][0]["files"].GetArray())
        if (f["path"].IsString()) files[f["slot"].GetUint()] = json_name(f, "path").value_or("?");
    if (!paths) return;
    for (auto &n : t.names) {
        INFO("slot " << n.slot << " path " << hex_of(n.path));
        CHECK(items[n.slot] == n.path);
        CHECK(files[n.slot] == n.path);
    }
}

// The same document through Python's json module, which refuses anything
// but UTF-8, and the README's recipe for the exact bytes (of comm only
// without paths, as in check_json).
void check_with_python(const std::string &text, const NamesTruth &t, bool paths = true) {
    if (run({"python3", "-c", "pass"}).code != 0) {
        MESSAGE("python3 is not installed: RapidJSON's validating parser checked the document alone");
        return;
    }
    TempDir dir;
    write_file(dir.file("doc.json"), text);
    const char *script =
        "import base64, json, sys\n"
        "doc = json.loads(open(sys.argv[1], 'rb').read())\n"
        "def name(o, k):\n"
        "    return base64.b64decode(o[k + '_b64']) if k + '_b64' in o else o[k].encode()\n"
        "for p in doc['processes']:\n"
        "    if p['pid'] == int(sys.argv[2]):\n"
        "        print(name(p, 'comm').hex())\n"
        "        for e in p['epoll'] if sys.argv[3] == 'paths' else []:\n"
        "            for it in sorted(e['items'], key=lambda it: it['data']):\n"
        "                print(name(it, 'path').hex())\n";
    auto r = run({"python3", "-c", script, dir.file("doc.json"), std::to_string(t.pid), paths ? "paths" : "comm"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    std::string want = hex_of(t.comm) + "\n";
    if (paths)
        for (auto &n : t.names) want += hex_of(n.path) + "\n";  // names are in data order
    CHECK(r.out == want);
}

}  // namespace

TEST_CASE("names: show -j is valid UTF-8 JSON and gives back every path and the comm exactly") {
    if (!need_bpf()) return;
    Fixture fx({"names"});
    NamesTruth t = names_truth(fx.truth());
    REQUIRE(t.names.size() == 14);
    auto r = run_uringdump({"show", "-j", fx.pid_str()});
    REQUIRE(r.code == 0);
    check_json(r.out, t);
    check_with_python(r.out, t);
    auto pretty = run_uringdump({"show", "-p", fx.pid_str()});
    REQUIRE(pretty.code == 0);
    check_json(pretty.out, t);
}

TEST_CASE("names: the /proc fallback's JSON and tables are valid and safe too, comm exact") {
    Fixture fx({"names"});
    NamesTruth t = names_truth(fx.truth());
    auto r = run_uringdump({"--procfs", "show", "-j", fx.pid_str()});
    REQUIRE(r.code == 0);
    check_json(r.out, t, false);
    check_with_python(r.out, t, false);
    auto table = run_uringdump({"--procfs", "show", fx.pid_str()});
    REQUIRE(table.code == 0);
    CHECK(terminal_hazard(table.out) == "");
    CHECK(terminal_hazard(table.err) == "");
}

TEST_CASE("names: show's tables hold no control byte, one row per item, every name read back") {
    if (!need_bpf()) return;
    Fixture fx({"names"});
    NamesTruth t = names_truth(fx.truth());
    auto r = run_uringdump({"show", fx.pid_str()});
    REQUIRE(r.code == 0);
    check_tables(r.out, t);
    CHECK(terminal_hazard(r.err) == "");
}

TEST_CASE("names: dump, image show and image check of the fixture print names as show does") {
    if (!need_bpf()) return;
    Fixture fx({"names"});
    NamesTruth t = names_truth(fx.truth());
    TempDir dir;
    std::string img = dir.file("names.img");
    auto d = run_uringdump({"dump", fx.pid_str(), "-o", img});
    REQUIRE_MESSAGE(d.code == 0, d.err);
    auto table = run_uringdump({"image", "show", img});
    REQUIRE(table.code == 0);
    check_tables(table.out, t);
    auto json = run_uringdump({"image", "show", "-j", img});
    REQUIRE(json.code == 0);
    check_json(json.out, t);
    check_with_python(json.out, t);

    auto check = run_uringdump({"image", "check", img});
    CHECK(check.code == 0);
    CHECK(terminal_hazard(check.out) == "");
    CHECK(check.out.find("pid " + fx.pid_str() + " (\\x1b[1m\\n\\xff\\t\\\\c)") != std::string::npos);
    auto check_json_out = run_uringdump({"image", "check", "-j", img});
    auto doc = parse_json_strict(check_json_out.out);
    REQUIRE(doc.IsObject());
    REQUIRE(doc["restore"].Size() == 1);
    CHECK(json_name(doc["restore"][0], "comm") == t.comm);
}

TEST_CASE("names: a path with a newline and ESC in dump -o, image show and their messages comes out escaped") {
    if (!need_bpf()) return;
    Fixture fx({"names"});
    TempDir dir;
    std::string img = dir.file("x\ny\x1b[2J\xff.img");
    std::string shown = dir.path() + "/x\\ny\\x1b[2J\\xff.img";
    auto d = run_uringdump({"dump", fx.pid_str(), "-o", img});
    REQUIRE_MESSAGE(d.code == 0, d.err);
    CHECK(terminal_hazard(d.out) == "");
    CHECK(lines(d.out).size() == 1);
    CHECK(d.out.rfind("wrote " + shown + ": 1 process", 0) == 0);

    auto again = run_uringdump({"dump", fx.pid_str(), "-o", img});
    CHECK(again.code == 1);
    CHECK(again.err == "uringdump: error: " + shown + " exists (dump --force replaces it)\n");

    auto j = run_uringdump({"dump", "--force", "-j", fx.pid_str(), "-o", img});
    REQUIRE(j.code == 0);
    auto doc = parse_json_strict(j.out);
    CHECK(json_name(doc, "path") == img);

    auto missing = run_uringdump({"image", "show", dir.file("gone\x1b]0;owned\x07")});
    CHECK(missing.code == 1);
    CHECK(terminal_hazard(missing.err) == "");
    CHECK(missing.err.find("gone\\x1b]0;owned\\x07") != std::string::npos);
    auto check = run_uringdump({"image", "check", img});
    CHECK(terminal_hazard(check.out) == "");
    CHECK(check.out.rfind(shown + ": valid image", 0) == 0);
}

TEST_CASE("names: top -b prints the list and the details without control bytes") {
    if (!need_bpf()) return;
    Fixture fx({"names"});
    NamesTruth t = names_truth(fx.truth());
    auto r = run_uringdump({"top", "-b", "-n", "1", fx.pid_str()});
    REQUIRE(r.code == 0);
    CHECK(terminal_hazard(r.out) == "");
    check_tables(r.out, t);
    // The list row: the comm escaped, then cut to its column.
    std::string row;
    for (auto &line : lines(r.out))
        if (line.find(fx.pid_str() + " \\x1b[1m\\n\\xff") != std::string::npos) row = line;
    CHECK_MESSAGE(!row.empty(), r.out);
}

TEST_CASE("names: the pinned iterators print every name escaped, one line each") {
    if (!need_bpf()) return;
    Fixture fx({"names"});
    NamesTruth t = names_truth(fx.truth());
    for (const char *kind : {"io_uring_file", "epoll"}) {
        CAPTURE(kind);
        std::string pin = "/sys/fs/bpf/ud-test-" + std::to_string(::getpid()) + "-names-" + kind;
        REQUIRE(run_uringdump({"iter", "pin", kind, pin, "pid", fx.pid_str()}).code == 0);
        std::string text = run({"cat", pin}).out;
        ::unlink(pin.c_str());
        CHECK(terminal_hazard(text) == "");
        bool files = std::string(kind) == "io_uring_file";
        std::map<unsigned, std::string> names, texts;  // slot or data -> name, and as printed
        auto l = lines(text);
        REQUIRE(!l.empty());
        for (std::size_t i = 1; i < l.size(); i++) {
            std::vector<std::string> f;
            auto name = rest_after(l[i], files ? 5 : 6, 1, &f);
            REQUIRE_MESSAGE(name, l[i]);
            auto bytes = unescape_name(*name);
            REQUIRE_MESSAGE(bytes, l[i]);
            CHECK(f[0] == fx.pid_str());
            unsigned key = static_cast<unsigned>(files ? std::stoul(f[2]) : std::stoul(f[4], nullptr, 16));
            CHECK_MESSAGE(!names.count(key), l[i]);
            names[key] = *bytes;
            texts[key] = *name;
        }
        CHECK(names.size() == t.names.size());
        for (auto &n : t.names) {
            INFO("slot " << n.slot << " name " << hex_of(n.leaf));
            CHECK(names[n.slot] == n.leaf + deleted_suffix(n));
            // The BPF side escapes exactly as the tool does.
            CHECK(texts[n.slot] == ud::render::name_text(n.leaf) + deleted_suffix(n));
        }
    }
}
