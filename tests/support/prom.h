// What the export tests talk to: a minimal HTTP GET, a parser of
// Prometheus' text format written apart from prometheus-cpp (so that each
// checks the other), and the programs of the test: Debian's prometheus
// server, prometheus-node-exporter and `uringdump export --listen`, each
// started on 127.0.0.1 and killed when its object goes.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/http.h"

namespace ud::test {

using LabelSet = std::map<std::string, std::string>;
struct PromSample {
    std::string name;
    LabelSet labels;
    double value = 0;
};
// Samples of a text exposition; label values unescaped (\\, \", \n).
// FAILs the test on a line it cannot read.
std::vector<PromSample> parse_exposition(const std::string &text);
// The value of name with exactly these labels among samples, if present.
std::optional<double> sample_value(const std::vector<PromSample> &s, const std::string &name, const LabelSet &labels);
// Samples of name whose labels include these.
std::vector<PromSample> samples_with(const std::vector<PromSample> &s, const std::string &name, const LabelSet &labels);

// `promtool check metrics` on text: its exit code and what it printed.
struct Checked {
    int code = -1;
    std::string out;
};
Checked promtool_check_metrics(const std::string &text);

// A child process killed (SIGTERM, then SIGKILL) when destroyed; its
// stderr in a file.
class Daemon {
public:
    Daemon(const std::vector<std::string> &argv, const std::map<std::string, std::string> &env = {});
    ~Daemon();
    Daemon(const Daemon &) = delete;
    Daemon &operator=(const Daemon &) = delete;
    pid_t pid() const { return pid_; }
    bool alive();
    std::string err() const;  // stderr so far
    // Stops it; its exit code (128+signal when killed).
    int stop();

private:
    pid_t pid_ = -1;
    std::string err_path_;
    int status_ = -1;  // exit code once reaped
};

// `uringdump export --listen 127.0.0.1:0 ARGS`: the port from its note.
class ExportServer {
public:
    explicit ExportServer(const std::vector<std::string> &args = {},
                          const std::map<std::string, std::string> &env = {});
    int port() const { return port_; }
    Daemon &daemon() { return d_; }
    std::string metrics();  // GET /metrics, REQUIREd to be 200

private:
    Daemon d_;
    int port_ = 0;
};

// Debian's prometheus scraping one target every second, its TSDB and
// config in a temporary directory.
class PrometheusServer {
public:
    explicit PrometheusServer(int target_port);
    ~PrometheusServer();
    bool ready() const { return ready_; }
    std::string why() const { return why_; }
    // An instant query's vector result: labels and value per series.
    std::vector<PromSample> query(const std::string &expr);
    // Polls expr until every result has `want` as value (and there is at
    // least one), or timeout; the last result.
    std::optional<double> wait_value(const std::string &expr, double want, double timeout_s = 30);
    // Polls until expr has no result, or timeout; true if it vanished.
    bool wait_absent(const std::string &expr, double timeout_s = 30);

private:
    std::string dir_;
    int port_ = 0;
    std::unique_ptr<Daemon> d_;
    bool ready_ = false;
    std::string why_;
};

// Whether a program is installed; in CI its absence FAILs, elsewhere skips.
bool need_program(const std::string &name);

}  // namespace ud::test
