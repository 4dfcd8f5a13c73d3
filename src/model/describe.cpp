#include "model/describe.h"

#include <fmt/format.h>

#include <iterator>
#include <utility>

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
    default: return "table";
    }
}

}  // namespace ud::model
