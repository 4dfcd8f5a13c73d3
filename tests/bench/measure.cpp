#include "measure.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace ud::bench {
namespace {

double now_s() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

CommandRun run_command(const std::vector<std::string> &argv, const std::vector<std::string> &env) {
    int err[2];
    if (::pipe(err)) throw std::runtime_error("pipe");
    double t0 = now_s();
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(err[1], 2);
        ::close(err[0]);
        for (auto &e : env) ::putenv(const_cast<char *>(e.c_str()));
        std::vector<char *> a;
        for (auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
        a.push_back(nullptr);
        ::execvp(a[0], a.data());
        _exit(127);
    }
    ::close(err[1]);
    CommandRun r;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err[0], buf, sizeof(buf))) > 0) r.err.append(buf, static_cast<std::size_t>(n));
    ::close(err[0]);
    int status = 0;
    rusage ru{};
    ::wait4(pid, &status, 0, &ru);
    r.seconds = now_s() - t0;
    r.max_rss_kib = ru.ru_maxrss;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

Timed time_command(const std::vector<std::string> &argv, int runs, const std::vector<std::string> &env) {
    Timed t;
    run_command(argv, env);
    std::vector<double> s;
    for (int i = 0; i < runs; i++) {
        CommandRun r = run_command(argv, env);
        if (r.code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
        s.push_back(r.seconds);
        t.max_rss_kib = std::max(t.max_rss_kib, r.max_rss_kib);
        t.last_err = r.err;
    }
    t.median_s = median(s);
    return t;
}

double time_call(const std::function<void()> &f, int runs) {
    f();
    std::vector<double> s;
    for (int i = 0; i < runs; i++) {
        double t0 = now_s();
        f();
        s.push_back(now_s() - t0);
    }
    return median(s);
}

double timing_field(const std::string &text, const std::string &name) {
    auto p = text.find(" " + name + " ");
    if (p == std::string::npos) return -1;
    return std::strtod(text.c_str() + p + name.size() + 2, nullptr);
}

}  // namespace ud::bench
