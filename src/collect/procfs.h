// /proc: which processes exist, their names and fds, and the procfs-only
// reader that stands in when BPF cannot be used. What that reader cannot
// know (page frames, rings without an fd, which fds hold an epoll target or
// fixed file: it can only match inode numbers and paths) is listed in the
// snapshot's `partial` notes.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/fdinfo.h"
#include "model/snapshot.h"

namespace ud::collect {

enum class PidStatus { exists, no_such_process, no_permission };

// Whether /proc/PID exists and its fds can be read by us.
PidStatus check_pid(int pid);

// Every process (thread group) in /proc, ascending.
std::vector<int> list_pids();

std::optional<std::string> read_comm(int pid);

// readlink /proc/PID/fd/FD.
std::optional<std::string> fd_link(int pid, int fd);

// Collects with /proc/PID/fd and /proc/PID/fdinfo only (empty pids: all).
// The snapshot is not joined or filtered yet.
model::Snapshot collect_procfs(const std::vector<int> &pids);

// What the snapshot-wide notes of the fallback say, gathered over its rings.
struct FallbackNotes {
    bool dentry_names = false;       // fixed files known by dentry name only (before 6.14)
    bool sq_thread_unknown = false;  // a SqThread -1 that proves nothing
    bool lock_unknown = false;       // ... as the text cannot show whether fdinfo had uring_lock
};

// The ring the fallback shows for one ring fd's fdinfo (fd, file and the
// join left to the caller): what the text says, in the format of this
// kernel, and marked where the text cannot say: state_known false with a
// note in snap.partial when the tables were not printed, sq_thread_known
// false for a -1 that proves nothing, fixed files by dentry name before
// 6.14, personalities only where this kernel lists them. `sockets` maps a
// socket's path ("socket:[INO]") to its file, the one kind of file a path
// identifies; `where` starts the notes ("pid 12 io_uring fd 3").
model::Ring ring_from_fdinfo(const FdinfoRing &fr, const FdinfoFormat &format,
                             const std::unordered_map<std::string, model::FileId> &sockets, const std::string &where,
                             model::Snapshot &snap, FallbackNotes &notes);

// The notes of `notes` for the whole snapshot, into snap.partial.
void add_fallback_notes(const FallbackNotes &notes, const FdinfoFormat &format, model::Snapshot &snap);

// Kernel dev_t encoding (major << 20 | minor), as fdinfo prints sdev, from a
// user-space st_dev.
std::uint32_t kernel_dev(unsigned long long st_dev);

}  // namespace ud::collect
