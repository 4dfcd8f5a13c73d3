// libbpf's messages: kept quiet by default (bpftool prints them only with
// --debug), forwarded to stderr in debug mode, and the last warning kept so
// that a failed load can say why in its one error line.
#pragma once

#include <string>

namespace ud::collect {

class LibbpfLog {
public:
    static void install();
    static void set_debug(bool on);
    static bool debug();
    static std::string last_error();
};

}  // namespace ud::collect
