// The pinnable text iterators (bpf/uringdump_text.bpf.c): pinning one in
// bpffs with the calibration of a BpfReader, finding the ones pinned, and
// removing one. `cat PATH` of a pin then needs no uringdump at all.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collect/bpf_reader.h"

namespace ud::collect {

// The kinds `iter pin` knows, by their command-line names.
enum class TextIterKind { io_uring_file, io_uring_buf, epoll, io_uring_req };

std::optional<TextIterKind> text_iter_kind(const std::string &name);
const char *text_iter_name(TextIterKind kind);

// Thrown with one line saying what went wrong.
struct PinError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// This user may not open or remove the pin (EACCES, EPERM): said as such,
// never as "not uringdump's", which would send the user looking elsewhere.
struct PinPermissionError : PinError {
    using PinError::PinError;
};

// Loads the text program of `kind`, sets it up from `facts` (fops, page
// frame base), attaches it to one process (pid > 0) or all, and pins the
// link at path, which must be a new name on a bpffs mount.
void pin_text_iter(TextIterKind kind, const std::string &path, int pid, const KernelFacts &facts);

// Loads the text program of `kind` and unloads it: whether this kernel's
// verifier accepts it (`uringdump feature`). Throws PinError with the reason.
void check_text_iter_loads(TextIterKind kind);

struct PinnedIter {
    std::string path;
    TextIterKind kind;
    int pid = 0;  // 0: every process
    unsigned link_id = 0;
};

// uringdump's iterators pinned under root (recursively).
std::vector<PinnedIter> list_text_iters(const std::string &root = "/sys/fs/bpf");

// Removes the pin at path if it is one of uringdump's iterators. Throws
// PinPermissionError when the pin may not be opened or removed.
void unpin_text_iter(const std::string &path);

}  // namespace ud::collect
