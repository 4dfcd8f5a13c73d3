// make bench: uringdump show against the kernel's other ways of telling the
// same things, on the four workloads of the benchmark issue, every baseline
// measured in the same run. Prints a table of ratios and writes it to
// build/bench/results.txt.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "baselines.h"
#include "export_cost.h"
#include "measure.h"
#include "support/fixture.h"
#include "support/paths.h"

using namespace ud::bench;
using ud::test::Fixture;

namespace {

int runs() {
    const char *v = std::getenv("UD_BENCH_RUNS");
    int n = v ? std::atoi(v) : 5;
    return n >= 5 ? n : 5;
}

struct Row {
    std::string workload;
    std::string what;
    std::string value;
    std::string target;  // empty: informational
    bool met = true;
};

std::vector<Row> g_rows;

std::string ms(double s) {
    char b[32];
    std::snprintf(b, sizeof(b), "%.1f ms", s * 1e3);
    return b;
}

std::string num(double v, const char *fmt = "%.2f") {
    char b[32];
    std::snprintf(b, sizeof(b), fmt, v);
    return b;
}

void row(const std::string &w, const std::string &what, const std::string &value, const std::string &target = "",
         bool met = true) {
    g_rows.push_back({w, what, value, target, met});
    std::fprintf(stderr, "bench: %-4s %-52s %s\n", w.c_str(), what.c_str(), value.c_str());
}

std::vector<std::string> show_json(const std::string &pid) {
    std::vector<std::string> a{ud::test::uringdump_bin(), "show", "-j"};
    if (!pid.empty()) a.push_back(pid);
    return a;
}

std::vector<std::string> show_table(const std::string &pid) {
    std::vector<std::string> a{ud::test::uringdump_bin(), "show"};
    if (!pid.empty()) a.push_back(pid);
    return a;
}

// Medians of show's own phases (UD_TIMING=1), collect and load, in seconds.
struct Phases {
    double collect = 0, load = 0;
    std::string line;
};

Phases phases(const std::vector<std::string> &argv) {
    std::vector<double> c, l;
    std::string line;
    for (int i = 0; i < runs(); i++) {
        CommandRun r = run_command(argv, {"UD_TIMING=1"});
        c.push_back(timing_field(r.err, "collect") / 1e3);
        l.push_back(timing_field(r.err, "load") / 1e3);
        line = r.err;
    }
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (auto p = line.rfind("debug: "); p != std::string::npos) line = line.substr(p + 7);
    return {median(c), median(l), line};
}

// Show's collect phase against the two floors, for one process (pid 0:
// every process). The floor, an empty program, visits the fds only;
// the walk floor also walks every item show reports, writing nothing.
void floors(const std::string &w, int pid, const Phases &ph) {
    Floor empty(pid);
    double fl = time_call([&] { empty.pass(); }, runs());
    WalkFloor walk(pid);
    double wf = time_call([&] { walk.pass(); }, runs());
    row(w, "empty-iterator pass over the fds (floor)", ms(fl));
    row(w, "show collect (UD_TIMING) / floor", num(ph.collect / fl, "%.0f"), "<= 2", ph.collect / fl <= 2);
    row(w, "walk floor: every item walked, nothing written", ms(wf));
    row(w, "show collect / walk floor", num(ph.collect / wf));
    row(w, "show phases", ph.line);
}

// W1: one epoll set of n items. Returns show -j's median time.
double w1(long n, bool full) {
    Fixture fx({"scale-epoll", std::to_string(n)});
    std::string pid = fx.pid_str();
    int epfd = fx.truth()["epolls"][0]["fd"].GetInt();
    std::string w = n == 200000 ? "W1" : "W1/" + std::to_string(n / 1000) + "k";
    Timed json = time_command(show_json(pid), runs());
    double fd = time_call([&] { read_fdinfo({{fx.pid(), epfd}}); }, runs());
    row(w, "show -j (median of " + std::to_string(runs()) + ")", ms(json.median_s));
    row(w, "fdinfo of the epoll fd", ms(fd));
    if (!full) return json.median_s;
    Timed table = time_command(show_table(pid), runs());
    row(w, "show, table", ms(table.median_s));
    row(w, "show -j / fdinfo", num(json.median_s / fd), "<= 0.50", json.median_s / fd <= 0.5);
    // kcmp: every item costs a kcmp per fd tried; a sample is timed and
    // scaled to all items (linear by construction: one loop per item).
    std::size_t sample = 0;
    std::uint64_t calls = 0;
    double t = time_call([&] { calls = kcmp_match(fx.pid(), epfd, 5000, &sample); }, 1);
    double kcmp_all = t / static_cast<double>(sample) * static_cast<double>(n);
    row(w, "kcmp matching, " + std::to_string(sample) + " items timed (" + std::to_string(calls) + " calls), scaled",
        ms(kcmp_all));
    row(w, "kcmp / show -j", num(kcmp_all / json.median_s, "%.0f"), ">= 100", kcmp_all / json.median_s >= 100);
    floors(w, fx.pid(), phases(show_json(pid)));
    double rss_mib = static_cast<double>(json.max_rss_kib) / 1024;
    row(w, "peak RSS of show -j", num(rss_mib, "%.1f MiB"), "<= 64 MiB", rss_mib <= 64);
    return json.median_s;
}

void w2() {
    Fixture fx({"scale-bufs", "16384"});
    std::string pid = fx.pid_str();
    int ring = fx.truth()["rings"][0]["fd"].GetInt();
    Timed json = time_command(show_json(pid), runs());
    Timed table = time_command(show_table(pid), runs());
    double fd = time_call([&] { read_fdinfo({{fx.pid(), ring}}); }, runs());
    std::size_t pages = 0;
    double pm = time_call([&] { pages = pagemap_frames(fx.pid(), ring); }, runs());
    row("W2", "show -j", ms(json.median_s));
    row("W2", "show, table", ms(table.median_s));
    row("W2", "fdinfo of the ring (addresses, no frames)", ms(fd));
    row("W2", "fdinfo + pagemap for " + std::to_string(pages) + " pages", ms(fd + pm));
    row("W2", "show -j / fdinfo", num(json.median_s / fd), "<= 0.50", json.median_s / fd <= 0.5);
    row("W2", "show -j / (fdinfo + pagemap)", num(json.median_s / (fd + pm)));
    floors("W2", fx.pid(), phases(show_json(pid)));
}

void w3() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    // The kernel caps a file table at RLIMIT_NOFILE (and 1 << 20).
    long n = static_cast<long>(std::min<rlim_t>(rl.rlim_max, 1 << 20));
    Fixture fx({"scale-files", std::to_string(n)});
    std::string pid = fx.pid_str();
    int ring = fx.truth()["rings"][0]["fd"].GetInt();
    Timed json = time_command(show_json(pid), runs());
    Timed table = time_command(show_table(pid), runs());
    double fd = time_call([&] { read_fdinfo({{fx.pid(), ring}}); }, runs());
    row("W3", "fixed-file table slots (RLIMIT_NOFILE)", std::to_string(n));
    row("W3", "show -j", ms(json.median_s));
    row("W3", "show, table", ms(table.median_s));
    row("W3", "fdinfo of the ring", ms(fd));
    row("W3", "show -j / fdinfo", num(json.median_s / fd));
    floors("W3", fx.pid(), phases(show_json(pid)));
}

