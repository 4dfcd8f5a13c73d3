// What the BPF programs cannot find out by themselves on a kernel whose
// kallsyms holds no data symbols:
//  - the file_operations of io_uring and epoll files, read from an io_uring
//    fd and an epoll fd that the tool opens itself;
//  - the base of the struct page array (vmemmap), from the struct page
//    addresses of two pages the tool registers as buffers in its own ring,
//    checked against their frames in /proc/self/pagemap. The base is only
//    trusted if both pages agree on it; otherwise frames are not shown.
#pragma once

#include <cstdint>
#include <functional>

#include "model/snapshot.h"

namespace ud::collect {

struct Calibration {
    std::uint64_t ring_fops = 0;
    std::uint64_t epoll_fops = 0;
    std::uint32_t layout = 0;
    std::uint64_t vmemmap_base = 0;
    std::uint64_t struct_page_size = 0;
    model::PfnStatus pfn;
};

// What one pass of the iterators over one process gives calibration.
struct SelfPassResult {
    model::Snapshot snap;              // unfinished: segments still hold page addresses
    std::uint64_t struct_page_size = 0;  // as the programs' CO-RE relocation found it
};

// Runs the iterators over one process with the given fops settings.
using SelfPass = std::function<SelfPassResult(int pid, std::uint64_t ring_fops, std::uint64_t epoll_fops)>;

// Throws std::runtime_error only if no epoll or io_uring fd can be made.
Calibration calibrate_kernel(const SelfPass &pass);

}  // namespace ud::collect
