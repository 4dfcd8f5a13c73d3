// The loaded collector programs (bpf/uringdump.bpf.c): two program fds, the
// resume map and the settings the programs read (.bss), mapped into memory.
//
// They are loaded through a light skeleton, whose CO-RE relocations the
// kernel resolves against its own BTF: no 5 MB BTF to read and search here,
// which halves start-up. With --debug (libbpf's messages wanted) or
// UD_VMLINUX_BTF (relocate against another kernel's BTF), libbpf's full
// skeleton loads the same object instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace ud::collect {

// Pointers into the programs' .bss: written here between passes.
struct BpfSettings {
    std::uint64_t *ring_fops = nullptr;
    std::uint64_t *epoll_fops = nullptr;
    std::uint64_t *gen = nullptr;
    std::uint32_t *resume_mode = nullptr;
    std::uint32_t *obj_limit = nullptr;
    std::uint32_t *resume_last_fd = nullptr;
    std::uint32_t *summary = nullptr;
    std::uint32_t *page_shift = nullptr;
    std::uint64_t *percpu_offsets = nullptr;   // address of __per_cpu_offset[], 0: unknown
    std::uint32_t *nr_cpu_ids = nullptr;
    std::uint32_t *nr_node_ids = nullptr;      // NUMA nodes possible (6.1's io-wq has one queue each)
    const std::uint64_t *page_size = nullptr;  // written by the programs
    const std::uint32_t *counts_per_task = nullptr;  // written by the programs: they want percpu_offsets
};

class BpfPrograms {
public:
    virtual ~BpfPrograms() = default;
    virtual int task_file_prog() const = 0;
    virtual int task_prog() const = 0;
    virtual int resume_map() const = 0;
    virtual BpfSettings settings() = 0;
    virtual const char *loader() const = 0;  // "light skeleton" or "libbpf"

    // Loads the programs; throws BpfUnavailable (bpf_reader.h) with the reason.
    static std::unique_ptr<BpfPrograms> load(bool with_libbpf, const std::string &btf_path);
};

}  // namespace ud::collect
