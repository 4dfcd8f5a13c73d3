// The snapshot: what the kernel held for each process at one moment, in the
// shape every front end (show, top, dump, image) consumes. Readers fill it,
// views only read it. Kernel addresses ("identity" fields) join records and
// are never printed.
//
// Every struct compares field by field (a defaulted operator==), so that a
// field added here is compared wherever snapshots are, without a word
// changed: the image round-trip tests rely on it (tests/support/model_compare.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/page_size.h"

namespace ud::model {

using FileId = std::uint64_t;

// A range of fds in Process::fd_pool: the fds of the process that hold one
// file. Kept as indices so that 200k epoll items need no allocation each.
struct FdSpan {
    std::uint32_t begin = 0;
    std::uint32_t count = 0;

    bool operator==(const FdSpan &) const = default;
};

// One struct file that a ring slot or an epoll item refers to.
struct FileInfo {
    FileId id = 0;
    std::uint64_t ino = 0;
    std::uint32_t dev = 0;   // kernel encoding: major << 20 | minor
    std::uint32_t mode = 0;  // i_mode
    std::uint64_t magic = 0; // superblock s_magic (0 when unknown)
    std::string path;        // as /proc/PID/fd/N shows it
    bool path_truncated = false;

    bool operator==(const FileInfo &) const = default;
};

struct TaskFd {
    int fd = -1;
    FileId file = 0;
    std::uint64_t f_op = 0;  // BPF reader only: what calibration identifies files by

    bool operator==(const TaskFd &) const = default;
};

struct Segment {
    std::uint64_t pfn = 0;     // frame of the segment's first byte; valid iff Snapshot::pfn.ok
    std::uint64_t page = 0;    // struct page address (BPF reader only; not printed)
    std::uint32_t offset = 0;  // offset of the first byte in that frame
    std::uint32_t len = 0;

    bool operator==(const Segment &) const = default;
};

struct Buffer {
    std::uint32_t slot = 0;
    std::uint64_t addr = 0;
    std::uint64_t len = 0;
    std::uint32_t nr_bvecs = 0;
    std::uint32_t folio_shift = 0;
    bool kernel = false;          // kernel-provided (ublk), no user address
    std::uint32_t seg_begin = 0;  // range in Ring::segments
    std::uint32_t seg_count = 0;

    bool operator==(const Buffer &) const = default;
};

struct FixedFile {
    std::uint32_t slot = 0;
    FileId file = 0;
    std::uint64_t ino = 0;
    std::uint32_t dev = 0;
    std::uint32_t mode = 0;
    std::string name;  // procfs fallback only: what fdinfo printed for the slot
    FdSpan fds;
    bool fds_known = true;  // false: the fallback could not tell which fds hold it
    // procfs fallback before 6.14: `name` is the dentry's own name (no
    // directory, possibly empty), not a path; the path is unknown. From 6.14
    // fdinfo prints the full path and this stays false.
    bool name_is_dentry = false;
    // false: the fallback could not tell which inode this is (fdinfo names
    // the file only): ino, dev and mode are unknown, not 0.
    bool inode_known = true;

    bool operator==(const FixedFile &) const = default;
};

struct RingState {
    std::uint32_t flags = 0;
    std::uint32_t sq_entries = 0, cq_entries = 0;
    std::uint32_t sq_head = 0, sq_tail = 0;
    std::uint32_t cq_head = 0, cq_tail = 0;
    std::uint32_t cached_sq_head = 0, cached_cq_tail = 0;
    std::uint32_t cq_overflow = 0;
    std::uint32_t sq_dropped = 0;
    std::uint32_t sq_flags = 0;
    int sq_thread_pid = -1;
    int sq_thread_cpu = -1;
    std::uint32_t nr_files = 0;  // table size in slots
    std::uint32_t nr_bufs = 0;
    std::optional<std::uint32_t> buf_groups;     // empty when unknown (fallback)
    std::optional<std::uint32_t> personalities;
    bool counts_partial = false;
    std::optional<bool> has_eventfd;
    bool overflow_pending = false;
    bool napi = false;
    bool zcrx = false;
    std::uint32_t iowq_max[2] = {0, 0};
    // Requests the ring holds inside the kernel (BPF reader only): allocated
    // and not idle in its cache. Empty when this kernel does not count them.
    std::optional<std::uint32_t> inflight;
    // Kernels without a per-ring count (6.1, 6.12): requests the tasks using
    // the ring (and its SQPOLL thread) have in flight in any of their rings.
    // inflight is 0 when this is 0, and unknown otherwise.
    std::optional<std::uint32_t> tasks_inflight;
    std::uint32_t waiting = 0;  // kernel lists holding requests, UD_BUSY_* bits (bpf/records.h)
    bool restricted = false;    // IORING_REGISTER_RESTRICTIONS applied
    // false: whether an SQPOLL thread exists is unknown (procfs fallback on
    // a kernel whose fdinfo printed SqThread -1 without knowing).
    bool sq_thread_known = true;

