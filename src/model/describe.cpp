#include "model/describe.h"

#include <fmt/format.h>

#include <iterator>
#include <utility>

#include "model/snapshot.h"
#include "records.h"

namespace ud::model {
namespace {

// Joins the names of the set bits; leftover bits in hex.
template <std::size_t N>
std::string bits_str(std::uint32_t v, const std::pair<std::uint32_t, const char *> (&names)[N], const char *none) {
    if (!v) return none;
    std::string out;
    for (auto &[bit, name] : names) {
        if (!(v & bit)) continue;
        if (!out.empty()) out += '|';
        out += name;
        v &= ~bit;
    }
    if (v) {
        if (!out.empty()) out += '|';
        out += fmt::format("{:#x}", v);
    }
    return out;
}

}  // namespace

std::string epoll_events_str(std::uint32_t events) {
    // include/uapi/linux/eventpoll.h
    static const std::pair<std::uint32_t, const char *> names[] = {
        {0x001, "IN"},     {0x002, "PRI"},      {0x004, "OUT"},       {0x008, "ERR"},
        {0x010, "HUP"},    {0x020, "NVAL"},     {0x040, "RDNORM"},    {0x080, "RDBAND"},
        {0x100, "WRNORM"}, {0x200, "WRBAND"},   {0x400, "MSG"},       {0x2000, "RDHUP"},
        {1u << 27, "URING_WAKE"}, {1u << 28, "EXCLUSIVE"}, {1u << 29, "WAKEUP"},
        {1u << 30, "ONESHOT"}, {1u << 31, "ET"},
    };
    return bits_str(events, names, "0");
}

std::string setup_flags_str(std::uint32_t flags) {
    // include/uapi/linux/io_uring.h IORING_SETUP_*
    static const std::pair<std::uint32_t, const char *> names[] = {
        {1u << 0, "IOPOLL"},        {1u << 1, "SQPOLL"},          {1u << 2, "SQ_AFF"},
        {1u << 3, "CQSIZE"},        {1u << 4, "CLAMP"},           {1u << 5, "ATTACH_WQ"},
        {1u << 6, "R_DISABLED"},    {1u << 7, "SUBMIT_ALL"},      {1u << 8, "COOP_TASKRUN"},
        {1u << 9, "TASKRUN_FLAG"},  {1u << 10, "SQE128"},         {1u << 11, "CQE32"},
        {1u << 12, "SINGLE_ISSUER"}, {1u << 13, "DEFER_TASKRUN"}, {1u << 14, "NO_MMAP"},
        {1u << 15, "REGISTERED_FD_ONLY"}, {1u << 16, "NO_SQARRAY"}, {1u << 17, "HYBRID_IOPOLL"},
        {1u << 18, "CQE_MIXED"},
    };
    return bits_str(flags, names, "-");
}

const char *inode_type(std::uint32_t mode) {
    switch (mode & 0170000) {
    case 0100000: return "reg";
    case 0040000: return "dir";
    case 0140000: return "sock";
    case 0010000: return "fifo";
    case 0020000: return "chr";
    case 0060000: return "blk";
    case 0120000: return "lnk";
    default: return "anon";
    }
}

std::string dev_str(std::uint32_t kdev) { return fmt::format("{}:{}", kdev >> 20, kdev & 0xfffff); }

const char *table_name(std::uint32_t table) {
    switch (table) {
    case UD_TABLE_FILES: return "fixed-file table";
    case UD_TABLE_BUFS: return "registered-buffer table";
    case UD_TABLE_EPOLL: return "epoll tree";
    case UD_TABLE_TCTX: return "thread io_uring context";
    case UD_TABLE_PATH: return "path";
    case UD_TABLE_REQS:
        return "request lists";
    default: return "table";
    }
}

std::string opcode_name(std::uint8_t opcode) {
    // include/uapi/linux/io_uring.h, enum io_uring_op, up to 6.18.
    static const char *const names[] = {
        "nop",
        "readv",
        "writev",
        "fsync",
        "read_fixed",
        "write_fixed",
        "poll_add",
        "poll_remove",
        "sync_file_range",
        "sendmsg",
        "recvmsg",
        "timeout",
        "timeout_remove",
        "accept",
        "async_cancel",
        "link_timeout",
        "connect",
        "fallocate",
        "openat",
        "close",
        "files_update",
        "statx",
        "read",
        "write",
        "fadvise",
        "madvise",
        "send",
        "recv",
        "openat2",
        "epoll_ctl",
        "splice",
        "provide_buffers",
        "remove_buffers",
        "tee",
        "shutdown",
        "renameat",
        "unlinkat",
        "mkdirat",
        "symlinkat",
        "linkat",
        "msg_ring",
        "fsetxattr",
        "setxattr",
        "fgetxattr",
        "getxattr",
        "socket",
        "uring_cmd",
        "send_zc",
        "sendmsg_zc",
        "read_multishot",
        "waitid",
        "futex_wait",
        "futex_wake",
        "futex_waitv",
        "fixed_fd_install",
        "ftruncate",
        "bind",
        "listen",
        "recv_zc",
        "epoll_wait",
        "readv_fixed",
        "writev_fixed",
        "pipe",
    };
    if (opcode == UD_REQ_NO_OPCODE) return "none";
    if (opcode < sizeof(names) / sizeof(names[0])) return names[opcode];
    return "op" + std::to_string(opcode);
}

const char *request_wait_name(std::uint8_t waiting) {
    switch (waiting) {
        case UD_WAIT_POLL:
            return "poll";
        case UD_WAIT_TIMEOUT:
            return "timeout";
        case UD_WAIT_LTIMEOUT:
            return "timeout";
        case UD_WAIT_IOPOLL:
            return "iopoll";
        case UD_WAIT_DRAIN:
            return "drain";
        case UD_WAIT_TASK_WORK:
            return "task_work";
        case UD_WAIT_URING_CMD:
            return "uring_cmd";
        case UD_WAIT_FUTEX:
            return "futex";
        case UD_WAIT_WAITID:
            return "waitid";
        case UD_WAIT_OVERFLOW:
            return "overflow";
        case UD_WAIT_LINKED:
            return "linked";
        case UD_WAIT_IOWQ:
            return "io-wq";
        default:
            return "unknown";
    }
}

const char *request_list_name(std::uint64_t phase) {
    // bpf/ud_reqs.bpf.h UD_RQ_*.
    static const char *const names[] = {"cancel_table",  "cancel_table_locked", "timeout_list",
                                        "ltimeout_list", "iopoll_list",         "defer_list",
                                        "work_llist",    "retry_llist",         "cancelable_uring_cmd",
                                        "futex_list",    "waitid_list",         "io-wq work_list",
                                        "io-wq workers", "cq_overflow_list"};
    return phase < sizeof(names) / sizeof(names[0]) ? names[phase] : "request";
}

std::vector<const char *> request_flag_names(std::uint64_t flags) {
    static const char *const names[] = {"fixed_file", "drain",         "link",    "hardlink",
                                        "async",      "buffer_select", "cqe_skip"};
    std::vector<const char *> out;
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (flags & (1ULL << i)) out.push_back(names[i]);
    return out;
}

std::string request_detail(const Request &q) {
    std::string d;
    switch (q.waiting) {
        case UD_WAIT_POLL:
            d = epoll_events_str(q.poll_events);
            if (q.multishot) d += " multishot";
            break;
        case UD_WAIT_OVERFLOW:
            d = fmt::format("res {}", q.res);
            break;
        case UD_WAIT_LINKED:
            d = "after the request before it";
            break;
        case UD_WAIT_IOWQ:
            d = q.iowq_running ? fmt::format("running in worker {}", q.worker_tid)
                               : std::string("queued");
            d += q.iowq_unbound ? ", unbound" : ", bound";
            if (q.iowq_hashed) d += ", hashed";
            break;
        default:
            break;
    }
    if (q.opcode == 11 || q.opcode == 15) {  // IORING_OP_TIMEOUT, IORING_OP_LINK_TIMEOUT
        if (q.timeout_left_ns) {
            double left = static_cast<double>(*q.timeout_left_ns) / 1e9;
            d += d.empty() ? "" : " ";
            d += left >= 0 ? fmt::format("fires in {:.1f}s ({})", left, clock_name(q.clock))
                           : fmt::format("overdue by {:.1f}s ({})", -left, clock_name(q.clock));
        }
        if (q.opcode == 11 && q.count) d += fmt::format(" or after {} completions", q.count);
    }
    return d;
}

std::optional<std::uint32_t> requests_unlisted(const Ring &r) {
    if (!r.state.inflight || !r.requests_read) return std::nullopt;
    std::uint32_t listed = 0;
    for (auto &q : r.requests) listed += q.waiting != UD_WAIT_OVERFLOW;
    return *r.state.inflight > listed ? *r.state.inflight - listed : 0;
}

const char *clock_name(std::uint8_t clock) {
    switch (clock) {
        case 1:
            return "boottime";
        case 2:
            return "realtime";
        default:
            return "monotonic";
    }
}

}  // namespace ud::model
