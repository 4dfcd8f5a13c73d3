#include "collect/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace ud::collect {
namespace {

std::mutex g_mu;
bool g_debug = false;
std::string g_last;

int print(enum libbpf_print_level level, const char *fmt, va_list args) {
    char line[1024];
    va_list copy;
    va_copy(copy, args);
    std::vsnprintf(line, sizeof(line), fmt, copy);
    va_end(copy);
    std::lock_guard<std::mutex> lock(g_mu);
    if (level == LIBBPF_WARN) {
        g_last = line;
        while (!g_last.empty() && (g_last.back() == '\n' || g_last.back() == ' ')) g_last.pop_back();
    }
    if (g_debug) std::fputs(line, stderr);
    return 0;
}

}  // namespace

void LibbpfLog::install() { libbpf_set_print(print); }

void LibbpfLog::set_debug(bool on) {
    std::lock_guard<std::mutex> lock(g_mu);
    g_debug = on;
    libbpf_set_print(print);
}

bool LibbpfLog::debug() {
    std::lock_guard<std::mutex> lock(g_mu);
    return g_debug;
}

std::string LibbpfLog::last_error() {
    std::lock_guard<std::mutex> lock(g_mu);
    return g_last;
}

}  // namespace ud::collect
