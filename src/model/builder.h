// Turns the BPF record stream (bpf/records.h) into a Snapshot: one Process
// per tgid, one Ring per io_ring_ctx and one Epoll per eventpoll within it,
// tables filled from the records that follow their owner or a CHUNK naming it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"
#include "records.h"

namespace ud::model {

class SnapshotBuilder {
public:
    explicit SnapshotBuilder(Snapshot &snap) : snap_(snap) {}

    // One record; its size was checked against its type by the caller.
    void add(const ud_hdr &rec);

    // Copies the tables of rings and epolls that were emitted under another
    // process (alias records), converts page addresses to frames (in pages of
    // snap.page_size) and sorts processes by pid. `vmemmap_base` and
    // `struct_page_size` are the calibrated struct page array base and
    // stride; ignored unless snap.pfn.ok.
    void finish(std::uint64_t vmemmap_base, std::uint64_t struct_page_size);

private:
    struct RingRef {
        std::size_t proc;
        std::size_t ring;
    };
    struct EpollRef {
        std::size_t proc;
        std::size_t epoll;
    };
    enum class Scope { none, ring, epoll };

    Process &process(std::uint32_t pid);
    void on_ring(const ud_ring &r);
    void on_epoll(const ud_epoll &e);
    void on_req(const ud_req &r);
    void settle_requests(Ring &ring);
    void on_chunk(const ud_chunk &c);
    void on_warn(const ud_warn &w);
    void on_changed(const ud_warn &w);
    // The file a RING_FILE or EPOLL_ITEM record names, as the last FILE
    // record for its address describes it; *fds_known false when that
    // address was another file earlier in this snapshot.
    FileId bind_file(FileId addr, bool *fds_known);
    std::string ring_where(std::uint32_t pid, std::uint64_t ctx);
    Ring *current_ring();
    Epoll *current_epoll();

    Snapshot &snap_;
    std::unordered_map<std::uint32_t, std::size_t> proc_index_;
    // (pid, ctx) -> ring of that process; (pid, ctx) -> the ring whose tables
    // came in full. Per process: the BPF side emits a ring's tables once per
    // process (an address freed during the snapshot may be another
    // process's ring by the time that process is read).
    using OwnerKey = std::pair<std::uint32_t, std::uint64_t>;
    std::unordered_map<std::uint64_t, std::unordered_map<std::uint64_t, std::size_t>> rings_by_pid_;
    std::map<OwnerKey, RingRef> ring_owner_;
    std::unordered_map<std::uint64_t, std::unordered_map<std::uint64_t, std::size_t>> epolls_by_pid_;
    std::map<OwnerKey, EpollRef> epoll_owner_;
    // The thread reading ((tid << 32) | registered index, as UD_WARN_CHANGED
    // names it) whose RING record brought a ring's tables; none when an fd
    // brought them.
    std::map<OwnerKey, std::uint64_t> tables_via_thread_;
    std::vector<RingRef> alias_rings_;
    std::vector<EpollRef> alias_epolls_;
    // The last FILE record of each file address. A struct file is freed and
    // its memory reused while a snapshot is taken, so one address may be two
    // files in one snapshot: each referrer takes the record its own walk
    // emitted, the first one under the address, any other under an id of
    // its own (kReusedFile | n).
    std::unordered_map<FileId, FileInfo> latest_file_;
    std::unordered_map<FileId, std::vector<FileId>> reused_ids_;
    std::uint64_t next_reused_ = 0;
    Scope scope_ = Scope::none;
    RingRef cur_ring_{};
    EpollRef cur_epoll_{};
};

}  // namespace ud::model
