#include "export/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace ud::exporter {

std::string ListenAddress::text() const { return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port); }

std::optional<ListenAddress> parse_listen_address(const std::string &s, std::string *why) {
    ListenAddress a;
    std::string port = s;
    if (!s.empty() && s[0] == '[') {
        auto close = s.find("]:");
        if (close == std::string::npos) {
            *why = "an IPv6 address is written [ADDRESS]:PORT";
            return std::nullopt;
        }
        a.host = s.substr(1, close - 1);
        a.v6 = true;
        port = s.substr(close + 2);
        in6_addr x;
        if (inet_pton(AF_INET6, a.host.c_str(), &x) != 1) {
            *why = "not an IPv6 address";
            return std::nullopt;
        }
    } else if (auto colon = s.rfind(':'); colon != std::string::npos) {
        a.host = s.substr(0, colon);
        port = s.substr(colon + 1);
        in_addr x;
        if (inet_pton(AF_INET, a.host.c_str(), &x) != 1) {
            *why = "not an IPv4 address (IPv6 goes in brackets; names are not resolved)";
            return std::nullopt;
        }
    }
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || a.port < 0 || a.port > 65535) {
        *why = "the port is not a number from 0 to 65535";
        return std::nullopt;
    }
    return a;
}

std::string probe_bind(const ListenAddress &a) {
    int fd = ::socket(a.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::strerror(errno);
    int one = 1;
    // As civetweb binds: a port whose old connections linger is usable.
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    int r;
    if (a.v6) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(static_cast<std::uint16_t>(a.port));
        inet_pton(AF_INET6, a.host.c_str(), &sa.sin6_addr);
        r = ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa));
    } else {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(a.port));
        inet_pton(AF_INET, a.host.c_str(), &sa.sin_addr);
        r = ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa));
    }
    if (r == 0) r = ::listen(fd, 1);
    std::string why = r == 0 ? "" : std::strerror(errno);
    ::close(fd);
    return why;
}

}  // namespace ud::exporter
