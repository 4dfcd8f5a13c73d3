#include "support/prom.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/env.h"
#include "support/paths.h"
#include "support/run.h"

namespace ud::test {
namespace {

std::string read_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string url_encode(const std::string &s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string temp_dir() {
    char tmpl[] = "/tmp/ud-prom-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

}  // namespace

std::vector<PromSample> parse_exposition(const std::string &text) {
    std::vector<PromSample> out;
    for (const std::string &line : lines(text)) {
        if (line.empty() || line[0] == '#') continue;
        PromSample s;
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
        if (i < line.size() && line[i] == '{') {
            i++;
            while (i < line.size() && line[i] != '}') {
                std::string key, value;
                while (i < line.size() && line[i] != '=') key += line[i++];
                if (line.compare(i, 2, "=\"") != 0) {
                    FAIL_CHECK("bad label in: " << line);
                    return out;
                }
                for (i += 2; i < line.size() && line[i] != '"'; i++) {
                    if (line[i] != '\\') {
                        value += line[i];
                        continue;
                    }
                    char e = ++i < line.size() ? line[i] : 0;
                    if (e == 'n')
                        value += '\n';
                    else if (e == '\\' || e == '"')
                        value += e;
                    else
                        FAIL_CHECK("bad escape in: " << line);
                }
                i++;  // the closing quote
                if (i < line.size() && line[i] == ',') i++;
                s.labels[key] = value;
            }
            i++;  // '}'
        }
        if (i >= line.size() || line[i] != ' ') {
            FAIL_CHECK("no value in: " << line);
            continue;
        }
        char *end = nullptr;
        s.value = std::strtod(line.c_str() + i + 1, &end);
        if (end == line.c_str() + i + 1) FAIL_CHECK("bad value in: " << line);
        out.push_back(std::move(s));
    }
    return out;
}

std::optional<double> sample_value(const std::vector<PromSample> &s, const std::string &name, const LabelSet &labels) {
    for (auto &x : s)
        if (x.name == name && x.labels == labels) return x.value;
    return std::nullopt;
}

std::vector<PromSample> samples_with(const std::vector<PromSample> &s, const std::string &name,
                                     const LabelSet &labels) {
    std::vector<PromSample> out;
    for (auto &x : s) {
        if (x.name != name) continue;
        bool all = true;
        for (auto &[k, v] : labels) {
            auto it = x.labels.find(k);
            all &= it != x.labels.end() && it->second == v;
        }
        if (all) out.push_back(x);
    }
    return out;
}

Checked promtool_check_metrics(const std::string &text) {
    std::string dir = temp_dir();
    std::string file = dir + "/metrics.prom";
    std::ofstream(file, std::ios::binary) << text;
    auto r = run({"sh", "-c", "promtool check metrics < \"$0\" 2>&1", file});
    run({"rm", "-rf", dir});
    return {r.code, r.out};
}

Daemon::Daemon(const std::vector<std::string> &argv, const std::map<std::string, std::string> &env) {
    char tmpl[] = "/tmp/ud-daemon-err-XXXXXX";
    int err = ::mkstemp(tmpl);
    REQUIRE(err >= 0);
    err_path_ = tmpl;
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid_ = spawn(argv, env, null, err);
    ::close(null);
    ::close(err);
}

Daemon::~Daemon() {
    stop();
    ::unlink(err_path_.c_str());
}

bool Daemon::alive() {
    if (status_ >= 0) return false;
    int st;
    if (::waitpid(pid_, &st, WNOHANG) != pid_) return true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
}

std::string Daemon::err() const { return read_file(err_path_); }

int Daemon::stop() {
    if (status_ >= 0 || pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    int st = 0;
    for (int i = 0; i < 100; i++) {
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return status_;
        }
        sleep_s(0.05);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
    status_ = 128 + SIGKILL;
    return status_;
}

ExportServer::ExportServer(const std::vector<std::string> &args, const std::map<std::string, std::string> &env)
    : d_(
          [&] {
              std::vector<std::string> argv{uringdump_bin(), "export", "--listen", "127.0.0.1:0"};
              argv.insert(argv.end(), args.begin(), args.end());
              return argv;
          }(),
          env) {
    for (int i = 0; i < 200 && !port_; i++) {
        std::string e = d_.err();
        auto at = e.find("listening on http://127.0.0.1:");
        if (at != std::string::npos)
            port_ = std::atoi(e.c_str() + at + 30);
        else
            sleep_s(0.05);
    }
    REQUIRE_MESSAGE(port_ > 0, "export did not say where it listens: " << d_.err());
}

std::string ExportServer::metrics() {
    HttpReply r = http_get(port_, "/metrics");
    REQUIRE_MESSAGE(r.status == 200, "GET /metrics: " << r.status << "; stderr: " << d_.err());
    return r.body;
}

PrometheusServer::PrometheusServer(int target_port) : dir_(temp_dir()), port_(free_port()) {
    std::ofstream(dir_ + "/prometheus.yml") << "global:\n"
                                               "  scrape_interval: 1s\n"
                                               "  scrape_timeout: 1s\n"
                                               "scrape_configs:\n"
                                               "  - job_name: uringdump\n"
                                               "    static_configs:\n"
                                               "      - targets: ['127.0.0.1:"
                                            << target_port << "']\n";
    d_ = std::make_unique<Daemon>(std::vector<std::string>{
        "prometheus", "--config.file=" + dir_ + "/prometheus.yml", "--storage.tsdb.path=" + dir_ + "/data",
        "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"});
    for (int i = 0; i < 600; i++) {
        if (http_get(port_, "/-/ready").status == 200) {
            ready_ = true;
            return;
        }
        if (!d_->alive()) break;
        sleep_s(0.1);
    }
    why_ = "prometheus did not become ready: " + d_->err();
}

PrometheusServer::~PrometheusServer() {
    d_.reset();
    run({"rm", "-rf", dir_});
}

std::vector<PromSample> PrometheusServer::query(const std::string &expr) {
    std::vector<PromSample> out;
    HttpReply r = http_get(port_, "/api/v1/query?query=" + url_encode(expr));
    if (r.status != 200) return out;
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    if (doc.HasParseError() || !doc.HasMember("data")) return out;
    for (auto &res : doc["data"]["result"].GetArray()) {
        PromSample s;
        for (auto &m : res["metric"].GetObject())
            s.labels[std::string(m.name.GetString(), m.name.GetStringLength())] =
                std::string(m.value.GetString(), m.value.GetStringLength());
        s.name = s.labels["__name__"];
        s.labels.erase("__name__");
        s.value = std::strtod(res["value"][1].GetString(), nullptr);
        out.push_back(std::move(s));
    }
    return out;
}

std::optional<double> PrometheusServer::wait_value(const std::string &expr, double want, double timeout_s) {
    std::optional<double> last;
    for (auto t0 = std::chrono::steady_clock::now();
         std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < timeout_s; sleep_s(0.2)) {
        auto res = query(expr);
        last.reset();
        bool all = !res.empty();
        for (auto &s : res) {
            last = s.value;
            all &= s.value == want;
        }
        if (all) return last;
    }
    return last;
}

bool PrometheusServer::wait_absent(const std::string &expr, double timeout_s) {
    for (auto t0 = std::chrono::steady_clock::now();
         std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < timeout_s; sleep_s(0.2))
        if (query(expr).empty()) return true;
    return false;
}

bool need_program(const std::string &name) {
    if (run({"sh", "-c", "command -v \"$0\" >/dev/null", name}).code == 0) return true;
    if (in_ci()) {
        FAIL(name << " is not installed (make deps installs it)");
        return false;
    }
    skip(name + " is not installed (make deps installs it)");
    return false;
}

}  // namespace ud::test
