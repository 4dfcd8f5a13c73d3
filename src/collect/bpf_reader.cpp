#include "collect/bpf_reader.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "collect/calibration.h"
#include "collect/libbpf_log.h"
#include "collect/record_stream.h"
#include "model/builder.h"
#include "model/join.h"
#include "uringdump.skel.h"

namespace ud::collect {
namespace {

constexpr std::size_t kReadSize = 1 << 16;    // above the 32 KiB a read can return
constexpr std::size_t kResumeBatch = 8192;    // entries of the ud_resume map
constexpr unsigned kMaxResumeRounds = 1u << 20;

bool is_thread_token(std::uint64_t token) { return (token & 0xffffffffULL) == 0xffffffffULL; }

struct LinkDeleter {
    void operator()(bpf_link *l) const { bpf_link__destroy(l); }
};
using LinkPtr = std::unique_ptr<bpf_link, LinkDeleter>;

LinkPtr attach(bpf_program *prog, int pid) {
    union bpf_iter_link_info info;
    std::memset(&info, 0, sizeof(info));
    LIBBPF_OPTS(bpf_iter_attach_opts, opts);
    if (pid) {
        info.task.pid = static_cast<__u32>(pid);
        opts.link_info = &info;
        opts.link_info_len = sizeof(info);
    }
    bpf_link *l = bpf_program__attach_iter(prog, &opts);
    if (!l) return nullptr;
    return LinkPtr(l);
}

std::string errno_text(int err) { return std::strerror(err); }

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
    uringdump_bpf *skel;
    CollectStats &stats;
    std::map<std::pair<int, bool>, LinkPtr> links;  // (pid, task program) -> link

    bpf_link *link(int pid, bool task_prog) {
        auto &slot = links[{pid, task_prog}];
        if (!slot) {
            slot = attach(task_prog ? skel->progs.ud_task : skel->progs.ud_task_file, pid);
            if (!slot) {
                int err = errno;
                links.erase({pid, task_prog});
                if (err == ESRCH || err == ENOENT) return nullptr;  // process gone
                throw std::runtime_error(fmt::format("cannot attach the {} iterator{}: {}",
                                                     task_prog ? "task" : "task_file",
                                                     pid ? fmt::format(" to pid {}", pid) : "",
                                                     errno_text(err)));
            }
            stats.links++;
        }
        return slot.get();
    }

    void read(int pid, bool task_prog, RecordStream &rs) {
        bpf_link *l = link(pid, task_prog);
        if (!l) return;
        int fd = bpf_iter_create(bpf_link__fd(l));
        if (fd < 0)
            throw std::runtime_error(fmt::format("cannot create an iterator: {}", errno_text(errno)));
        static thread_local std::vector<char> buf(kReadSize);
        stats.passes++;
        for (;;) {
            ssize_t n = ::read(fd, buf.data(), buf.size());
            if (n > 0) {
                stats.bytes += static_cast<std::uint64_t>(n);
                rs.feed(buf.data(), static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0) break;
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            throw std::runtime_error(fmt::format("reading the iterator failed: {}", errno_text(err)));
        }
        ::close(fd);
        if (!rs.at_boundary()) throw std::runtime_error("the iterator ended inside a record");
    }
};

BpfReader::BpfReader() {
    if (auto why = bpf_precheck(); !why.empty()) throw BpfUnavailable(why);
    LibbpfLog::install();
    std::string btf_path = vmlinux_btf_path();
    LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = btf_path.c_str());
    skel_ = uringdump_bpf__open_opts(&open_opts);
    if (!skel_) throw BpfUnavailable(fmt::format("cannot open the BPF object: {}", errno_text(errno)));
    facts_.obj_limit = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE)) << 3;  // bpf_seq_read's buffer
    skel_->data->ud_obj_limit = facts_.obj_limit;
    if (int err = uringdump_bpf__load(skel_)) {
        int e = -err;
        std::string detail = LibbpfLog::last_error();
        uringdump_bpf__destroy(skel_);
        skel_ = nullptr;
        if (e == EPERM || e == EACCES)
            throw BpfUnavailable(fmt::format("not permitted to load BPF programs ({}); needs CAP_BPF and CAP_PERFMON",
                                             errno_text(e)));
        throw BpfUnavailable(fmt::format("the kernel rejected the BPF programs: {}{}", errno_text(e),
                                         detail.empty() ? "" : " (" + detail + ")"));
    }
    calibrate();
}

