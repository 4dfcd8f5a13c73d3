// show without BPF: /proc/PID/fdinfo only, marked partial, same shape; what
// it can say follows what the running kernel's fdinfo prints.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <vector>

#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/kernel.h"
#include "support/procfs_truth.h"

using namespace ud::test;

namespace {

// The two ways to force the fallback.
const std::vector<std::pair<std::vector<std::string>, std::map<std::string, std::string>>> kForced = {
    {{"--procfs"}, {}},
    {{}, {{"URINGDUMP_NO_BPF", "1"}}},
};

}  // namespace

TEST_CASE("show --procfs / URINGDUMP_NO_BPF: rings from fdinfo, marked partial") {
    Fixture fx({"ring"});
    const auto &truth = fx.truth()["rings"][0];
    for (auto &[flags, env] : kForced) {
        std::vector<std::string> args = flags;
        args.insert(args.end(), {"show", "-j", fx.pid_str()});
        auto r = run_uringdump(args, env);
        INFO("forced by " << (flags.empty() ? "URINGDUMP_NO_BPF=1" : flags[0]));
        REQUIRE(r.code == 0);
        CHECK(r.err.find("partial output") != std::string::npos);
        auto doc = parse_json(r.out);
        CHECK(std::string(doc["source"].GetString()) == "procfs");
        REQUIRE(has(doc, "partial"));
        CHECK(doc["partial"].Size() >= 1);
        const auto *p = find_process(doc, fx.pid());
        REQUIRE(p);
        REQUIRE((*p)["io_uring"].Size() == 1);
        const auto &ring = (*p)["io_uring"][0];
        CHECK(ring["fd"].GetInt() == truth["fd"].GetInt());
        CHECK(ring["sq_entries"].GetUint() == truth["sq_entries"].GetUint());
        CHECK(ring["file_slots"].GetUint() == 64);
        // Buffers: address and length, no frames.
        REQUIRE(ring["buffers"].Size() == truth["buffers"].Size());
        for (rapidjson::SizeType i = 0; i < truth["buffers"].Size(); i++) {
            CHECK(ring["buffers"][i]["addr"].GetUint64() == truth["buffers"][i]["addr"].GetUint64());
            CHECK(ring["buffers"][i]["len"].GetUint64() == truth["buffers"][i]["len"].GetUint64());
            CHECK(ring["buffers"][i]["segments"].Empty());
        }
        // What fdinfo can say besides: SqThread -1 means no SQPOLL thread
        // only from 6.7 (before, an awake thread gives -1 too); personalities
        // are listed up to 6.15 (none here), not from 6.16.
        CHECK(ring["sq_thread"].IsNull());
        CHECK(has(ring, "sq_thread_unknown") == fdinfo_sq_thread_needs_sq_lock());
        if (fdinfo_personalities())
            CHECK(ring["personalities"].GetUint() == 0);
        else
            CHECK(ring["personalities"].IsNull());
        // Files: the slots fdinfo prints, and what it says of each: from
        // 6.14 the path (fds only for sockets, whose path names their
        // inode); before, the dentry's name only: no path, no inode, no fds.
        std::map<unsigned, const rapidjson::Value *> files;
        for (auto &f : ring["files"].GetArray()) files[f["slot"].GetUint()] = &f;
        CHECK(files.size() == truth["files"].Size());
        for (auto &t : truth["files"].GetArray()) {
            unsigned slot = t["slot"].GetUint();
            INFO("slot " << slot);
            REQUIRE(files.count(slot));
            const auto &f = *files[slot];
            std::string path = t["path"].GetString();
            if (fdinfo_file_paths()) {
                CHECK(std::string(f["path"].GetString()) == path);
                CHECK_FALSE(has(f, "name"));
                if (path.rfind("socket:", 0) == 0) {
                    CHECK(int_list(f["fds"]) == int_list(t["fds"]));
                    CHECK(f["ino"].GetUint64() == fd_ino(fx.pid(), t["fds"][0].GetInt()));
                    CHECK(std::string(f["type"].GetString()) == "sock");
                } else {
                    // fdinfo names the file, not its inode: unknown, not 0/anon.
                    CHECK(f["fds"].IsNull());
                    CHECK(f["ino"].IsNull());
                    REQUIRE(has(f, "type"));
                    CHECK(f["type"].IsNull());
                }
            } else {
                CHECK(f["path"].IsNull());
                REQUIRE(f["name"].IsString());
                auto name = dentry_name_of(fx.pid(), path);
                if (name)
                    CHECK(std::string(f["name"].GetString()) == *name);
                else
                    MESSAGE("the dentry name of " << path << " cannot be told here; not compared");
                CHECK(f["fds"].IsNull());
                CHECK(f["ino"].IsNull());
                REQUIRE(has(f, "type"));
                CHECK(f["type"].IsNull());
            }
        }
        if (!fdinfo_file_paths()) {
            bool said = false;
            for (auto &why : doc["partial"].GetArray())
                if (std::string(why.GetString()).find("dentry name only") != std::string::npos) said = true;
            CHECK(said);
        }
    }
}

