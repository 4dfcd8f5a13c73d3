#include "image/encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "image/uringdump.pb.h"

namespace ud::image {
namespace {

namespace pb = ::uringdump::image;

static_assert(static_cast<int>(collect::MemoryKind::kernel) == pb::MEMORY_KERNEL);
static_assert(static_cast<int>(collect::MemoryKind::unmapped) == pb::MEMORY_UNMAPPED);
static_assert(static_cast<int>(ObstacleKind::buffer_memory) == pb::Obstacle::BUFFER_MEMORY);

// Table chunks stay this small, far below kMaxPayload, whatever one entry holds.
constexpr std::size_t kChunkBytes = 256u << 10;

void emit(FrameWriter &w, const pb::Record &rec) {
    std::string payload;
    rec.SerializeToString(&payload);
    w.write(payload);
}

// Kernel addresses (and the fallback's synthetic identities) become 1, 2, 3...
// in order of first use; 0 stays 0.
class Ids {
public:
    std::uint64_t operator()(std::uint64_t key) {
        if (!key) return 0;
        auto [it, inserted] = ids_.try_emplace(key, next_);
        if (inserted) next_++;
        return it->second;
    }

private:
    std::unordered_map<std::uint64_t, std::uint64_t> ids_;
    std::uint64_t next_ = 1;
};

// Collects the entries of one table into chunk records, writing one each
// time it grows past kChunkBytes. `add` appends an entry to a record.
template <typename Add>
class Chunker {
public:
    Chunker(FrameWriter &w, Add add) : w_(w), add_(add) {}
    template <typename Fill>
    void add(Fill fill) {
        auto *entry = add_(rec_);
        fill(*entry);
        size_ += entry->ByteSizeLong() + 8;
        if (size_ >= kChunkBytes) flush();
    }
    void flush() {
        if (!size_) return;
        emit(w_, rec_);
        rec_.Clear();
        size_ = 0;
    }

private:
    FrameWriter &w_;
    Add add_;
    pb::Record rec_;
    std::size_t size_ = 0;
};

void put_state(pb::RingState &o, const model::RingState &s) {
    o.set_flags(s.flags);
    o.set_sq_entries(s.sq_entries);
    o.set_cq_entries(s.cq_entries);
    o.set_sq_head(s.sq_head);
    o.set_sq_tail(s.sq_tail);
    o.set_cq_head(s.cq_head);
    o.set_cq_tail(s.cq_tail);
    o.set_cached_sq_head(s.cached_sq_head);
    o.set_cached_cq_tail(s.cached_cq_tail);
    o.set_cq_overflow(s.cq_overflow);
    o.set_sq_dropped(s.sq_dropped);
    o.set_sq_flags(s.sq_flags);
    o.set_sq_thread_pid(s.sq_thread_pid);
    o.set_sq_thread_cpu(s.sq_thread_cpu);
    o.set_sq_thread_unknown(!s.sq_thread_known);
    o.set_nr_files(s.nr_files);
    o.set_nr_bufs(s.nr_bufs);
    if (s.buf_groups) o.set_buf_groups(*s.buf_groups);
    if (s.personalities) o.set_personalities(*s.personalities);
    o.set_counts_partial(s.counts_partial);
    if (s.has_eventfd) o.set_has_eventfd(*s.has_eventfd);
    o.set_overflow_pending(s.overflow_pending);
    o.set_napi(s.napi);
    o.set_zcrx(s.zcrx);
    o.add_iowq_max(s.iowq_max[0]);
    o.add_iowq_max(s.iowq_max[1]);
    if (s.inflight) o.set_inflight(*s.inflight);
    if (s.tasks_inflight) o.set_tasks_inflight(*s.tasks_inflight);
    o.set_waiting(s.waiting);
    o.set_restricted(s.restricted);
}

class Encoder {
public:
    Encoder(FrameWriter &w, const ImageInfo &info, const model::Snapshot &snap,
            const collect::BufferMemoryMap &memory, const ContentReader &read)
        : w_(w), info_(info), snap_(snap), memory_(memory), read_(read) {}

