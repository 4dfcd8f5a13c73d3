// Parsers for the text the kernel prints in /proc/PID/fdinfo/N for an
// io_uring fd (io_uring/fdinfo.c) and an epoll fd (fs/eventpoll.c
// ep_show_fdinfo). Used by the procfs fallback and, as the kernel's own
// account, by the tests.
//
// The io_uring text differs between kernels in ways no structure shows (BTF
// cannot tell them apart), so the parser is told which format to expect:
// FdinfoFormat, from the kernel's version. What each version prints:
//
//   always         SqMask SqHead SqTail CachedSqHead CqMask CqHead CqTail
//                  CachedCqTail, SQEs: N + entries, CQEs: N + entries,
//                  SqThread SqThreadCpu, UserFiles: N, UserBufs: N,
//                  PollList: + "  op=%d, task_works=%d", CqOverflowList: +
//                  "  user_data=%llu, res=%d, flags=%x"
//   6.12, 6.18     also SqTotalTime SqWorkTime, and NAPI lines
//                  (CONFIG_NET_RX_BUSY_POLL); 6.1 has neither
//   before 6.15    the block is always printed; the parts behind uring_lock
//   and 6.14.8     (file and buffer slot lines, SqThread/SqThreadCpu, the
//                  Personalities section, the locked poll table) only when
//                  fdinfo's mutex_trylock() gets it, their headers regardless:
//                  a busy ring shows "UserFiles:\t64" and no slot line.
//   6.15, 6.14.8   the whole block only under uring_lock, nothing otherwise
//                  (d871198ee431 "io_uring/fdinfo: grab ctx->uring_lock
//                  around io_uring_show_fdinfo()")
//   .. 6.13        fixed files "%5u: %s" with the dentry's inline name
//                  (d_iname: no directory, unescaped, empty for a pipe, the
//                  protocol for a socket, stale bytes for a name longer than
//                  the inline buffer), "%5u: <none>" for an empty slot
//   6.14 ..        fixed files "%5u: " + seq_file_path(" \t\n\\" as octal):
//                  the full path as /proc/PID/fd shows it; empty slots not
//                  listed (561e3a0c40dc)
//   buffers        "%5u: 0x%llx/%u"; an empty slot is the dummy buffer,
//                  "0xffffffffffffffff/1" (6.1: ubuf -1, ubuf_end 0) or
//                  "0xffffffffffffffff/4294967295" (6.12: len UINT_MAX), and
//                  "%5u: <none>" from 6.13
//   .. 6.15        "Personalities:" then per personality "%5d" and tab-indented
//                  Uid/Gid/Groups/CapEff lines, when any exist and fdinfo has
//                  the lock; removed in 6.16
//   .. 6.6         SqThread/SqThreadCpu also need sq_data->lock, which the
//                  SQPOLL thread holds while awake: -1 then, SQPOLL or not
//                  (6.7 a0d45c3f596b reads the pid and cpu saved by the thread)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ud::collect {

struct FdinfoFormat {
    // Nothing at all unless fdinfo gets uring_lock (6.15, 6.14.8). Otherwise
    // the counters always and the locked parts only with the lock.
    bool all_or_nothing = true;
    // Fixed files as escaped full paths, empty slots unlisted (6.14). Otherwise
    // dentry names, raw, and "<none>" for every empty slot.
    bool file_paths = true;
    // A "Personalities:" section when any are registered (up to 6.15).
    bool personalities = false;
    // SqThread is -1 while the SQPOLL thread is awake (before 6.7).
    bool sq_thread_needs_sq_lock = false;
};

// The format of a kernel of this version (major.minor.patch of uname -r).
FdinfoFormat fdinfo_format(int major, int minor, int patch);
// The format of the running kernel.
FdinfoFormat running_fdinfo_format();

struct FdinfoRing {
    // False when fdinfo printed no io_uring lines (all_or_nothing kernels
    // while another task holds the ring's uring_lock).
    bool present = false;
    std::uint32_t sq_mask = 0, sq_head = 0, sq_tail = 0, cached_sq_head = 0;
    std::uint32_t cq_mask = 0, cq_head = 0, cq_tail = 0, cached_cq_tail = 0;
    int sq_thread = -1, sq_thread_cpu = -1;
    std::optional<std::uint32_t> user_files;  // table size
    std::optional<std::uint32_t> user_bufs;
    // Slot lines seen under UserFiles / UserBufs, empty slots included.
    std::uint32_t file_lines = 0, buf_lines = 0;
    // Whether the parts printed only under uring_lock were printed: empty
    // when the text cannot tell (no table to show it, on a kernel that
    // prints the counters regardless of the lock).
    std::optional<bool> locked_part;
    // How files[].name reads: a full path (unescaped here) or the dentry's
    // own name as printed. Decided by the format, or by the text where it
    // is unambiguous ("<none>" file lines, a '/' in a name).
    bool file_names_are_paths = true;
    struct File {
        std::uint32_t slot;
        std::string name;  // empty slots are not listed
    };
    struct Buf {
        std::uint32_t slot;
        std::uint64_t addr;
        std::uint64_t len;
    };
    std::vector<File> files;
    std::vector<Buf> bufs;  // empty slots (dummy buffer, "<none>") not listed
    // Entries under "Personalities:"; empty when there is no such section.
    std::optional<std::uint32_t> personalities;
    std::uint32_t poll_entries = 0;     // PollList lines
    std::vector<std::string> overflow;  // CqOverflowList entries
    std::optional<bool> napi;           // "NAPI:\tenabled" or not; empty: no NAPI line
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
FdinfoRing parse_fdinfo_ring(std::string_view text, const FdinfoFormat &format);
std::vector<FdinfoEpollItem> parse_fdinfo_epoll(std::string_view text);

// Reads /proc/PID/fdinfo/FD whole; empty optional if it cannot be read.
std::optional<std::string> read_fdinfo(int pid, int fd);

}  // namespace ud::collect
