#include "image/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <cstring>
#include <stdexcept>

#include "image/stop_point.h"
#include "render/name_text.h"

namespace ud::image {
namespace {

[[noreturn]] void fail(const std::string &what, int err) {
    throw std::runtime_error(fmt::format("{}: {}", what, std::strerror(err)));
}

}  // namespace

bool path_exists(const std::string &path) {
    struct stat st;
    return ::fstatat(AT_FDCWD, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

AtomicFile::AtomicFile(const std::string &path, bool replace)
    : path_(path), shown_(render::name_text(path)), replace_(replace) {
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + (slash == 0));
    base_ = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base_.empty() || base_ == "." || base_ == "..")
        throw std::runtime_error(fmt::format("{}: not a file name", shown_));
    dir_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_ < 0) fail(render::name_text(dir), errno);
    fd_ = ::openat(dir_, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        named_ = true;
        for (int tries = 0; fd_ < 0 && tries < 100; tries++) {
            temp_ = temp_name();
            fd_ = ::openat(dir_, temp_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (fd_ < 0 && errno != EEXIST) break;
        }
    }
    if (fd_ < 0) {
        int err = errno;
        ::close(dir_);
        fail(fmt::format("cannot create a file in {}", render::name_text(dir)), err);
    }
    // The umask may only have taken bits away; make it exactly 0600.
    ::fchmod(fd_, 0600);
    stop_point("created");
}

AtomicFile::~AtomicFile() {
    if (named_ && !committed_) ::unlinkat(dir_, temp_.c_str(), 0);
    if (fd_ >= 0) ::close(fd_);
    if (dir_ >= 0) ::close(dir_);
}

// Not derived from the target's name, which may already be NAME_MAX bytes
// long: a fixed prefix and 64 random bits (31 bytes), unpredictable to
// others who can write the directory. Callers create it exclusively (no
// symlink followed, nothing existing replaced) and draw again on EEXIST.
std::string AtomicFile::temp_name() {
    std::uint64_t r = 0;
    if (::getrandom(&r, sizeof(r), 0) != static_cast<ssize_t>(sizeof(r))) {
        // Only before the kernel's pool is ready; exclusivity still holds.
        static std::uint64_t counter = 0;
        r = (static_cast<std::uint64_t>(::getpid()) << 32) ^ ++counter ^ static_cast<std::uint64_t>(::time(nullptr));
    }
    return fmt::format(".uringdump-tmp-{:016x}", r);
}

// Gives the data the name `name` in the directory: 0, or the errno
// (EEXIST if the name is taken).
int AtomicFile::link_as(const std::string &name) {
    int r = named_ ? ::linkat(dir_, temp_.c_str(), dir_, name.c_str(), 0)
                   : ::linkat(AT_FDCWD, fmt::format("/proc/self/fd/{}", fd_).c_str(), dir_, name.c_str(),
                              AT_SYMLINK_FOLLOW);
    return r == 0 ? 0 : errno;
}

void AtomicFile::commit() {
    if (::fsync(fd_) != 0) fail(fmt::format("cannot write {}", shown_), errno);
    stop_point("synced");
    if (!replace_) {
        if (int err = link_as(base_)) {
            if (err == EEXIST) throw std::runtime_error(fmt::format("{} exists (dump --force replaces it)", shown_));
            fail(fmt::format("cannot create {}", shown_), err);
        }
        if (named_) ::unlinkat(dir_, temp_.c_str(), 0);
    } else {
        if (!named_) {
            std::string name;
            int err = EEXIST;
            for (int tries = 0; err == EEXIST && tries < 100; tries++) err = link_as(name = temp_name());
            if (err) fail(fmt::format("cannot create {}", shown_), err);
            temp_ = name;
            named_ = true;
            stop_point("linked");
        }
        if (::renameat(dir_, temp_.c_str(), dir_, base_.c_str()) != 0) fail(fmt::format("cannot create {}", shown_), errno);
    }
    committed_ = true;
    if (::fsync(dir_) != 0) fail(fmt::format("cannot sync the directory of {}", shown_), errno);
}

}  // namespace ud::image
