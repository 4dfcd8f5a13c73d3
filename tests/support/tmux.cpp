#include "support/tmux.h"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>

#include "support/run.h"

namespace ud::test {

namespace {
std::atomic<int> g_sessions{0};
}

Tmux::Tmux(int width, int height, const std::vector<std::string> &env)
    : name_("udtest-" + std::to_string(::getpid()) + "-" + std::to_string(g_sessions++)) {
    // A plain shell with a prompt the tests can recognise; -f /dev/null:
    // no user configuration.
    std::string shell = "env PS1='ud$ '";
    for (auto &e : env) shell += " " + e;
    shell += " sh";
    auto r = run({"tmux", "-f", "/dev/null", "new-session", "-d", "-x", std::to_string(width), "-y",
                  std::to_string(height), "-s", name_, shell});
    if (r.code != 0) throw std::runtime_error("tmux new-session failed: " + r.err);
    wait_for("ud$ ");
}

Tmux::~Tmux() { run({"tmux", "kill-session", "-t", name_}); }

void Tmux::keys(const std::vector<std::string> &k) {
    std::vector<std::string> argv{"tmux", "send-keys", "-t", name_};
    argv.insert(argv.end(), k.begin(), k.end());
    run(argv);
}

void Tmux::line(const std::string &text) {
    run({"tmux", "send-keys", "-t", name_, "-l", text});
    keys({"Enter"});
}

std::string Tmux::screen(bool escapes) {
    std::vector<std::string> argv{"tmux", "capture-pane", "-p", "-t", name_};
    if (escapes) argv.push_back("-e");
    return run(argv).out;
}

bool Tmux::wait_for(const std::string &text, int timeout_ms) {
    return wait_until([&](const std::string &s) { return s.find(text) != std::string::npos; }, timeout_ms);
}

void Tmux::resize(int width, int height) {
    run({"tmux", "resize-window", "-t", name_, "-x", std::to_string(width), "-y", std::to_string(height)});
}

void Tmux::sleep_ms(int ms) {
    timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    ::nanosleep(&ts, nullptr);
}

}  // namespace ud::test