TEST_CASE("show --procfs: the table prints a fixed file of unknown inode as '?', not anon and 0") {
    Fixture fx({"ring"});
    auto r = run_uringdump({"--procfs", "show", fx.pid_str()});
    REQUIRE(r.code == 0);
    const auto &truth = fx.truth()["rings"][0]["files"];
    // The rows of the fixed-file table, "SLOT FDS TYPE INO PATH".
    std::vector<std::string> rows;
    bool in_files = false;
    for (auto &line : lines(r.out)) {
        if (line.find("fixed files:") != std::string::npos) in_files = true;
        if (line.find("registered buffers:") != std::string::npos) in_files = false;
        if (in_files) rows.push_back(line);
    }
    int unknown = 0;
    for (auto &t : truth.GetArray()) {
        std::string path = t["path"].GetString();
        for (auto &line : rows) {
            std::istringstream in(line);
            std::vector<std::string> cols;
            for (std::string c; in >> c;) cols.push_back(c);
            if (cols.size() < 5 || cols[0] != std::to_string(t["slot"].GetUint())) continue;
            INFO(line);
            // Only a socket's full path (fdinfo from 6.14) names its inode.
            if (path.rfind("socket:", 0) == 0 && fdinfo_file_paths()) {
                CHECK(cols[2] == "sock");
                CHECK(cols[3] == std::to_string(fd_ino(fx.pid(), t["fds"][0].GetInt())));
            } else {
                CHECK(cols[1] == "?");
                CHECK(cols[2] == "?");
                CHECK(cols[3] == "?");
                unknown++;
            }
        }
    }
    // The kept file, the closed pipe, the direct descriptor; before 6.14
    // the socket too.
    CHECK(unknown == (fdinfo_file_paths() ? 3 : 4));
}

TEST_CASE("show --procfs: epoll items from fdinfo; fds only where the inode identifies the file") {
    Fixture fx({"epoll"});
    auto shown = show_json(fx.pid(), {"--procfs"});
    const auto *p = shown.proc;
    const auto &truth = fx.truth()["epolls"][0];
    const rapidjson::Value *ep = nullptr;
    for (auto &e : (*p)["epoll"].GetArray())
        if (e["fd"].GetInt() == truth["fd"].GetInt()) ep = &e;
    REQUIRE(ep);
    REQUIRE((*ep)["items"].Size() == truth["items"].Size());
    for (auto &t : truth["items"].GetArray()) {
        const rapidjson::Value *it = nullptr;
        for (auto &i : (*ep)["items"].GetArray())
            if (i["tfd"].GetInt() == t["tfd"].GetInt() && i["data"].GetUint64() == t["data"].GetUint64()) it = &i;
        INFO("tfd " << t["tfd"].GetInt());
        REQUIRE(it);
        CHECK((*it)["events"].GetUint() == (t["events"].GetUint() | 0x18));  // EPOLLERR | EPOLLHUP
        std::string path = t["path"].GetString();
        if (path.rfind("socket:", 0) == 0)
            CHECK(int_list((*it)["fds"]) == int_list(t["fds"]));
        else
            CHECK((*it)["fds"].IsNull());  // pipe ends, eventfds and epolls share inodes
    }
}

TEST_CASE("show --procfs: a ring whose uring_lock is held is listed with its state unknown, never empty tables") {
    Fixture fx({"locked"});
    auto shown = show_json(fx.pid(), {"--procfs"});
    const auto *p = shown.proc;
    REQUIRE((*p)["io_uring"].Size() == 1);
    const auto &ring = (*p)["io_uring"][0];
    CHECK(ring["state_unknown"].GetBool());
    CHECK(ring["files"].Empty());
    CHECK(ring["buffers"].Empty());
    // 6.15 / 6.14.8 on, fdinfo prints nothing for it; before, its counters and
    // "UserFiles:\t64" without one slot line (the tables need the lock).
    std::string why = fdinfo_all_or_nothing() ? "fdinfo printed nothing for this ring (its uring_lock is held)"
                                              : "fdinfo printed the ring's counters but not its fixed files";
    CHECK(shown.err.find(why) != std::string::npos);
    CHECK(shown.err.find("uring_lock is held") != std::string::npos);
    auto table = run_uringdump({"--procfs", "show", fx.pid_str()});
    CHECK(table.out.find("fixed files: unknown") != std::string::npos);
}