    bool operator==(const RingState &) const = default;
};

// One request the ring holds on one of its lists (BPF reader only; see
// bpf/ud_reqs.bpf.h), or one completion waiting on its overflow list.
struct Request {
    std::uint64_t req = 0;     // struct io_kiocb identity (0: an overflowed completion); not printed
    std::uint8_t opcode = 0;   // IORING_OP_*; 0xff: none (an overflowed completion)
    std::uint8_t waiting = 0;  // enum ud_req_wait (bpf/records.h)
    bool multishot = false;    // poll: armed without EPOLLONESHOT
    bool poll_add = false;     // poll: an IORING_OP_POLL_ADD, not a poll armed for another opcode
    std::uint32_t poll_events = 0;
    std::int32_t res = 0;  // overflow: the completion's result
    std::uint64_t user_data = 0;
    FileId file = 0;          // 0: none
    std::uint64_t flags = 0;  // REQ_F_* bits as read; the low 7 are the IOSQE_* flags
    std::uint64_t link = 0;   // identity of the next request of its chain; not printed
    // Timeouts: how long until the timer fires (negative: overdue), on the
    // timer's clock (0 monotonic, 1 boottime, 2 realtime), when armed.
    std::optional<std::int64_t> timeout_left_ns;
    std::uint8_t clock = 0;
    std::uint64_t count = 0;            // timeout: completions it waits for (0: a pure timeout)
    std::uint64_t guards = 0;           // linked timeout: identity of the request it guards; not printed
    std::optional<std::uint32_t> slot;  // a fixed-file request: the slot holding its file
    // io-wq: run by a worker (else queued), for an unbound worker, hashed
    // (after earlier work on its file); the worker's tid when running.
    bool iowq_running = false;
    bool iowq_unbound = false;
    bool iowq_hashed = false;
    int worker_tid = 0;
    FdSpan fds;
    bool fds_known = true;

    bool operator==(const Request &) const = default;
};

// A thread whose io_uring context refers to the ring.
struct RingUser {
    int tid = 0;
    int reg_index = -1;  // slot in registered_rings[], -1: only submitted to it

    bool operator==(const RingUser &) const = default;
};

struct Ring {
    std::optional<int> fd;       // lowest fd holding it; empty when it has none
    std::vector<int> fds;        // all fds of the process holding it
    std::vector<RingUser> users; // registered / used by threads
    std::uint64_t ctx = 0;
    FileId file = 0;
    std::uint32_t layout = 0;    // enum ud_layout the BPF side used (0 in the fallback)
    RingState state;
    // false: the procfs fallback could not read the ring's state: its
    // uring_lock was held, and fdinfo printed nothing (6.15 on) or only the
    // counters without the tables (before); Snapshot::partial says which.
    bool state_known = true;
    std::vector<FixedFile> files;
    std::vector<Buffer> buffers;
    std::vector<Segment> segments;
    std::uint64_t files_counted = 0;  // summary snapshots: used slots (files is empty)
    // Requests on the ring's lists, in list order, each followed by the
    // requests linked behind it. Not in summary snapshots.
    std::vector<Request> requests;
    bool requests_read = false;  // the lists were walked (BPF reader, full snapshot)

    bool operator==(const Ring &) const = default;
};

struct EpollItem {
    int tfd = -1;
    std::uint32_t events = 0;
    std::uint64_t data = 0;
    FileId file = 0;
    std::uint64_t ino = 0;
    std::uint32_t sdev = 0;  // procfs fallback: superblock device from fdinfo
    FdSpan fds;
    bool fds_known = true;  // false: the fallback could not tell which fds hold it

    bool operator==(const EpollItem &) const = default;
};

struct Epoll {
    int fd = -1;
    std::vector<int> fds;
    std::uint64_t ep = 0;
    FileId file = 0;
    std::vector<EpollItem> items;
    std::uint64_t items_counted = 0;  // summary snapshots: items (items is empty)

    bool operator==(const Epoll &) const = default;
};

struct Process {
    int pid = 0;
    std::string comm;
    std::vector<TaskFd> task_fds;  // in fd order
    std::vector<int> fd_pool;      // FdSpan storage, filled by the join
    std::vector<Ring> rings;
    std::vector<Epoll> epolls;

    bool empty() const { return rings.empty() && epolls.empty(); }

    bool operator==(const Process &) const = default;
};

enum class Source { bpf, procfs };

struct PfnStatus {
    bool ok = false;
    std::string reason;  // why not, when !ok

    bool operator==(const PfnStatus &) const = default;
};

struct Snapshot {
    Source source = Source::bpf;
    std::vector<Process> processes;
    std::unordered_map<FileId, FileInfo> files;
    PfnStatus pfn;
    // What this snapshot lacks and why (fallback, incomplete walks); empty
    // when complete.
    std::vector<std::string> partial;
    std::uint64_t taken_ns = 0;  // CLOCK_MONOTONIC when collection ended
    // A summary (top's list): fixed files and epoll items only counted,
    // buffers without segments.
    bool summary = false;
    // Bytes per page on the system the snapshot was read on: what segment
    // offsets and frame counts are in. An image keeps it.
    std::uint32_t page_size = system_page_size();

    const FileInfo *file(FileId id) const {
        auto it = files.find(id);
        return it == files.end() ? nullptr : &it->second;
    }

    bool operator==(const Snapshot &) const = default;
};

}  // namespace ud::model
