// CO-RE: the programs relocate and load against the BTF of the kernels they
// claim (6.1 LTS, 6.12, 6.18) and choose the io_uring layout of each.
//
// tests/data/btf holds minimal BTF (bpftool gen min_core_btf) cut from the
// Debian kernel packages' vmlinux; tests/data/btf/regenerate.sh remakes them
// when the programs start reading other fields.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "records.h"
#include "support/env.h"
#include "support/kernel.h"
#include "uringdump.skel.h"
#include "uringdump_text.skel.h"

using namespace ud::test;

namespace {

struct Case {
    const char *btf;
    std::uint32_t layout;
};

// Loads the programs relocated against `btf`, runs the fd iterator over this
// process once (the values read are then at the other kernel's offsets:
// nothing is interpreted), and returns what the programs published.
bool load_and_run(const char *btf, std::uint32_t *layout, std::uint64_t *page_size, std::string *why) {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf);
    uringdump_bpf *skel = uringdump_bpf__open_opts(&opts);
    if (!skel) {
        *why = "open failed";
        return false;
    }
    int err = uringdump_bpf__load(skel);
    if (err) {
        *why = std::string("load failed: ") + std::strerror(-err);
        uringdump_bpf__destroy(skel);
        return false;
    }
    union bpf_iter_link_info info;
    std::memset(&info, 0, sizeof(info));
    info.task.pid = static_cast<__u32>(::getpid());
    LIBBPF_OPTS(bpf_iter_attach_opts, aopts, .link_info = &info, .link_info_len = sizeof(info));
    bpf_link *link = bpf_program__attach_iter(skel->progs.ud_task_file, &aopts);
    bool ok = link != nullptr;
    if (ok) {
        int fd = bpf_iter_create(bpf_link__fd(link));
        char buf[65536];
        while (fd >= 0 && ::read(fd, buf, sizeof(buf)) > 0) {
        }
        if (fd >= 0) ::close(fd);
        bpf_link__destroy(link);
    } else {
        *why = "attach failed";
    }
    *layout = skel->bss->ud_kernel_layout;
    *page_size = skel->bss->ud_page_size;
    uringdump_bpf__destroy(skel);
    return ok;
}

// Loads the pinnable text iterators relocated against `btf`.
bool load_text(const char *btf, std::string *why) {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf);
    uringdump_text_bpf *skel = uringdump_text_bpf__open_opts(&opts);
    if (!skel) {
        *why = "open failed";
        return false;
    }
    int err = uringdump_text_bpf__load(skel);
    if (err) *why = std::string("text iterators: load failed: ") + std::strerror(-err);
    uringdump_text_bpf__destroy(skel);
    return err == 0;
}

}  // namespace

TEST_CASE("CO-RE: the programs load against 6.1, 6.12 and 6.18 BTF and pick each kernel's layout") {
    if (!need_bpf()) return;
    libbpf_set_print(nullptr);
    // The running kernel's layout from its own BTF: 6.13 replaced the flat
    // file_table.files[] and user_bufs[] with io_rsrc_data tables.
    const std::uint32_t running = kernel_has_field("io_ring_ctx", "buf_table") ? UD_LAYOUT_RSRC : UD_LAYOUT_FLAT;
    const Case cases[] = {
        {"tests/data/btf/linux-6.1.192-min.btf", UD_LAYOUT_FLAT},
        {"tests/data/btf/linux-6.12.118-min.btf", UD_LAYOUT_FLAT},
        {"tests/data/btf/linux-6.18.44-min.btf", UD_LAYOUT_RSRC},
        {"/sys/kernel/btf/vmlinux", running},
    };
    for (auto &c : cases) {
        INFO("BTF " << c.btf);
        std::uint32_t layout = 0;
        std::uint64_t page_size = 0;
        std::string why;
        REQUIRE_MESSAGE(load_and_run(c.btf, &layout, &page_size, &why), why);
        CHECK(layout == c.layout);
        CHECK(page_size == 64);
        CHECK_MESSAGE(load_text(c.btf, &why), why);
    }
}
