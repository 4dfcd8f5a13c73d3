// uringdump export against the real consumers: Debian's prometheus scrapes
// `export --listen` and is queried over its HTTP API; node_exporter's
// textfile collector reads `export --textfile`; promtool checks the text.
// Every expected value comes from what a fixture made (its truth line, or
// the commands the test sent it), never from uringdump's own output.
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

namespace {

std::string sel(const Fixture &fx, const std::string &more = "") {
    return "{pid=\"" + fx.pid_str() + "\"" + (more.empty() ? "" : "," + more) + "}";
}

// One value from Prometheus, waited for (a scrape a second).
void expect_prom(PrometheusServer &prom, const std::string &expr, double want) {
    INFO(expr);
    auto got = prom.wait_value(expr, want, 60);
    REQUIRE(got.has_value());
    CHECK(*got == want);
}

// The values every test expects of the "ring" and "bufmem" fixtures,
// from a text exposition (textfile, node_exporter).
void check_ring_and_bufmem(const std::vector<PromSample> &s, const Fixture &ring, const Fixture &bufmem) {
    const auto &rt = ring.truth()["rings"][0];
    std::string rfd = std::to_string(rt["fd"].GetInt());
    CHECK(text_value(s, "uringdump_rings", ring) == 1);
    CHECK(text_value(s, "uringdump_ring_sq_entries", ring, {{"ring", rfd}}) == rt["sq_entries"].GetDouble());
    CHECK(text_value(s, "uringdump_ring_cq_entries", ring, {{"ring", rfd}}) == rt["cq_entries"].GetDouble());
    CHECK(text_value(s, "uringdump_ring_fixed_file_slots", ring, {{"ring", rfd}}) == rt["file_slots"].GetDouble());
    CHECK(text_value(s, "uringdump_ring_fixed_file_slots_used", ring, {{"ring", rfd}}) == rt["files"].Size());
    BufferTruth rb = buffers_of(rt);
    CHECK(text_value(s, "uringdump_ring_registered_buffers", ring, {{"ring", rfd}}) == rb.count);
    CHECK(text_value(s, "uringdump_ring_registered_buffer_bytes", ring, {{"ring", rfd}}) == rb.bytes);
    for (auto &[kind, pages] : rb.pages) {
        INFO(kind);
        CHECK(text_value(s, "uringdump_pinned_pages", ring, {{"kind", kind}}) == pages);
    }

    const auto &bt = bufmem.truth()["rings"][0];
    BufferTruth bb = buffers_of(bt);
    CHECK(bb.pages.size() == 4);  // anonymous, file, shmem, unmapped
    for (auto &[kind, pages] : bb.pages) {
        INFO(kind);
        CHECK(text_value(s, "uringdump_pinned_pages", bufmem, {{"kind", kind}}) == pages);
    }
    CHECK(samples_with(s, "uringdump_pinned_pages", {{"pid", bufmem.pid_str()}}).size() == bb.pages.size());
    CHECK(text_value(s, "uringdump_ring_registered_buffer_bytes", bufmem) == bb.bytes);
}

bool per_ring_count() { return kernel_has_field("io_ring_ctx", "nr_req_allocated"); }

}  // namespace

