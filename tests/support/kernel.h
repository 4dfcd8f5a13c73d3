// What the running kernel has, for tests whose expectation differs between
// kernels: its BTF (which structures and fields exist) first, its version
// only for behaviour BTF cannot show (what fdinfo prints while a lock is
// held, and the like). Never the kernel the tests were written on.
#pragma once

#include <string>

namespace ud::test {

// Whether the running kernel's BTF has struct `type` (struct or union).
bool kernel_has_type(const std::string &type);

// Whether struct `type` of the running kernel has a member `field`
// (anonymous members are looked through, as CO-RE does).
bool kernel_has_field(const std::string &type, const std::string &field);

struct KernelVersion {
    int major = 0, minor = 0, patch = 0;
    bool at_least(int ma, int mi) const { return major > ma || (major == ma && minor >= mi); }
};

// uname's release, parsed ("6.1.0-57-cloud-amd64" -> 6.1.0).
KernelVersion kernel_version();
std::string kernel_release();

// What io_uring's /proc/PID/fdinfo prints on the running kernel
// (io_uring/fdinfo.c), from its version: text, not structures, so BTF cannot
// tell. Each names the upstream change; the tests say which they depend on.
//
// 6.15 and 6.14.8 (d871198ee431 "io_uring/fdinfo: grab ctx->uring_lock
// around io_uring_show_fdinfo()"): nothing at all for a ring whose
// uring_lock another task holds. Before: the counters and the "UserFiles:"
// and "UserBufs:" headers regardless, the slot lines, SqThread and
// personalities only when fdinfo's trylock got the lock.
bool fdinfo_all_or_nothing();
// 6.14 (561e3a0c40dc "io_uring/fdinfo: fix io_uring_show_fdinfo() misuse of
// ->d_iname"): a fixed file is its full path, escaped, and empty slots are not
// listed. Before: the dentry's inline name, raw, and "<none>" for every
// empty slot.
bool fdinfo_file_paths();
// Before 6.7 (a0d45c3f596b): SqThread is read only when fdinfo also gets
// sq_data->lock, which the SQPOLL thread holds while awake: -1 then.
bool fdinfo_sq_thread_needs_sq_lock();
// Up to 6.15: a "Personalities:" section when any are registered (removed in
// 6.16 by "io_uring/fdinfo: get rid of dumping credentials").
bool fdinfo_personalities();

}  // namespace ud::test