    WriteStats run() {
        header();
        obstacles();
        files();
        for (auto &p : snap_.processes) process(p);
        pb::Record rec;
        auto *t = rec.mutable_trailer();
        t->set_frames(w_.frames());
        t->set_bytes(w_.bytes());
        t->set_crc(w_.crc());
        emit(w_, rec);
        return std::move(stats_);
    }

private:
    void header() {
        pb::Record rec;
        auto *h = rec.mutable_header();
        h->set_tool_version(info_.tool_version);
        h->set_kernel_release(info_.kernel_release);
        h->set_taken_unix_ns(info_.taken_unix_ns);
        h->set_taken_monotonic_ns(snap_.taken_ns);
        h->set_source(snap_.source == model::Source::bpf ? pb::SOURCE_BPF : pb::SOURCE_PROCFS);
        h->set_pfn_ok(snap_.pfn.ok);
        h->set_pfn_unavailable(snap_.pfn.reason);
        for (auto &why : snap_.partial) h->add_partial(why);
        for (int pid : info_.pids) h->add_pids(pid);
        h->set_with_pages(info_.with_pages);
        h->set_forced(info_.forced);
        h->set_page_size(snap_.page_size);
        emit(w_, rec);
    }

    void obstacles() {
        Chunker c(w_, [](pb::Record &r) { return r.mutable_obstacles()->add_obstacles(); });
        for (auto &o : info_.obstacles) {
            c.add([&](pb::Obstacle &e) {
                e.set_kind(static_cast<pb::Obstacle::Kind>(o.kind));
                e.set_pid(o.pid);
                if (o.ring) e.set_ring(*o.ring);
                if (o.slot) e.set_slot(*o.slot);
                e.set_where(o.where);
                e.set_detail(o.detail);
            });
        }
        c.flush();
    }

    void files() {
        std::vector<const model::FileInfo *> sorted;
        for (auto &[id, f] : snap_.files) sorted.push_back(&f);
        std::sort(sorted.begin(), sorted.end(), [](auto *a, auto *b) { return a->id < b->id; });
        Chunker c(w_, [](pb::Record &r) { return r.mutable_files()->add_files(); });
        for (auto *f : sorted) {
            c.add([&](pb::File &e) {
                e.set_id(ids_(f->id));
                e.set_ino(f->ino);
                e.set_dev(f->dev);
                e.set_mode(f->mode);
                e.set_magic(f->magic);
                e.set_path(f->path);
                e.set_path_truncated(f->path_truncated);
            });
        }
        c.flush();
    }

    void process(const model::Process &p) {
        pb::Record rec;
        rec.mutable_process()->set_pid(p.pid);
        rec.mutable_process()->set_comm(p.comm);
        emit(w_, rec);
        Chunker c(w_, [](pb::Record &r) { return r.mutable_task_fds()->add_fds(); });
        for (auto &tf : p.task_fds) {
            c.add([&](pb::TaskFd &e) {
                e.set_fd(tf.fd);
                e.set_file(ids_(tf.file));
            });
        }
        c.flush();
        for (std::uint32_t ri = 0; ri < p.rings.size(); ri++) ring(p, ri);
        for (auto &e : p.epolls) epoll(e);
    }

    void ring(const model::Process &p, std::uint32_t ri) {
        const model::Ring &r = p.rings[ri];
        pb::Record rec;
        auto *o = rec.mutable_ring();
        if (r.fd) o->set_fd(*r.fd);
        for (auto &u : r.users) {
            auto *pu = o->add_users();
            pu->set_tid(u.tid);
            pu->set_reg_index(u.reg_index);
        }
        o->set_id(ids_(r.ctx));
        o->set_file(ids_(r.file));
        o->set_layout(r.layout);
        put_state(*o->mutable_state(), r.state);
        o->set_state_known(r.state_known);
        emit(w_, rec);

        Chunker c(w_, [](pb::Record &rr) { return rr.mutable_ring_files()->add_files(); });
        for (auto &f : r.files) {
            c.add([&](pb::FixedFile &e) {
                e.set_slot(f.slot);
                e.set_file(ids_(f.file));
                e.set_ino(f.ino);
                e.set_dev(f.dev);
                e.set_mode(f.mode);
                e.set_name(f.name);
                e.set_fds_known(f.fds_known);
                e.set_name_is_dentry(f.name_is_dentry);
                e.set_inode_unknown(!f.inode_known);
            });
        }
        c.flush();
        for (std::uint32_t bi = 0; bi < r.buffers.size(); bi++) buffer(p, ri, bi);
    }

