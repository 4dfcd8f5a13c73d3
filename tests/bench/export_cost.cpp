#include "export_cost.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "measure.h"
#include "support/http.h"
#include "support/paths.h"
#include "support/run.h"

namespace ud::bench {
namespace {

double env_seconds(const char *name, double dflt) {
    const char *v = std::getenv(name);
    double d = v ? std::atof(v) : 0;
    return d > 0 ? d : dflt;
}

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), {});
    std::istringstream rest(s.substr(s.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; i++)
        if (i == 14 || i == 15) ticks += std::atof(field.c_str());
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

long rss_kib(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

// `uringdump export --listen 127.0.0.1:0 ARGS`, its port read from its note.
struct Exporter {
    pid_t pid = -1;
    int port = 0;
    std::string err_path;

    explicit Exporter(const std::vector<std::string> &args) {
        char tmpl[] = "/tmp/ud-bench-export-XXXXXX";
        int err = ::mkstemp(tmpl);
        err_path = tmpl;
        int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        std::vector<std::string> argv{test::uringdump_bin(), "export", "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), args.begin(), args.end());
        pid = test::spawn(argv, {}, null, err);
        ::close(null);
        ::close(err);
        for (int i = 0; i < 400 && !port; i++) {
            std::ifstream f(err_path);
            std::string text((std::istreambuf_iterator<char>(f)), {});
            auto at = text.find("listening on http://127.0.0.1:");
            if (at != std::string::npos)
                port = std::atoi(text.c_str() + at + 30);
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~Exporter() {
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
        ::unlink(err_path.c_str());
    }
};

}  // namespace

ExportCost measure_export(int runs) {
    ExportCost c;
    {
        // Every scrape reads the kernel: the cost of one read and render.
        Exporter ex({"--min-interval", "0"});
        if (!ex.port) {
            c.error = "export did not start";
            return c;
        }
        test::HttpReply first = test::http_get(ex.port, "/metrics");  // warm-up
        c.scrape_bytes = first.body.size();
        std::vector<double> t;
        for (int i = 0; i < runs; i++) {
            double t0 = now_s();
            test::HttpReply r = test::http_get(ex.port, "/metrics");
            t.push_back(now_s() - t0);
            if (r.status != 200) c.error = "a scrape failed";
        }
        c.scrape_median_s = median(t);
    }
    // A run as Prometheus would make it, at the default min-interval.
    c.interval_s = env_seconds("UD_BENCH_SCRAPE_INTERVAL", 15);
    double seconds = env_seconds("UD_BENCH_EXPORT_SECONDS", 300);
    Exporter ex({});
    if (!ex.port) {
        c.error = "export did not start";
        return c;
    }
    // Start-up (load, calibration) and warm-up excluded: the first reads,
    // and each of civetweb's two threads serving once (each gets its own
    // malloc arena on its first request).
    for (int i = 0; i < 4; i++) {
        test::http_get(ex.port, "/metrics");
        std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    }
    c.rss_first_kib = rss_kib(ex.pid);
    double cpu0 = cpu_seconds(ex.pid), t0 = now_s();
    for (double next = t0 + c.interval_s; next <= t0 + seconds; next += c.interval_s) {
        std::this_thread::sleep_for(std::chrono::duration<double>(next - now_s()));
        if (test::http_get(ex.port, "/metrics").status != 200) c.error = "a scrape failed";
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.0, t0 + seconds - now_s())));
    c.run_seconds = now_s() - t0;
    c.cpu_percent = (cpu_seconds(ex.pid) - cpu0) / c.run_seconds * 100;
    c.rss_last_kib = rss_kib(ex.pid);
    return c;
}

}  // namespace ud::bench