// export over the W4 processes (alive): a scrape against show -j of the
// same workload, CPU and RSS over a run at Prometheus' default interval.
void export_cost(double show_json_s) {
    ExportCost c = measure_export(runs());
    if (!c.error.empty()) {
        row("W4", "export", c.error, "measured", false);
        return;
    }
    row("W4", "export scrape, each reading the kernel (median)",
        ms(c.scrape_median_s) + " (" + std::to_string(c.scrape_bytes / 1024) + " KiB)");
    row("W4", "export scrape / show -j", num(c.scrape_median_s / show_json_s), "< 1", c.scrape_median_s < show_json_s);
    row("W4",
        "export CPU, scraped every " + num(c.interval_s, "%.0f") + " s for " + num(c.run_seconds, "%.0f") + " s",
        num(c.cpu_percent, "%.2f %% of one core"), "< 1 %", c.cpu_percent < 1);
    double growth = static_cast<double>(c.rss_last_kib - c.rss_first_kib) / 1024;
    row("W4", "export RSS after 4 warm-up scrapes -> at the end",
        num(static_cast<double>(c.rss_first_kib) / 1024, "%.1f MiB") + " -> " +
            num(static_cast<double>(c.rss_last_kib) / 1024, "%.1f MiB"),
        "growth <= 1 MiB", growth <= 1);
}

void w4() {
    std::vector<std::unique_ptr<Fixture>> procs;
    std::vector<std::pair<int, int>> fds;
    for (int i = 0; i < 200; i++) {
        procs.push_back(std::make_unique<Fixture>(std::vector<std::string>{"w4"}));
        const auto &t = procs.back()->truth();
        for (auto &r : t["rings"].GetArray()) fds.push_back({procs.back()->pid(), r["fd"].GetInt()});
        fds.push_back({procs.back()->pid(), t["epolls"][0]["fd"].GetInt()});
    }
    Timed json = time_command(show_json(""), runs());
    Timed table = time_command(show_table(""), runs());
    double fd = time_call([&] { read_fdinfo(fds); }, runs());
    row("W4", "show -j, system-wide (200 processes)", ms(json.median_s));
    row("W4", "show, table", ms(table.median_s));
    row("W4", "fdinfo of their 600 ring and epoll fds", ms(fd));
    row("W4", "show -j / fdinfo", num(json.median_s / fd));
    floors("W4", 0, phases(show_json("")));
    export_cost(json.median_s);
}

