// The kernel's own account of a process, read here independently of the
// tool's readers: /proc/PID/fdinfo text, /proc/PID/pagemap frames,
// /proc/PID/fd links and inodes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ud::test {

std::string fdinfo_text(int pid, int fd);

// The value of a "Key:\tvalue" line of fdinfo, if present.
std::optional<std::string> fdinfo_value(const std::string &text, const std::string &key);

// The entry lines after "Section:..." (UserFiles, UserBufs, PollList, ...).
std::vector<std::string> fdinfo_section(const std::string &text, const std::string &section);

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
