// uringdump export: the summary snapshots top reads, as Prometheus metrics,
// served over HTTP (--listen) or written for node_exporter's textfile
// collector (--textfile). Its options are parsed here, not in main: main
// hands every export option over as it does top's.
#include <fmt/format.h>
#include <prometheus/exposer.h>
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "export/exporter.h"
#include "export/listen_address.h"
#include "export/textfile.h"
#include "render/name_text.h"

namespace ud::cli {
namespace {

struct ExportArgs {
    std::optional<exporter::ListenAddress> listen;  // given or default
    std::string textfile;
    double interval = 15;     // textfile: seconds between writes
    double min_interval = 1;  // listen: at most one read per this
    bool once = false;
    bool aggregate_comm = false;
};

const char *const kValued[] = {"--listen", "--textfile", "--interval", "--min-interval", "--aggregate"};

bool takes_value(const std::string &a) {
    for (const char *o : kValued)
        if (a == o) return true;
    return false;
}

bool bad(int *code, const std::string &msg) {
    p_err(msg);
    *code = kUsage;
    return false;
}

bool parse_seconds(const std::string &opt, const std::string &v, double lo, double *out, int *code) {
    char *end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || !end || *end || !std::isfinite(d) || d < lo || d > 86400)
        return bad(code, fmt::format("{} '{}': not a number of seconds ({} to 86400)", opt, render::name_text(v), lo));
    *out = d;
    return true;
}

bool parse_export(const std::vector<std::string> &args, ExportArgs &e, int *code) {
    bool interval_given = false;
    for (std::size_t i = 0; i < args.size(); i++) {
        std::string a = args[i], v;
        if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            v = a.substr(eq + 1);
            a.resize(eq);
            if (!takes_value(a)) return bad(code, "option " + render::name_text(a) + " takes no value");
        } else if (takes_value(a)) {
            if (i + 1 >= args.size()) return bad(code, "option " + a + " needs a value");
            v = args[++i];
        }
        if (a == "--listen") {
            std::string why;
            e.listen = exporter::parse_listen_address(v, &why);
            if (!e.listen) return bad(code, fmt::format("--listen '{}': {}", render::name_text(v), why));
        } else if (a == "--textfile") {
            e.textfile = v;
            // node_exporter's textfile collector reads *.prom and nothing else.
            if (v.size() < 6 || v.compare(v.size() - 5, 5, ".prom") != 0 || v.back() == '/')
                return bad(code, fmt::format("--textfile '{}': the name must end in .prom (node_exporter reads only "
                                             "those)",
                                             render::name_text(v)));
        } else if (a == "--interval") {
            if (!parse_seconds(a, v, 1, &e.interval, code)) return false;
            interval_given = true;
        } else if (a == "--min-interval") {
            if (!parse_seconds(a, v, 0, &e.min_interval, code)) return false;
        } else if (a == "--once") {
            e.once = true;
        } else if (a == "--aggregate") {
            if (v != "comm")
                return bad(code, fmt::format("--aggregate '{}': only 'comm' is known", render::name_text(v)));
            e.aggregate_comm = true;
        } else {
            return bad(code, fmt::format("export takes no argument '{}' (see uringdump export help)",
                                         render::name_text(args[i])));
        }
    }
    if (!e.textfile.empty() && e.listen)
        return bad(code, "--listen and --textfile are two modes: give one (run two exporters for both)");
    if (e.textfile.empty() && (e.once || interval_given)) return bad(code, "--once and --interval apply to --textfile");
    if (e.textfile.empty() && !e.listen) e.listen = exporter::ListenAddress{};
    return true;
}

// SIGINT, SIGTERM and SIGHUP end the exporter; blocked before any thread
// starts, so that civetweb's threads inherit the mask and only sigwait sees
// them.
sigset_t block_stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

