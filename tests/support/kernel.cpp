#include "support/kernel.h"

#include <bpf/btf.h>
#include <sys/utsname.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace ud::test {
namespace {

const struct btf *vmlinux() {
    static std::once_flag once;
    static struct btf *btf = nullptr;
    std::call_once(once, [] { btf = btf__load_vmlinux_btf(); });
    if (!btf) throw std::runtime_error("the running kernel's BTF cannot be read");
    return btf;
}

int find_composite(const struct btf *btf, const std::string &name) {
    int id = btf__find_by_name_kind(btf, name.c_str(), BTF_KIND_STRUCT);
    if (id < 0) id = btf__find_by_name_kind(btf, name.c_str(), BTF_KIND_UNION);
    return id;
}

bool has_member(const struct btf *btf, int id, const std::string &field, int depth) {
    const struct btf_type *t = btf__type_by_id(btf, id);
    if (!t || depth > 8 || !(btf_is_struct(t) || btf_is_union(t))) return false;
    const struct btf_member *m = btf_members(t);
    for (unsigned i = 0; i < btf_vlen(t); i++, m++) {
        const char *name = btf__name_by_offset(btf, m->name_off);
        if (name && field == name) return true;
        if (name && *name) continue;
        // An anonymous struct or union: its members are the parent's.
        int inner = m->type;
        const struct btf_type *it = btf__type_by_id(btf, inner);
        while (it && (btf_is_mod(it) || btf_is_typedef(it))) {
            inner = it->type;
            it = btf__type_by_id(btf, inner);
        }
        if (has_member(btf, inner, field, depth + 1)) return true;
    }
    return false;
}

}  // namespace

bool kernel_has_type(const std::string &type) { return find_composite(vmlinux(), type) > 0; }

bool kernel_has_field(const std::string &type, const std::string &field) {
    int id = find_composite(vmlinux(), type);
    return id > 0 && has_member(vmlinux(), id, field, 0);
}

std::string kernel_release() {
    struct utsname u;
    if (uname(&u) != 0) return {};
    return u.release;
}

KernelVersion kernel_version() {
    KernelVersion v;
    std::sscanf(kernel_release().c_str(), "%d.%d.%d", &v.major, &v.minor, &v.patch);
    return v;
}

bool fdinfo_all_or_nothing() {
    KernelVersion v = kernel_version();
    return v.at_least(6, 15) || (v.major == 6 && v.minor == 14 && v.patch >= 8);
}

bool fdinfo_file_paths() { return kernel_version().at_least(6, 14); }

bool fdinfo_sq_thread_needs_sq_lock() { return !kernel_version().at_least(6, 7); }

bool fdinfo_personalities() { return !kernel_version().at_least(6, 16); }

}  // namespace ud::test
