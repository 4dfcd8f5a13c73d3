// Page frame numbers of user addresses from /proc/PID/pagemap: the
// calibration of the BPF reader uses it for its own pages, the tests use it
// as the independent truth for every segment the tool reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ud::collect {

class Pagemap {
public:
    // Opens /proc/PID/pagemap (pid 0: self). Throws std::system_error.
    explicit Pagemap(int pid);
    ~Pagemap();
    Pagemap(const Pagemap &) = delete;
    Pagemap &operator=(const Pagemap &) = delete;

    // The frame backing the page of `addr`: empty if the page is not present,
    // 0 if present but the caller may not see frames (no CAP_SYS_ADMIN).
    std::optional<std::uint64_t> pfn(std::uint64_t addr) const;

private:
    int fd_ = -1;
};

}  // namespace ud::collect
