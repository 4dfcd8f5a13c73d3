#include "baselines.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "collect/bpf_reader.h"
#include "floor.skel.h"
#include "walk_floor.skel.h"
#include "support/procfs_truth.h"

namespace ud::bench {
namespace {

std::string slurp(const std::string &path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace

std::size_t read_fdinfo(const std::vector<std::pair<int, int>> &fds) {
    std::size_t bytes = 0;
    static char buf[1 << 16];
    for (auto [pid, fd] : fds) {
        std::string path = "/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd);
        int f = ::open(path.c_str(), O_RDONLY);
        if (f < 0) continue;
        ssize_t n;
        while ((n = ::read(f, buf, sizeof(buf))) > 0) bytes += static_cast<std::size_t>(n);
        ::close(f);
    }
    return bytes;
}

std::uint64_t kcmp_match(int pid, int epfd, std::size_t limit, std::size_t *items) {
    // The items, from fdinfo (as CRIU reads them): tfd per line.
    std::istringstream in(slurp("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(epfd)));
    std::vector<int> tfds;
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("tfd:", 0) == 0) tfds.push_back(std::atoi(line.c_str() + 4));
    std::vector<int> fds = ud::test::open_fds(pid);
    std::uint64_t calls = 0;
    *items = 0;
    for (int tfd : tfds) {
        if (limit && *items >= limit) break;
        kcmp_epoll_slot slot{static_cast<__u32>(epfd), static_cast<__u32>(tfd), 0};
        auto same = [&](int fd) {
            calls++;
            return ::syscall(SYS_kcmp, pid, pid, KCMP_EPOLL_TFD, fd, reinterpret_cast<unsigned long>(&slot)) == 0;
        };
        bool found = same(tfd);
        for (std::size_t i = 0; !found && i < fds.size(); i++) found = same(fds[i]);
        (*items)++;
    }
    return calls;
}

std::size_t pagemap_frames(int pid, int ring_fd) {
    std::string text = slurp("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(ring_fd));
    auto at = text.find("UserBufs:");
    if (at == std::string::npos) return 0;
    std::istringstream in(text.substr(at));
    std::string line;
    std::getline(in, line);
    int pm = ::open(("/proc/" + std::to_string(pid) + "/pagemap").c_str(), O_RDONLY);
    std::size_t pages = 0;
    std::vector<std::uint64_t> entries;
    while (std::getline(in, line)) {
        // "%5u: 0x%llx/%u": slots from 10000 on are not indented.
        auto x = line.find(": 0x");
        auto slash = line.find('/');
        if (x == std::string::npos || slash == std::string::npos) break;
        x += 2;
        std::uint64_t addr = std::strtoull(line.c_str() + x, nullptr, 16);
        std::uint64_t len = std::strtoull(line.c_str() + slash + 1, nullptr, 10);
        std::uint64_t first = addr / 4096, last = (addr + len - 1) / 4096;
        entries.resize(last - first + 1);
        ssize_t n = ::pread(pm, entries.data(), entries.size() * 8, static_cast<off_t>(first * 8));
        if (n > 0) pages += static_cast<std::size_t>(n) / 8;
    }
    ::close(pm);
    return pages;
}

namespace {

bpf_link *attach_iter(bpf_program *prog, int pid) {
    union bpf_iter_link_info info;
    std::memset(&info, 0, sizeof(info));
    LIBBPF_OPTS(bpf_iter_attach_opts, opts);
    if (pid) {
        info.task.pid = static_cast<__u32>(pid);
        opts.link_info = &info;
        opts.link_info_len = sizeof(info);
    }
    return bpf_program__attach_iter(prog, &opts);
}

void read_to_end(bpf_link *link) {
    int fd = bpf_iter_create(bpf_link__fd(link));
    if (fd < 0) throw std::runtime_error("cannot create an iterator: " + std::string(std::strerror(errno)));
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0) {
    }
    int err = errno;
    ::close(fd);
    if (n < 0) throw std::runtime_error("iterator read failed: " + std::string(std::strerror(err)));
}

}  // namespace

Floor::Floor(int pid) {
    skel_ = floor_bpf__open_and_load();
    if (!skel_) throw std::runtime_error("cannot load the floor program");
    link_ = attach_iter(skel_->progs.floor_pass, pid);
    if (!link_) throw std::runtime_error("cannot attach the floor program");
}

Floor::~Floor() {
    bpf_link__destroy(link_);
    floor_bpf__destroy(skel_);
}

void Floor::pass() { read_to_end(link_); }

WalkFloor::WalkFloor(int pid) {
    // The file operations that mark ring and epoll files, as show's own
    // start-up learns them.
    ud::collect::BpfReader reader;
    skel_ = walk_floor_bpf__open_and_load();
    if (!skel_) throw std::runtime_error("cannot load the walk-floor programs");
    skel_->bss->ud_ring_fops = reader.facts().ring_fops;
    skel_->bss->ud_epoll_fops = reader.facts().epoll_fops;
    skel_->bss->ud_obj_limit = reader.facts().obj_limit;
    file_link_ = attach_iter(skel_->progs.ud_task_file, pid);
    task_link_ = attach_iter(skel_->progs.ud_task, pid);
    if (!file_link_ || !task_link_) {
        release();
        throw std::runtime_error("cannot attach the walk-floor programs");
    }
}

WalkFloor::~WalkFloor() { release(); }

void WalkFloor::release() {
    bpf_link__destroy(task_link_);
    bpf_link__destroy(file_link_);
    walk_floor_bpf__destroy(skel_);
}

void WalkFloor::pass() {
    // A new snapshot generation, so every ring and epoll set is walked
    // again (ud_first_sight).
    skel_->bss->ud_gen++;
    read_to_end(file_link_);
    read_to_end(task_link_);
}

}  // namespace ud::bench
