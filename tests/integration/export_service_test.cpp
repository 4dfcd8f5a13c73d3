// uringdump export for fleets and services: --aggregate comm, the systemd
// unit's capabilities tried for real, the sample alert rules.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "support/env.h"
#include "support/export_truth.h"
#include "support/fixture.h"
#include "support/hugepage.h"
#include "support/kernel.h"
#include "support/names.h"
#include "support/paths.h"
#include "support/prom.h"
#include "support/run.h"

using namespace ud::test;

TEST_CASE("export --aggregate comm: sums by comm, counters never go down when processes exit") {
    if (!need_bpf()) return;
    const std::string comm = "ud_agg_" + std::to_string(::getpid() % 100000);
    auto a = std::make_unique<Fixture>(std::vector<std::string>{"bufmem"});
    Fixture b({"bufmem"});
    a->command("comm " + hex_of(comm));
    b.command("comm " + hex_of(comm));
    a->command("nop 4");
    b.command("nop 6");
    ExportServer ex({"--min-interval", "0", "--aggregate", "comm"});
    auto s = parse_exposition(ex.metrics());
    LabelSet c{{"comm", comm}};
    CHECK(sample_value(s, "uringdump_processes", c) == 2);
    CHECK(sample_value(s, "uringdump_rings", c) == 2);
    CHECK(sample_value(s, "uringdump_ring_registered_buffers", c) == 10);
    CHECK(sample_value(s, "uringdump_ring_cqes_posted_total", c) == 10);
    BufferTruth bt = buffers_of(b.truth()["rings"][0]);
    CHECK(sample_value(s, "uringdump_pinned_pages", {{"comm", comm}, {"kind", "shmem"}}) == 2 * bt.pages["shmem"]);
    for (auto &x : s) CHECK_FALSE(x.labels.count("pid"));

    a.reset();
    b.command("nop 1");
    auto s2 = parse_exposition(ex.metrics());
    CHECK(sample_value(s2, "uringdump_processes", c) == 1);
    CHECK(sample_value(s2, "uringdump_ring_registered_buffers", c) == 5);
    CHECK(sample_value(s2, "uringdump_ring_cqes_posted_total", c) == 11);  // a's 4 stay counted
}

TEST_CASE("export: the sample alert rules pass promtool check rules; the unit file is hardened") {
    if (!need_program("promtool")) return;
    auto r = run({"promtool", "check", "rules", "contrib/uringdump-alerts.yml"});
    CHECK_MESSAGE(r.code == 0, (r.out + r.err));
    CHECK(r.out.find("SUCCESS: 3 rules found") != std::string::npos);
    std::string unit = slurp("contrib/uringdump-export.service");
    for (const char *want : {"NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "DynamicUser=yes",
                             "ExecStart=@SBINDIR@/uringdump export --listen 127.0.0.1:9975"})
        CHECK_MESSAGE(unit.find(want) != std::string::npos, want);
}

// The unit's capabilities (read from the unit itself), given to an
// unprivileged user as systemd's AmbientCapabilities does: export reads
// through BPF and reports what root reports.
TEST_CASE("export: with only the unit's capabilities, as nobody, the same metrics as root") {
    if (!need_bpf()) return;
    std::string unit = slurp("contrib/uringdump-export.service");
    auto at = unit.find("\nAmbientCapabilities=");
    REQUIRE(at != std::string::npos);
    std::string caps_line = unit.substr(at + 21, unit.find('\n', at + 1) - at - 21);
    CHECK(unit.find("CapabilityBoundingSet=" + caps_line + "\n") != std::string::npos);
    std::string caps;  // setpriv's spelling: +bpf,+perfmon
    std::istringstream words(caps_line);
    for (std::string w; words >> w;) {
        REQUIRE(w.rfind("CAP_", 0) == 0);
        std::string name = w.substr(4);
        for (auto &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        caps += (caps.empty() ? "+" : ",+") + name;
    }
    Fixture fx({"bufmem"});
    std::string dir = export_temp_dir();
    ::chmod(dir.c_str(), 0777);
    auto as_root = run_uringdump({"export", "--textfile", dir + "/root.prom", "--once"});
    REQUIRE_MESSAGE(as_root.code == 0, as_root.err);
    auto r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=" + caps,
                  "--ambient-caps=" + caps, uringdump_bin(), "export", "--textfile", dir + "/nobody.prom", "--once"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.empty());  // no fallback note
    auto mine = parse_exposition(slurp(dir + "/nobody.prom"));
    auto roots = parse_exposition(slurp(dir + "/root.prom"));
    CHECK(sample_value(mine, "uringdump_exporter_source", {{"source", "bpf"}}) == 1);
    auto of_fixture = [&](const std::vector<PromSample> &s) {
        std::map<std::string, double> out;
        for (auto &x : s) {
            auto it = x.labels.find("pid");
            if (it == x.labels.end() || it->second != fx.pid_str()) continue;
            std::string key = x.name;
            for (auto &[k, v] : x.labels) key += "," + k + "=" + v;
            out[key] = x.value;
        }
        return out;
    };
    auto a = of_fixture(roots), b = of_fixture(mine);
    CHECK(a.size() > 10);
    for (auto &[key, v] : a) {
        INFO("as root: " << key << " " << v);
        CHECK((b.count(key) && b.at(key) == v));
    }
    for (auto &[key, v] : b) {
        INFO("as nobody: " << key << " " << v);
        CHECK(a.count(key));
    }
    CHECK(text_value(mine, "uringdump_pinned_pages", fx, {{"kind", "shmem"}}) == 2);  // smaps was readable
    run({"rm", "-rf", dir});
}

TEST_CASE("export --procfs: the /proc fallback, said in the source metric and on stderr") {
    Fixture fx({"bufmem"});
    std::string dir = export_temp_dir();
    auto r = run_uringdump({"--procfs", "export", "--textfile", dir + "/u.prom", "--once"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.rfind("uringdump: note: reading /proc only: ", 0) == 0);
    auto s = parse_exposition(slurp(dir + "/u.prom"));
    CHECK(sample_value(s, "uringdump_exporter_source", {{"source", "procfs"}}) == 1);
    CHECK_FALSE(sample_value(s, "uringdump_exporter_source", {{"source", "bpf"}}));
    // fdinfo knows the buffers and the ring's positions.
    BufferTruth bt = buffers_of(fx.truth()["rings"][0]);
    CHECK(text_value(s, "uringdump_ring_registered_buffers", fx) == bt.count);
    CHECK(text_value(s, "uringdump_ring_cqes_posted_total", fx) == 0);
    run({"rm", "-rf", dir});
}
