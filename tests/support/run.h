// Runs a program to completion and captures what it printed.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace ud::test {

struct Result {
    int code = -1;    // exit code, or 128+signal
    std::string out;  // stdout
    std::string err;  // stderr
};

// Starts argv with stdout and stderr on the given fds and stdin on
// /dev/null; env as for run(). Returns the child's pid.
pid_t spawn(const std::vector<std::string> &argv, const std::map<std::string, std::string> &env, int out_fd,
            int err_fd);

// env: extra variables (NAME -> value; empty value unsets NAME).
Result run(const std::vector<std::string> &argv, const std::map<std::string, std::string> &env = {});
Result run_uringdump(const std::vector<std::string> &args, const std::map<std::string, std::string> &env = {});

// In a forked child: execs argv (PATH searched), or _exits 127.
[[noreturn]] void exec_argv(const std::vector<std::string> &argv);

// Lines of a text, without their newlines; no trailing empty line.
std::vector<std::string> lines(const std::string &text);

}  // namespace ud::test
