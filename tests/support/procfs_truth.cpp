#include "support/procfs_truth.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "support/kernel.h"

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

namespace {

// "%5u: " at the start of a line; from slot 10000 on the number fills the width.
bool slot_line(const std::string &line) {
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    auto digits = line.substr(0, colon);
    digits.erase(0, digits.find_first_not_of(' '));
    return !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
}

// seq_file_path() writes ' ', '\t', '\n' and '\\' as three-digit octal.
std::string unescape_seq_path(const std::string &s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); i++) {
        auto octal = [&](std::size_t k) { return s[k] >= '0' && s[k] <= '7'; };
        if (s[i] == '\\' && i + 3 < s.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

// slot -> the text after "%5u: " of a section's slot lines.
std::map<unsigned, std::string> slot_texts(const std::string &text, const std::string &section) {
    std::map<unsigned, std::string> out;
    for (auto &line : fdinfo_section(text, section)) {
        if (!slot_line(line)) continue;
        auto colon = line.find(':');
        std::string rest = line.substr(colon + 1);
        if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
        out[static_cast<unsigned>(std::stoul(line.substr(0, colon)))] = rest;
    }
    return out;
}

}  // namespace

std::vector<std::string> fdinfo_section(const std::string &text, const std::string &section) {
    std::istringstream in(text);
    std::string line;
    std::vector<std::string> out;
    bool inside = false;
    while (std::getline(in, line)) {
        if (inside) {
            bool entry = slot_line(line) || (line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ' &&
                                             !std::isdigit(static_cast<unsigned char>(line[2])));
            if (!entry) break;
            out.push_back(line);
        } else if (line.rfind(section + ":", 0) == 0) {
            inside = true;
        }
    }
    return out;
}

std::map<unsigned, std::string> fdinfo_files(const std::string &text) {
    std::map<unsigned, std::string> out;
    for (auto &[slot, rest] : slot_texts(text, "UserFiles")) {
        if (fdinfo_file_paths())
            out[slot] = unescape_seq_path(rest);
        else if (rest != "<none>")
            out[slot] = rest;
    }
    return out;
}

std::map<unsigned, std::string> fdinfo_bufs(const std::string &text) {
    std::map<unsigned, std::string> out;
    for (auto &[slot, rest] : slot_texts(text, "UserBufs"))
        if (rest != "<none>" && rest.rfind("0xffffffffffffffff/", 0) != 0) out[slot] = rest;
    return out;
}

std::optional<std::string> dentry_name_of(int pid, const std::string &fd_path) {
    auto bracketed = [&](const char *prefix) { return fd_path.rfind(prefix, 0) == 0 && fd_path.back() == ']'; };
    if (bracketed("pipe:[")) return std::string();
    if (fd_path.rfind("anon_inode:", 0) == 0) return fd_path.substr(std::strlen("anon_inode:"));
    if (bracketed("socket:[")) {
        std::string ino = fd_path.substr(8, fd_path.size() - 9);
        std::ifstream f("/proc/" + std::to_string(pid) + "/net/unix");
        std::string line;
        std::getline(f, line);  // Num RefCount Protocol Flags Type St Inode Path
        while (std::getline(f, line)) {
            std::istringstream cols(line);
            std::string num, refs, proto, flags, type, st, inode;
            cols >> num >> refs >> proto >> flags >> type >> st >> inode;
            if (inode == ino) return type == "0001" ? std::optional<std::string>("UNIX-STREAM") : std::nullopt;
        }
        return std::nullopt;
    }
    std::string name = fd_path.substr(fd_path.rfind('/') + 1);
    const std::string deleted = " (deleted)";
    if (name.size() > deleted.size() && name.compare(name.size() - deleted.size(), deleted.size(), deleted) == 0)
        name.resize(name.size() - deleted.size());
    if (name.size() >= 32) return std::nullopt;
    return name;
}

bool fdinfo_read_locked(const std::string &text) {
    if (fdinfo_all_or_nothing()) return !fdinfo_value(text, "SqHead");
    if (!fdinfo_value(text, "SqHead")) return false;
    unsigned files = std::stoul(fdinfo_value(text, "UserFiles").value_or("0"));
    unsigned bufs = std::stoul(fdinfo_value(text, "UserBufs").value_or("0"));
    bool lines = !slot_texts(text, "UserFiles").empty() || !slot_texts(text, "UserBufs").empty();
    return (files || bufs) && !lines;
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
