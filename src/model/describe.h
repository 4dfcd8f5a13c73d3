// Words for numbers the kernel keeps as bits: epoll event masks, io_uring
// setup flags, inode types. Shared by every view.
#pragma once

#include <cstdint>
#include <string>

namespace ud::model {

// "IN|OUT|ET"; unknown bits as hex; "0" for an empty mask.
std::string epoll_events_str(std::uint32_t events);

// "SQPOLL|SQ_AFF|..." for IORING_SETUP_* flags; "-" for none.
std::string setup_flags_str(std::uint32_t flags);

// "reg", "dir", "sock", "fifo", "chr", "blk", "lnk", or "anon" (no type bits).
const char *inode_type(std::uint32_t mode);

// What a UD_TABLE_* (bpf/records.h) is called in partial reasons.
const char *table_name(std::uint32_t table);

// "maj:min" from the kernel's dev_t encoding.
std::string dev_str(std::uint32_t kdev);

}  // namespace ud::model
