// feature: each probe against what the machine says by other means.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

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
                          "iter_io_uring_req", "show_uses_bpf"}) {
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

TEST_CASE("feature: says what show does with as few fds as make BPF fail: read, fall back, or exit 1 or 7") {
    // The fds uringdump may open decide where BPF breaks: loading the
    // programs (BPF unusable: fallback, or exit 7 with --require-bpf), or
    // after loading, in calibration (show exits 1). feature must say which.
    if (!need_bpf()) return;
    bool saw_error = false, saw_fallback = false, saw_bpf = false;
    std::string self = std::to_string(::getpid());
    for (int nofile = 4; nofile <= 64 && !(saw_bpf && saw_error && saw_fallback); nofile++) {
        for (bool require : {false, true}) {
            std::vector<std::string> pre{"prlimit", "--nofile=" + std::to_string(nofile), uringdump_bin()};
            if (require) pre.push_back("--require-bpf");
            auto with = [&](std::vector<std::string> args) {
                args.insert(args.begin(), pre.begin(), pre.end());
                return run(args);
            };
            auto show = with({"show", "-j", self});
            auto feature = with({"feature", "-j"});
            INFO("nofile " << nofile << std::string(require ? " --require-bpf" : "") << ": show exit " << show.code << ": "
                           << show.err << "feature: " << feature.out);
            REQUIRE(feature.code == 0);
            auto doc = parse_json(feature.out);
            REQUIRE(has(doc, "show_uses_bpf"));
            bool ok = doc["show_uses_bpf"]["ok"].GetBool();
            std::string detail = doc["show_uses_bpf"]["detail"].GetString();
            if (show.code == 1) {
                saw_error = true;
                CHECK_FALSE(ok);
                CHECK(detail.find("show fails (exit 1)") != std::string::npos);
            } else if (show.code == 7) {
                CHECK_FALSE(ok);
                CHECK(detail.find("show fails (exit 7") != std::string::npos);
            } else {
                REQUIRE(show.code == 0);
                bool bpf = std::string(parse_json(show.out)["source"].GetString()) == "bpf";
                (bpf ? saw_bpf : saw_fallback) = true;
                CHECK(ok == bpf);
                if (!bpf) CHECK(detail.find("falls back to /proc") != std::string::npos);
            }
        }
    }
    // Each kind of outcome met at some limit, the one that was misreported too.
    CHECK(saw_fallback);
    CHECK(saw_error);
    CHECK(saw_bpf);
}
