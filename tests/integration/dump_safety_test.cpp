// How dump writes: never over an existing image without --force, never
// through a symlink, mode 0600 whatever the umask, and killed at any point
// it leaves no partial image. dump stops itself where a test asks
// (URINGDUMP_TEST_STOP, src/image/stop_point.h), and is killed there.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/env.h"
#include "support/fixture.h"
#include "support/image_file.h"
#include "support/run.h"

using namespace ud::test;

namespace {

// Runs uringdump with args until it stops itself at `point`, then kills it.
// False if it never stopped there.
bool kill_at(const std::string &point, const std::vector<std::string> &args) {
    std::vector<std::string> argv{uringdump_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid_t pid = spawn(argv, {{"URINGDUMP_TEST_STOP", point}}, devnull, devnull);
    ::close(devnull);
    int status = 0;
    ::waitpid(pid, &status, WUNTRACED);
    bool stopped = WIFSTOPPED(status);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return stopped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

const char *const kPoints[] = {"created", "pages", "written", "synced"};

}  // namespace

TEST_CASE("dump: killed at any point, it leaves nothing in the directory") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    for (const char *point : kPoints) {
        CAPTURE(point);
        TempDir dir;
        REQUIRE(kill_at(point, {"dump", "--pages", fx.pid_str(), "-o", dir.file("x.img")}));
        CHECK(dir.entries().empty());
    }
}

TEST_CASE("dump --force: killed at any point, the image it replaces stays whole") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    TempDir dir;
    REQUIRE(run_uringdump({"dump", fx.pid_str(), "-o", dir.file("x.img")}).code == 0);
    std::string before = read_file(dir.file("x.img"));
    for (const char *point : kPoints) {
        CAPTURE(point);
        REQUIRE(kill_at(point, {"dump", "--force", "--pages", fx.pid_str(), "-o", dir.file("x.img")}));
        CHECK(dir.entries() == std::vector<std::string>{"x.img"});
        CHECK(read_file(dir.file("x.img")) == before);
    }
    // Between link and rename the new image has a temporary name: killed
    // exactly there, that name stays, holding a complete image.
    REQUIRE(kill_at("linked", {"dump", "--force", fx.pid_str(), "-o", dir.file("x.img")}));
    CHECK(read_file(dir.file("x.img")) == before);
    auto names = dir.entries();
    REQUIRE(names.size() == 2);
    CHECK(names[0].rfind(".uringdump-tmp-", 0) == 0);
    CHECK(names[0].size() == 31);  // the prefix and 16 hex digits
    CHECK(run_uringdump({"image", "check", dir.file(names[0])}).code == 0);
}

TEST_CASE("dump: an existing image is kept without --force and replaced with it") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    TempDir dir;
    write_file(dir.file("x.img"), "precious");
    auto r = run_uringdump({"dump", fx.pid_str(), "-o", dir.file("x.img")});
    CHECK(r.code == 1);
    CHECK(lines(r.err).size() == 1);
    CHECK(read_file(dir.file("x.img")) == "precious");
    CHECK(run_uringdump({"dump", "--force", fx.pid_str(), "-o", dir.file("x.img")}).code == 0);
    CHECK(run_uringdump({"image", "check", dir.file("x.img")}).code == 0);
    CHECK(dir.entries() == std::vector<std::string>{"x.img"});
}

TEST_CASE("dump: a symlink at the path is neither followed nor written through") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    TempDir dir;
    write_file(dir.file("target"), "precious");
    REQUIRE(::symlink(dir.file("target").c_str(), dir.file("x.img").c_str()) == 0);
    CHECK(run_uringdump({"dump", fx.pid_str(), "-o", dir.file("x.img")}).code == 1);
    CHECK(read_file(dir.file("target")) == "precious");
    // --force replaces the link itself.
    CHECK(run_uringdump({"dump", "--force", fx.pid_str(), "-o", dir.file("x.img")}).code == 0);
    CHECK(read_file(dir.file("target")) == "precious");
    struct stat st;
    REQUIRE(::lstat(dir.file("x.img").c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
}

TEST_CASE("dump: the image is mode 0600 whatever the umask") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    TempDir dir;
    mode_t old = ::umask(0);
    auto r = run_uringdump({"dump", fx.pid_str(), "-o", dir.file("x.img")});
    ::umask(old);
    REQUIRE(r.code == 0);
    struct stat st;
    REQUIRE(::stat(dir.file("x.img").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("dump --force: a name of 250 bytes is created and replaced (the temporary name always fits)") {
    if (!need_bpf()) return;
    Fixture fx({"ring"});
    TempDir dir;
    const std::string name(250, 'n');  // NAME_MAX is 255
    const std::string path = dir.file(name);
    // Without --force the image is linked from an anonymous file: no
    // temporary name at all.
    REQUIRE(run_uringdump({"dump", fx.pid_str(), "-o", path}).code == 0);
    // With --force over it, and with --force where nothing is yet.
    auto r = run_uringdump({"dump", "--force", fx.pid_str(), "-o", path});
    CHECK(r.err == "");
    CHECK(r.code == 0);
    REQUIRE(::unlink(path.c_str()) == 0);
    r = run_uringdump({"dump", "--force", fx.pid_str(), "-o", path});
    CHECK(r.err == "");
    CHECK(r.code == 0);
    CHECK(dir.entries() == std::vector<std::string>{name});
    CHECK(run_uringdump({"image", "check", path}).code == 0);
    // Killed between link and rename, the name left is the short one.
    REQUIRE(kill_at("linked", {"dump", "--force", fx.pid_str(), "-o", path}));
    auto names = dir.entries();
    REQUIRE(names.size() == 2);
    CHECK(names[0].rfind(".uringdump-tmp-", 0) == 0);
    CHECK(names[1] == name);
}
