// A minimal HTTP/1.0 GET over loopback and a free port, for the export
// tests and the benchmark (no test framework inside).
#pragma once

#include <string>

namespace ud::test {

struct HttpReply {
    int status = 0;  // 0: no connection or no reply
    std::string body;
};
HttpReply http_get(int port, const std::string &path);

// A port nobody listens on now (bound to 0 and released); 0 on failure.
int free_port();

}  // namespace ud::test
