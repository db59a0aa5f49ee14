// SPDX-License-Identifier: Apache-2.0
// Client address resolution; see client_ip.hpp.
#include "client_ip.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace dcx::webhook {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf)) return {};
    return buf;
}

bool Cidr::contains(const IpAddress& ip) const {
    if (ip.v6 != address.v6) return false;
    unsigned bits = prefix_bits;
    for (size_t i = 0; bits > 0; ++i) {
        const unsigned take = bits >= 8 ? 8 : bits;
        const auto mask = static_cast<uint8_t>(0xff << (8 - take));
        if ((ip.bytes[i] & mask) != (address.bytes[i] & mask)) return false;
        bits -= take;
    }
    return true;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());
    IpAddress ip;
    if (inet_pton(AF_INET, buf, ip.bytes.data()) == 1) return ip;
    if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
    ip.v6 = true;
    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; treat them as IPv4.
    if (std::memcmp(ip.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0) {
        IpAddress v4;
        std::memcpy(v4.bytes.data(), ip.bytes.data() + 12, 4);
        return v4;
    }
    return ip;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
    text = trim(text);
    const size_t slash = text.find('/');
    const auto ip = parse_ip(text.substr(0, slash));
    if (!ip) return std::nullopt;
    const unsigned max_bits = ip->v6 ? 128 : 32;
    Cidr c{*ip, max_bits};
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3) return std::nullopt;
        unsigned n = 0;
        for (const char ch : digits) {
            if (ch < '0' || ch > '9') return std::nullopt;
            n = n * 10 + static_cast<unsigned>(ch - '0');
        }
        if (n > max_bits) return std::nullopt;
        c.prefix_bits = n;
    }
    return c;
}

ClientIpResolver::ClientIpResolver(const std::vector<std::string>& trusted, std::string header) : header_(std::move(header)) {
    for (const auto& t : trusted) {
        if (auto c = parse_cidr(t)) trusted_.push_back(*c);
    }
}

bool ClientIpResolver::trusted(const IpAddress& ip) const {
    for (const auto& c : trusted_) {
        if (c.contains(ip)) return true;
    }
    return false;
}

std::string ClientIpResolver::resolve(std::string_view peer, const std::optional<std::string>& header_value) const {
    const auto peer_ip = parse_ip(peer);
    std::string current = peer_ip ? peer_ip->to_string() : std::string(peer);
    if (!peer_ip || !trusted(*peer_ip) || !header_value) return current;
    // Right to left: each entry was appended by the hop after it; stop at the first hop we do not
    // trust. Garbage ends the walk at the last trusted hop (never a client-chosen value).
    std::string_view rest = *header_value;
    while (!rest.empty()) {
        const size_t comma = rest.rfind(',');
        const std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
        const auto ip = parse_ip(entry);
        if (!ip) return current;
        current = ip->to_string();
        if (!trusted(*ip)) return current;
    }
    return current;
}

}  // namespace dcx::webhook
