#include "model/builder.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <map>

#include "model/consistency.h"
#include "model/describe.h"
#include "model/file_path.h"

namespace ud::model {
namespace {

// Ids of files whose address was another file earlier in the snapshot: no
// kernel address has bit 62 set without bit 63.
constexpr std::uint64_t kReusedFile = 1ULL << 62;

}  // namespace

Process &SnapshotBuilder::process(std::uint32_t pid) {
    auto [it, inserted] = proc_index_.try_emplace(pid, snap_.processes.size());
    if (inserted) {
        snap_.processes.emplace_back();
        snap_.processes.back().pid = static_cast<int>(pid);
    }
    return snap_.processes[it->second];
}

Ring *SnapshotBuilder::current_ring() {
    if (scope_ != Scope::ring) return nullptr;
    return &snap_.processes[cur_ring_.proc].rings[cur_ring_.ring];
}

Epoll *SnapshotBuilder::current_epoll() {
    if (scope_ != Scope::epoll) return nullptr;
    return &snap_.processes[cur_epoll_.proc].epolls[cur_epoll_.epoll];
}

void SnapshotBuilder::on_ring(const ud_ring &r) {
    Process &p = process(r.hdr.pid);
    std::size_t pi = proc_index_[r.hdr.pid];
    auto &by_ctx = rings_by_pid_[r.hdr.pid];
    auto [it, inserted] = by_ctx.try_emplace(r.ctx, p.rings.size());
    if (inserted) p.rings.emplace_back();
    Ring &ring = p.rings[it->second];

    // A ring reached through a thread's context has an fd too when the
    // process opened one after its fds were read (bpf/uringdump.bpf.c).
    if (r.fd >= 0 && (!ring.fd || r.fd < *ring.fd)) ring.fd = r.fd;
    if (r.via != UD_VIA_FD) ring.users.push_back({static_cast<int>(r.tid), r.reg_index});
    if (r.file) ring.file = r.file;
    ring.ctx = r.ctx;
    ring.layout = r.layout;
    RingState &s = ring.state;
    s.flags = r.flags;
    s.sq_entries = r.sq_entries;
    s.cq_entries = r.cq_entries;
    s.sq_head = r.sq_head;
    s.sq_tail = r.sq_tail;
    s.cq_head = r.cq_head;
    s.cq_tail = r.cq_tail;
    s.cached_sq_head = r.cached_sq_head;
    s.cached_cq_tail = r.cached_cq_tail;
    s.cq_overflow = r.cq_overflow;
    s.sq_dropped = r.sq_dropped;
    s.sq_flags = r.sq_flags;
    s.sq_thread_pid = r.sq_thread_pid;
    s.sq_thread_cpu = r.sq_thread_cpu;
    s.nr_files = r.nr_files;
    s.nr_bufs = r.nr_bufs;
    s.buf_groups = r.buf_groups;
    s.personalities = r.personalities;
    s.counts_partial = r.counts_partial != 0;
    s.has_eventfd = r.has_eventfd != 0;
    s.overflow_pending = r.overflow_pending != 0;
    s.napi = r.napi != 0;
    s.zcrx = r.zcrx != 0;
    s.iowq_max[0] = r.iowq_max[0];
    s.iowq_max[1] = r.iowq_max[1];
    // The cache count races with the ring's own use; a count above what was
    // allocated says only that, and leaves the number unknown.
    // In flight: allocated less idle where the kernel counts per ring;
    // elsewhere 0 only when the tasks using the ring have nothing in flight
    // at all (a per-task count cannot be split between rings).
    if (r.req_allocated != UD_UNKNOWN && r.req_cached != UD_UNKNOWN && r.req_cached <= r.req_allocated)
        s.inflight = r.req_allocated - r.req_cached;
    else if (r.req_allocated == UD_UNKNOWN && r.tasks_inflight == 0)
        s.inflight = 0;
    if (r.req_allocated == UD_UNKNOWN && r.tasks_inflight != UD_UNKNOWN) s.tasks_inflight = r.tasks_inflight;
    s.waiting = r.busy;
    s.restricted = r.restricted != 0;

    RingRef ref{pi, it->second};
    if (r.alias) {
        // Its tables came with the process's first reading of it: this
        // same ring, unless that reading was dropped (finish() says so).
        if (!ring_owner_.count({r.hdr.pid, r.ctx})) alias_rings_.push_back(ref);
        scope_ = Scope::none;
        return;
    }
    ring_owner_[{r.hdr.pid, r.ctx}] = ref;
    if (r.via == UD_VIA_FD)
        tables_via_thread_.erase({r.hdr.pid, r.ctx});
    else
        tables_via_thread_[{r.hdr.pid, r.ctx}] = (std::uint64_t{r.tid} << 32) | static_cast<std::uint32_t>(r.reg_index);
    // A full emission replaces whatever an earlier run of the same object
    // (or an LRU-evicted duplicate) put here.
    ring.files.clear();
    ring.buffers.clear();
    ring.segments.clear();
    ring.requests.clear();
    ring.requests_read = !snap_.summary;
    scope_ = Scope::ring;
    cur_ring_ = ref;
}

void SnapshotBuilder::on_req(const ud_req &r) {
    Ring *ring = current_ring();
    if (!ring) return;
    Request q;
    q.req = r.req;
    q.opcode = r.opcode;
    q.waiting = r.waiting;
    q.multishot = (r.detail & UD_REQ_MULTISHOT) != 0;
    q.poll_add = (r.detail & UD_REQ_POLL_ADD) != 0;
    if (r.waiting == UD_WAIT_OVERFLOW)
        q.res = static_cast<std::int32_t>(r.poll_events);
    else
        q.poll_events = r.poll_events;
    q.user_data = r.user_data;
    q.flags = r.flags;
    q.link = r.link;
    if (r.file) {
        bool fds_known = true;
        q.file = bind_file(r.file, &fds_known);
        q.fds_known = fds_known;
    }
    if (r.waiting == UD_WAIT_IOWQ) {
        q.iowq_running = (r.detail & UD_REQ_IOWQ_RUNNING) != 0;
        q.iowq_unbound = (r.detail & UD_REQ_IOWQ_UNBOUND) != 0;
        q.iowq_hashed = (r.detail & UD_REQ_IOWQ_HASHED) != 0;
        if (q.iowq_running) q.worker_tid = static_cast<int>(r.target);
    }
    if (r.opcode == 11 /* IORING_OP_TIMEOUT */) q.count = r.target;
    if (r.opcode == 15 /* IORING_OP_LINK_TIMEOUT */) q.guards = r.target;
    if (r.detail & UD_REQ_HAS_TIMER) {
        // Read as the record comes in: within the pass that read the timer.
        static const clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME};
        timespec now{};
        q.clock = r.clock < 3 ? r.clock : 0;
        clock_gettime(clocks[q.clock], &now);
        q.timeout_left_ns = r.expires - (static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec);
    }
    ring->requests.push_back(q);
}

