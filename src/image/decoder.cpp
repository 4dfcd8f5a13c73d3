#include "image/decoder.h"

#include <fmt/format.h>

#include <bit>
#include <set>

#include "image/uringdump.pb.h"
#include "model/join.h"

namespace ud::image {
namespace {

namespace pb = ::uringdump::image;

// Bounds from the kernel: a table larger than these cannot have been read
// from a real process.
constexpr std::size_t kMaxProcesses = 1u << 22;   // PID_MAX_LIMIT
constexpr std::size_t kMaxTaskFds = 1u << 24;
constexpr std::size_t kMaxRings = 1u << 20;       // per process
constexpr std::size_t kMaxRingUsers = 1u << 22;   // threads
constexpr std::size_t kMaxFixedFiles = 1u << 20;  // IORING_MAX_FIXED_FILES
constexpr std::size_t kMaxBuffers = 1u << 14;     // IORING_MAX_REG_BUFFERS
constexpr std::size_t kMaxSegments = 1u << 18;    // a 1 GiB buffer in 4 KiB pages
constexpr std::uint64_t kMaxBufferLen = 1ull << 30;
constexpr std::size_t kMaxEpolls = 1u << 20;      // per process
constexpr std::size_t kMaxEpollItems = 1u << 26;
constexpr std::size_t kMaxFiles = 1u << 26;
constexpr std::size_t kMaxObstacles = 1u << 24;
constexpr std::uint32_t kMinPageSize = 1u << 12;  // no Linux architecture has smaller pages
constexpr std::uint32_t kMaxPageSize = 1u << 20;  // nor larger than 256 KiB

[[noreturn]] void bad(const FrameReader &r, const std::string &what) {
    throw ImageError(fmt::format("{}: {}", r.where(), what));
}

void bound(const FrameReader &r, std::size_t have, std::size_t adding, std::size_t limit, const char *what) {
    if (adding > limit || have > limit - adding) bad(r, fmt::format("more than {} {}", limit, what));
}

model::RingState get_state(const FrameReader &r, const pb::RingState &o) {
    model::RingState s;
    s.flags = o.flags();
    s.sq_entries = o.sq_entries();
    s.cq_entries = o.cq_entries();
    s.sq_head = o.sq_head();
    s.sq_tail = o.sq_tail();
    s.cq_head = o.cq_head();
    s.cq_tail = o.cq_tail();
    s.cached_sq_head = o.cached_sq_head();
    s.cached_cq_tail = o.cached_cq_tail();
    s.cq_overflow = o.cq_overflow();
    s.sq_dropped = o.sq_dropped();
    s.sq_flags = o.sq_flags();
    s.sq_thread_pid = o.sq_thread_pid();
    s.sq_thread_cpu = o.sq_thread_cpu();
    s.sq_thread_known = !o.sq_thread_unknown();
    s.nr_files = o.nr_files();
    s.nr_bufs = o.nr_bufs();
    if (o.has_buf_groups()) s.buf_groups = o.buf_groups();
    if (o.has_personalities()) s.personalities = o.personalities();
    s.counts_partial = o.counts_partial();
    if (o.has_has_eventfd()) s.has_eventfd = o.has_eventfd();
    s.overflow_pending = o.overflow_pending();
    s.napi = o.napi();
    s.zcrx = o.zcrx();
    if (o.iowq_max_size() != 2) bad(r, "ring state without its two io-wq limits");
    s.iowq_max[0] = o.iowq_max(0);
    s.iowq_max[1] = o.iowq_max(1);
    if (o.has_inflight()) s.inflight = o.inflight();
    if (o.has_tasks_inflight()) s.tasks_inflight = o.tasks_inflight();
    s.waiting = o.waiting();
    s.restricted = o.restricted();
    return s;
}

// Where the next frame may go: the frames of a table follow their owner.
enum class Scope { start, top, process, ring, buffer, epoll, done };

class Decoder {
public:
    explicit Decoder(ByteSource &src) : reader_(src) {}