BpfReader::~BpfReader() {
    if (skel_) uringdump_bpf__destroy(skel_);
}

void BpfReader::calibrate() {
    Calibration cal = calibrate_kernel(
        [this](int pid, std::uint64_t ring_fops, std::uint64_t epoll_fops) {
            skel_->bss->ud_ring_fops = ring_fops;
            skel_->bss->ud_epoll_fops = epoll_fops;
            model::Snapshot snap;
            model::SnapshotBuilder builder(snap);
            run_passes({pid}, builder, snap);
            return snap;  // unfinished: segments keep their struct page addresses
        });
    facts_.ring_fops = cal.ring_fops;
    facts_.epoll_fops = cal.epoll_fops;
    facts_.layout = cal.layout;
    facts_.vmemmap_base = cal.vmemmap_base;
    facts_.struct_page_size = cal.struct_page_size;
    facts_.pfn = cal.pfn;
    skel_->bss->ud_ring_fops = cal.ring_fops;
    skel_->bss->ud_epoll_fops = cal.epoll_fops;
}

void BpfReader::run_passes(const std::vector<int> &pids, model::SnapshotBuilder &builder, model::Snapshot &snap) {
    skel_->bss->ud_gen = ++gen_;
    skel_->bss->ud_resume_mode = 0;
    std::vector<ud_cont> pending;
    RecordStream rs([&](const ud_hdr &h) {
        if (h.type == UD_REC_CONT)
            pending.push_back(reinterpret_cast<const ud_cont &>(h));
        else
            builder.add(h);
    });
    Pass pass{skel_, stats_, {}};

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
    std::map<std::pair<std::uint64_t, std::uint32_t>, std::pair<std::uint64_t, std::int64_t>> last_cursor;
    std::vector<ud_resume_key> in_map;
    unsigned rounds = 0;
    while (!pending.empty()) {
        if (++rounds > kMaxResumeRounds) {
            snap.partial.push_back("resume passes did not converge; tables are incomplete");
            break;
        }
        for (auto &k : in_map) bpf_map__delete_elem(skel_->maps.ud_resume, &k, sizeof(k), 0);
        in_map.clear();
        std::vector<ud_cont> batch, later;
        for (auto &c : pending) (batch.size() < kResumeBatch ? batch : later).push_back(c);
        std::set<std::pair<int, bool>> targets;
        for (auto &c : batch) {
            ud_resume_key k{};
            k.owner = c.owner;
            k.table = c.table;
            auto [it, fresh] = last_cursor.try_emplace({c.owner, c.table}, c.cursor, c.cursor2);
            if (!fresh && it->second.first == c.cursor && it->second.second == c.cursor2) {
                snap.partial.push_back(fmt::format("pid {}: a table walk made no progress; it is incomplete", c.hdr.pid));
                continue;
            }
            it->second = {c.cursor, c.cursor2};
            ud_resume_val v{};
            v.cursor = c.cursor;
            v.cursor2 = c.cursor2;
            v.token = c.token;
            if (bpf_map__update_elem(skel_->maps.ud_resume, &k, sizeof(k), &v, sizeof(v), BPF_ANY))
                throw std::runtime_error(fmt::format("cannot store a resume cursor: {}", errno_text(errno)));
            in_map.push_back(k);
            targets.insert({static_cast<int>(c.hdr.pid), is_thread_token(c.token)});
        }
        pending = std::move(later);
        skel_->bss->ud_resume_mode = 1;
        for (auto [pid, task_prog] : targets) pass.read(pid, task_prog, rs);
        skel_->bss->ud_resume_mode = 0;
    }
    for (auto &k : in_map) bpf_map__delete_elem(skel_->maps.ud_resume, &k, sizeof(k), 0);
}

model::Snapshot BpfReader::collect(const std::vector<int> &pids) {
    stats_ = {};
    model::Snapshot snap;
    snap.source = model::Source::bpf;
    snap.pfn = facts_.pfn;
    model::SnapshotBuilder builder(snap);
    run_passes(pids, builder, snap);
    builder.finish(facts_.vmemmap_base, facts_.struct_page_size);
    return snap;
}

}  // namespace ud::collect