void SnapshotBuilder::on_epoll(const ud_epoll &e) {
    Process &p = process(e.hdr.pid);
    std::size_t pi = proc_index_[e.hdr.pid];
    auto &by_ep = epolls_by_pid_[e.hdr.pid];
    auto [it, inserted] = by_ep.try_emplace(e.ep, p.epolls.size());
    if (inserted) p.epolls.emplace_back();
    Epoll &ep = p.epolls[it->second];
    if (ep.fd < 0 || e.fd < ep.fd) ep.fd = e.fd;
    ep.ep = e.ep;
    ep.file = e.file;
    EpollRef ref{pi, it->second};
    if (e.alias) {
        if (!epoll_owner_.count({e.hdr.pid, e.ep})) alias_epolls_.push_back(ref);
        scope_ = Scope::none;
        return;
    }
    epoll_owner_[{e.hdr.pid, e.ep}] = ref;
    ep.items.clear();
    scope_ = Scope::epoll;
    cur_epoll_ = ref;
}

void SnapshotBuilder::on_chunk(const ud_chunk &c) {
    scope_ = Scope::none;
    if (c.table == UD_TABLE_EPOLL) {
        auto it = epoll_owner_.find({c.hdr.pid, c.owner});
        if (it == epoll_owner_.end()) return;
        scope_ = Scope::epoll;
        cur_epoll_ = it->second;
    } else if (c.table == UD_TABLE_FILES || c.table == UD_TABLE_BUFS || c.table == UD_TABLE_REQS) {
        auto it = ring_owner_.find({c.hdr.pid, c.owner});
        if (it == ring_owner_.end()) return;
        scope_ = Scope::ring;
        cur_ring_ = it->second;
    }
}

