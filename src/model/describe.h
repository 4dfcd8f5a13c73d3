// Words for numbers the kernel keeps as bits: epoll event masks, io_uring
// setup flags, inode types. Shared by every view.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ud::model {

struct Request;
struct Ring;

// "IN|OUT|ET"; unknown bits as hex; "0" for an empty mask.
std::string epoll_events_str(std::uint32_t events);

// "SQPOLL|SQ_AFF|..." for IORING_SETUP_* flags; "-" for none.
std::string setup_flags_str(std::uint32_t flags);

// "reg", "dir", "sock", "fifo", "chr", "blk", "lnk", or "anon" (no type bits).
const char *inode_type(std::uint32_t mode);

// What a UD_TABLE_* (bpf/records.h) is called in partial reasons.
const char *table_name(std::uint32_t table);

// "recv", "read", "poll_add", ... for an IORING_OP_* number (UAPI names,
// lower case, without the prefix); "op<N>" beyond what this build knows,
// "none" for UD_REQ_NO_OPCODE.
std::string opcode_name(std::uint8_t opcode);

// "poll", "timeout", "io-wq", ... for enum ud_req_wait (bpf/records.h).
const char *request_wait_name(std::uint8_t waiting);

// Which list a UD_WARN_CHANGED of UD_TABLE_REQS names (its value: the walk's
// phase, bpf/ud_reqs.bpf.h).
const char *request_list_name(std::uint64_t phase);

// The IOSQE_* flags among a request's REQ_F_* bits: "fixed_file", "drain",
// "link", "hardlink", "async", "buffer_select", "cqe_skip".
std::vector<const char *> request_flag_names(std::uint64_t flags);

// What a request waits for, in words: "IN|RDHUP|ONESHOT|ET multishot",
// "fires in 59m59.9s (monotonic)", "count 2", "after the request before it".
std::string request_detail(const Request &q);

// How many of a ring's requests are in flight on no list it has (block
// I/O issued, task work of rings without DEFER_TASKRUN): its
// in-flight count less those listed; empty where the kernel does not count
// per ring.
std::optional<std::uint32_t> requests_unlisted(const Ring &r);

// "monotonic", "boottime", "realtime".
const char *clock_name(std::uint8_t clock);

// "maj:min" from the kernel's dev_t encoding.
std::string dev_str(std::uint32_t kdev);

}  // namespace ud::model
