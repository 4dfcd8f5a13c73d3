// iter pin / list / unpin: text iterators in bpffs, read with cat after
// uringdump has exited, checked against the fixtures, fdinfo and pagemap.
#include <doctest/doctest.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/env.h"
#include "support/fixture.h"
#include "support/json.h"
#include "support/procfs_truth.h"
#include "support/run.h"

using namespace ud::test;

namespace {

// A pin path of this test run, removed (if still there) on scope exit.
class Pin {
public:
    explicit Pin(const std::string &name) : path_("/sys/fs/bpf/ud-test-" + std::to_string(::getpid()) + "-" + name) {}
    ~Pin() { ::unlink(path_.c_str()); }
    const std::string &path() const { return path_; }

private:
    std::string path_;
};

std::vector<std::vector<std::string>> rows(const std::string &text) {
    std::vector<std::vector<std::string>> out;
    for (auto &line : lines(text)) {
        std::istringstream in(line);
        std::vector<std::string> cols;
        for (std::string c; in >> c;) cols.push_back(c);
        out.push_back(cols);
    }
    return out;
}

std::string cat(const std::string &path) { return run({"cat", path}).out; }

std::string basename_of(const std::string &path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

TEST_CASE("iter pin io_uring_file: cat prints every used slot of the fixture's ring") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    Pin pin("files");
    REQUIRE(run_uringdump({"iter", "pin", "io_uring_file", pin.path(), "pid", fx.pid_str()}).code == 0);
    auto r = rows(cat(pin.path()));
    REQUIRE(!r.empty());
    CHECK(r[0] == std::vector<std::string>{"PID", "RING_FD", "SLOT", "INO", "TYPE", "NAME"});
    std::map<unsigned, std::vector<std::string>> by_slot;
    for (std::size_t i = 1; i < r.size(); i++) {
        REQUIRE(r[i].size() >= 6);
        CHECK(r[i][0] == fx.pid_str());
        by_slot[std::stoul(r[i][2])] = r[i];
    }
    const auto &truth = fx.truth()["rings"][0];
    CHECK(by_slot.size() == truth["files"].Size());
    for (auto &t : truth["files"].GetArray()) {
        unsigned slot = t["slot"].GetUint();
        INFO("slot " << slot);
        REQUIRE(by_slot.count(slot));
        const auto &cols = by_slot[slot];
        CHECK(cols[1] == std::to_string(truth["fd"].GetInt()));
        if (!t["fds"].Empty()) CHECK(cols[3] == std::to_string(fd_ino(fx.pid(), t["fds"][0].GetInt())));
        // The name: the dentry's own, or the pseudo file's ("socket:[..]").
        std::string path = t["path"].GetString();
        std::string name = path.find(":[") != std::string::npos ? path : basename_of(path);
        std::string line_name = cols[5];
        for (std::size_t k = 6; k < cols.size(); k++) line_name += " " + cols[k];
        CHECK(line_name == name);
    }
}

TEST_CASE("iter pin io_uring_buf: every segment's frame is what pagemap says") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    Pin pin("bufs");
    REQUIRE(run_uringdump({"iter", "pin", "io_uring_buf", pin.path(), "pid", fx.pid_str()}).code == 0);
    auto r = rows(cat(pin.path()));
    REQUIRE(r.size() > 1);
    CHECK(r[0] == std::vector<std::string>{"PID", "RING_FD", "SLOT", "ADDR", "SEG", "PFN", "OFFSET", "LEN"});
    std::map<unsigned, std::uint64_t> pos, len;  // per slot: bytes seen, expected length
    for (auto &b : fx.truth()["rings"][0]["buffers"].GetArray()) len[b["slot"].GetUint()] = b["len"].GetUint64();
    long pages = 0;
    for (std::size_t i = 1; i < r.size(); i++) {
        REQUIRE(r[i].size() == 8);
        unsigned slot = static_cast<unsigned>(std::stoul(r[i][2]));
        std::uint64_t addr = std::stoull(r[i][3], nullptr, 16), pfn = std::stoull(r[i][5], nullptr, 16);
        std::uint64_t off = std::stoull(r[i][6]), seglen = std::stoull(r[i][7]);
        std::uint64_t first = addr + pos[slot] - off;
        INFO("slot " << slot << " segment " << r[i][4]);
        CHECK(first % 4096 == 0);
        for (std::uint64_t k = 0; k * 4096 < off + seglen; k++, pages++) {
            auto want = pagemap_pfn(fx.pid(), first + k * 4096);
            REQUIRE(want);
            CHECK(pfn + k == *want);
        }
        pos[slot] += seglen;
    }
    CHECK(pos == len);
    CHECK(pages > 0);
}

TEST_CASE("iter pin epoll for every process: the fixture's items, as fdinfo lists them") {
    if (!need_bpf()) return;
    Fixture fx({"epoll"});
    Pin pin("epoll");
    REQUIRE(run_uringdump({"iter", "pin", "epoll", pin.path()}).code == 0);
    std::string text = cat(pin.path());
    std::map<std::pair<int, std::uint64_t>, std::vector<std::string>> items;  // (tfd, data)
    for (auto &cols : rows(text))
        if (cols.size() >= 7 && cols[0] == fx.pid_str())
            items[{std::stoi(cols[2]), std::stoull(cols[4], nullptr, 16)}] = cols;
    int epfd = fx.truth()["epolls"][0]["fd"].GetInt();
    auto lines_ = fdinfo_epoll(fdinfo_text(fx.pid(), epfd));
    REQUIRE(!lines_.empty());
    for (auto &l : lines_) {
        INFO("tfd " << l.tfd);
        REQUIRE(items.count({l.tfd, l.data}));
        const auto &cols = items[{l.tfd, l.data}];
        CHECK(cols[1] == std::to_string(epfd));
        CHECK(std::stoul(cols[3], nullptr, 16) == l.events);
        CHECK(std::stoull(cols[5]) == l.ino);
    }
}

