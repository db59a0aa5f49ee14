// SPDX-License-Identifier: Apache-2.0
// HMAC signature styles; see hmac_signature.hpp.
#include "hmac_signature.hpp"

#include <charconv>
#include <vector>

#include "crypto.hpp"

namespace dcx::webhook {
namespace {

crypto::Digest digest_of(HmacAlgorithm a) { return a == HmacAlgorithm::sha512 ? crypto::Digest::sha512 : crypto::Digest::sha256; }
const char* name_of(HmacAlgorithm a) { return a == HmacAlgorithm::sha512 ? "sha512" : "sha256"; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
        if (x != b[i]) return false;
    }
    return true;
}

SignatureCheck failed(std::string why) {
    SignatureCheck c;
    c.failure = std::move(why);
    return c;
}

// Compares a hex MAC from the header with the expected raw MAC, in constant time.
bool hex_matches(std::string_view hex, const std::string& expected) {
    const auto given = crypto::hex_decode(trim(hex));
    return given && crypto::equal_bytes(*given, expected);
}

SignatureCheck check_simple(SignatureStyle style, HmacAlgorithm algorithm, std::string_view secret,
                            std::string_view value, std::string_view body) {
    std::string_view hex = value;
    const size_t eq = value.find('=');
    if (eq != std::string_view::npos) {
        // `<algo>=<hex>`: the algorithm must be the configured one (no downgrade by the sender).
        if (!iequals(trim(value.substr(0, eq)), name_of(algorithm))) return failed("Invalid signature format");
        hex = value.substr(eq + 1);
    } else if (style == SignatureStyle::github) {
        return failed("Invalid signature format");  // GitHub always sends the prefix
    }
    const std::string expected = crypto::hmac(digest_of(algorithm), secret, body);
    if (!hex_matches(hex, expected)) return failed("Invalid signature");
    SignatureCheck ok;
    ok.ok = true;
    ok.replay_key = expected;
    return ok;
}

SignatureCheck check_stripe(HmacAlgorithm algorithm, std::string_view secret, std::string_view value,
                            std::string_view body, int64_t now_s, uint64_t tolerance_s) {
    std::optional<int64_t> t;
    std::vector<std::string_view> v1;
    while (!value.empty()) {
        const size_t comma = value.find(',');
        const std::string_view item = trim(value.substr(0, comma));
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
        const size_t eq = item.find('=');
        if (eq == std::string_view::npos) continue;  // Stripe's libraries skip malformed items
        const std::string_view k = item.substr(0, eq);
        const std::string_view v = item.substr(eq + 1);
        if (k == "t" && !t) {
            int64_t n = 0;
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || end != v.data() + v.size()) return failed("Invalid signature header format");
            t = n;
        } else if (k == "v1") {
            v1.push_back(v);
        }
    }
    if (!t || v1.empty()) return failed("Invalid signature header format");
    // Both directions: a timestamp far in the future would outlive the replay memory.
    if (*t < 0 || now_s < 0) return failed("Timestamp outside the tolerance zone");
    const uint64_t diff = now_s > *t ? static_cast<uint64_t>(now_s - *t) : static_cast<uint64_t>(*t - now_s);
    if (diff > tolerance_s) return failed("Timestamp outside the tolerance zone");
    std::string signed_payload = std::to_string(*t);
    signed_payload += '.';
    signed_payload.append(body.data(), body.size());
    const std::string expected = crypto::hmac(digest_of(algorithm), secret, signed_payload);
    bool match = false;
    for (const auto candidate : v1) match = hex_matches(candidate, expected) || match;  // check them all: no early exit
    if (!match) return failed("Invalid signature");
    SignatureCheck ok;
    ok.ok = true;
    ok.replay_key = expected;
    ok.timestamp = t;
    return ok;
}

}  // namespace

SignatureCheck verify_signature(SignatureStyle style, HmacAlgorithm algorithm, std::string_view secret,
                                std::string_view header_value, std::string_view body, int64_t now_s,
                                uint64_t tolerance_s) {
    const std::string_view value = trim(header_value);
    if (value.empty()) return failed("Invalid signature format");
    if (style == SignatureStyle::stripe) return check_stripe(algorithm, secret, value, body, now_s, tolerance_s);
    return check_simple(style, algorithm, secret, value, body);
}

std::string sign(SignatureStyle style, HmacAlgorithm algorithm, std::string_view secret, std::string_view body,
                 int64_t timestamp_s) {
    if (style == SignatureStyle::stripe) {
        std::string payload = std::to_string(timestamp_s) + ".";
        payload.append(body.data(), body.size());
        return "t=" + std::to_string(timestamp_s) + ",v1=" + crypto::hex_encode(crypto::hmac(digest_of(algorithm), secret, payload));
    }
    const std::string hex = crypto::hex_encode(crypto::hmac(digest_of(algorithm), secret, body));
    return style == SignatureStyle::github ? std::string(name_of(algorithm)) + "=" + hex : hex;
}

}  // namespace dcx::webhook
