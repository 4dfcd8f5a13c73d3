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

}  // namespace ud::test
