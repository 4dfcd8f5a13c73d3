// A running ud_fixture process: started with a scenario, its truth line
// parsed, stopped (stdin closed, then killed if need be) when destroyed.
#pragma once

#include <rapidjson/document.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace ud::test {

class Fixture {
public:
    explicit Fixture(const std::vector<std::string> &args);
    ~Fixture();
    Fixture(const Fixture &) = delete;
    Fixture &operator=(const Fixture &) = delete;

    pid_t pid() const { return pid_; }
    std::string pid_str() const { return std::to_string(pid_); }
    // What the fixture says it created (see tests/fixtures/ud_fixture.c).
    const rapidjson::Document &truth() const { return truth_; }
    // Sends one command line ("busy", "idle") and waits for its "OK".
    void command(const std::string &cmd);

private:
    std::string read_line();

    pid_t pid_ = -1;
    int in_ = -1, out_ = -1;
    std::string pending_;
    rapidjson::Document truth_;
};

}  // namespace ud::test
