#include "collect/bpf_reader.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>
#include <set>
#include <tuple>

#include "collect/bpf_programs.h"
#include "collect/calibration.h"
#include "collect/fail_point.h"
#include "collect/libbpf_log.h"
#include "collect/percpu_offsets.h"
#include "collect/record_stream.h"
#include "model/builder.h"
#include "model/describe.h"
#include "model/join.h"
#include "model/page_size.h"

namespace ud::collect {
namespace {

constexpr std::size_t kReadSize = 1 << 16;    // above the 32 KiB a read can return
constexpr std::size_t kResumeBatch = 8192;    // entries of the ud_resume map
constexpr unsigned kMaxResumeRounds = 1u << 20;

bool is_thread_token(std::uint64_t token) { return (token & 0xffffffffULL) == 0xffffffffULL; }

// An iterator link fd, closed with its owner.
class Link {
public:
    explicit Link(int fd = -1) : fd_(fd) {}
    Link(Link &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Link &operator=(Link &&o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~Link() {
        if (fd_ >= 0) ::close(fd_);
    }
    int fd() const { return fd_; }

private:
    int fd_;
};

// Attaches an iterator program, to one process (task iterator `pid`
// parameter, kernel 6.1+) or to all; -errno on failure.
int attach(int prog_fd, int pid) {
    union bpf_iter_link_info info;
    std::memset(&info, 0, sizeof(info));
    LIBBPF_OPTS(bpf_link_create_opts, opts);
    if (pid) {
        info.task.pid = static_cast<__u32>(pid);
        opts.iter_info = &info;
        opts.iter_info_len = sizeof(info);
    }
    int fd = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, &opts);
    return fd < 0 ? -errno : fd;
}

std::string errno_text(int err) { return std::strerror(err); }

// The programs' state during one collection: the summary flag, resume mode
// and the cursors stored in the resume map. Set through this, and put back
// to rest when the collection ends however it ends, an exception included:
// the next collection of the same reader (top's details after its summary
// list) must not start in summary or resume mode, nor find cursors of one
// that was cut short.
class CollectionState {
public:
    CollectionState(const BpfSettings &s, int resume_map, bool summary) : s_(s), map_(resume_map) {
        *s_.summary = summary;
        *s_.resume_mode = 0;
    }
    ~CollectionState() {
        clear_cursors();
        *s_.resume_mode = 0;
        *s_.resume_last_fd = ~0U;
        *s_.summary = 0;
    }
    CollectionState(const CollectionState &) = delete;
    CollectionState &operator=(const CollectionState &) = delete;

    void store_cursor(const ud_resume_key &k, const ud_resume_val &v) {
        if (bpf_map_update_elem(map_, &k, &v, BPF_ANY))
            throw std::runtime_error(fmt::format("cannot store a resume cursor: {}", errno_text(errno)));
        keys_.push_back(k);
    }
    void clear_cursors() {
        for (auto &k : keys_) bpf_map_delete_elem(map_, &k);
        keys_.clear();
    }
    // In resume mode the programs only continue the walks stored; last_fd
    // ends a pass after that fd (~0U: never).
    void resume_mode(bool on, std::uint32_t last_fd = ~0U) {
        *s_.resume_mode = on;
        *s_.resume_last_fd = last_fd;
    }

private:
    const BpfSettings &s_;
    int map_;
    std::vector<ud_resume_key> keys_;
};

std::uint64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

std::string vmlinux_btf_path() {
    // UD_VMLINUX_BTF points CO-RE at another kernel's BTF (and lets the
    // tests simulate a kernel without any).
    const char *v = std::getenv("UD_VMLINUX_BTF");
    return v && *v ? v : "/sys/kernel/btf/vmlinux";
}

std::string bpf_precheck() {
    struct stat st;
    std::string path = vmlinux_btf_path();
    if (::stat(path.c_str(), &st) != 0)
        return fmt::format("the kernel exposes no BTF ({} missing; needs CONFIG_DEBUG_INFO_BTF)", path);
    return {};
}

// The links of one collection: per PID and program, created on first use.
struct BpfReader::Pass {
    BpfPrograms &progs;
    CollectStats &stats;
    std::map<std::pair<int, bool>, Link> links;  // (pid, task program) -> link

    // The link's fd, or -1 when the process is gone.
    int link(int pid, bool task_prog) {
        auto it = links.find({pid, task_prog});
        if (it == links.end()) {
            int fd = attach(task_prog ? progs.task_prog() : progs.task_file_prog(), pid);
            if (fd < 0) {
                int err = -fd;
                if (err == ESRCH || err == ENOENT) return -1;  // process gone
                throw std::runtime_error(fmt::format("cannot attach the {} iterator{}: {}",
                                                     task_prog ? "task" : "task_file",
                                                     pid ? fmt::format(" to pid {}", pid) : "",
                                                     errno_text(err)));
            }
            stats.links++;
            it = links.emplace(std::make_pair(pid, task_prog), Link(fd)).first;
        }
        return it->second.fd();
    }

