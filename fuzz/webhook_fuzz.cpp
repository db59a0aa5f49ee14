// SPDX-License-Identifier: Apache-2.0
// Fuzz target for what the webhook parses from a request: signature headers in every style,
// API keys, JWTs, proxy headers, bodies (JSON or not), and the configuration itself. libFuzzer
// entry point; in builds without libFuzzer, ctest replays fuzz/corpus/webhook/ through it
// (fuzz/replay_main.cpp, docs/fuzzing.md).
//
// Input format: header lines "Name: value", a blank line, then the body (all optional), e.g.
//   X-Signature: sha256=ab12...
//   Authorization: Bearer eyJ...
//
//   {"any": "body"}
// Besides "no crash, no sanitizer report", it checks properties: a signature made with the
// secret always verifies, and never for a different body; an HS256 JWT whose claims are the body
// verifies with its secret only when the claims are acceptable, and never with another secret or
// a changed signature; base64url round-trips.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "client_ip.hpp"
#include "crypto.hpp"
#include "dcx/sdk/error.hpp"
#include "fuzz_input.hpp"
#include "hmac_signature.hpp"
#include "jwt_verifier.hpp"
#include "rate_limiter.hpp"
#include "record_builder.hpp"
#include "webhook_auth.hpp"
#include "webhook_config.hpp"

namespace {

using namespace dcx::webhook;

constexpr const char* kSecret = "fuzz-secret";
constexpr int64_t kNow = 1760000000;

// A fixed P-256 key, so JWTs with alg ES256 reach the ECDSA path (no private key needed: only
// rejection paths are reachable, which is what an attacker exercises).
constexpr const char* kEcPublicKey = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0xZ9EVstZpBhcqLObkneC1/8NwT7
GFkSdHV3BX6XDMYQepKHecDvf+TE6wvUhuShZ0D2LBDNJMy0MrN/iBaCrA==
-----END PUBLIC KEY-----
)";

using dcx::fuzz::property_broken;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return out;
}

std::optional<std::string> env(const std::string& name) {
    if (name == "FUZZ_SECRET") return std::string(kSecret);
    return std::nullopt;
}

AuthConfig auth_config(AuthType type, SignatureStyle style = SignatureStyle::hex, bool replays = false) {
    AuthConfig a;
    a.type = type;
    a.secret_env = "FUZZ_SECRET";
    a.header = "X-Signature";
    a.algorithm = "sha256";
    a.signature_style = style;
    a.reject_replays = replays;
    return a;
}

void fuzz_signatures(std::string_view value, std::string_view body) {
    for (const auto style : {SignatureStyle::github, SignatureStyle::hex, SignatureStyle::stripe}) {
        for (const auto alg : {HmacAlgorithm::sha256, HmacAlgorithm::sha512}) {
            (void)verify_signature(style, alg, kSecret, value, body, kNow, 300);
            const std::string good = sign(style, alg, kSecret, body, kNow);
            if (!verify_signature(style, alg, kSecret, good, body, kNow, 300).ok) property_broken();
            std::string other(body);
            other.push_back('x');
            if (verify_signature(style, alg, kSecret, good, other, kNow, 300).ok) property_broken();
            if (verify_signature(style, alg, "another-secret", good, body, kNow, 300).ok) property_broken();
        }
    }
}

std::string base64url(std::string_view bytes) {
    std::string s = crypto::base64_encode(bytes);
    for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!s.empty() && s.back() == '=') s.pop_back();
    return s;
}

