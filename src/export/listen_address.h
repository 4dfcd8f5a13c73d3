// The address `export --listen` serves on: [HOST:]PORT, HOST an IPv4
// literal or an IPv6 literal in brackets (no names: what a name resolves to
// is not for an exporter to guess). Without HOST, loopback only.
#pragma once

#include <optional>
#include <string>

namespace ud::exporter {

// The default port, in the range of Prometheus' wiki page of default port
// allocations (9100-9999). That range has been fully taken since 2023, so
// 9975 is not registered for uringdump and may meet another exporter on
// the same host: --listen changes it.
inline constexpr int kDefaultPort = 9975;

struct ListenAddress {
    std::string host = "127.0.0.1";  // a literal; IPv6 without brackets
    int port = kDefaultPort;         // 0: the kernel picks one
    bool v6 = false;

    // As civetweb takes it, and as messages show it: 127.0.0.1:9975, [::1]:9975.
    std::string text() const;
};

// Parses [HOST:]PORT; empty with *why on a bad one.
std::optional<ListenAddress> parse_listen_address(const std::string &s, std::string *why);

// Whether the address can be bound now: "" if so, else why (strerror).
// civetweb says only that it could not; this says what the kernel said.
std::string probe_bind(const ListenAddress &a);

}  // namespace ud::exporter
