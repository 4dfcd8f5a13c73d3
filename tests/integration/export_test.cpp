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

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "support/env.h"
#include "support/fixture.h"
#include "support/hugepage.h"
#include "support/kernel.h"
#include "support/names.h"
#include "support/prom.h"
#include "support/run.h"

using namespace ud::test;

namespace {

const std::uint64_t kPage = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

// A comm with what the text format must escape (a quote, a backslash, a
// newline) and what Prometheus refuses raw (bytes that are not UTF-8).
const std::string kHostileComm = std::string("q\"b\\s\n\xff\xfe", 8) + "\xc3\xa9";

std::string hex_of_bytes(const std::string &s) { return hex_of(s); }

// What a label value must be: the bytes, with each one that is not part of
// valid UTF-8 (the tests' own oracle) replaced by U+FFFD.
std::string lossy(const std::string &s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_oracle(std::string_view(s).substr(i));
        if (n == 0) {
            out += "\xef\xbf\xbd";
            i++;
        } else {
            out += s.substr(i, n);
            i += n;
        }
    }
    return out;
}

std::string memory_kind(const std::string &fixture_kind) {
    if (fixture_kind == "file") return "file";
    if (fixture_kind == "shared" || fixture_kind == "memfd") return "shmem";
    if (fixture_kind == "hugetlb") return "hugetlb";
    if (fixture_kind == "unmapped") return "unmapped";
    return "anonymous";  // page, pages16, unaligned, thp, anon: private anonymous memory
}

// What a fixture's truth says of its ring's buffers.
struct BufferTruth {
    std::uint64_t count = 0, bytes = 0;
    std::map<std::string, std::uint64_t> pages;  // by kind
};
BufferTruth buffers_of(const rapidjson::Value &ring) {
    BufferTruth t;
    for (auto &b : ring["buffers"].GetArray()) {
        std::uint64_t addr = b["addr"].GetUint64(), len = b["len"].GetUint64();
        t.count++;
        t.bytes += len;
        t.pages[memory_kind(b["kind"].GetString())] += (addr % kPage + len + kPage - 1) / kPage;
    }
    return t;
}

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