    // resume_stop: the programs may end this pass with EAGAIN (see
    // ud_resume_last_fd in bpf/ud_common.bpf.h).
    void read(int pid, bool task_prog, RecordStream &rs, bool resume_stop = false) {
        int link_fd = link(pid, task_prog);
        if (link_fd < 0) return;
        int fd = bpf_iter_create(link_fd);
        if (fd < 0)
            throw std::runtime_error(fmt::format("cannot create an iterator: {}", errno_text(errno)));
        static thread_local std::vector<char> buf(kReadSize);
        stats.passes++;
        for (;;) {
            std::uint64_t t0 = monotonic_ns();
            ssize_t n = ::read(fd, buf.data(), buf.size());
            std::uint64_t t1 = monotonic_ns();
            stats.read_ns += t1 - t0;
            if (n > 0) {
                stats.bytes += static_cast<std::uint64_t>(n);
                rs.feed(buf.data(), static_cast<std::size_t>(n));
                stats.build_ns += monotonic_ns() - t1;
                continue;
            }
            if (n == 0) break;
            if (errno == EINTR) continue;
            // In a resume pass the program ends the pass early, after the
            // last fd it was asked to continue, by failing the next object.
            if (errno == EAGAIN && resume_stop) break;
            int err = errno;
            ::close(fd);
            throw std::runtime_error(fmt::format("reading the iterator failed: {}", errno_text(err)));
        }
        ::close(fd);
        if (!rs.at_boundary()) throw std::runtime_error("the iterator ended inside a record");
    }
};

BpfReader::BpfReader() {
    std::uint64_t t0 = monotonic_ns();
    if (auto why = bpf_precheck(); !why.empty()) throw BpfUnavailable(why);
    // libbpf's full loader when its messages are wanted or CO-RE must use
    // another BTF; the light skeleton otherwise (see bpf_programs.h).
    bool custom_btf = std::getenv("UD_VMLINUX_BTF") != nullptr;
    progs_ = BpfPrograms::load(LibbpfLog::debug() || custom_btf, vmlinux_btf_path());
    settings_ = progs_->settings();
    facts_.obj_limit = model::system_page_size() << 3;  // bpf_seq_read's buffer
    *settings_.obj_limit = facts_.obj_limit;
    *settings_.page_shift = model::page_shift(model::system_page_size());
    *settings_.nr_node_ids = possible_nodes();
    std::uint64_t t1 = monotonic_ns();
    calibrate();
    // The calibration pass told whether this kernel counts requests per
    // task only; the kallsyms scan that helps then is paid only there.
    if (*settings_.counts_per_task) {
        if (auto offsets = find_percpu_offsets()) {
            *settings_.percpu_offsets = offsets->array;
            *settings_.nr_cpu_ids = offsets->nr_cpu_ids;
            facts_.percpu_offsets = true;
        }
    }
    facts_.load_ns = t1 - t0;
    facts_.calibrate_ns = monotonic_ns() - t1;
}

BpfReader::~BpfReader() = default;

void BpfReader::calibrate() {
    Calibration cal = calibrate_kernel(
        [this](int pid, std::uint64_t ring_fops, std::uint64_t epoll_fops) {
            *settings_.ring_fops = ring_fops;
            *settings_.epoll_fops = epoll_fops;
            SelfPassResult r;
            model::SnapshotBuilder builder(r.snap);
            run_passes({pid}, false, builder, r.snap);
            r.struct_page_size = *settings_.page_size;
            return r;
        });
    facts_.ring_fops = cal.ring_fops;
    facts_.epoll_fops = cal.epoll_fops;
    facts_.layout = cal.layout;
    facts_.vmemmap_base = cal.vmemmap_base;
    facts_.struct_page_size = cal.struct_page_size;
    facts_.pfn = cal.pfn;
    *settings_.ring_fops = cal.ring_fops;
    *settings_.epoll_fops = cal.epoll_fops;
}

void BpfReader::run_passes(const std::vector<int> &pids, bool summary, model::SnapshotBuilder &builder,
                           model::Snapshot &snap) {
    *settings_.gen = ++gen_;
    CollectionState state(settings_, progs_->resume_map(), summary);
    std::vector<ud_cont> pending;
    // The continuations stored for the current resume round, until the
    // CHUNK record that opens each one comes back. One left over after the
    // round was not continued (its object was not visited, or not asked):
    // its table is incomplete, and the snapshot must say so. Per process:
    // processes sharing a ring or epoll set each walk its tables.
    using WalkKey = std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>;  // (pid, owner, table)
    std::set<WalkKey> awaited;
    RecordStream rs([&](const ud_hdr &h) {
        if (h.type == UD_REC_CONT) {
            pending.push_back(reinterpret_cast<const ud_cont &>(h));
            return;
        }
        if (h.type == UD_REC_CHUNK) {
            auto &c = reinterpret_cast<const ud_chunk &>(h);
            awaited.erase({c.hdr.pid, c.owner, c.table});
        }
        builder.add(h);
    });
    Pass pass{*progs_, stats_, {}};

    // First passes: the fds (and with them rings, epolls and the first
    // chunk of every table), then the threads' io_uring contexts, whose
    // rings the first pass may have emitted already.
    if (pids.empty()) {
        pass.read(0, false, rs);
        pass.read(0, true, rs);
    } else {
        for (int pid : pids) {
            pass.read(pid, false, rs);
            pass.read(pid, true, rs);
        }
    }

    // Resume passes: each continues every walk that stopped on the output
    // budget, for the processes that have one, until none is left.
    std::map<WalkKey, std::pair<std::uint64_t, std::int64_t>> last_cursor;
    unsigned rounds = 0;
    while (!pending.empty()) {
        if (++rounds > kMaxResumeRounds) {
            snap.partial.push_back("resume passes did not converge; tables are incomplete");
            break;
        }
        state.clear_cursors();
        std::vector<ud_cont> batch, later;
        for (auto &c : pending) (batch.size() < kResumeBatch ? batch : later).push_back(c);
        std::map<std::pair<int, bool>, std::uint32_t> targets;  // (pid, task program) -> last fd
        for (auto &c : batch) {
            ud_resume_key k{};
            k.owner = c.owner;
            k.table = c.table;
            k.tgid = c.hdr.pid;
            auto [it, fresh] = last_cursor.try_emplace({c.hdr.pid, c.owner, c.table}, c.cursor, c.cursor2);
            if (!fresh && it->second.first == c.cursor && it->second.second == c.cursor2) {
                snap.partial.push_back(fmt::format("pid {}: a table walk made no progress; it is incomplete", c.hdr.pid));
                continue;
            }
            it->second = {c.cursor, c.cursor2};
            ud_resume_val v{};
            v.cursor = c.cursor;
            v.cursor2 = c.cursor2;
            v.token = c.token;
            v.ident = c.ident;
            v.ident2 = c.ident2;
            state.store_cursor(k, v);
            awaited.insert({c.hdr.pid, c.owner, c.table});
            auto &last = targets[{static_cast<int>(c.hdr.pid), is_thread_token(c.token)}];
            last = std::max(last, static_cast<std::uint32_t>(c.token & 0xffffffffU));
        }
        pending = std::move(later);
        // Many processes to continue in a system-wide collection: one pass
        // of the system-wide links over every fd costs less than a link per
        // process. Few: per-process links, which visit only their fds.
        if (pids.empty() && targets.size() > kSystemWideResume) {
            bool task_prog = false, file_prog = false;
            for (auto &[target, last] : targets) (target.second ? task_prog : file_prog) = true;
            targets.clear();
            if (file_prog) targets[{0, false}] = ~0U;
            if (task_prog) targets[{0, true}] = ~0U;
        }
        for (auto [target, last_fd] : targets) {
            auto [pid, task_prog] = target;
            // Threads come in no guaranteed order, nor do the processes of a
            // system-wide pass: only one process's fds end a pass early.
            bool stop_early = !task_prog && pid;
            state.resume_mode(true, stop_early ? last_fd : ~0U);
            fail_point("resume");
            pass.read(pid, task_prog, rs, stop_early);
        }
        state.resume_mode(false);
        for (auto &[pid, owner, table] : awaited)
            snap.partial.push_back(fmt::format("pid {}: {}: a walk stopped at the output budget was not continued; "
                                               "it is incomplete",
                                               pid, model::table_name(table)));
        awaited.clear();
    }
}

model::Snapshot BpfReader::collect(const std::vector<int> &pids, bool summary) {
    stats_ = {};
    model::Snapshot snap;
    snap.source = model::Source::bpf;
    snap.pfn = facts_.pfn;
    snap.summary = summary;
    model::SnapshotBuilder builder(snap);
    run_passes(pids, summary, builder, snap);
    fail_point("collect");
    builder.finish(facts_.vmemmap_base, facts_.struct_page_size);
    return snap;
}

bool BpfReader::at_rest() const {
    ud_resume_key k;
    return *settings_.summary == 0 && *settings_.resume_mode == 0 &&
           bpf_map_get_next_key(progs_->resume_map(), nullptr, &k) != 0;
}

}  // namespace ud::collect