std::string SnapshotBuilder::ring_where(std::uint32_t pid, std::uint64_t ctx) {
    auto p = rings_by_pid_.find(pid);
    if (p != rings_by_pid_.end()) {
        auto r = p->second.find(ctx);
        if (r != p->second.end()) return model::ring_where(static_cast<int>(pid), process(pid).rings[r->second]);
    }
    return fmt::format("pid {} io_uring", pid);
}

FileId SnapshotBuilder::bind_file(FileId addr, bool *fds_known) {
    auto latest = latest_file_.find(addr);
    if (!addr || latest == latest_file_.end()) return addr;
    const FileInfo &info = latest->second;
    auto same = [&](const FileInfo &f) {
        return f.ino == info.ino && f.dev == info.dev && f.mode == info.mode && f.magic == info.magic &&
               f.path == info.path;
    };
    auto [it, inserted] = snap_.files.try_emplace(addr, info);
    if (inserted || same(it->second)) return addr;
    // Which fds hold which of the files at this address is not known: the
    // fds were read at another moment than either.
    *fds_known = false;
    auto &ids = reused_ids_[addr];
    for (FileId id : ids)
        if (same(snap_.files[id])) return id;
    FileId id = kReusedFile | next_reused_++;
    FileInfo &f = snap_.files[id] = info;
    f.id = id;
    ids.push_back(id);
    return id;
}

// A WARN CHANGED: an entry that was no longer what had been read once
// checked again. Files and epoll items were not emitted; a buffer's records
// and a ring reached through a thread's context are dropped here.
void SnapshotBuilder::on_changed(const ud_warn &w) {
    const std::uint32_t pid = w.hdr.pid;
    switch (w.table) {
    case UD_TABLE_FILES:
        snap_.partial.push_back(
            fmt::format("{}: fixed-file slot {} changed while read; dropped", ring_where(pid, w.owner), w.value));
        return;
    case UD_TABLE_BUFS: {
        auto own = ring_owner_.find({pid, w.owner});
        if (own != ring_owner_.end()) {
            Ring &ring = snap_.processes[own->second.proc].rings[own->second.ring];
            for (std::size_t i = ring.buffers.size(); i-- > 0;) {
                if (ring.buffers[i].slot != w.value) continue;
                const Buffer b = ring.buffers[i];
                ring.segments.erase(ring.segments.begin() + b.seg_begin,
                                    ring.segments.begin() + std::min<std::size_t>(b.seg_begin + b.seg_count,
                                                                                  ring.segments.size()));
                ring.buffers.erase(ring.buffers.begin() + static_cast<std::ptrdiff_t>(i));
                for (auto &later : ring.buffers)
                    if (later.seg_begin > b.seg_begin) later.seg_begin -= b.seg_count;
                break;
            }
        }
        snap_.partial.push_back(
            fmt::format("{}: buffer slot {} changed while read; dropped", ring_where(pid, w.owner), w.value));
        return;
    }
    case UD_TABLE_EPOLL: {
        int fd = -1;
        if (auto own = epoll_owner_.find({pid, w.owner}); own != epoll_owner_.end())
            fd = snap_.processes[own->second.proc].epolls[own->second.epoll].fd;
        if (w.value == ~0ULL)
            snap_.partial.push_back(fmt::format(
                "pid {} epoll fd {}: an item was removed while the tree was walked; items may be missing", pid, fd));
        else
            snap_.partial.push_back(fmt::format("pid {} epoll fd {}: item tfd {} changed while read; dropped", pid, fd,
                                                static_cast<std::int64_t>(w.value)));
        return;
    }
    case UD_TABLE_REQS:
        if (w.value == ~0ULL)
            snap_.partial.push_back(
                fmt::format("{}: a request list changed between resume passes; requests may be "
                            "missing or shown twice",
                            ring_where(pid, w.owner)));
        else if ((w.value >> 32) & 2)
            snap_.partial.push_back(
                fmt::format("{}: a request an io-wq worker ran completed or changed while read; not shown",
                            ring_where(pid, w.owner)));
        else if (w.value >> 32)
            snap_.partial.push_back(
                fmt::format("{}: a request on its {} list completed or changed while read; it and "
                            "the rest of that list are not shown",
                            ring_where(pid, w.owner), request_list_name(w.value & 0xffffffffU)));
        else
            snap_.partial.push_back(
                fmt::format("{}: a request on its {} list completed or changed while read; not "
                            "shown (the list was read again)",
                            ring_where(pid, w.owner), request_list_name(w.value & 0xffffffffU)));
        return;
    case UD_TABLE_TCTX: {
        const int tid = static_cast<int>(w.value >> 32);
        const int reg = static_cast<std::int32_t>(w.value & 0xffffffffULL);
        std::string where = ring_where(pid, w.owner);
        auto &by_ctx = rings_by_pid_[pid];
        if (auto r = by_ctx.find(w.owner); r != by_ctx.end()) {
            std::size_t pi = proc_index_[pid];
            Ring &ring = snap_.processes[pi].rings[r->second];
            auto u = std::find_if(ring.users.begin(), ring.users.end(),
                                  [&](const RingUser &x) { return x.tid == tid && x.reg_index == reg; });
            if (u != ring.users.end()) ring.users.erase(u);
            // Its tables came with this reading: they go with it. A ring
            // left with no fd and no thread is dropped by finish().
            auto via = tables_via_thread_.find({pid, w.owner});
            if (via != tables_via_thread_.end() && via->second == w.value) {
                tables_via_thread_.erase(via);
                auto own = ring_owner_.find({pid, w.owner});
                ring.files.clear();
                ring.buffers.clear();
                ring.segments.clear();
                ring.files_counted = 0;
                if (own != ring_owner_.end()) ring_owner_.erase(own);
                if (scope_ == Scope::ring && cur_ring_.proc == pi && cur_ring_.ring == r->second)
                    scope_ = Scope::none;
                if (ring.fd || !ring.users.empty())
                    snap_.partial.push_back(fmt::format("{}: its tables were read through thread {}, whose context "
                                                        "changed while read; not shown",
                                                        where, tid));
            }
        }
        snap_.partial.push_back(fmt::format("{} {} by thread {}: changed while read (closed, or left the thread's {}); "
                                            "dropped",
                                            where, reg >= 0 ? "registered" : "used", tid,
                                            reg >= 0 ? fmt::format("registered ring {}", reg) : std::string("context")));
        return;
    }
    default:
        snap_.partial.push_back(fmt::format("pid {}: {}: an entry changed while read; dropped", pid, table_name(w.table)));
        return;
    }
}