    Image run() {
        std::string payload;
        while (reader_.next(payload)) {
            if (scope_ == Scope::done) bad(reader_, "data after the trailer");
            pb::Record rec;
            if (!rec.ParseFromString(payload)) bad(reader_, "payload is not a Record message");
            record(rec);
        }
        if (scope_ != Scope::done)
            throw ImageError(fmt::format("truncated: no trailer after {} frames (the dump did not finish)",
                                         reader_.frames_before()));
        img_.bytes = reader_.bytes_read();
        for (auto &p : img_.snap.processes) model::join_fds(p);
        return std::move(img_);
    }

private:
    void record(const pb::Record &rec) {
        if (scope_ == Scope::start && rec.record_case() != pb::Record::kHeader)
            bad(reader_, "the image does not start with a header");
        switch (rec.record_case()) {
        case pb::Record::kHeader: header(rec.header()); break;
        case pb::Record::kObstacles: obstacles(rec.obstacles()); break;
        case pb::Record::kFiles: files(rec.files()); break;
        case pb::Record::kProcess: process(rec.process()); break;
        case pb::Record::kTaskFds: task_fds(rec.task_fds()); break;
        case pb::Record::kRing: ring(rec.ring()); break;
        case pb::Record::kRingFiles: ring_files(rec.ring_files()); break;
        case pb::Record::kBuffer: buffer(rec.buffer()); break;
        case pb::Record::kBufferData: buffer_data(rec.buffer_data()); break;
        case pb::Record::kEpoll: epoll(rec.epoll()); break;
        case pb::Record::kEpollItems: epoll_items(rec.epoll_items()); break;
        case pb::Record::kTrailer: trailer(rec.trailer()); break;
        case pb::Record::RECORD_NOT_SET: bad(reader_, "empty record");
        }
    }

    void expect(bool ok, const char *record) {
        if (!ok) bad(reader_, fmt::format("{} record out of place", record));
    }

    model::Process &proc() { return img_.snap.processes.back(); }
    model::Ring &cur_ring() { return proc().rings.back(); }

    void header(const pb::Header &h) {
        expect(scope_ == Scope::start, "header");
        ImageInfo &info = img_.info;
        info.tool_version = h.tool_version();
        info.kernel_release = h.kernel_release();
        info.taken_unix_ns = h.taken_unix_ns();
        info.with_pages = h.with_pages();
        info.forced = h.forced();
        bound(reader_, 0, static_cast<std::size_t>(h.pids_size()), kMaxProcesses, "PIDs");
        info.pids.assign(h.pids().begin(), h.pids().end());
        model::Snapshot &s = img_.snap;
        if (h.source() != pb::SOURCE_BPF && h.source() != pb::SOURCE_PROCFS) bad(reader_, "unknown source");
        s.source = h.source() == pb::SOURCE_BPF ? model::Source::bpf : model::Source::procfs;
        s.taken_ns = h.taken_monotonic_ns();
        s.pfn.ok = h.pfn_ok();
        s.pfn.reason = h.pfn_unavailable();
        s.partial.assign(h.partial().begin(), h.partial().end());
        // Segment offsets and frame counts are in the dumping system's
        // pages. Images from before the field: this system's.
        if (h.page_size()) {
            if (!std::has_single_bit(h.page_size()) || h.page_size() < kMinPageSize || h.page_size() > kMaxPageSize)
                bad(reader_, fmt::format("page size {}", h.page_size()));
            s.page_size = h.page_size();
        } else {
            s.page_size = model::system_page_size();
        }
        scope_ = Scope::top;
    }

    void obstacles(const pb::ObstacleChunk &c) {
        expect(scope_ == Scope::top && img_.snap.files.empty(), "obstacles");
        auto &out = img_.info.obstacles;
        bound(reader_, out.size(), static_cast<std::size_t>(c.obstacles_size()), kMaxObstacles, "obstacles");
        for (auto &o : c.obstacles()) {
            if (o.kind() < 1 || o.kind() > kLastObstacleKind) bad(reader_, fmt::format("unknown obstacle kind {}", static_cast<int>(o.kind())));
            Obstacle ob;
            ob.kind = static_cast<ObstacleKind>(o.kind());
            ob.pid = o.pid();
            if (o.has_ring()) ob.ring = o.ring();
            if (o.has_slot()) ob.slot = o.slot();
            ob.where = o.where();
            ob.detail = o.detail();
            out.push_back(std::move(ob));
        }
    }

