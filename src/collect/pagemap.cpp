#include "collect/pagemap.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "model/page_size.h"

namespace ud::collect {

namespace {
constexpr std::uint64_t kPresent = 1ULL << 63;
constexpr std::uint64_t kPfnMask = (1ULL << 55) - 1;  // bits 0-54 (Documentation/admin-guide/mm/pagemap.rst)
}  // namespace

Pagemap::Pagemap(int pid) {
    std::string path = pid ? "/proc/" + std::to_string(pid) + "/pagemap" : "/proc/self/pagemap";
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), path);
}

Pagemap::~Pagemap() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<std::uint64_t> Pagemap::pfn(std::uint64_t addr) const {
    std::uint64_t entry = 0;
    off_t off = static_cast<off_t>(addr / model::system_page_size() * sizeof(entry));
    if (::pread(fd_, &entry, sizeof(entry), off) != static_cast<ssize_t>(sizeof(entry)))
        return std::nullopt;
    if (!(entry & kPresent)) return std::nullopt;
    return entry & kPfnMask;
}

}  // namespace ud::collect
