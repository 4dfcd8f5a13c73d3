#include "collect/calibration.h"

#include <fmt/format.h>
#include <liburing.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "collect/pagemap.h"

namespace ud::collect {
namespace {

// The calibration ring, epoll fd and buffer pages; gone with this object.
struct OwnFixture {
    io_uring ring{};
    bool ring_ok = false;
    int ring_err = 0;
    int epfd = -1;
    void *pages = MAP_FAILED;
    std::size_t page = 4096;
    bool bufs_ok = false;
    int bufs_err = 0;

    OwnFixture() {
        page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        epfd = ::epoll_create1(EPOLL_CLOEXEC);
        int r = io_uring_queue_init(2, &ring, 0);
        ring_ok = r == 0;
        ring_err = -r;
        if (!ring_ok) return;
        // Three pages, the middle one unused, so that the two registered
        // pages are not one contiguous range; no THP, so each buffer is one
        // bio_vec of one 4 KiB page on every kernel.
        pages = ::mmap(nullptr, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (pages == MAP_FAILED) return;
        ::madvise(pages, 3 * page, MADV_NOHUGEPAGE);
        std::memset(pages, 0x5a, 3 * page);
        iovec iov[2] = {{pages, page}, {static_cast<char *>(pages) + 2 * page, page}};
        int b = io_uring_register_buffers(&ring, iov, 2);
        bufs_ok = b == 0;
        bufs_err = -b;
    }
    ~OwnFixture() {
        if (ring_ok) io_uring_queue_exit(&ring);
        if (pages != MAP_FAILED) ::munmap(pages, 3 * page);
        if (epfd >= 0) ::close(epfd);
    }
    std::uint64_t addr(int i) const { return reinterpret_cast<std::uint64_t>(pages) + 2 * page * i; }
};

}  // namespace

Calibration calibrate_kernel(const SelfPass &pass) {
    Calibration cal;
    OwnFixture own;
    if (own.epfd < 0) throw std::runtime_error(fmt::format("cannot create an epoll fd: {}", std::strerror(errno)));
    const int self = static_cast<int>(::getpid());

    // Pass 1: every fd of this process with its f_op.
    model::Snapshot first = pass(self, 0, 0).snap;
    for (auto &p : first.processes) {
        if (p.pid != self) continue;
        for (auto &tf : p.task_fds) {
            if (own.ring_ok && tf.fd == own.ring.ring_fd) cal.ring_fops = tf.f_op;
            if (tf.fd == own.epfd) cal.epoll_fops = tf.f_op;
        }
    }
    if (!cal.epoll_fops) throw std::runtime_error("the task_file iterator did not show the tool's own epoll fd");
    if (!own.ring_ok) {
        cal.pfn = {false, fmt::format("no io_uring of its own to calibrate with ({})", std::strerror(own.ring_err))};
        return cal;
    }

    // Pass 2: with the fops known, our ring and its two buffers.
    SelfPassResult second_pass = pass(self, cal.ring_fops, cal.epoll_fops);
    const model::Snapshot &second = second_pass.snap;
    const model::Ring *ring = nullptr;
    for (auto &p : second.processes)
        if (p.pid == self)
            for (auto &r : p.rings)
                if (r.fd == own.ring.ring_fd) ring = &r;
    if (!ring) {
        cal.pfn = {false, "the calibration ring was not found by the iterator"};
        return cal;
    }
    cal.layout = ring->layout;
    if (!own.bufs_ok) {
        cal.pfn = {false, fmt::format("cannot register calibration buffers ({})", std::strerror(own.bufs_err))};
        return cal;
    }
    cal.struct_page_size = second_pass.struct_page_size;
    if (!cal.struct_page_size) {
        cal.pfn = {false, "sizeof(struct page) not found in the kernel BTF"};
        return cal;
    }
    if (ring->buffers.size() != 2 || ring->segments.size() != 2) {
        cal.pfn = {false, "the calibration buffers were not read back as two single-page segments"};
        return cal;
    }
    Pagemap pm(0);
    std::uint64_t base[2];
    for (int i = 0; i < 2; i++) {
        auto pfn = pm.pfn(own.addr(i));
        if (!pfn) {
            cal.pfn = {false, "calibration page not present in /proc/self/pagemap"};
            return cal;
        }
        if (*pfn == 0) {
            cal.pfn = {false, "/proc/self/pagemap hides page frames (needs CAP_SYS_ADMIN)"};
            return cal;
        }
        base[i] = ring->segments[i].page - *pfn * cal.struct_page_size;
    }
    if (base[0] != base[1]) {
        cal.pfn = {false, "the two calibration pages disagree on the struct page array base (not a linear vmemmap)"};
        return cal;
    }
    cal.vmemmap_base = base[0];
    cal.pfn = {true, {}};
    return cal;
}

}  // namespace ud::collect
