// The pre-formatted JSON lines parse as the objects they stand for, with
// strings escaped, in both the BPF and the fallback forms.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "model/join.h"
#include "render/json_lines.h"

using namespace ud::model;
using ud::render::JsonLines;

TEST_CASE("json lines: items, files and segments are valid JSON with the right values") {
    Snapshot snap;
    snap.pfn.ok = true;
    FileInfo f;
    f.id = 0xa;
    f.ino = 77;
    f.path = "/tmp/odd \"name\"\\\n";
    snap.files[0xa] = f;
    Process p;
    p.task_fds = {{4, 0xa, 0}, {6, 0xa, 0}};
    Epoll e;
    e.items = {{4, 0x8000001d, 0xffffffffffffffffULL, 0xa, 0, 0, {}, true},
               {5, 1, 2, 0xbad, 9, 0, {}, false}};
    Ring r;
    r.files = {{3, 0xa, 0, 0, 0100644, {}, {}, true}};
    p.epolls.push_back(e);
    p.rings.push_back(r);
    join_fds(p);
    JsonLines lines(snap);

    rapidjson::Document d;
    std::string item(lines.epoll_item(p, p.epolls[0].items[0]));
    REQUIRE_FALSE(d.Parse(item.c_str()).HasParseError());
    CHECK(d["tfd"].GetInt() == 4);
    CHECK(d["fds"].Size() == 2);
    CHECK(d["tfd_current"].GetBool());
    CHECK(d["events"].GetUint() == 0x8000001d);
    CHECK(d["data"].GetUint64() == 0xffffffffffffffffULL);
    CHECK(std::string(d["path"].GetString()) == f.path);
    CHECK(d["ino"].GetUint64() == 77);

    std::string unknown(lines.epoll_item(p, p.epolls[0].items[1]));
    REQUIRE_FALSE(d.Parse(unknown.c_str()).HasParseError());
    CHECK(d["fds"].IsNull());
    CHECK(d["path"].IsNull());
    CHECK(d["ino"].GetUint64() == 9);

    std::string file(lines.fixed_file(p, p.rings[0].files[0]));
    REQUIRE_FALSE(d.Parse(file.c_str()).HasParseError());
    CHECK(d["slot"].GetUint() == 3);
    CHECK_FALSE(d["descriptorless"].GetBool());
    CHECK(std::string(d["type"].GetString()) == "reg");

    std::string seg(lines.segment({0x145b00, 0, 12, 4084}));
    REQUIRE_FALSE(d.Parse(seg.c_str()).HasParseError());
    CHECK(d["pfn"].GetUint64() == 0x145b00);
    CHECK(d["offset"].GetUint() == 12);
    snap.pfn.ok = false;
    std::string noframe(lines.segment({0x145b00, 0, 12, 4084}));
    REQUIRE_FALSE(d.Parse(noframe.c_str()).HasParseError());
    CHECK(d["pfn"].IsNull());
}

TEST_CASE("json lines: the fallback's slots of unknown files each keep what fdinfo printed for them") {
    // They share file id 0. A 6.1 table: slot 3 a dentry name, slot 10 a
    // pipe's empty one (which once came out as slot 3's name); a 6.18 table:
    // full paths; an epoll item of unknown file after them: no path.
    Snapshot snap;
    Process p;
    Ring r;
    // As the fallback makes them: fds and inode unknown.
    FixedFile named{3, 0, 0, 0, 0, "ud_fixture_SSs6WH", {}, false, true, false};
    FixedFile empty{10, 0, 0, 0, 0, "", {}, false, true, false};
    FixedFile path{3, 0, 0, 0, 0, "/tmp/ud_fixture_SSs6WH (deleted)", {}, false, false, false};
    FixedFile pipe{10, 0, 0, 0, 0, "pipe:[17223]", {}, false, false, false};
    r.files = {named, empty, path, pipe};
    p.rings.push_back(r);
    Epoll e;
    e.items = {{5, 1, 2, 0, 0, 0, {}, false}};
    p.epolls.push_back(e);
    join_fds(p);
    JsonLines lines(snap);
    rapidjson::Document d;
    auto parse = [&](std::string_view s) {
        std::string text(s);
        REQUIRE_FALSE(d.Parse(text.c_str()).HasParseError());
    };

    parse(lines.fixed_file(p, p.rings[0].files[0]));
    CHECK(d["path"].IsNull());
    CHECK(std::string(d["name"].GetString()) == "ud_fixture_SSs6WH");
    CHECK(d["fds"].IsNull());
    CHECK(d["ino"].IsNull());
    REQUIRE(d.HasMember("type"));
    CHECK(d["type"].IsNull());
    parse(lines.fixed_file(p, p.rings[0].files[1]));
    CHECK(d["path"].IsNull());
    CHECK(std::string(d["name"].GetString()).empty());
    parse(lines.fixed_file(p, p.rings[0].files[2]));
    CHECK(std::string(d["path"].GetString()) == "/tmp/ud_fixture_SSs6WH (deleted)");
    CHECK_FALSE(d.HasMember("name"));
    parse(lines.fixed_file(p, p.rings[0].files[3]));
    CHECK(std::string(d["path"].GetString()) == "pipe:[17223]");
    parse(lines.epoll_item(p, p.epolls[0].items[0]));
    CHECK(d["path"].IsNull());
}