// An HS256 token over the body as its claims, signed with the secret.
void fuzz_jwt_claims(std::string_view body) {
    const std::string input = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(body);
    const std::string token = input + "." + base64url(crypto::hmac(crypto::Digest::sha256, kSecret, input));
    if (crypto::base64url_decode(base64url(body)) != std::string(body)) property_broken();
    static const JwtVerifier hs256(true, std::nullopt, std::nullopt);
    const JwtCheck good = hs256.verify(token, std::string(kSecret), kNow);
    if (good.ok()) {
        const auto claims = nlohmann::json::parse(body, nullptr, false);
        if (!claims.is_object() || !claims.contains("sub") || !claims["sub"].is_string()) property_broken();
        if (!claims.contains("exp") || !claims["exp"].is_number() || good.exp < kNow - 60) property_broken();
    }
    if (hs256.verify(token, std::string("another-secret"), kNow).ok()) property_broken();
    std::string forged = token;
    forged[input.size() + 1] = forged[input.size() + 1] == 'A' ? 'B' : 'A';  // first signature character
    if (hs256.verify(forged, std::string(kSecret), kNow).ok()) property_broken();
}

void fuzz_authenticators(const HeaderLookup& headers, std::string_view body) {
    // Stateful on purpose (replay memory), like the server's: each input is a new request.
    static Authenticator apikey = [] {
        auto a = auth_config(AuthType::apikey);
        return Authenticator(a, env);
    }();
    static Authenticator stripe(auth_config(AuthType::hmac, SignatureStyle::stripe, true), env);
    static Authenticator jwt = [] {
        auto a = auth_config(AuthType::jwt);
        a.reject_replays = true;
        return Authenticator(a, env);
    }();
    for (Authenticator* a : {&apikey, &stripe, &jwt}) {
        const auto head = a->check_headers(headers, kNow);
        if (!head.ok()) continue;
        (void)a->check_body(headers, body, kNow);
    }
    static const JwtVerifier es256(false, crypto::PublicKey::from_pem(kEcPublicKey), std::nullopt);
    if (const auto auth = headers("authorization")) {
        const std::string token = auth->rfind("Bearer ", 0) == 0 ? auth->substr(7) : *auth;
        (void)es256.verify(token, std::nullopt, kNow);
    }
}

void fuzz_client_ip(const HeaderLookup& headers) {
    static const ClientIpResolver resolver({"127.0.0.1", "10.0.0.0/8", "fd00::/8"}, "X-Forwarded-For");
    const std::string peer = headers("peer").value_or("127.0.0.1");
    const std::string ip = resolver.resolve(peer, headers("x-forwarded-for"));
    (void)parse_cidr(peer);
    static RateLimiter limiter(RateLimit{1000, 1000, true, 1000, 1000}, {}, 64);
    (void)limiter.check(headers(":path").value_or("/"), ip, RateLimiter::Clock::time_point{});
}

void fuzz_body(std::string_view body) {
    const auto payload = payload_of(body);
    (void)payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // A body that is a JSON object doubles as a plugin configuration.
    if (payload.is_object() && !payload.contains("encoding")) {
        try {
            (void)parse_config(payload, env);
        } catch (const dcx::sdk::ConfigError&) {
        }
        (void)config_schema();
    }
    (void)printable_header(std::string(body.substr(0, 64)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t split = input.find("\n\n");
    const std::string_view head = split == std::string_view::npos ? input : input.substr(0, split);
    const std::string_view body = split == std::string_view::npos ? std::string_view() : input.substr(split + 2);
    std::map<std::string, std::string> fields;
    size_t pos = 0;
    while (pos < head.size()) {
        const size_t nl = head.find('\n', pos);
        const std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? head.size() : nl + 1;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        fields.emplace(lower(line.substr(0, colon)), std::string(value));
    }
    const HeaderLookup headers = [&fields](const std::string& name) -> std::optional<std::string> {
        const auto it = fields.find(lower(name));
        if (it == fields.end()) return std::nullopt;
        return it->second;
    };
    fuzz_signatures(headers("x-signature").value_or(std::string(head)), body);
    fuzz_authenticators(headers, body);
    fuzz_jwt_claims(body);
    fuzz_client_ip(headers);
    fuzz_body(body);
    return 0;
}
