// uringdump export: the summary snapshots top reads, as Prometheus metrics,
// served over HTTP (--listen) or written for node_exporter's textfile
// collector (--textfile). Its options are its entry of the grammar
// (export_command), parsed by the command-line parser after the word export.
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
#include "cli/errors.h"
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

const Option kOptions[] = {
    {"listen", 0, "[ADDR:]PORT", "serve /metrics over HTTP (default 127.0.0.1:9975)"},
    {"min-interval", 0, "SECONDS", "read the kernel at most once per this (default 1)"},
    {"textfile", 0, "DIR/NAME.prom", "write the metrics there for node_exporter instead"},
    {"interval", 0, "SECONDS", "between textfile writes (default 15)"},
    {"once", 0, {}, "write the textfile once and exit"},
    {"aggregate", 0, "comm", "sum over processes of the same comm, without the pid label"},
};

double parse_seconds(const std::string &opt, const std::string &v, double lo) {
    char *end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || !end || *end || !std::isfinite(d) || d < lo || d > 86400)
        throw usage_error(fmt::format("--{} '{}': not a number of seconds ({} to 86400)", opt, render::name_text(v), lo));
    return d;
}

ExportArgs parse_export(const Context &ctx) {
    ExportArgs e;
    if (!ctx.args.empty())
        throw usage_error(fmt::format("export takes no argument '{}' (see uringdump export help)",
                                      render::name_text(ctx.args.front())));
    if (ctx.has("listen")) {
        const std::string &v = ctx.value("listen");
        std::string why;
        e.listen = exporter::parse_listen_address(v, &why);
        if (!e.listen) throw usage_error(fmt::format("--listen '{}': {}", render::name_text(v), why));
    }
    if (ctx.has("textfile")) {
        const std::string &v = ctx.value("textfile");
        // node_exporter's textfile collector reads *.prom and nothing else.
        if (v.size() < 6 || !v.ends_with(".prom"))
            throw usage_error(fmt::format(
                "--textfile '{}': the name must end in .prom (node_exporter reads only those)", render::name_text(v)));
        e.textfile = v;
    }
    if (ctx.has("interval")) e.interval = parse_seconds("interval", ctx.value("interval"), 1);
    if (ctx.has("min-interval")) e.min_interval = parse_seconds("min-interval", ctx.value("min-interval"), 0);
    e.once = ctx.has("once");
    if (ctx.has("aggregate")) {
        if (ctx.value("aggregate") != "comm")
            throw usage_error(
                fmt::format("--aggregate '{}': only 'comm' is known", render::name_text(ctx.value("aggregate"))));
        e.aggregate_comm = true;
    }
    if (!e.textfile.empty() && e.listen)
        throw usage_error("--listen and --textfile are two modes: give one (run two exporters for both)");
    if (e.textfile.empty() && (e.once || ctx.has("interval")))
        throw usage_error("--once and --interval apply to --textfile");
    if (e.textfile.empty() && !e.listen) e.listen = exporter::ListenAddress{};
    return e;
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
            // A directory that cannot be written at start is a mistake to
            // report; later, it may come back (a remount): keep trying.
            if (first || e.once) throw Error(kError, err.what());
            diag("error", err.what());
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
        if (!why.empty()) throw Error(kError, fmt::format("cannot listen on {}: {}", addr.text(), why));
    }
    std::unique_ptr<prometheus::Exposer> server;
    try {
        // civetweb, inside prometheus-cpp: two threads serve requests; the
        // exporter's lock makes a scrape during a read wait for it.
        server = std::make_unique<prometheus::Exposer>(addr.text(), 2);
    } catch (const std::exception &err) {
        // The kernel let us bind (probe_bind): what civetweb refuses then is
        // most likely IPv6, which Debian 12 builds it without.
        throw Error(kError, fmt::format("cannot listen on {}: {}", addr.text(),
                                        addr.v6 ? "the HTTP server (civetweb, in prometheus-cpp) was built without IPv6"
                                                : err.what()));
    }
    server->RegisterCollectable(ex);
    exporter::ListenAddress bound = addr;
    if (auto ports = server->GetListeningPorts(); !ports.empty()) bound.port = ports.front();
    p_note(fmt::format("listening on http://{}/metrics", bound.text()));
    wait_stop(stop, -1);
    return kOk;
}

int run_export(Context &ctx) {
    ExportArgs e = parse_export(ctx);
    sigset_t stop = block_stop_signals();
    std::unique_ptr<collect::Collector> collector = make_collector(ctx);
    if (!collector->using_bpf()) p_note("reading /proc only: " + collector->fallback_reason());

    exporter::ExporterOptions opts;
    opts.min_interval = std::chrono::duration<double>(e.min_interval);
    opts.aggregate_comm = e.aggregate_comm;
    // One line per failed read; the exporter goes on, and its metrics say so.
    opts.on_error = [](const std::string &why) { diag("error", "reading the kernel failed: " + render::name_text(why)); };
    auto ex = std::make_shared<exporter::Exporter>(std::move(collector), opts);
    return e.textfile.empty() ? run_listen(ex, *e.listen, stop) : run_textfile(*ex, e, stop);
}

}  // namespace

const Command &export_command() {
    static const Command c{"export",
                           "[--listen [ADDR:]PORT] [--min-interval SECONDS] [--aggregate comm]\n"
                           "--textfile DIR/NAME.prom [--interval SECONDS] [--once] [--aggregate comm]",
                           "Prometheus metrics of every ring and epoll set, served over HTTP or written for "
                           "node_exporter",
                           kOptions,
                           {},
                           run_export};
    return c;
}

}  // namespace ud::cli
