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
#include "records.h"

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

void read_process(int pid, model::Snapshot &snap, const FdinfoFormat &format, FallbackNotes &notes) {
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
        std::string where = "pid " + std::to_string(pid) + " io_uring fd " + std::to_string(fd);
        model::Ring r = ring_from_fdinfo(parse_fdinfo_ring(*text, format), format, by_path, where, snap, notes);
        r.fd = fd;
        for (auto &t : p.task_fds)
            if (t.fd == fd) r.file = t.file;
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

model::Ring ring_from_fdinfo(const FdinfoRing &fr, const FdinfoFormat &format,
                             const std::unordered_map<std::string, model::FileId> &sockets, const std::string &where,
                             model::Snapshot &snap, FallbackNotes &notes) {
    model::Ring r;
    // Tables unknown: fdinfo printed nothing, or the counters without
    // the tables, or (6.14.0 .. 6.14.7) no file line for a table that
    // may be empty or may not have been printed.
    bool tables_unknown = !fr.present || fr.locked_part == std::optional<bool>(false) ||
                          (!fr.locked_part && fr.user_files.value_or(0) > 0);
    r.state_known = !tables_unknown;
    if (!fr.present) {
        snap.partial.push_back(where + ": fdinfo printed nothing for this ring (its uring_lock is held)");
    } else if (fr.locked_part == std::optional<bool>(false)) {
        snap.partial.push_back(where +
                               ": fdinfo printed the ring's counters but not its fixed files, buffers, SQPOLL "
                               "thread or personalities (its uring_lock is held; before 6.15 fdinfo prints "
                               "those only when it gets the lock)");
    } else if (tables_unknown) {
        snap.partial.push_back(where + ": fdinfo listed none of the " + std::to_string(*fr.user_files) +
                               " fixed-file slots: all empty, or not printed because its uring_lock is held "
                               "(this kernel does not say which)");
    } else {
        auto &s = r.state;
        s.sq_entries = fr.sq_mask + 1;
        s.cq_entries = fr.cq_mask + 1;
        s.sq_head = fr.sq_head;
        s.sq_tail = fr.sq_tail;
        s.cq_head = fr.cq_head;
        s.cq_tail = fr.cq_tail;
        s.cached_sq_head = fr.cached_sq_head;
        s.cached_cq_tail = fr.cached_cq_tail;
        s.nr_files = fr.user_files.value_or(0);
        s.nr_bufs = fr.user_bufs.value_or(0);
        s.overflow_pending = !fr.overflow.empty();
        s.napi = fr.napi.value_or(false);
        if (fr.poll_entries) s.waiting |= UD_BUSY_POLL;
        // SqThread -1 means "no SQPOLL thread" only where fdinfo got
        // uring_lock and, before 6.7, sq_data->lock as well.
        bool locked_part = fr.locked_part.value_or(false);
        if (fr.sq_thread >= 0) {
            s.sq_thread_pid = fr.sq_thread;
            s.sq_thread_cpu = fr.sq_thread_cpu;
        } else if (!locked_part || format.sq_thread_needs_sq_lock) {
            s.sq_thread_known = false;
            notes.sq_thread_unknown = true;
            if (!locked_part) notes.lock_unknown = true;
        }
        // Listed when any exist, under the lock, up to 6.15.
        if (format.personalities && locked_part) s.personalities = fr.personalities.value_or(0);
        for (auto &f : fr.files) {
            model::FixedFile ff;
            ff.slot = f.slot;
            ff.name = f.name;
            // fdinfo names the file, not its inode: unknown (which 0
            // would not say) unless the name is a socket's.
            ff.fds_known = false;
            ff.inode_known = false;
            if (!fr.file_names_are_paths) {
                ff.name_is_dentry = true;
                notes.dentry_names = true;
            } else if (auto it = sockets.find(f.name); it != sockets.end()) {
                // A socket's path names its inode, which names one file;
                // for the rest the fds stay unknown.
                ff.file = it->second;
                ff.fds_known = true;
                ff.inode_known = true;
                ff.ino = snap.files[it->second].ino;
                ff.dev = snap.files[it->second].dev;
                ff.mode = snap.files[it->second].mode;
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
    }
    return r;
}

void add_fallback_notes(const FallbackNotes &notes, const FdinfoFormat &format, model::Snapshot &snap) {
    if (notes.dentry_names)
        snap.partial.push_back(
            "fixed files: before 6.14 fdinfo prints a file's dentry name only (no directory, no inode; empty for a "
            "pipe, the protocol for a socket; a name longer than the dentry's inline buffer comes out as whatever "
            "that buffer held): shown as a name, path unknown");
    if (notes.sq_thread_unknown)
        snap.partial.push_back(
            notes.lock_unknown && !format.sq_thread_needs_sq_lock
                ? "SQPOLL thread unknown where fdinfo printed SqThread -1 without showing whether it had the ring's "
                  "uring_lock (a ring without fixed files or buffers)"
                : "SQPOLL thread unknown where fdinfo printed SqThread -1: before 6.7 it reads the thread only when "
                  "it also gets sq_data->lock, which the thread holds while awake");
}

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
    const FdinfoFormat format = running_fdinfo_format();
    FallbackNotes notes;
    for (int pid : pids.empty() ? list_pids() : pids) read_process(pid, snap, format, notes);
    add_fallback_notes(notes, format, snap);
    return snap;
}

}  // namespace ud::collect
