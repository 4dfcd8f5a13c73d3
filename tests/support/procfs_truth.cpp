#include "support/procfs_truth.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ud::test {

std::string proc_mem(int pid, std::uint64_t addr, std::size_t len) {
    std::string out(len, '\0');
    int fd = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    ssize_t n = ::pread(fd, out.data(), len, static_cast<off_t>(addr));
    ::close(fd);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

std::string fdinfo_text(int pid, int fd) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd));
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::optional<std::string> fdinfo_value(const std::string &text, const std::string &key) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) != 0) continue;
        std::string v = line.substr(key.size() + 1);
        v.erase(0, v.find_first_not_of(" \t"));
        return v;
    }
    return std::nullopt;
}

std::vector<std::string> fdinfo_section(const std::string &text, const std::string &section) {
    std::istringstream in(text);
    std::string line;
    std::vector<std::string> out;
    bool inside = false;
    while (std::getline(in, line)) {
        if (inside) {
            // Entries are indented ("  op=..", "%5u: .."), except slot lines
            // from slot 10000 on, which fill the whole width of %5u.
            auto colon = line.find(':');
            bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
            bool slot = colon != std::string::npos && colon > 0 &&
                        line.substr(0, colon).find_first_not_of("0123456789") == std::string::npos;
            if (!indented && !slot) break;
            out.push_back(line);
        } else if (line.rfind(section + ":", 0) == 0) {
            inside = true;
        }
    }
    return out;
}

std::vector<EpollLine> fdinfo_epoll(const std::string &text) {
    std::vector<EpollLine> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        EpollLine e{};
        unsigned long long data = 0, ino = 0;
        long long pos = 0;
        unsigned sdev = 0;
        if (std::sscanf(line.c_str(), "tfd: %d events: %x data: %llx pos:%lld ino:%llx sdev:%x", &e.tfd, &e.events,
                        &data, &pos, &ino, &sdev) == 6) {
            e.data = data;
            e.ino = ino;
            out.push_back(e);
        }
    }
    return out;
}

std::optional<std::uint64_t> pagemap_pfn(int pid, std::uint64_t addr) {
    int f = ::open(("/proc/" + std::to_string(pid) + "/pagemap").c_str(), O_RDONLY);
    if (f < 0) return std::nullopt;
    std::uint64_t entry = 0;
    // One entry per page of this system's size.
    static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    ssize_t n = ::pread(f, &entry, sizeof(entry), static_cast<off_t>(addr / page * 8));
    ::close(f);
    if (n != 8 || !(entry >> 63)) return std::nullopt;
    return entry & ((1ULL << 55) - 1);
}

std::string fd_link(int pid, int fd) {
    char buf[4096];
    std::string p = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
    ssize_t n = ::readlink(p.c_str(), buf, sizeof(buf));
    return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
}

std::uint64_t fd_ino(int pid, int fd) {
    struct stat st;
    std::string p = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
    return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::vector<int> open_fds(int pid) {
    std::vector<int> out;
    DIR *d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
    if (!d) return out;
    while (dirent *e = ::readdir(d))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9') out.push_back(std::atoi(e->d_name));
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ud::test