TEST_CASE("export --listen: prometheus scrapes it; rings, slots, buffers, bytes, pinned pages, items, CQEs posted") {
    if (!need_bpf() || !need_program("prometheus") || !need_program("promtool")) return;
    Fixture ring({"ring"});
    Fixture bufmem({"bufmem"});
    auto w4 = std::make_unique<Fixture>(std::vector<std::string>{"w4"});
    bufmem.command("comm " + hex_of(kHostileComm));

    ExportServer ex;
    PrometheusServer prom(ex.port());
    REQUIRE_MESSAGE(prom.ready(), prom.why());

    expect_prom(prom, "uringdump_rings" + sel(ring), 1);
    const auto &rt = ring.truth()["rings"][0];
    std::string rfd = "ring=\"" + std::to_string(rt["fd"].GetInt()) + "\"";
    expect_prom(prom, "uringdump_ring_sq_entries" + sel(ring, rfd), rt["sq_entries"].GetDouble());
    expect_prom(prom, "uringdump_ring_cq_entries" + sel(ring, rfd), rt["cq_entries"].GetDouble());
    expect_prom(prom, "uringdump_ring_fixed_file_slots" + sel(ring, rfd), rt["file_slots"].GetDouble());
    expect_prom(prom, "uringdump_ring_fixed_file_slots_used" + sel(ring, rfd), rt["files"].Size());
    BufferTruth rb = buffers_of(rt);
    expect_prom(prom, "uringdump_ring_registered_buffers" + sel(ring, rfd), static_cast<double>(rb.count));
    expect_prom(prom, "uringdump_ring_registered_buffer_bytes" + sel(ring, rfd), static_cast<double>(rb.bytes));
    for (auto &[kind, pages] : rb.pages)
        expect_prom(prom, "uringdump_pinned_pages" + sel(ring, "kind=\"" + kind + "\""), static_cast<double>(pages));

    BufferTruth bb = buffers_of(bufmem.truth()["rings"][0]);
    for (auto &[kind, pages] : bb.pages)
        expect_prom(prom, "uringdump_pinned_pages" + sel(bufmem, "kind=\"" + kind + "\""), static_cast<double>(pages));

    const auto &wt = w4->truth();
    expect_prom(prom, "uringdump_rings" + sel(*w4), wt["rings"].Size());
    expect_prom(prom, "uringdump_epolls" + sel(*w4), wt["epolls"].Size());
    expect_prom(prom, "uringdump_epoll_items" + sel(*w4), wt["epolls"][0]["count"].GetDouble());

    // bufmem's ring never had a submission: N NOPs are N SQEs consumed and
    // N CQEs posted, on a counter Prometheus reads as such.
    expect_prom(prom, "uringdump_ring_cqes_posted_total" + sel(bufmem), 0);
    bufmem.command("nop 7");
    expect_prom(prom, "uringdump_ring_cqes_posted_total" + sel(bufmem), 7);
    expect_prom(prom, "uringdump_ring_sqes_consumed_total" + sel(bufmem), 7);
    bufmem.command("nop 5");
    expect_prom(prom, "uringdump_ring_cqes_posted_total" + sel(bufmem), 12);
    expect_prom(prom, "increase(uringdump_ring_cq_overflows_total" + sel(bufmem) + "[1m])", 0);
    // An idle ring holds no request, on every kernel (6.1 and 6.12 know it
    // from the task's count being 0).
    expect_prom(prom, "uringdump_ring_inflight_requests" + sel(bufmem), 0);

    // The hostile comm reached Prometheus (which refuses invalid UTF-8) as
    // its bytes with U+FFFD for those that are not UTF-8.
    auto series = prom.query("uringdump_rings" + sel(bufmem));
    REQUIRE(series.size() == 1);
    CHECK(series[0].labels["comm"] == lossy(kHostileComm));

    expect_prom(prom, "uringdump_exporter_source{source=\"bpf\"}", 1);
    expect_prom(prom, "uringdump_exporter_last_read_success", 1);
    expect_prom(prom, "uringdump_exporter_read_errors_total", 0);
    expect_prom(prom, "up", 1);

    // A process that exits: its series end (Prometheus marks them stale
    // when a scrape no longer has them).
    std::string w4sel = "uringdump_rings" + sel(*w4);
    w4.reset();
    CHECK(prom.wait_absent(w4sel, 60));
    CHECK(ex.daemon().alive());

    auto checked = promtool_check_metrics(ex.metrics());
    CHECK_MESSAGE(checked.code == 0, checked.out);
    CHECK_MESSAGE(checked.out.empty(), checked.out);
}