    void files(const pb::FileChunk &c) {
        expect(scope_ == Scope::top, "files");
        auto &files = img_.snap.files;
        bound(reader_, files.size(), static_cast<std::size_t>(c.files_size()), kMaxFiles, "files");
        for (auto &f : c.files()) {
            if (!f.id()) bad(reader_, "file with identity 0");
            auto [it, inserted] = files.try_emplace(f.id());
            if (!inserted) bad(reader_, fmt::format("file {} appears twice", f.id()));
            model::FileInfo &info = it->second;
            info.id = f.id();
            info.ino = f.ino();
            info.dev = f.dev();
            info.mode = f.mode();
            info.magic = f.magic();
            info.path = f.path();
            info.path_truncated = f.path_truncated();
        }
    }

    void process(const pb::Process &p) {
        expect(scope_ != Scope::start, "process");
        bound(reader_, img_.snap.processes.size(), 1, kMaxProcesses, "processes");
        if (p.pid() <= 0) bad(reader_, fmt::format("process with PID {}", p.pid()));
        if (!pids_.insert(p.pid()).second) bad(reader_, fmt::format("process {} appears twice", p.pid()));
        model::Process &np = img_.snap.processes.emplace_back();
        np.pid = p.pid();
        np.comm = p.comm();
        scope_ = Scope::process;
    }

    void task_fds(const pb::TaskFdChunk &c) {
        expect(scope_ == Scope::process && proc().rings.empty() && proc().epolls.empty(), "task fds");
        auto &fds = proc().task_fds;
        bound(reader_, fds.size(), static_cast<std::size_t>(c.fds_size()), kMaxTaskFds, "fds in a process");
        for (auto &f : c.fds()) {
            if (f.fd() < 0) bad(reader_, fmt::format("fd {}", f.fd()));
            fds.push_back({f.fd(), f.file(), 0});
        }
    }

    void ring(const pb::Ring &o) {
        expect((scope_ == Scope::process || scope_ == Scope::ring || scope_ == Scope::buffer) && proc().epolls.empty(),
               "ring");
        bound(reader_, proc().rings.size(), 1, kMaxRings, "rings in a process");
        bound(reader_, 0, static_cast<std::size_t>(o.users_size()), kMaxRingUsers, "threads using a ring");
        model::Ring r;
        if (o.has_fd()) {
            if (o.fd() < 0) bad(reader_, fmt::format("ring fd {}", o.fd()));
            r.fd = o.fd();
        }
        for (auto &u : o.users()) {
            if (u.reg_index() < -1) bad(reader_, fmt::format("registered ring index {}", u.reg_index()));
            r.users.push_back({u.tid(), u.reg_index()});
        }
        r.ctx = o.id();
        r.file = o.file();
        r.layout = o.layout();
        r.state = get_state(reader_, o.state());
        r.state_known = o.state_known();
        proc().rings.push_back(std::move(r));
        scope_ = Scope::ring;
    }

    void ring_files(const pb::FixedFileChunk &c) {
        expect(scope_ == Scope::ring && cur_ring().buffers.empty(), "fixed files");
        auto &files = cur_ring().files;
        bound(reader_, files.size(), static_cast<std::size_t>(c.files_size()), kMaxFixedFiles, "fixed files");
        for (auto &f : c.files())
            files.push_back({f.slot(), f.file(), f.ino(), f.dev(), f.mode(), f.name(), {}, f.fds_known(),
                             f.name_is_dentry(), !f.inode_unknown()});
    }

