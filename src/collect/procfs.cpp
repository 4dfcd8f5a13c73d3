#include "collect/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "collect/fdinfo.h"

namespace ud::collect {
namespace {

std::string proc_path(int pid, const char *leaf) { return "/proc/" + std::to_string(pid) + "/" + leaf; }

// In the fallback a file is known by (device, inode) only; the identity is
// made from those, so that two opens of one inode count as one file. The
// partial note says so.
model::FileId synthetic_id(std::uint32_t kdev, std::uint64_t ino) {
    return (static_cast<std::uint64_t>(kdev) << 40) ^ ino ^ 0x8000000000000000ULL;
}

// An identity of its own for an fd whose file cannot be told apart from
// others by inode: it joins to nothing but itself.
model::FileId per_fd_id(int pid, int fd) {
    return 0x4000000000000000ULL | (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 24) |
           static_cast<std::uint32_t>(fd);
}

std::vector<int> list_fds(int pid) {
    std::vector<int> fds;
    DIR *d = ::opendir(proc_path(pid, "fd").c_str());
    if (!d) return fds;
    while (dirent *e = ::readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        fds.push_back(std::atoi(e->d_name));
    }
    ::closedir(d);
    std::sort(fds.begin(), fds.end());
    return fds;
}

void read_process(int pid, model::Snapshot &snap) {
    model::Process p;
    p.pid = pid;
    p.comm = read_comm(pid).value_or("");
    std::unordered_map<std::string, model::FileId> by_path;  // sockets only
    std::set<model::FileId> socket_ids;
    std::vector<std::pair<int, std::string>> rings, epolls;
    for (int fd : list_fds(pid)) {
        auto link = fd_link(pid, fd);
        if (!link) continue;
        struct stat st;
        std::string fdpath = proc_path(pid, "fd") + "/" + std::to_string(fd);
        if (::stat(fdpath.c_str(), &st) != 0) continue;
        std::uint32_t kdev = kernel_dev(st.st_dev);
        model::FileId id = synthetic_id(kdev, st.st_ino);
        // Only a socket's inode names one file; other fds sharing an inode
        // (pipe ends, two opens, anonymous inodes) may be different files.
        bool socket = link->rfind("socket:[", 0) == 0;
        if (!socket) id = per_fd_id(pid, fd);
        p.task_fds.push_back({fd, id, 0});
        if (socket) {
            by_path.emplace(*link, id);
            socket_ids.insert(id);
        }
        model::FileInfo &info = snap.files[id];
        info.id = id;
        info.ino = st.st_ino;
        info.dev = kdev;
        info.mode = st.st_mode;
        info.path = *link;
        if (*link == "anon_inode:[io_uring]") rings.emplace_back(fd, *link);
        if (*link == "anon_inode:[eventpoll]") epolls.emplace_back(fd, *link);
    }
    for (auto &[fd, link] : rings) {
        auto text = read_fdinfo(pid, fd);
        if (!text) continue;
        FdinfoRing fr = parse_fdinfo_ring(*text);
        model::Ring r;
        r.fd = fd;
        r.file = p.task_fds[static_cast<std::size_t>(
                                std::find_if(p.task_fds.begin(), p.task_fds.end(),
                                             [&](const model::TaskFd &t) { return t.fd == fd; }) -
                                p.task_fds.begin())]
                     .file;
        r.state_known = fr.present;
        if (fr.present) {
            auto &s = r.state;
            s.sq_entries = fr.sq_mask + 1;
            s.cq_entries = fr.cq_mask + 1;
            s.sq_head = fr.sq_head;
            s.sq_tail = fr.sq_tail;
            s.cq_head = fr.cq_head;
            s.cq_tail = fr.cq_tail;
            s.cached_sq_head = fr.cached_sq_head;
            s.cached_cq_tail = fr.cached_cq_tail;
            s.sq_thread_pid = fr.sq_thread;
            s.sq_thread_cpu = fr.sq_thread_cpu;
            s.nr_files = fr.user_files.value_or(0);
            s.nr_bufs = fr.user_bufs.value_or(0);
            s.overflow_pending = !fr.overflow.empty();
            for (auto &f : fr.files) {
                model::FixedFile ff;
                ff.slot = f.slot;
                ff.name = f.name;
                // fdinfo names the file; only a socket's name says which
                // file it is. For the rest the fds stay unknown.
                if (auto it = by_path.find(f.name); it != by_path.end()) {
                    ff.file = it->second;
                    ff.ino = snap.files[it->second].ino;
                    ff.dev = snap.files[it->second].dev;
                    ff.mode = snap.files[it->second].mode;
                } else {
                    // Nor its inode: unknown, which 0 would not say.
                    ff.fds_known = false;
                    ff.inode_known = false;
                }
                r.files.push_back(std::move(ff));
            }
            for (auto &b : fr.bufs) {
                model::Buffer buf;
                buf.slot = b.slot;
                buf.addr = b.addr;
                buf.len = b.len;
                r.buffers.push_back(buf);
            }
        } else {
            snap.partial.push_back("pid " + std::to_string(pid) + " fd " + std::to_string(fd) +
                                   ": fdinfo printed nothing for this ring (its uring_lock is held)");
        }
        p.rings.push_back(std::move(r));
    }
    for (auto &[fd, link] : epolls) {
        auto text = read_fdinfo(pid, fd);
        if (!text) continue;
        model::Epoll e;
        e.fd = fd;
        for (auto &t : p.task_fds)
            if (t.fd == fd) e.file = t.file;
        for (auto &it : parse_fdinfo_epoll(*text)) {
            model::EpollItem item;
            item.tfd = it.tfd;
            item.events = it.events;
            item.data = it.data;
            item.ino = it.ino;
            item.sdev = it.sdev;
            // Sockets are matched by inode; for any other target the
            // inode does not tell which file (see above).
            item.file = synthetic_id(it.sdev, it.ino);
            if (!socket_ids.count(item.file)) {
                item.file = 0;
                item.fds_known = false;
            }
            e.items.push_back(item);
        }
        p.epolls.push_back(std::move(e));
    }
    snap.processes.push_back(std::move(p));
}

}  // namespace

std::uint32_t kernel_dev(unsigned long long st_dev) {
    return (static_cast<std::uint32_t>(major(st_dev)) << 20) | static_cast<std::uint32_t>(minor(st_dev));
}

PidStatus check_pid(int pid) {
    if (pid <= 0) return PidStatus::no_such_process;
    struct stat st;
    if (::stat(("/proc/" + std::to_string(pid)).c_str(), &st) != 0) return PidStatus::no_such_process;
    DIR *d = ::opendir(proc_path(pid, "fd").c_str());
    if (!d) return errno == ENOENT ? PidStatus::no_such_process : PidStatus::no_permission;
    ::closedir(d);
    return PidStatus::exists;
}

std::vector<int> list_pids() {
    std::vector<int> pids;
    DIR *d = ::opendir("/proc");
    if (!d) return pids;
    while (dirent *e = ::readdir(d)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        pids.push_back(std::atoi(e->d_name));
    }
    ::closedir(d);
    std::sort(pids.begin(), pids.end());
    return pids;
}

std::optional<std::string> read_comm(int pid) {
    int f = ::open(proc_path(pid, "comm").c_str(), O_RDONLY | O_CLOEXEC);
    if (f < 0) return std::nullopt;
    char buf[64];
    ssize_t n = ::read(f, buf, sizeof(buf));
    ::close(f);
    if (n <= 0) return std::nullopt;
    std::string s(buf, static_cast<std::size_t>(n));
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

std::optional<std::string> fd_link(int pid, int fd) {
    std::string path = proc_path(pid, "fd") + "/" + std::to_string(fd);
    char buf[4096];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
}

model::Snapshot collect_procfs(const std::vector<int> &pids) {
    model::Snapshot snap;
    snap.source = model::Source::procfs;
    snap.pfn = {false, "page frames need the BPF reader"};
    for (int pid : pids.empty() ? list_pids() : pids) read_process(pid, snap);
    return snap;
}

}  // namespace ud::collect