void SnapshotBuilder::on_warn(const ud_warn &w) {
    if (w.code == UD_WARN_CHANGED) {
        on_changed(w);
        return;
    }
    const char *what = "";
    switch (w.code) {
    case UD_WARN_BOUND: what = "walk ended at its bound (the structure changed while read)"; break;
    case UD_WARN_READ: what = "inconsistent value read (the structure changed while read)"; break;
    case UD_WARN_LAYOUT: what = "layout not known on this kernel"; break;
    default: what = "unknown problem"; break;
    }
    snap_.partial.push_back(fmt::format("pid {}: {}: {}", w.hdr.pid, table_name(w.table), what));
}

void SnapshotBuilder::add(const ud_hdr &rec) {
    switch (rec.type) {
    case UD_REC_TASK_FD: {
        // In fd order; the thread pass adds the fd of a ring opened since
        // the fds were read (bpf/uringdump.bpf.c ud_ring_fd).
        auto &r = reinterpret_cast<const ud_task_fd &>(rec);
        auto &fds = process(rec.pid).task_fds;
        TaskFd tf{r.fd, r.file, r.f_op};
        if (fds.empty() || fds.back().fd < r.fd) {
            fds.push_back(tf);
        } else {
            auto at = std::lower_bound(fds.begin(), fds.end(), r.fd,
                                       [](const TaskFd &a, int fd) { return a.fd < fd; });
            if (at == fds.end() || at->fd != r.fd || at->file != r.file) fds.insert(at, tf);
        }
        break;
    }
    case UD_REC_PROC: {
        auto &r = reinterpret_cast<const ud_proc &>(rec);
        process(rec.pid).comm.assign(r.comm, strnlen(r.comm, sizeof(r.comm)));
        break;
    }
    case UD_REC_RING:
        on_ring(reinterpret_cast<const ud_ring &>(rec));
        break;
    case UD_REC_RING_FILE: {
        auto &r = reinterpret_cast<const ud_ring_file &>(rec);
        if (Ring *ring = current_ring()) {
            bool fds_known = true;
            FileId id = bind_file(r.file, &fds_known);
            ring->files.push_back({r.slot, id, r.ino, r.dev, r.mode, {}, {}, fds_known});
        }
        break;
    }
    case UD_REC_RING_BUF: {
        auto &r = reinterpret_cast<const ud_ring_buf &>(rec);
        if (Ring *ring = current_ring()) {
            if (!ring->buffers.empty() && ring->buffers.back().slot == r.slot) break;  // already have it
            Buffer b;
            b.slot = r.slot;
            b.addr = r.addr;
            b.len = r.len;
            b.nr_bvecs = r.nr_bvecs;
            b.folio_shift = r.folio_shift;
            b.kernel = (r.flags & UD_BUF_KERNEL) != 0;
            b.seg_begin = static_cast<std::uint32_t>(ring->segments.size());
            ring->buffers.push_back(b);
        }
        break;
    }
    case UD_REC_BUF_SEG: {
        auto &r = reinterpret_cast<const ud_buf_seg &>(rec);
        Ring *ring = current_ring();
        // Segments follow their buffer's record, possibly after a CHUNK.
        if (!ring || ring->buffers.empty() || ring->buffers.back().slot != r.slot) break;
        Segment s;
        s.page = r.page;
        s.offset = r.offset;
        s.len = r.len;
        ring->segments.push_back(s);
        ring->buffers.back().seg_count++;
        break;
    }
    case UD_REC_EPOLL:
        on_epoll(reinterpret_cast<const ud_epoll &>(rec));
        break;
    case UD_REC_EPOLL_ITEM: {
        auto &r = reinterpret_cast<const ud_epoll_item &>(rec);
        if (Epoll *ep = current_epoll()) {
            bool fds_known = true;
            FileId id = bind_file(r.file, &fds_known);
            ep->items.push_back({r.tfd, r.events, r.data, id, r.ino, 0, {}, fds_known});
        }
        break;
    }
    case UD_REC_FILE: {
        // Staged: it enters the snapshot with the first record that names it.
        auto &r = reinterpret_cast<const ud_file &>(rec);
        FileInfo &f = latest_file_[r.file];
        f.id = r.file;
        f.ino = r.ino;
        f.dev = r.dev;
        f.mode = r.mode;
        f.magic = r.magic;
        auto rebuilt = rebuild_path(r);
        f.path = std::move(rebuilt.path);
        f.path_truncated = !rebuilt.exact;
        break;
    }
    case UD_REC_CHUNK:
        on_chunk(reinterpret_cast<const ud_chunk &>(rec));
        break;
    case UD_REC_COUNT: {
        auto &c = reinterpret_cast<const ud_count &>(rec);
        if (c.table == UD_TABLE_FILES) {
            if (Ring *ring = current_ring()) ring->files_counted = c.count;
        } else if (c.table == UD_TABLE_EPOLL) {
            if (Epoll *ep = current_epoll()) ep->items_counted = c.count;
        }
        break;
    }
    case UD_REC_REQ:
        on_req(reinterpret_cast<const ud_req &>(rec));
        break;
    case UD_REC_WARN:
        on_warn(reinterpret_cast<const ud_warn &>(rec));
        break;
    default:
        break;  // CONT is the reader's business
    }
}

