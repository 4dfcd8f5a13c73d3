// iter pin / list / unpin: text iterators in bpffs, read with cat after
// uringdump has exited, checked against the fixtures, fdinfo and pagemap.
#include <doctest/doctest.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
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

// The name at the end of a pinned iterator's line: the words from column
// `from` on, joined by one space (the kinds fixture's names have no other
// white space).
std::string name_from(const std::vector<std::string> &cols, std::size_t from) {
    std::string name;
    for (std::size_t k = from; k < cols.size(); k++) name += (k > from ? " " : "") + cols[k];
    return name;
}

std::string readlink_fd(int pid, int fd) {
    char buf[4096];
    std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
    ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf));
    REQUIRE(n > 0);
    return std::string(buf, static_cast<std::size_t>(n));
}

// The file PATH finds for name, or "". Not `command -v`: busybox's shell
// answers "busybox" for its own applets (the kernel matrix's guest).
std::string path_of(const std::string &name) {
    const char *path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string f = dir + "/" + name;
        if (!dir.empty() && ::access(f.c_str(), X_OK) == 0) return f;
    }
    return "";
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
        // The name: the whole path, as /proc/PID/fd shows it.
        CHECK(name_from(cols, 5) == t["path"].GetString());
    }
}

// One name for a file: what readlink of /proc/PID/fd/N says is what show -j
// and cat of both pinned iterators print, for each kind of name.
TEST_CASE("iter and show: every kind of file is named as /proc/PID/fd names it") {
    if (!need_bpf()) return;
    Fixture fx({"kinds"});
    const auto &truth = fx.truth();
    auto shown = show_json(fx.pid());
    const auto &ring = (*shown.proc)["io_uring"][0];
    const auto &ep = (*shown.proc)["epoll"][0];
    Pin files("kinds-files"), items("kinds-epoll");
    REQUIRE(run_uringdump({"iter", "pin", "io_uring_file", files.path(), "pid", fx.pid_str()}).code == 0);
    REQUIRE(run_uringdump({"iter", "pin", "epoll", items.path(), "pid", fx.pid_str()}).code == 0);
    std::map<unsigned, std::string> by_slot, by_data;
    for (auto &cols : rows(cat(files.path())))
        if (cols.size() >= 6 && cols[0] == fx.pid_str()) by_slot[std::stoul(cols[2])] = name_from(cols, 5);
    for (auto &cols : rows(cat(items.path())))
        if (cols.size() >= 7 && cols[0] == fx.pid_str()) by_data[std::stoul(cols[4], nullptr, 16)] = name_from(cols, 6);
    REQUIRE(truth["files"].Size() == 6);
    for (auto &f : truth["files"].GetArray()) {
        unsigned slot = f["slot"].GetUint();
        std::string want = readlink_fd(fx.pid(), f["fd"].GetInt());
        INFO(f["kind"].GetString() << ": " << want);
        std::string show_file, show_item;
        for (auto &x : ring["files"].GetArray())
            if (x["slot"].GetUint() == slot) show_file = x["path"].GetString();
        for (auto &x : ep["items"].GetArray())
            if (x["data"].GetUint64() == slot) show_item = x["path"].GetString();
        CHECK(show_file == want);
        CHECK(by_slot[slot] == want);
        if (!f["epoll"].GetBool()) continue;
        CHECK(show_item == want);
        CHECK(by_data[slot] == want);
    }
}

// A pin names files for the task that reads it, as /proc/PID/fd does for
// its reader: relative to the reader's root, whole when outside it. cat
// (static busybox) reads the pin through an fd opened before chroot into
// the fixture's directory (the kept files inside it) and into an empty one
// (outside); readlink in the same root, with /proc bound there, is the truth.
// (A table of show from inside a chroot would need the tool's libraries
// there; show's paths are checked against readlink in the test above.)
TEST_CASE("iter: names follow the reader's root, as readlink in that root shows them") {
    if (!need_bpf()) return;
    std::string busybox = path_of("busybox");
    if (busybox.empty() || run({"sh", "-c", "ldd " + busybox + " >/dev/null 2>&1"}).code == 0) {
        if (in_ci()) FAIL("no static busybox (make deps installs busybox-static)");
        skip("no static busybox (busybox-static)");
        return;
    }
    Fixture fx({"kinds"});
    Pin pin("kinds-root");
    REQUIRE(run_uringdump({"iter", "pin", "io_uring_file", pin.path(), "pid", fx.pid_str()}).code == 0);
    const auto &files = fx.truth()["files"];
    std::string kept = readlink_fd(fx.pid(), files[0]["fd"].GetInt());
    std::string inside = kept.substr(0, kept.rfind('/'));
    char tmpl[] = "/tmp/ud-root-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    for (std::string root : {inside, std::string(tmpl)}) {
        CAPTURE(root);
        auto copied = run({"cp", busybox, root + "/busybox"});
        REQUIRE_MESSAGE(copied.code == 0, copied.err);
        REQUIRE(::mkdir((root + "/proc").c_str(), 0755) == 0);
        // Slots 0 and 1: the kept and the unlinked file; 4: a socket.
        // In this mount namespace (a new one has its own copies of the
        // mounts: every path would be outside its root), for the run only.
        std::string script =
            "mount --bind /proc \"$1/proc\" || exit 1; trap 'umount -l \"$1/proc\"' EXIT; "
            "for fd in $3; do chroot \"$1\" /busybox readlink /proc/$2/fd/$fd || exit 1; done; "
            "chroot \"$1\" /busybox cat < \"$4\"";
        std::string fds;
        for (int slot : {0, 1, 4}) fds += std::to_string(files[slot]["fd"].GetInt()) + " ";
        auto r = run({"sh", "-c", script, "sh", root, fx.pid_str(), fds, pin.path()});
        run({"rm", "-f", root + "/busybox"});
        ::rmdir((root + "/proc").c_str());
        REQUIRE_MESSAGE(r.code == 0, r.err);
        auto l = lines(r.out);
        REQUIRE(l.size() > 3);
        std::map<unsigned, std::string> by_slot;
        for (std::size_t i = 3; i < l.size(); i++) {
            std::istringstream in(l[i]);
            std::vector<std::string> cols;
            for (std::string c; in >> c;) cols.push_back(c);
            if (cols.size() >= 6 && cols[0] == fx.pid_str()) by_slot[std::stoul(cols[2])] = name_from(cols, 5);
        }
        CHECK(by_slot[0] == l[0]);
        CHECK(by_slot[1] == l[1]);
        CHECK(by_slot[4] == l[2]);
        if (root == inside)
            CHECK(l[0] == "/kept");
        else
            CHECK(l[0] == kept);
    }
    ::rmdir(tmpl);
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
    Pin pin("dd");
    // One process only: a system-wide text changes whenever any other process
    // (a daemon, a test running beside this one) touches its epoll sets.
    REQUIRE(run_uringdump({"iter", "pin", "epoll", pin.path(), "pid", fx.pid_str()}).code == 0);
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
