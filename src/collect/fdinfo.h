// Parsers for the text the kernel prints in /proc/PID/fdinfo/N for an
// io_uring fd (io_uring/fdinfo.c) and an epoll fd (fs/eventpoll.c
// ep_show_fdinfo). Used by the procfs fallback and, as the kernel's own
// account, by the tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ud::collect {

struct FdinfoRing {
    // Empty when fdinfo printed no io_uring lines: from 6.15/6.17 the whole
    // block is skipped while another task holds the ring's uring_lock.
    bool present = false;
    std::uint32_t sq_mask = 0, sq_head = 0, sq_tail = 0, cached_sq_head = 0;
    std::uint32_t cq_mask = 0, cq_head = 0, cq_tail = 0, cached_cq_tail = 0;
    int sq_thread = -1, sq_thread_cpu = -1;
    std::optional<std::uint32_t> user_files;  // table size
    std::optional<std::uint32_t> user_bufs;
    struct File {
        std::uint32_t slot;
        std::string name;  // full path (6.14+) or dentry name (older); "<none>" slots skipped
    };
    struct Buf {
        std::uint32_t slot;
        std::uint64_t addr;
        std::uint64_t len;
    };
    std::vector<File> files;
    std::vector<Buf> bufs;
    std::vector<std::string> overflow;  // CqOverflowList entries
};

struct FdinfoEpollItem {
    int tfd = -1;
    std::uint32_t events = 0;
    std::uint64_t data = 0;
    std::uint64_t pos = 0;
    std::uint64_t ino = 0;
    std::uint32_t sdev = 0;  // kernel encoding
};

struct FdinfoCommon {
    std::uint64_t pos = 0;
    std::uint32_t flags = 0;
    int mnt_id = -1;
    std::uint64_t ino = 0;
};

FdinfoCommon parse_fdinfo_common(std::string_view text);
FdinfoRing parse_fdinfo_ring(std::string_view text);
std::vector<FdinfoEpollItem> parse_fdinfo_epoll(std::string_view text);

// Reads /proc/PID/fdinfo/FD whole; empty optional if it cannot be read.
std::optional<std::string> read_fdinfo(int pid, int fd);

}  // namespace ud::collect
