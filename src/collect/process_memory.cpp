#include "collect/process_memory.h"

#include <sys/uio.h>

#include <cerrno>

namespace ud::collect {

MemoryRead read_process_memory(int pid, std::uint64_t addr, std::span<char> out) {
    MemoryRead r;
    // process_vm_readv stops at the first page it cannot read and returns
    // what it read before; a read of nothing says why.
    while (r.bytes < out.size()) {
        iovec local{out.data() + r.bytes, out.size() - r.bytes};
        iovec remote{reinterpret_cast<void *>(addr + r.bytes), out.size() - r.bytes};
        ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            r.error = n < 0 ? errno : EFAULT;
            break;
        }
        r.bytes += static_cast<std::size_t>(n);
    }
    return r;
}

}  // namespace ud::collect
