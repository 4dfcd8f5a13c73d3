#include "collect/record_stream.h"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

namespace ud::collect {

std::size_t record_size(std::uint16_t type) {
    switch (type) {
    case UD_REC_TASK_FD: return sizeof(ud_task_fd);
    case UD_REC_PROC: return sizeof(ud_proc);
    case UD_REC_RING: return sizeof(ud_ring);
    case UD_REC_RING_FILE: return sizeof(ud_ring_file);
    case UD_REC_RING_BUF: return sizeof(ud_ring_buf);
    case UD_REC_BUF_SEG: return sizeof(ud_buf_seg);
    case UD_REC_EPOLL: return sizeof(ud_epoll);
    case UD_REC_EPOLL_ITEM: return sizeof(ud_epoll_item);
    case UD_REC_FILE: return sizeof(ud_file);
    case UD_REC_CONT: return sizeof(ud_cont);
    case UD_REC_WARN: return sizeof(ud_warn);
    case UD_REC_CHUNK: return sizeof(ud_chunk);
    case UD_REC_COUNT: return sizeof(ud_count);
    case UD_REC_REQ: return sizeof(ud_req);
    default: return 0;
    }
}

void RecordStream::emit(const char *rec) {
    // Records are 8-byte multiples, so in an 8-aligned read buffer every
    // record is aligned and is handed over in place; only one that was
    // reassembled from two reads, or misaligned data, is copied first.
    if (reinterpret_cast<std::uintptr_t>(rec) % alignof(std::uint64_t) == 0) {
        sink_(*reinterpret_cast<const ud_hdr *>(rec));
        return;
    }
    alignas(8) char buf[sizeof(ud_file) + 8];
    ud_hdr hdr;
    std::memcpy(&hdr, rec, sizeof(hdr));
    std::memcpy(buf, rec, hdr.size);
    sink_(*reinterpret_cast<const ud_hdr *>(buf));
}

void RecordStream::feed(const char *data, std::size_t len) {
    auto check = [](const ud_hdr &h) {
        std::size_t want = record_size(h.type);
        if (!want)
            throw std::runtime_error(fmt::format("record stream: unknown record type {}", h.type));
        if (h.size != want)
            throw std::runtime_error(fmt::format(
                "record stream: record type {} has size {}, expected {} (BPF object and binary out of step)",
                h.type, h.size, want));
        return want;
    };
    if (!pending_.empty()) {
        // Complete the record cut by the previous read.
        while (len) {
            if (pending_.size() < sizeof(ud_hdr)) {
                std::size_t take = std::min(len, sizeof(ud_hdr) - pending_.size());
                pending_.insert(pending_.end(), data, data + take);
                data += take;
                len -= take;
                continue;
            }
            ud_hdr h;
            std::memcpy(&h, pending_.data(), sizeof(h));
            std::size_t want = check(h);
            std::size_t take = std::min(len, want - pending_.size());
            pending_.insert(pending_.end(), data, data + take);
            data += take;
            len -= take;
            if (pending_.size() == want) {
                emit(pending_.data());
                pending_.clear();
                break;
            }
        }
    }
    while (len >= sizeof(ud_hdr)) {
        ud_hdr h;
        std::memcpy(&h, data, sizeof(h));
        std::size_t want = check(h);
        if (len < want) break;
        emit(data);
        data += want;
        len -= want;
    }
    if (len) pending_.assign(data, data + len);
}

}  // namespace ud::collect
