// show on epoll sets: sockets, pipes, eventfd, a nested epoll, an item whose
// tfd was closed after a dup, and one whose tfd number now names another file.
#include <doctest/doctest.h>
#include <sys/epoll.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/procfs_truth.h"

using namespace ud::test;

namespace {

// Items are keyed by what identifies them to the kernel: (tfd, data).
using Key = std::pair<int, std::uint64_t>;

std::map<Key, const rapidjson::Value *> items_of(const rapidjson::Value &ep) {
    std::map<Key, const rapidjson::Value *> m;
    for (auto &it : ep["items"].GetArray()) m[{it["tfd"].GetInt(), it["data"].GetUint64()}] = &it;
    return m;
}

}  // namespace

TEST_CASE("show -j: epoll items match the fixture and fdinfo, joined to the fds that hold them") {
    if (!need_bpf()) return;
    Fixture fx({"epoll"});
    auto shown = show_json(fx.pid());
    const auto *p = shown.proc;
    CHECK((*p)["io_uring"].Size() == 0);
    const auto &truth = fx.truth()["epolls"];
    REQUIRE((*p)["epoll"].Size() == truth.Size());

    std::map<int, const rapidjson::Value *> by_fd;
    for (auto &e : (*p)["epoll"].GetArray()) by_fd[e["fd"].GetInt()] = &e;
    for (auto &te : truth.GetArray()) {
        int epfd = te["fd"].GetInt();
        INFO("epoll fd " << epfd);
        REQUIRE(by_fd.count(epfd));
        auto ours = items_of(*by_fd[epfd]);
        CHECK(ours.size() == te["items"].Size());
        for (auto &ti : te["items"].GetArray()) {
            Key k{ti["tfd"].GetInt(), ti["data"].GetUint64()};
            INFO("item tfd " << k.first << " data " << k.second);
            REQUIRE(ours.count(k));
            const auto &it = *ours[k];
            // epoll_ctl adds EPOLLERR and EPOLLHUP to every mask it stores.
            CHECK(it["events"].GetUint() == (ti["events"].GetUint() | EPOLLERR | EPOLLHUP));
            CHECK(int_list(it["fds"]) == int_list(ti["fds"]));
            CHECK(std::string(it["path"].GetString()) == ti["path"].GetString());
            bool tfd_holds = false;
            for (auto &fd : ti["fds"].GetArray()) tfd_holds |= fd.GetInt() == k.first;
            CHECK(it["tfd_current"].GetBool() == tfd_holds);
        }
        // The kernel's own list: same tfd, events, data and inode per item.
        auto lines = fdinfo_epoll(fdinfo_text(fx.pid(), epfd));
        CHECK(lines.size() == ours.size());
        for (auto &l : lines) {
            Key k{l.tfd, l.data};
            INFO("fdinfo item tfd " << l.tfd);
            REQUIRE(ours.count(k));
            CHECK((*ours[k])["events"].GetUint() == l.events);
            CHECK((*ours[k])["ino"].GetUint64() == l.ino);
        }
    }
}

TEST_CASE("show: epoll table decodes event masks and marks stale tfds") {
    if (!need_bpf()) return;
    Fixture fx({"epoll"});
    auto r = run_uringdump({"show", fx.pid_str()});
    REQUIRE(r.code == 0);
    CHECK(r.out.find("IN|OUT|ERR|HUP|ET") != std::string::npos);
    CHECK(r.out.find("IN|ERR|HUP|ONESHOT") != std::string::npos);
    for (auto &line : lines(r.out)) CHECK(line.size() <= 100);
    CHECK(r.out.find("anon_inode:[eventpoll]") != std::string::npos);
}

TEST_CASE("show: a stale tfd is marked closed or reused as /proc/PID/fd has the number") {
    if (!need_bpf()) return;
    Fixture fx({"epoll"});
    int closed = fx.truth()["closed_tfd"].GetInt(), reused = fx.truth()["reused_tfd"].GetInt();
    // The kernel's side: one number names nothing, the other another file
    // than the item's.
    auto fds = open_fds(fx.pid());
    REQUIRE(std::find(fds.begin(), fds.end(), closed) == fds.end());
    REQUIRE(std::find(fds.begin(), fds.end(), reused) != fds.end());
    std::string reused_path;
    for (auto &it : fx.truth()["epolls"][0]["items"].GetArray())
        if (it["tfd"].GetInt() == reused) reused_path = it["path"].GetString();
    REQUIRE(!reused_path.empty());
    REQUIRE(fd_link(fx.pid(), reused) != reused_path);

    auto r = run_uringdump({"show", fx.pid_str()});
    REQUIRE(r.code == 0);
    // Item rows start with their tfd; the mark ends the row.
    auto row_of = [&](int tfd) {
        for (auto &line : lines(r.out)) {
            std::istringstream in(line);
            int first = -1;
            if ((in >> first) && first == tfd && line.find("0x") != std::string::npos) return line;
        }
        return std::string();
    };
    std::string closed_row = row_of(closed), reused_row = row_of(reused);
    INFO(r.out);
    CHECK(closed_row.size() > std::string("  (tfd closed)").size());
    CHECK(closed_row.ends_with("  (tfd closed)"));
    CHECK(reused_row.ends_with("  (tfd reused)"));
    // Every other item's tfd holds its file: no mark.
    int marked = 0;
    for (auto &line : lines(r.out)) marked += line.find("(tfd ") != std::string::npos;
    CHECK(marked == 2);
}
