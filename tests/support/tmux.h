// A tmux session for driving the real uringdump top: a shell in a pane of a
// fixed size, keys sent, the screen captured and polled. Killed on scope
// exit, also when a check fails.
#pragma once

#include <string>
#include <vector>

namespace ud::test {

class Tmux {
public:
    Tmux(int width, int height, const std::vector<std::string> &env = {});
    ~Tmux();
    Tmux(const Tmux &) = delete;
    Tmux &operator=(const Tmux &) = delete;

    // Keys as tmux send-keys takes them ("q", "Enter", "Down", "F10").
    void keys(const std::vector<std::string> &k);
    // Types a line of text and Enter into the shell.
    void line(const std::string &text);
    std::string screen(bool escapes = false);
    // Polls the screen until it contains text (true) or timeout_ms passes.
    bool wait_for(const std::string &text, int timeout_ms = 8000);
    // Polls until pred(screen) holds.
    template <typename F>
    bool wait_until(F pred, int timeout_ms = 8000);
    void resize(int width, int height);
    const std::string &name() const { return name_; }

private:
    void sleep_ms(int ms);
    std::string name_;
};

template <typename F>
bool Tmux::wait_until(F pred, int timeout_ms) {
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        if (pred(screen())) return true;
        sleep_ms(50);
    }
    return false;
}

}  // namespace ud::test
