// SPDX-License-Identifier: Apache-2.0
// Who the client is: the TCP peer address, unless the peer is a configured trusted proxy, in
// which case the proxy's header (X-Forwarded-For by default) names the client. The Rust connector
// trusted X-Forwarded-For from anyone (source-plugins.md §2.5, fixes 2 and 6).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dcx::webhook {

/// An IPv4 or IPv6 address (IPv4-mapped IPv6 addresses count as IPv4).
struct IpAddress {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4

    std::string to_string() const;
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

/// An address range: an address and how many leading bits must match.
struct Cidr {
    IpAddress address;
    unsigned prefix_bits = 0;

    bool contains(const IpAddress& ip) const;
};

/// Parses "192.0.2.7", "2001:db8::1", "::ffff:192.0.2.7" (trimmed of spaces); nullopt otherwise.
std::optional<IpAddress> parse_ip(std::string_view text);
/// Parses an address ("10.1.2.3", a /32 or /128) or a range ("10.0.0.0/8", "fd00::/8").
std::optional<Cidr> parse_cidr(std::string_view text);

class ClientIpResolver {
public:
    /// `trusted`: addresses or ranges (already validated by the config); `header`: the header a
    /// trusted proxy sets, a comma-separated list whose rightmost entries are the nearest hops.
    ClientIpResolver(const std::vector<std::string>& trusted, std::string header);

    const std::string& header() const { return header_; }
    bool has_trusted_proxies() const { return !trusted_.empty(); }

    /// The client address for a request from socket peer `peer` carrying `header_value` (nullopt
    /// when the header is absent). Walks the header from the right past trusted proxies and returns
    /// the first address that is not one; the peer itself when it is not a trusted proxy.
    std::string resolve(std::string_view peer, const std::optional<std::string>& header_value) const;

private:
    bool trusted(const IpAddress& ip) const;

    std::vector<Cidr> trusted_;
    std::string header_;
};

}  // namespace dcx::webhook