TEST_CASE("iter: reads of 1, 7 and 4096 bytes give the text of one large read") {
    if (!need_bpf()) return;
    Fixture fx({"epoll"});
    Fixture ring({"ring"});
    Pin pin("dd");
    REQUIRE(run_uringdump({"iter", "pin", "epoll", pin.path()}).code == 0);
    std::string whole = cat(pin.path());
    CHECK(whole.find(fx.pid_str() + " ") != std::string::npos);
    for (const char *bs : {"bs=1", "bs=7", "bs=4096"}) {
        INFO(bs);
        CHECK(run({"dd", "if=" + pin.path(), bs, "status=none"}).out == whole);
    }
}

TEST_CASE("iter: a table larger than one read says so in its last line") {
    if (!need_bpf()) return;
    Fixture fx({"scale-files", "20000"});
    Pin pin("big");
    REQUIRE(run_uringdump({"iter", "pin", "io_uring_file", pin.path(), "pid", fx.pid_str()}).code == 0);
    auto l = lines(cat(pin.path()));
    REQUIRE(l.size() > 2);
    CHECK(l.size() < 20001);
    CHECK(l.back().find("more entries not shown") != std::string::npos);
    CHECK(l.back().find("uringdump show " + fx.pid_str()) != std::string::npos);
}

TEST_CASE("iter list shows what was pinned; unpin removes only uringdump's pins") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    Pin a("list-a"), b("list-b"), other("not-ours");
    REQUIRE(run_uringdump({"iter", "pin", "io_uring_buf", a.path(), "pid", fx.pid_str()}).code == 0);
    REQUIRE(run_uringdump({"iter", "pin", "epoll", b.path()}).code == 0);
    auto doc = parse_json(run_uringdump({"iter", "list", "-j"}).out);
    REQUIRE(doc.IsArray());
    std::map<std::string, const rapidjson::Value *> listed;
    for (auto &e : doc.GetArray()) listed[e["path"].GetString()] = &e;
    REQUIRE(listed.count(a.path()));
    REQUIRE(listed.count(b.path()));
    CHECK(std::string((*listed[a.path()])["kind"].GetString()) == "io_uring_buf");
    CHECK((*listed[a.path()])["pid"].GetInt() == fx.pid());
    CHECK((*listed[b.path()])["pid"].IsNull());

    // A pin that is not uringdump's (a map made with bpftool) stays.
    REQUIRE(run({"bpftool", "map", "create", other.path(), "type", "array", "key", "4", "value", "4", "entries", "1",
                 "name", "udtest"})
                .code == 0);
    auto r = run_uringdump({"iter", "unpin", other.path()});
    CHECK(r.code == 1);
    CHECK(lines(r.err).size() == 1);
    struct stat st;
    CHECK(::stat(other.path().c_str(), &st) == 0);

    CHECK(run_uringdump({"iter", "unpin", a.path()}).code == 0);
    CHECK(::stat(a.path().c_str(), &st) != 0);
    auto again = parse_json(run_uringdump({"iter", "list", "-j"}).out);
    for (auto &e : again.GetArray()) CHECK(std::string(e["path"].GetString()) != a.path());
}

TEST_CASE("iter pin: bad kinds, paths outside bpffs and existing names are refused with one line") {
    if (!need_bpf()) return;
    Pin taken("taken");
    REQUIRE(run_uringdump({"iter", "pin", "epoll", taken.path()}).code == 0);
    struct Case {
        std::vector<std::string> args;
        int code;
    };
    const Case cases[] = {
        {{"iter", "pin", "bogus", "/sys/fs/bpf/x"}, 2},
        {{"iter", "pin", "epoll"}, 2},
        {{"iter", "frob"}, 2},
        {{"iter", "pin", "epoll", "/tmp/ud-not-bpffs"}, 1},
        {{"iter", "pin", "epoll", taken.path()}, 1},
        {{"iter", "pin", "epoll", "/sys/fs/bpf/x", "pid", "abc"}, 2},
    };
    for (auto &c : cases) {
        auto r = run_uringdump(c.args);
        INFO(c.args.back());
        CHECK(r.code == c.code);
        CHECK(lines(r.err).size() == 1);
        CHECK(r.out.empty());
    }
}

TEST_CASE("iter unpin: a pin this user may not open is a permission error, exit 4, and stays") {
    if (!need_bpf()) return;
    Pin pin("not-yours");
    REQUIRE(run_uringdump({"iter", "pin", "epoll", pin.path()}).code == 0);
    // As the unprivileged user nobody: the pin is root's, mode 0600.
    auto r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                  "--bounding-set=-all", uringdump_bin(), "iter", "unpin", pin.path()});
    CHECK(r.code == 4);
    CHECK(r.out.empty());
    auto l = lines(r.err);
    REQUIRE(l.size() == 1);
    CHECK(l[0].find("no permission") != std::string::npos);
    CHECK(l[0].find("Permission denied") != std::string::npos);
    CHECK(l[0].find("not an iterator") == std::string::npos);
    struct stat st;
    CHECK(::stat(pin.path().c_str(), &st) == 0);
    // A name that does not exist is said to be missing.
    Pin missing("missing");
    r = run_uringdump({"iter", "unpin", missing.path()});
    CHECK(r.code == 1);
    REQUIRE(lines(r.err).size() == 1);
    CHECK(r.err.find("No such file") != std::string::npos);
}