TEST_CASE("export --textfile: node_exporter's textfile collector serves the same values, names escaped") {
    if (!need_bpf() || !need_program("prometheus-node-exporter") || !need_program("promtool")) return;
    Fixture ring({"ring"});
    Fixture bufmem({"bufmem"});
    Fixture names({"names"});
    bufmem.command("comm " + hex_of(kHostileComm));
    std::string dir = export_temp_dir();
    std::string file = dir + "/uringdump.prom";

    auto r = run_uringdump({"export", "--textfile", file, "--once"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out.empty());
    struct stat st;
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);                                       // node_exporter runs as another user
    CHECK(run({"sh", "-c", "ls -A \"$0\"", dir}).out == "uringdump.prom\n");  // no temporary left
    std::string text = slurp(file);
    auto checked = promtool_check_metrics(text);
    CHECK_MESSAGE(checked.code == 0, checked.out);
    CHECK_MESSAGE(checked.out.empty(), checked.out);
    auto direct = parse_exposition(text);
    check_ring_and_bufmem(direct, ring, bufmem);

    int port = free_port();
    Daemon ne({"prometheus-node-exporter", "--collector.disable-defaults", "--collector.textfile",
               "--collector.textfile.directory=" + dir, "--web.listen-address=127.0.0.1:" + std::to_string(port)});
    HttpReply reply;
    for (int i = 0; i < 100 && reply.status != 200; i++) {
        reply = http_get(port, "/metrics");
        if (reply.status != 200) ::usleep(100000);
    }
    REQUIRE_MESSAGE(reply.status == 200, ne.err());
    auto served = parse_exposition(reply.body);
    CHECK(sample_value(served, "node_textfile_scrape_error", {}) == 0);
    check_ring_and_bufmem(served, ring, bufmem);

    // The comms, through both: exact where UTF-8, U+FFFD where not.
    NamesTruth nt = names_truth(names.truth());
    for (auto *s : {&direct, &served}) {
        auto b = samples_with(*s, "uringdump_rings", {{"pid", bufmem.pid_str()}});
        REQUIRE(b.size() == 1);
        CHECK(b[0].labels["comm"] == lossy(kHostileComm));
        auto n = samples_with(*s, "uringdump_rings", {{"pid", names.pid_str()}});
        REQUIRE(n.size() == 1);
        CHECK(n[0].labels["comm"] == lossy(nt.comm));
    }
    // Every byte of the file is UTF-8, and no raw newline splits a sample.
    CHECK(utf8_valid(text));
    for (auto &line : lines(text)) CHECK((line.empty() || line[0] == '#' || line.rfind("uringdump_", 0) == 0));
    run({"rm", "-rf", dir});
}

TEST_CASE("export: pinned hugetlb pages") {
    if (!need_bpf()) return;
    HugePage hp;
    if (!hp.ok()) {
        skip("no hugetlb page: " + hp.why());
        return;
    }
    Fixture ring({"ring-hugetlb"});
    std::string dir = export_temp_dir();
    auto r = run_uringdump({"export", "--textfile", dir + "/u.prom", "--once"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    auto s = parse_exposition(slurp(dir + "/u.prom"));
    BufferTruth bt = buffers_of(ring.truth()["rings"][0]);
    REQUIRE(bt.pages.count("hugetlb"));
    for (auto &[kind, pages] : bt.pages) {
        INFO(kind);
        CHECK(text_value(s, "uringdump_pinned_pages", ring, {{"kind", kind}}) == pages);
    }
    run({"rm", "-rf", dir});
}

TEST_CASE("export: requests in flight where the kernel counts them, absent where it does not") {
    if (!need_bpf()) return;
    Fixture fx({"pending"});  // a read waiting on an empty pipe
    std::string dir = export_temp_dir();
    auto r = run_uringdump({"export", "--textfile", dir + "/u.prom", "--once"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    auto s = parse_exposition(slurp(dir + "/u.prom"));
    auto v = text_value(s, "uringdump_ring_inflight_requests", fx);
    if (per_ring_count())
        CHECK(v == fx.truth()["rings"][0]["inflight"].GetDouble());
    else
        CHECK_FALSE(v.has_value());  // 6.1, 6.12: which ring holds it is unknown; never a fake 0
    // The unreaped completion and the unsubmitted entry are not counted.
    CHECK(text_value(s, "uringdump_ring_sqes_consumed_total", fx) == 2);
    CHECK(text_value(s, "uringdump_ring_cqes_posted_total", fx) == 1);
    run({"rm", "-rf", dir});
}