// Values of the text exposition with pid (and more) labels.
std::optional<double> text_value(const std::vector<PromSample> &s, const std::string &name, const Fixture &fx,
                                 LabelSet more = {}) {
    more["pid"] = fx.pid_str();
    auto found = samples_with(s, name, more);
    if (found.size() != 1) return std::nullopt;
    return found[0].value;
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

std::string temp_dir() {
    char tmpl[] = "/tmp/ud-export-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

std::string slurp(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

bool per_ring_count() { return kernel_has_field("io_ring_ctx", "nr_req_allocated"); }

}  // namespace

TEST_CASE("export --listen: prometheus scrapes it; rings, slots, buffers, bytes, pinned pages, items, CQEs posted") {
    if (!need_bpf() || !need_program("prometheus") || !need_program("promtool")) return;
    Fixture ring({"ring"});
    Fixture bufmem({"bufmem"});
    auto w4 = std::make_unique<Fixture>(std::vector<std::string>{"w4"});
    bufmem.command("comm " + hex_of_bytes(kHostileComm));

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
    bufmem.command("comm " + hex_of_bytes(kHostileComm));
    std::string dir = temp_dir();
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
    std::string dir = temp_dir();
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
    std::string dir = temp_dir();
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

TEST_CASE("export: reads the kernel at most once per --min-interval however often scraped") {
    if (!need_bpf()) return;
    ExportServer ex({"--min-interval", "30"});
    std::string last;
    for (int i = 0; i < 5; i++) last = ex.metrics();
    CHECK(sample_value(parse_exposition(last), "uringdump_exporter_reads_total", {}) == 1);
}

TEST_CASE("export: a process exiting between reads and the kernel read failing mid-scrape") {
    if (!need_bpf()) return;
    auto fx = std::make_unique<Fixture>(std::vector<std::string>{"bufmem"});
    std::string pid = fx->pid_str();
    // Reads 1 and 4 on succeed, 2 and 3 fail inside the BPF reader (its
    // passes read, the snapshot not finished).
    ExportServer ex({"--min-interval", "0"}, {{"URINGDUMP_TEST_FAIL", "collect@2-3"}});
    auto s1 = parse_exposition(ex.metrics());
    CHECK(sample_value(s1, "uringdump_exporter_last_read_success", {}) == 1);
    CHECK(samples_with(s1, "uringdump_rings", {{"pid", pid}}).size() == 1);
    fx->command("nop 3");

    for (int failed = 1; failed <= 2; failed++) {
        CAPTURE(failed);
        auto s = parse_exposition(ex.metrics());  // still 200
        CHECK(sample_value(s, "uringdump_exporter_last_read_success", {}) == 0);
        CHECK(sample_value(s, "uringdump_exporter_read_errors_total", {}) == failed);
        // Last values are not served as fresh: no per-process series at all.
        CHECK(samples_with(s, "uringdump_rings", {}).empty());
        CHECK(samples_with(s, "uringdump_ring_cqes_posted_total", {}).empty());
    }
    CHECK(ex.daemon().alive());
    std::string err = ex.daemon().err();
    CHECK(err.find("uringdump: error: reading the kernel failed: failure injected at collect") != std::string::npos);

    auto s4 = parse_exposition(ex.metrics());
    CHECK(sample_value(s4, "uringdump_exporter_last_read_success", {}) == 1);
    CHECK(sample_value(s4, "uringdump_exporter_read_errors_total", {}) == 2);
    CHECK(sample_value(s4, "uringdump_exporter_reads_total", {}) == 4);
    // The NOPs submitted while reads failed are counted once reading works.
    CHECK(samples_with(s4, "uringdump_ring_cqes_posted_total", {{"pid", pid}}).at(0).value == 3);

    // The process exits between two reads: its series go, no error.
    fx.reset();
    auto s5 = parse_exposition(ex.metrics());
    CHECK(samples_with(s5, "uringdump_rings", {{"pid", pid}}).empty());
    CHECK(samples_with(s5, "uringdump_pinned_pages", {{"pid", pid}}).empty());
    CHECK(sample_value(s5, "uringdump_exporter_last_read_success", {}) == 1);
    CHECK(sample_value(s5, "uringdump_exporter_read_errors_total", {}) == 2);
    CHECK(ex.daemon().stop() == 0);  // SIGTERM: a clean exit
}

TEST_CASE("export --textfile --once: a failed read is written as such and exits 1") {
    if (!need_bpf()) return;
    Fixture fx({"bufmem"});
    std::string dir = temp_dir();
    auto r =
        run_uringdump({"export", "--textfile", dir + "/u.prom", "--once"}, {{"URINGDUMP_TEST_FAIL", "export-memory"}});
    CHECK(r.code == 1);
    CHECK(lines(r.err).size() == 1);
    CHECK(r.err.rfind("uringdump: error: reading the kernel failed: ", 0) == 0);
    auto s = parse_exposition(slurp(dir + "/u.prom"));
    CHECK(sample_value(s, "uringdump_exporter_last_read_success", {}) == 0);
    CHECK(samples_with(s, "uringdump_rings", {}).empty());
    run({"rm", "-rf", dir});
}

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

TEST_CASE("export: bad input, each one line and its exit code") {
    auto one_error = [](const Result &r, int code, const std::string &has) {
        CAPTURE(r.err);
        CHECK(r.code == code);
        CHECK(r.out.empty());
        CHECK(lines(r.err).size() == 1);
        CHECK(r.err.rfind("uringdump: error: ", 0) == 0);
        CHECK(r.err.find(has) != std::string::npos);
    };
    one_error(run_uringdump({"export", "--listen", "1.2.3:80"}), 2, "not an IPv4 address");
    one_error(run_uringdump({"export", "--listen", "localhost:9975"}), 2, "names are not resolved");
    one_error(run_uringdump({"export", "--listen", "127.0.0.1:70000"}), 2, "port");
    one_error(run_uringdump({"export", "--listen", "[::1"}), 2, "[ADDRESS]:PORT");
    one_error(run_uringdump({"export", "--listen"}), 2, "needs a value");
    one_error(run_uringdump({"export", "--min-interval", "-1"}), 2, "seconds");
    one_error(run_uringdump({"export", "--textfile", "/tmp/x.txt"}), 2, ".prom");
    one_error(run_uringdump({"export", "--aggregate", "pid"}), 2, "only 'comm'");
    one_error(run_uringdump({"export", "--once"}), 2, "--textfile");
    one_error(run_uringdump({"export", "--listen", "127.0.0.1:1", "--textfile", "/tmp/a.prom"}), 2, "one");
    one_error(run_uringdump({"export", "12"}), 2, "no argument");
    one_error(run_uringdump({"show", "--once"}), 2, "unknown option");

    // Port in use: held by a socket of the test.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    socklen_t len = sizeof(sa);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &len);
    std::string port = std::to_string(ntohs(sa.sin_port));
    one_error(run_uringdump({"export", "--listen", "127.0.0.1:" + port}), 1, "Address already in use");
    ::close(fd);
    // An address of no interface here (TEST-NET-1).
    one_error(run_uringdump({"export", "--listen", "192.0.2.1:9975"}), 1, "cannot listen on 192.0.2.1:9975");

    // Textfile directories that cannot be written.
    one_error(run_uringdump({"export", "--textfile", "/nonexistent-ud/u.prom", "--once"}), 1, "/nonexistent-ud");
    one_error(run_uringdump({"export", "--textfile", "/proc/self/u.prom", "--once"}), 1, "/proc/self");
    std::string dir = temp_dir();
    ::chmod(dir.c_str(), 0755);
    auto r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", uringdump_bin(), "export",
                  "--textfile", dir + "/u.prom", "--once"});
    // nobody reads /proc without BPF: a note says so, then the one error.
    CHECK(r.code == 1);
    CHECK(r.err.find("uringdump: error: cannot create a file in " + dir) != std::string::npos);
    run({"rm", "-rf", dir});
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
    std::string dir = temp_dir();
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
    CHECK(a == b);
    CHECK(text_value(mine, "uringdump_pinned_pages", fx, {{"kind", "shmem"}}) == 2);  // smaps was readable
    run({"rm", "-rf", dir});
}