    void buffer(const model::Process &p, std::uint32_t ri, std::uint32_t bi) {
        const model::Ring &r = p.rings[ri];
        const model::Buffer &b = r.buffers[bi];
        pb::Record rec;
        auto *o = rec.mutable_buffer();
        o->set_slot(b.slot);
        o->set_addr(b.addr);
        o->set_len(b.len);
        o->set_nr_bvecs(b.nr_bvecs);
        o->set_folio_shift(b.folio_shift);
        o->set_kernel(b.kernel);
        for (std::uint32_t i = 0; i < b.seg_count; i++) {
            const model::Segment &s = r.segments[b.seg_begin + i];
            o->add_seg_pfn(s.pfn);
            o->add_seg_offset(s.offset);
            o->add_seg_len(s.len);
        }
        auto it = memory_.find({p.pid, ri, bi});
        if (it != memory_.end()) {
            o->set_memory(static_cast<pb::MemoryKind>(it->second.kind));
            o->set_memory_path(it->second.path);
        }
        emit(w_, rec);
        if (info_.with_pages && !b.kernel) contents(p, r, b);
    }

    // The buffer's bytes in pieces of kDataPiece; the first piece that
    // cannot be read in full is the last, and says why.
    void contents(const model::Process &p, const model::Ring &r, const model::Buffer &b) {
        std::vector<char> piece(static_cast<std::size_t>(std::min<std::uint64_t>(b.len, kDataPiece)));
        for (std::uint64_t off = 0; off < b.len;) {
            std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kDataPiece, b.len - off));
            collect::MemoryRead got = read_(p.pid, b.addr + off, {piece.data(), n});
            pb::Record rec;
            auto *d = rec.mutable_buffer_data();
            d->set_offset(off);
            d->set_data(piece.data(), got.bytes);
            stats_.content_bytes += got.bytes;
            if (got.bytes < n) {
                std::string why = fmt::format("{} ({})", got.error == EFAULT ? "not mapped" : "cannot be read",
                                              std::strerror(got.error ? got.error : EFAULT));
                d->set_error(why);
                emit(w_, rec);
                stats_.unread.push_back(fmt::format("pid {} {} buffer slot {}: contents read up to byte {} of {}: {}",
                                                    p.pid, ring_label(r), b.slot, off + got.bytes, b.len, why));
                return;
            }
            emit(w_, rec);
            off += n;
        }
    }

    void epoll(const model::Epoll &e) {
        pb::Record rec;
        auto *o = rec.mutable_epoll();
        o->set_fd(e.fd);
        o->set_id(ids_(e.ep));
        o->set_file(ids_(e.file));
        emit(w_, rec);
        Chunker c(w_, [](pb::Record &rr) { return rr.mutable_epoll_items()->add_items(); });
        for (auto &it : e.items) {
            c.add([&](pb::EpollItem &o2) {
                o2.set_tfd(it.tfd);
                o2.set_events(it.events);
                o2.set_data(it.data);
                o2.set_file(ids_(it.file));
                o2.set_ino(it.ino);
                o2.set_sdev(it.sdev);
                o2.set_fds_known(it.fds_known);
            });
        }
        c.flush();
    }

    FrameWriter &w_;
    const ImageInfo &info_;
    const model::Snapshot &snap_;
    const collect::BufferMemoryMap &memory_;
    const ContentReader &read_;
    Ids ids_;
    WriteStats stats_;
};

}  // namespace

WriteStats write_image(FrameWriter &w, const ImageInfo &info, const model::Snapshot &snap,
                       const collect::BufferMemoryMap &memory, const ContentReader &read) {
    return Encoder(w, info, snap, memory, read).run();
}

}  // namespace ud::image