    void buffer(const pb::Buffer &o) {
        expect(scope_ == Scope::ring || scope_ == Scope::buffer, "buffer");
        model::Ring &r = cur_ring();
        bound(reader_, r.buffers.size(), 1, kMaxBuffers, "buffers in a ring");
        if (o.len() > kMaxBufferLen) bad(reader_, fmt::format("buffer of {} bytes", o.len()));
        int nseg = o.seg_pfn_size();
        if (o.seg_offset_size() != nseg || o.seg_len_size() != nseg) bad(reader_, "buffer segment columns differ in length");
        bound(reader_, 0, static_cast<std::size_t>(nseg), kMaxSegments, "segments in a buffer");
        if (o.memory() < pb::MEMORY_UNKNOWN || o.memory() > pb::MEMORY_KERNEL)
            bad(reader_, fmt::format("unknown memory kind {}", static_cast<int>(o.memory())));
        model::Buffer b;
        b.slot = o.slot();
        b.addr = o.addr();
        b.len = o.len();
        b.nr_bvecs = o.nr_bvecs();
        b.folio_shift = o.folio_shift();
        b.kernel = o.kernel();
        b.seg_begin = static_cast<std::uint32_t>(r.segments.size());
        b.seg_count = static_cast<std::uint32_t>(nseg);
        for (int i = 0; i < nseg; i++) r.segments.push_back({o.seg_pfn(i), 0, o.seg_offset(i), o.seg_len(i)});
        cur_buffer_ = {proc().pid, static_cast<std::uint32_t>(proc().rings.size() - 1),
                       static_cast<std::uint32_t>(r.buffers.size())};
        r.buffers.push_back(b);
        img_.memory[cur_buffer_] = {static_cast<collect::MemoryKind>(o.memory()), o.memory_path()};
        if (img_.info.with_pages && !b.kernel) img_.contents[cur_buffer_] = {};
        scope_ = Scope::buffer;
    }

    void buffer_data(const pb::BufferData &d) {
        expect(scope_ == Scope::buffer && img_.info.with_pages && img_.contents.count(cur_buffer_), "buffer contents");
        BufferContents &c = img_.contents[cur_buffer_];
        const model::Buffer &b = cur_ring().buffers.back();
        if (!c.error.empty()) bad(reader_, "buffer contents after the piece that ended them");
        if (d.offset() != c.bytes) bad(reader_, fmt::format("buffer contents at offset {}, expected {}", d.offset(), c.bytes));
        if (d.data().size() > b.len - c.bytes) bad(reader_, "buffer contents longer than the buffer");
        c.bytes += d.data().size();
        c.error = d.error();
        if (c.error.empty() && d.data().empty() && b.len) bad(reader_, "empty piece of buffer contents");
    }

    void epoll(const pb::Epoll &o) {
        expect(scope_ != Scope::start && scope_ != Scope::top && scope_ != Scope::done, "epoll");
        bound(reader_, proc().epolls.size(), 1, kMaxEpolls, "epoll sets in a process");
        if (o.fd() < 0) bad(reader_, fmt::format("epoll fd {}", o.fd()));
        model::Epoll e;
        e.fd = o.fd();
        e.ep = o.id();
        e.file = o.file();
        proc().epolls.push_back(std::move(e));
        scope_ = Scope::epoll;
    }

    void epoll_items(const pb::EpollItemChunk &c) {
        expect(scope_ == Scope::epoll, "epoll items");
        auto &items = proc().epolls.back().items;
        bound(reader_, items.size(), static_cast<std::size_t>(c.items_size()), kMaxEpollItems, "epoll items");
        for (auto &it : c.items()) {
            if (it.tfd() < 0) bad(reader_, fmt::format("epoll item tfd {}", it.tfd()));
            items.push_back({it.tfd(), it.events(), it.data(), it.file(), it.ino(), it.sdev(), {}, it.fds_known()});
        }
    }

    void trailer(const pb::Trailer &t) {
        if (t.frames() != reader_.frames_before() || t.bytes() != reader_.bytes_before())
            bad(reader_, fmt::format("trailer counts {} frames in {} bytes, the file has {} in {}", t.frames(), t.bytes(),
                                     reader_.frames_before(), reader_.bytes_before()));
        if (t.crc() != reader_.crc_before()) bad(reader_, "checksum of the whole image does not match the trailer");
        img_.frames = reader_.frames_before() + 1;
        scope_ = Scope::done;
    }

    FrameReader reader_;
    Image img_;
    Scope scope_ = Scope::start;
    std::set<int> pids_;
    collect::BufferKey cur_buffer_;
};

}  // namespace

Image read_image(ByteSource &src) { return Decoder(src).run(); }

}  // namespace ud::image
