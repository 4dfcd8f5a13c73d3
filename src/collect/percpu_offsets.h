// Where the kernel keeps each CPU's per-cpu offset (__per_cpu_offset[]), for
// the BPF programs that sum per-cpu counters on kernels without a per-ring
// request count (bpf/ud_ring_busy.bpf.h). Read from /proc/kallsyms, which
// lists data symbols only with CONFIG_KALLSYMS_ALL (Debian's 6.1 and 6.12
// have it) and shows addresses only to a privileged reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ud::collect {

struct PercpuOffsets {
    std::uint64_t array = 0;     // kernel address of __per_cpu_offset[0]
    std::uint32_t nr_cpu_ids = 0;  // highest possible CPU + 1
};

// Empty when kallsyms does not hold the symbol (or hides its address).
std::optional<PercpuOffsets> find_percpu_offsets(const std::string &kallsyms = "/proc/kallsyms",
                                                 const std::string &possible = "/sys/devices/system/cpu/possible");

// "0-3,8-11" -> 12: the highest CPU of a kernel cpu list, plus one.
std::optional<std::uint32_t> cpu_list_end(const std::string &list);

// nr_node_ids: the highest possible NUMA node plus one, from the same kind
// of list; 1 where the kernel has no NUMA (no such file).
std::uint32_t possible_nodes(const std::string &possible = "/sys/devices/system/node/possible");

}  // namespace ud::collect