void SnapshotBuilder::finish(std::uint64_t vmemmap_base, std::uint64_t struct_page_size) {
    for (auto ref : alias_rings_) {
        Ring &ring = snap_.processes[ref.proc].rings[ref.ring];
        auto it = ring_owner_.find({static_cast<std::uint32_t>(snap_.processes[ref.proc].pid), ring.ctx});
        if (it == ring_owner_.end()) {
            // Its tables came with another reading of the ring, dropped since.
            if (ring.fd || !ring.users.empty())
                snap_.partial.push_back(fmt::format("{}: tables not read (the reading that had them was dropped)",
                                                    model::ring_where(snap_.processes[ref.proc].pid, ring)));
            continue;
        }
        const Ring &full = snap_.processes[it->second.proc].rings[it->second.ring];
        if (&full == &ring) continue;
        ring.files = full.files;
        for (auto &f : ring.files) f.fds = {};
        ring.buffers = full.buffers;
        ring.segments = full.segments;
        ring.files_counted = full.files_counted;
        ring.requests = full.requests;
        ring.requests_read = full.requests_read;
        for (auto &q : ring.requests) q.fds = {};
    }
    for (auto ref : alias_epolls_) {
        Epoll &ep = snap_.processes[ref.proc].epolls[ref.epoll];
        auto it = epoll_owner_.find({static_cast<std::uint32_t>(snap_.processes[ref.proc].pid), ep.ep});
        if (it == epoll_owner_.end()) continue;
        const Epoll &full = snap_.processes[it->second.proc].epolls[it->second.epoll];
        if (&full == &ep) continue;
        ep.items = full.items;
        ep.items_counted = full.items_counted;
        for (auto &item : ep.items) item.fds = {};
    }
    // Rings every reading of which was dropped (UD_WARN_CHANGED of a thread's
    // context): no fd, no thread refers to them.
    for (auto &p : snap_.processes)
        std::erase_if(p.rings, [](const Ring &r) { return !r.fd && r.users.empty(); });
    // A ring only a thread's context refers to, with no fd of the process
    // and in no thread's registered rings, is one the process does not
    // hold: its fd was closed and its release is still on the way out of
    // close(2) (a deferred fput), or another process holds it (a child
    // that inherited the fd). The context keeps it until the ring's exit
    // work removes it; it is not the process's to show.
    for (auto &p : snap_.processes)
        std::erase_if(p.rings, [&](const Ring &r) {
            bool registered = std::any_of(r.users.begin(), r.users.end(), [](const RingUser &u) { return u.reg_index >= 0; });
            if (r.fd || registered) return false;
            snap_.partial.push_back(fmt::format("{}: held by no fd or registered ring of the process (being closed, "
                                                "or held by another process); not shown",
                                                model::ring_where(p.pid, r)));
            return true;
        });
    for (auto &p : snap_.processes)
        for (auto &ring : p.rings) settle_requests(ring);
    // Pages of the system the records came from (the snapshot's, which its
    // reader set): bv_offset is in bytes of the folio.
    const std::uint32_t shift = page_shift(snap_.page_size);
    for (auto &p : snap_.processes) {
        for (auto &ring : p.rings) {
            for (auto &s : ring.segments) {
                // bv_offset may run past the first page of a folio: the
                // segment's frame is the one holding its first byte.
                std::uint64_t first = s.offset >> shift;
                s.offset &= snap_.page_size - 1;
                if (snap_.pfn.ok && struct_page_size && s.page >= vmemmap_base)
                    s.pfn = (s.page - vmemmap_base) / struct_page_size + first;
                s.page = 0;
            }
        }
    }
    std::sort(snap_.processes.begin(), snap_.processes.end(),
              [](const Process &a, const Process &b) { return a.pid < b.pid; });
}

// Requests seen twice (a chain shown again by a resume pass, a linked
// timeout both on its list and behind the request it guards) are one: the
// list it waits on says more than "linked". Fixed-file requests name their
// slot.
void SnapshotBuilder::settle_requests(Ring &ring) {
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> seen;  // (req, user_data)
    std::vector<Request> out;
    out.reserve(ring.requests.size());
    for (auto &q : ring.requests) {
        if (!q.req) {
            out.push_back(q);
            continue;
        }
        auto [it, fresh] = seen.try_emplace({q.req, q.user_data}, out.size());
        if (fresh) {
            out.push_back(q);
        } else if (out[it->second].waiting == UD_WAIT_LINKED && q.waiting != UD_WAIT_LINKED) {
            out[it->second] = q;
        }
    }
    ring.requests = std::move(out);
    for (auto &q : ring.requests) {
        if (!(q.flags & 1) || !q.file) continue;  // REQ_F_FIXED_FILE
        for (const auto &f : ring.files)
            if (f.file == q.file) {
                q.slot = f.slot;
                break;
            }
    }
}

}  // namespace ud::model
