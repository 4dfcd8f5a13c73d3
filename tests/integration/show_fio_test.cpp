// A real workload: fio with the io_uring engine, registered files and fixed
// buffers, busy while show reads it.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "integration/ring_checks.h"
#include "support/env.h"
#include "support/json.h"
#include "support/procfs_truth.h"

using namespace ud::test;

namespace {

// fio, running one job as a thread of its own process; killed, and its
// file removed, on scope exit.
class Fio {
public:
    explicit Fio(const std::string &file) : file_(file) {
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execlp("fio", "fio", "--name=ud", "--thread", "--ioengine=io_uring", "--fixedbufs=1",
                     "--registerfiles=1", ("--filename=" + file).c_str(), "--size=8M", "--bs=4k", "--iodepth=8",
                     "--rw=randread", "--time_based", "--runtime=30", "--output=/dev/null", nullptr);
            _exit(127);
        }
    }
    ~Fio() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        ::unlink(file_.c_str());
    }
    int pid() const { return pid_; }

private:
    std::string file_;
    int pid_ = -1;
};

bool has_ring(int pid) {
    for (int fd : open_fds(pid))
        if (fd_link(pid, fd) == "anon_inode:[io_uring]") return true;
    return false;
}

}  // namespace

TEST_CASE("show -j: fio's ring (registered file, 8 fixed buffers) while it runs") {
    if (!need_bpf()) return;
    if (::system("command -v fio >/dev/null 2>&1") != 0) {
        if (in_ci()) FAIL("fio is not installed (make deps installs it)");
        skip("fio is not installed");
        return;
    }
    std::string file = "/tmp/ud_fio_" + std::to_string(::getpid());
    Fio fio(file);
    for (int i = 0; i < 400 && !has_ring(fio.pid()); i++) {
        timespec ts{0, 25 * 1000 * 1000};
        ::nanosleep(&ts, nullptr);
    }
    REQUIRE(has_ring(fio.pid()));
    auto shown = show_json(fio.pid());
    const auto *p = shown.proc;
    REQUIRE((*p)["io_uring"].Size() == 1);
    const auto &ring = (*p)["io_uring"][0];
    // --registerfiles: the job's file, in slot 0, held by an fd too.
    REQUIRE(ring["files"].Size() == 1);
    const auto &f = ring["files"][0];
    CHECK(std::string(f["path"].GetString()) == file);
    REQUIRE(f["fds"].Size() == 1);
    CHECK(fd_link(fio.pid(), f["fds"][0].GetInt()) == file);
    CHECK(f["ino"].GetUint64() == fd_ino(fio.pid(), f["fds"][0].GetInt()));
    // --fixedbufs with iodepth 8 and bs 4k: eight 4 KiB buffers.
    REQUIRE(ring["buffers"].Size() == 8);
    for (auto &b : ring["buffers"].GetArray()) CHECK(b["len"].GetUint64() == 4096);
    check_frames_against_pagemap(fio.pid(), ring);
}
