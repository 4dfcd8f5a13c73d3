// /proc: which processes exist, their names and fds, and the procfs-only
// reader that stands in when BPF cannot be used. What that reader cannot
// know (page frames, rings without an fd, which fds hold an epoll target or
// fixed file: it can only match inode numbers and paths) is listed in the
// snapshot's `partial` notes.
#pragma once

#include <optional>
#include <string>
#include <vector>

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

// Kernel dev_t encoding (major << 20 | minor), as fdinfo prints sdev, from a
// user-space st_dev.
std::uint32_t kernel_dev(unsigned long long st_dev);

}  // namespace ud::collect
