// The kernel's own account of a process, read here independently of the
// tool's readers: /proc/PID/fdinfo text, /proc/PID/pagemap frames,
// /proc/PID/fd links and inodes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ud::test {

std::string fdinfo_text(int pid, int fd);

// The value of a "Key:\tvalue" line of fdinfo, if present.
std::optional<std::string> fdinfo_value(const std::string &text, const std::string &key);

// The entry lines after "Section:..." (UserFiles, UserBufs, PollList, ...):
// slot lines ("%5u: ...") and two-space ones ("  op=...", "  user_data=..."),
// up to the next section (a personality's "%5d" line ends UserBufs too).
std::vector<std::string> fdinfo_section(const std::string &text, const std::string &section);

// The used slots of fdinfo's fixed-file table, slot -> what it printed:
// the full path, unescaped (6.14 on), or the dentry name as printed
// (before), "<none>" lines left out.
std::map<unsigned, std::string> fdinfo_files(const std::string &text);
// The used slots of the buffer table, slot -> "0x%llx/%u", the empty-slot
// forms of each kernel left out ("0xffffffffffffffff/1" on 6.1, ".../
// 4294967295" on 6.12, "<none>" from 6.13).
std::map<unsigned, std::string> fdinfo_bufs(const std::string &text);

// What a kernel before 6.14 prints for a fixed file whose /proc/PID/fd link
// is `fd_path`: its dentry's inline name (d_iname). A path's last component
// without " (deleted)"; "" for a pipe (alloc_file_pseudo(.., "")); the
// protocol for a socket ("UNIX-STREAM" for a unix stream socket, from
// /proc/PID/net/unix); the name after "anon_inode:". Empty when it cannot
// be told: a name of 32 bytes or more is not inline (DNAME_INLINE_LEN is 32
// on 6.1, 40 on 6.12, x86-64) and fdinfo prints stale bytes; other sockets.
std::optional<std::string> dentry_name_of(int pid, const std::string &fd_path);

// Whether this read of a ring's fdinfo was made while another task held the
// ring's uring_lock: nothing io_uring at all on fdinfo_all_or_nothing()
// kernels; before, SqHead but no slot line under a non-empty UserFiles or
// UserBufs header.
bool fdinfo_read_locked(const std::string &text);

struct EpollLine {
    int tfd;
    std::uint32_t events;
    std::uint64_t data;
    std::uint64_t ino;
};
std::vector<EpollLine> fdinfo_epoll(const std::string &text);

// Frame backing the page at addr in pid, from /proc/PID/pagemap; nullopt if
// not present.
std::optional<std::uint64_t> pagemap_pfn(int pid, std::uint64_t addr);

// Bytes of pid's memory at addr, read through /proc/PID/mem; shorter than
// len where the memory is not mapped.
std::string proc_mem(int pid, std::uint64_t addr, std::size_t len);

std::string fd_link(int pid, int fd);
std::uint64_t fd_ino(int pid, int fd);
std::vector<int> open_fds(int pid);

}  // namespace ud::test