// W5: one ring with 10,000 armed polls (recvs on an idle socket): show -j
// lists every request (resume passes: about 440 a pass), fdinfo prints a
// PollList line for each (opcode only).
void w5() {
    const int n = 10000;
    Fixture fx({"requests-many", std::to_string(n)});
    std::string pid = fx.pid_str();
    int ring = fx.truth()["rings"][0]["fd"].GetInt();
    Timed json = time_command(show_json(pid), runs());
    Timed table = time_command(show_table(pid), runs());
    double fd = time_call([&] { read_fdinfo({{fx.pid(), ring}}); }, runs());
    row("W5", "armed polls in one ring", std::to_string(n));
    row("W5", "show -j (every request listed)", ms(json.median_s));
    row("W5", "show, table", ms(table.median_s));
    row("W5", "fdinfo of the ring (PollList: opcodes only)", ms(fd));
    row("W5", "show -j / fdinfo", num(json.median_s / fd));
    floors("W5", fx.pid(), phases(show_json(pid)));
}

// Least squares t = a + b n, with R².
void growth(const std::vector<double> &n, const std::vector<double> &t) {
    double k = static_cast<double>(n.size()), sn = 0, st = 0, snn = 0, snt = 0;
    for (std::size_t i = 0; i < n.size(); i++) {
        sn += n[i];
        st += t[i];
        snn += n[i] * n[i];
        snt += n[i] * t[i];
    }
    double b = (k * snt - sn * st) / (k * snn - sn * sn), a = (st - b * sn) / k;
    double mean = st / k, ss_tot = 0, ss_res = 0;
    for (std::size_t i = 0; i < n.size(); i++) {
        ss_tot += (t[i] - mean) * (t[i] - mean);
        ss_res += (t[i] - a - b * n[i]) * (t[i] - a - b * n[i]);
    }
    double r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
    char v[96];
    std::snprintf(v, sizeof(v), "%.1f ms + %.3f us/item, R^2 %.4f", a * 1e3, b * 1e6, r2);
    row("W1", "show -j time over 10k, 50k, 200k items", v, "R^2 >= 0.99", r2 >= 0.99);
}

void top_cost() {
    if (::access("tests/bench/top_cost.sh", X_OK) != 0) return;
    FILE *p = ::popen("tests/bench/top_cost.sh 2>/dev/null", "r");
    char line[256];
    double pct = -1;
    while (p && std::fgets(line, sizeof(line), p))
        std::sscanf(line, "top_cost_percent_of_one_core %lf", &pct);
    if (p) ::pclose(p);
    if (pct >= 0) row("top", "top -d 1 over 200 processes, % of one core", num(pct, "%.2f %%"), "< 5 %", pct < 5);
}

std::string machine() {
    utsname u{};
    ::uname(&u);
    std::ifstream cpu("/proc/cpuinfo");
    std::string line, model = "?";
    while (std::getline(cpu, line))
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    double load[3] = {0, 0, 0};
    ::getloadavg(load, 3);
    std::ostringstream o;
    o << "kernel " << u.release << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " CPUs (" << model << "), load "
      << load[0] << " " << load[1] << " " << load[2];
    return o.str();
}

void report(const std::string &before, const std::string &after) {
    std::ostringstream o;
    o << "uringdump benchmark (medians of " << runs() << " runs)\n"
      << "start: " << before << "\nend:   " << after << "\n\n";
    char head[256];
    std::snprintf(head, sizeof(head), "%-5s %-56s %-40s %-12s %s\n", "", "measure", "value", "target", "");
    o << head;
    int missed = 0;
    for (auto &r : g_rows) {
        char buf[512];
        const char *verdict = r.target.empty() ? "" : (r.met ? "met" : "NOT MET");
        missed += !r.target.empty() && !r.met;
        std::snprintf(buf, sizeof(buf), "%-5s %-56s %-40s %-12s %s\n", r.workload.c_str(), r.what.c_str(),
                      r.value.c_str(), r.target.c_str(), verdict);
        o << buf;
    }
    o << "\n" << missed << " target(s) not met\n";
    std::fputs(o.str().c_str(), stdout);
    std::ofstream("build/bench/results.txt") << o.str();
}

}  // namespace

int main() {
    try {
        std::string before = machine();
        // UD_BENCH_WORKLOADS: a subset, e.g. "w4" (default: all, and top).
        const char *only = std::getenv("UD_BENCH_WORKLOADS");
        auto wanted = [&](const char *w) { return !only || std::strstr(only, w); };
        if (wanted("w1")) {
            std::vector<double> n{10000, 50000, 200000}, t;
            for (double items : n) t.push_back(w1(static_cast<long>(items), items == 200000));
            growth(n, t);
        }
        if (wanted("w2")) w2();
        if (wanted("w3")) w3();
        if (wanted("w4")) w4();
        if (wanted("w5")) w5();
        if (wanted("top")) top_cost();
        report(before, machine());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
