#include "collect/text_iter.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "collect/libbpf_log.h"
#include "model/page_size.h"
#include "render/name_text.h"
#include "uringdump_text.skel.h"

namespace ud::collect {
namespace {

constexpr unsigned long kBpfFsMagic = 0xcafe4a11;  // include/uapi/linux/magic.h

struct KindInfo {
    TextIterKind kind;
    const char *name;  // on the command line
    const char *prog;  // BPF program name
};

constexpr KindInfo kKinds[] = {
    {TextIterKind::io_uring_file, "io_uring_file", "ud_text_files"},
    {TextIterKind::io_uring_buf, "io_uring_buf", "ud_text_bufs"},
    {TextIterKind::epoll, "epoll", "ud_text_epoll"},
    {TextIterKind::io_uring_req, "io_uring_req", "ud_text_reqs"},
};

const KindInfo &info(TextIterKind k) {
    for (auto &i : kKinds)
        if (i.kind == k) return i;
    return kKinds[0];
}

bpf_program *program(uringdump_text_bpf *skel, TextIterKind k) {
    switch (k) {
    case TextIterKind::io_uring_file: return skel->progs.ud_text_files;
    case TextIterKind::io_uring_buf: return skel->progs.ud_text_bufs;
    case TextIterKind::epoll: return skel->progs.ud_text_epoll;
    case TextIterKind::io_uring_req: return skel->progs.ud_text_reqs;
    }
    return nullptr;
}

// "link_type:", "map_type:" ... from /proc/self/fdinfo: what a bpffs object is.
bool is_link(int fd) {
    std::ifstream f("/proc/self/fdinfo/" + std::to_string(fd));
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("link_type:", 0) == 0) return true;
    return false;
}

// The uringdump iterator behind a pinned link, if it is one; *err is the
// errno of opening the pin, 0 when it opened.
std::optional<PinnedIter> describe(const std::string &path, int *err = nullptr) {
    int fd = bpf_obj_get(path.c_str());
    if (err) *err = fd < 0 ? errno : 0;
    if (fd < 0) return std::nullopt;
    std::optional<PinnedIter> out;
    bpf_link_info li;
    std::memset(&li, 0, sizeof(li));
    __u32 len = sizeof(li);
    if (is_link(fd) && bpf_obj_get_info_by_fd(fd, &li, &len) == 0 && li.type == BPF_LINK_TYPE_ITER) {
        int pfd = bpf_prog_get_fd_by_id(li.prog_id);
        bpf_prog_info pi;
        std::memset(&pi, 0, sizeof(pi));
        __u32 plen = sizeof(pi);
        if (pfd >= 0 && bpf_obj_get_info_by_fd(pfd, &pi, &plen) == 0) {
            for (auto &k : kKinds)
                if (std::strcmp(pi.name, k.prog) == 0)
                    out = PinnedIter{path, k.kind, static_cast<int>(li.iter.task.pid), li.id};
        }
        if (pfd >= 0) ::close(pfd);
    }
    ::close(fd);
    return out;
}

void scan(const std::string &dir, int depth, std::vector<PinnedIter> &out) {
    if (depth > 8) return;
    DIR *d = ::opendir(dir.c_str());
    if (!d) return;
    while (dirent *e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::string p = dir + "/" + e->d_name;
        struct stat st;
        if (::lstat(p.c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            scan(p, depth + 1, out);
        else if (S_ISREG(st.st_mode))
            if (auto it = describe(p)) out.push_back(*it);
    }
    ::closedir(d);
}

std::string parent_dir(const std::string &path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Opens the text object and loads only the program of `kind`; the caller
// destroys the skeleton. Throws PinError with the kernel's reason.
uringdump_text_bpf *load_one(TextIterKind kind) {
    LibbpfLog::install();
    uringdump_text_bpf *skel = uringdump_text_bpf__open();
    if (!skel) throw PinError(fmt::format("cannot open the text iterators: {}", std::strerror(errno)));
    for (auto &k : kKinds) bpf_program__set_autoload(program(skel, k.kind), k.kind == kind);
    if (int err = uringdump_text_bpf__load(skel)) {
        std::string detail = LibbpfLog::last_error();
        uringdump_text_bpf__destroy(skel);
        throw PinError(fmt::format("the kernel rejected the text iterator: {}{}", std::strerror(-err),
                                   detail.empty() ? "" : " (" + detail + ")"));
    }
    return skel;
}

}  // namespace

void check_text_iter_loads(TextIterKind kind) { uringdump_text_bpf__destroy(load_one(kind)); }

std::optional<TextIterKind> text_iter_kind(const std::string &name) {
    for (auto &k : kKinds)
        if (name == k.name) return k.kind;
    return std::nullopt;
}

const char *text_iter_name(TextIterKind kind) { return info(kind).name; }

void pin_text_iter(TextIterKind kind, const std::string &path, int pid, const KernelFacts &facts) {
    const std::string shown = render::name_text(path);  // for messages
    struct statfs fs;
    if (::statfs(parent_dir(path).c_str(), &fs) != 0 || static_cast<unsigned long>(fs.f_type) != kBpfFsMagic)
        throw PinError(fmt::format("{} is not on a bpf filesystem (mount -t bpf bpf /sys/fs/bpf)",
                                   render::name_text(parent_dir(path))));
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) throw PinError(fmt::format("{} exists; unpin or remove it first", shown));

    // Only the program pinned is loaded.
    uringdump_text_bpf *skel = load_one(kind);
    skel->bss->ud_ring_fops = facts.ring_fops;
    skel->bss->ud_epoll_fops = facts.epoll_fops;
    skel->bss->ud_obj_limit = facts.obj_limit;
    skel->bss->ud_text_vmemmap_base = facts.vmemmap_base;
    skel->bss->ud_text_pfn_ok = facts.pfn.ok;
    skel->bss->ud_page_size = facts.struct_page_size;
    skel->bss->ud_page_shift = model::page_shift(model::system_page_size());

    union bpf_iter_link_info li;
    std::memset(&li, 0, sizeof(li));
    LIBBPF_OPTS(bpf_iter_attach_opts, opts);
    if (pid > 0) {
        li.task.pid = static_cast<__u32>(pid);
        opts.link_info = &li;
        opts.link_info_len = sizeof(li);
    }
    bpf_link *link = bpf_program__attach_iter(program(skel, kind), &opts);
    if (!link) {
        int err = errno;
        uringdump_text_bpf__destroy(skel);
        throw PinError(fmt::format("cannot attach the text iterator: {}", std::strerror(err)));
    }
    int err = bpf_link__pin(link, path.c_str());
    bpf_link__destroy(link);  // the pin keeps it
    uringdump_text_bpf__destroy(skel);
    if (err) throw PinError(fmt::format("cannot pin at {}: {}", shown, std::strerror(-err)));
}

std::vector<PinnedIter> list_text_iters(const std::string &root) {
    std::vector<PinnedIter> out;
    scan(root, 0, out);
    return out;
}

void unpin_text_iter(const std::string &path) {
    const std::string shown = render::name_text(path);  // for messages
    auto denied = [](int err) { return err == EACCES || err == EPERM; };
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
        int err = errno;
        if (denied(err)) throw PinPermissionError(fmt::format("no permission to reach {}: {}", shown, std::strerror(err)));
        throw PinError(fmt::format("{}: {}", shown, std::strerror(err)));
    }
    // BPF_OBJ_GET fails with EACCES both when the caller lacks permission
    // on the pin and when the file is no BPF object at all; asking the
    // file system first tells the two apart.
    if (::faccessat(AT_FDCWD, path.c_str(), R_OK | W_OK, AT_EACCESS) != 0) {
        int err = errno;
        if (denied(err)) throw PinPermissionError(fmt::format("no permission to open {}: {}", shown, std::strerror(err)));
        throw PinError(fmt::format("cannot open {}: {}", shown, std::strerror(err)));
    }
    int err = 0;
    auto pinned = describe(path, &err);
    // EPERM past the access check: privileges (CAP_BPF, an LSM), not the file.
    if (err == EPERM) throw PinPermissionError(fmt::format("no permission to open {}: {}", shown, std::strerror(err)));
    if (!pinned) throw PinError(fmt::format("{} is not an iterator pinned by uringdump", shown));
    if (::unlink(path.c_str()) != 0) {
        err = errno;
        if (denied(err)) throw PinPermissionError(fmt::format("no permission to remove {}: {}", shown, std::strerror(err)));
        throw PinError(fmt::format("cannot remove {}: {}", shown, std::strerror(err)));
    }
}

}  // namespace ud::collect