// Waits up to `seconds` (forever if negative) for a stop signal; true if one came.
bool wait_stop(const sigset_t &set, double seconds) {
    for (;;) {
        int r;
        if (seconds < 0) {
            int sig;
            r = sigwait(&set, &sig) == 0 ? sig : -1;
        } else {
            timespec ts{static_cast<time_t>(seconds), static_cast<long>(std::fmod(seconds, 1.0) * 1e9)};
            r = sigtimedwait(&set, nullptr, &ts);
            if (r < 0 && errno == EAGAIN) return false;
        }
        if (r > 0) return true;
        if (errno != EINTR) return true;
    }
}

int run_textfile(exporter::Exporter &ex, const ExportArgs &e, const sigset_t &stop) {
    for (bool first = true;; first = false) {
        auto started = std::chrono::steady_clock::now();
        bool read_ok = ex.refresh();  // a failed read is written as such: the error metrics say it
        try {
            exporter::write_textfile(e.textfile, exporter::to_text(ex.families()));
        } catch (const std::exception &err) {
            p_err(err.what());
            // A directory that cannot be written at start is a mistake to
            // report; later, it may come back (a remount): keep trying.
            if (first || e.once) return kError;
        }
        // --once (cron): a failed read is a failure, after the file says so.
        if (e.once) return read_ok ? kOk : kError;
        double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (wait_stop(stop, std::max(0.0, e.interval - spent))) return kOk;
    }
}

int run_listen(std::shared_ptr<exporter::Exporter> ex, const exporter::ListenAddress &addr, const sigset_t &stop) {
    {
        // Port 0 probes nothing useful but still the address itself.
        std::string why = exporter::probe_bind(addr);
        if (!why.empty()) {
            p_err(fmt::format("cannot listen on {}: {}", addr.text(), why));
            return kError;
        }
    }
    std::unique_ptr<prometheus::Exposer> server;
    try {
        // civetweb, inside prometheus-cpp: two threads serve requests; the
        // exporter's lock makes a scrape during a read wait for it.
        server = std::make_unique<prometheus::Exposer>(addr.text(), 2);
    } catch (const std::exception &err) {
        // The kernel let us bind (probe_bind): what civetweb refuses then is
        // most likely IPv6, which Debian 12 builds it without.
        p_err(
            fmt::format("cannot listen on {}: {}", addr.text(),
                        addr.v6 ? "the HTTP server (civetweb, in prometheus-cpp) was built without IPv6" : err.what()));
        return kError;
    }
    server->RegisterCollectable(ex);
    exporter::ListenAddress bound = addr;
    if (auto ports = server->GetListeningPorts(); !ports.empty()) bound.port = ports.front();
    p_note(fmt::format("listening on http://{}/metrics", bound.text()));
    wait_stop(stop, -1);
    return kOk;
}

}  // namespace

bool is_export_option(const std::string &a) {
    for (const char *o : kValued)
        if (a == o || a.rfind(std::string(o) + "=", 0) == 0) return true;
    return a == "--once";
}

bool export_option_takes_value(const std::string &a) { return takes_value(a); }

int cmd_export(Context &ctx) {
    ExportArgs e;
    int code = kOk;
    if (!parse_export(ctx.args, e, &code)) return code;
    sigset_t stop = block_stop_signals();
    std::unique_ptr<collect::Collector> collector = make_collector(ctx, &code);
    if (!collector) return code;
    if (!collector->using_bpf()) p_note("reading /proc only: " + collector->fallback_reason());

    exporter::ExporterOptions opts;
    opts.min_interval = std::chrono::duration<double>(e.min_interval);
    opts.aggregate_comm = e.aggregate_comm;
    // One line per failed read; the exporter goes on, and its metrics say so.
    opts.on_error = [](const std::string &why) { p_err("reading the kernel failed: " + render::name_text(why)); };
    auto ex = std::make_shared<exporter::Exporter>(std::move(collector), opts);
    return e.textfile.empty() ? run_listen(ex, *e.listen, stop) : run_textfile(*ex, e, stop);
}

}  // namespace ud::cli
