#include "support/fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdexcept>

#include "support/paths.h"
#include "support/run.h"

namespace ud::test {

Fixture::Fixture(const std::vector<std::string> &args) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC)) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        std::vector<std::string> argv{fixture_bin()};
        argv.insert(argv.end(), args.begin(), args.end());
        exec_argv(argv);
    }
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
    std::string line = read_line();
    if (truth_.Parse(line.c_str()).HasParseError())
        throw std::runtime_error("fixture printed no truth line: " + line);
    if (read_line() != "READY") throw std::runtime_error("fixture did not get ready");
}

Fixture::~Fixture() {
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0) ::close(out_);
    if (pid_ <= 0) return;
    // EOF on stdin ends it; a fixture stuck in a blocked syscall is killed.
    for (int i = 0; i < 200; i++) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
        timespec ts{0, 5 * 1000 * 1000};
        ::nanosleep(&ts, nullptr);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
}

std::string Fixture::read_line() {
    for (;;) {
        auto nl = pending_.find('\n');
        if (nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        pollfd p{out_, POLLIN, 0};
        if (::poll(&p, 1, 60000) <= 0) throw std::runtime_error("fixture timed out");
        char buf[65536];
        ssize_t n = ::read(out_, buf, sizeof(buf));
        if (n <= 0) throw std::runtime_error("fixture exited early");
        pending_.append(buf, static_cast<std::size_t>(n));
    }
}

void Fixture::command(const std::string &cmd) {
    std::string line = cmd + "\n";
    if (::write(in_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        throw std::runtime_error("fixture command");
    if (read_line() != "OK") throw std::runtime_error("fixture did not acknowledge " + cmd);
}

}  // namespace ud::test
