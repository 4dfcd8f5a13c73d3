// Reads another process's memory with process_vm_readv, for the contents of
// registered buffers (dump --pages). The kernel keeps a registered buffer's
// pages pinned even after the process unmapped them; such memory is not
// readable from user space any more, and the read says where it stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ud::collect {

struct MemoryRead {
    std::size_t bytes = 0;  // read from the start of the range
    int error = 0;          // errno of the read that stopped short; 0 when all was read
};

// Reads [addr, addr + out.size()) of pid into out.
MemoryRead read_process_memory(int pid, std::uint64_t addr, std::span<char> out);

}  // namespace ud::collect
