#include "collect/bpf_programs.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "collect/bpf_reader.h"
#include "collect/libbpf_log.h"
#include "collect/light_skel.h"
#include "uringdump.skel.h"

namespace ud::collect {
namespace {

[[noreturn]] void unavailable(int err, const std::string &detail) {
    if (err == EPERM || err == EACCES)
        throw BpfUnavailable(fmt::format("not permitted to load BPF programs ({}); needs CAP_BPF and CAP_PERFMON",
                                         std::strerror(err)));
    throw BpfUnavailable(fmt::format("the kernel rejected the BPF programs: {}{}", std::strerror(err),
                                     detail.empty() ? "" : " (" + detail + ")"));
}

template <typename Bss>
BpfSettings settings_of(Bss *bss) {
    BpfSettings s;
    s.ring_fops = reinterpret_cast<std::uint64_t *>(&bss->ud_ring_fops);
    s.epoll_fops = reinterpret_cast<std::uint64_t *>(&bss->ud_epoll_fops);
    s.gen = reinterpret_cast<std::uint64_t *>(&bss->ud_gen);
    s.resume_mode = reinterpret_cast<std::uint32_t *>(&bss->ud_resume_mode);
    s.obj_limit = reinterpret_cast<std::uint32_t *>(&bss->ud_obj_limit);
    s.resume_last_fd = reinterpret_cast<std::uint32_t *>(&bss->ud_resume_last_fd);
    s.summary = reinterpret_cast<std::uint32_t *>(&bss->ud_summary);
    s.page_shift = reinterpret_cast<std::uint32_t *>(&bss->ud_page_shift);
    s.percpu_offsets = reinterpret_cast<std::uint64_t *>(&bss->ud_percpu_offsets);
    s.nr_cpu_ids = reinterpret_cast<std::uint32_t *>(&bss->ud_nr_cpu_ids);
    s.nr_node_ids = reinterpret_cast<std::uint32_t *>(&bss->ud_nr_node_ids);
    s.page_size = reinterpret_cast<const std::uint64_t *>(&bss->ud_page_size);
    s.counts_per_task = reinterpret_cast<const std::uint32_t *>(&bss->ud_counts_per_task);
    return s;
}

class LightPrograms : public BpfPrograms {
public:
    LightPrograms() {
        int err = 0;
        skel_ = ud_light_load(&err);
        if (!skel_) unavailable(-err, "");
    }
    ~LightPrograms() override { ud_light_destroy(skel_); }
    int task_file_prog() const override { return ud_light_task_file_prog(skel_); }
    int task_prog() const override { return ud_light_task_prog(skel_); }
    int resume_map() const override { return ud_light_resume_map(skel_); }
    // Same object, same .bss layout as the full skeleton's.
    BpfSettings settings() override {
        return settings_of(static_cast<uringdump_bpf::uringdump_bpf__bss *>(ud_light_bss(skel_)));
    }
    const char *loader() const override { return "light skeleton"; }

private:
    uringdump_light *skel_ = nullptr;
};

class LibbpfPrograms : public BpfPrograms {
public:
    explicit LibbpfPrograms(const std::string &btf_path) {
        LibbpfLog::install();
        LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path.c_str());
        skel_ = uringdump_bpf__open_opts(&opts);
        if (!skel_) throw BpfUnavailable(fmt::format("cannot open the BPF object: {}", std::strerror(errno)));
        if (int err = uringdump_bpf__load(skel_)) {
            std::string detail = LibbpfLog::last_error();
            uringdump_bpf__destroy(skel_);
            skel_ = nullptr;
            unavailable(-err, detail);
        }
    }
    ~LibbpfPrograms() override { uringdump_bpf__destroy(skel_); }
    int task_file_prog() const override { return bpf_program__fd(skel_->progs.ud_task_file); }
    int task_prog() const override { return bpf_program__fd(skel_->progs.ud_task); }
    int resume_map() const override { return bpf_map__fd(skel_->maps.ud_resume); }
    BpfSettings settings() override { return settings_of(skel_->bss); }
    const char *loader() const override { return "libbpf"; }

private:
    uringdump_bpf *skel_ = nullptr;
};

}  // namespace

std::unique_ptr<BpfPrograms> BpfPrograms::load(bool with_libbpf, const std::string &btf_path) {
    if (with_libbpf) return std::make_unique<LibbpfPrograms>(btf_path);
    return std::make_unique<LightPrograms>();
}

}  // namespace ud::collect
