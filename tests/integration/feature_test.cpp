// feature: each probe against what the machine says by other means.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "support/env.h"
#include "support/json.h"
#include "support/kernel.h"
#include "support/run.h"

using namespace ud::test;

TEST_CASE("feature -j: every probe of a root shell on this kernel") {
    if (!need_bpf()) return;
    auto r = run_uringdump({"feature", "-j"});
    REQUIRE(r.code == 0);
    auto doc = parse_json(r.out);
    struct stat st;
    CHECK(doc["btf"]["ok"].GetBool() == (::stat("/sys/kernel/btf/vmlinux", &st) == 0));
    for (const char *k : {"privileges", "programs", "task_file_iterator", "iterator_pid_parameter", "io_uring",
                          "io_uring_layout", "page_frames", "iter_io_uring_file", "iter_io_uring_buf", "iter_epoll",
                          "show_uses_bpf"}) {
        INFO(k);
        REQUIRE(has(doc, k));
        CHECK(doc[k]["ok"].GetBool());
    }
    // The layout named is the one the running kernel's BTF has: 6.13 made
    // the fixed-file and buffer tables io_rsrc_data (a buf_table field).
    CHECK(std::string(doc["io_uring_layout"]["detail"].GetString())
              .find(kernel_has_field("io_ring_ctx", "buf_table") ? "6.13+" : "6.1 to 6.12") != std::string::npos);
    // show agrees: it reads through BPF and gives frames.
    auto show = parse_json(run_uringdump({"show", "-j", "1"}).out);
    CHECK(std::string(show["source"].GetString()) == "bpf");
    CHECK_FALSE(has(show, "pfn_unavailable"));
}

TEST_CASE("feature: without privileges it says BPF cannot load and show falls back") {
    auto r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                  "--bounding-set=-all", uringdump_bin(), "feature", "-j"});
    REQUIRE(r.code == 0);
    auto doc = parse_json(r.out);
    CHECK_FALSE(doc["privileges"]["ok"].GetBool());
    CHECK_FALSE(doc["programs"]["ok"].GetBool());
    CHECK_FALSE(doc["show_uses_bpf"]["ok"].GetBool());
    auto show = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                     "--bounding-set=-all", uringdump_bin(), "show", "-j"});
    CHECK(std::string(parse_json(show.out)["source"].GetString()) == "procfs");
}

TEST_CASE("feature: URINGDUMP_NO_BPF is reported as the reason show does not use BPF") {
    auto r = run_uringdump({"feature", "-j"}, {{"URINGDUMP_NO_BPF", "1"}});
    REQUIRE(r.code == 0);
    auto doc = parse_json(r.out);
    CHECK_FALSE(doc["show_uses_bpf"]["ok"].GetBool());
    CHECK(std::string(doc["show_uses_bpf"]["detail"].GetString()).find("URINGDUMP_NO_BPF") != std::string::npos);
}
