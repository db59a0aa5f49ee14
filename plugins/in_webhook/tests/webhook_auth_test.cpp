// SPDX-License-Identifier: Apache-2.0
// Request authentication without a server: HMAC in the GitHub, hex and Stripe styles (valid,
// tampered, missing, malformed, expired and replayed), API keys, JWT bearer headers, the secret
// read from the environment per request, and the constant-time helpers.
#include <catch2/catch.hpp>

#include <map>

#include "crypto.hpp"
#include "hmac_signature.hpp"
#include "jwt_test_keys.hpp"
#include "webhook_auth.hpp"

using namespace dcx::webhook;
using namespace dcx::webhook::testing;

namespace {

constexpr const char* kWebhookSecret = "whsec_test_secret";
constexpr int64_t kNow = 1760000000;

std::map<std::string, std::string> g_auth_env = {{"WEBHOOK_SECRET", kWebhookSecret}};
std::optional<std::string> fake_auth_env(const std::string& name) {
    const auto it = g_auth_env.find(name);
    if (it == g_auth_env.end()) return std::nullopt;
    return it->second;
}

HeaderLookup headers_of(std::map<std::string, std::string> h) {
    return [h = std::move(h)](const std::string& name) -> std::optional<std::string> {
        for (const auto& [k, v] : h) {
            if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                })) {
                return v;
            }
        }
        return std::nullopt;
    };
}

AuthConfig hmac_auth(const std::string& header, SignatureStyle style, bool reject_replays = false,
                     HmacAlgorithm alg = HmacAlgorithm::sha256) {
    AuthConfig a;
    a.type = AuthType::hmac;
    a.secret_env = "WEBHOOK_SECRET";
    a.header = header;
    a.algorithm = alg == HmacAlgorithm::sha512 ? "sha512" : "sha256";
    a.hmac_algorithm = alg;
    a.signature_style = style;
    a.reject_replays = reject_replays;
    return a;
}

AuthResult check(Authenticator& auth, const std::map<std::string, std::string>& h, const std::string& body,
                 int64_t now = kNow) {
    const auto headers = headers_of(h);
    auto r = auth.check_headers(headers, now);
    if (!r.ok()) return r;
    auto b = auth.check_body(headers, body, now);
    if (b.replay_key.empty()) b.replay_key = r.replay_key;  // as the server keeps either
    return b;
}

}  // namespace

TEST_CASE("GitHub style signatures verify over the raw body", "[unit][webhook][auth]") {
    Authenticator auth(hmac_auth("X-Hub-Signature-256", SignatureStyle::github), fake_auth_env);
    const std::string body = R"({"action":"opened","number":7})";
    const std::string sig = sign(SignatureStyle::github, HmacAlgorithm::sha256, kWebhookSecret, body, 0);
    CHECK_THAT(sig, Catch::StartsWith("sha256="));
    CHECK(check(auth, {{"X-Hub-Signature-256", sig}}, body).ok());
    // Tampered body, wrong secret, wrong prefix, bare hex, garbage: 401 "Invalid signature..."
    auto r = check(auth, {{"X-Hub-Signature-256", sig}}, body + " ");
    CHECK(r.status == 401);
    CHECK(r.message == "Invalid signature");
    const std::string other = sign(SignatureStyle::github, HmacAlgorithm::sha256, "another-secret", body, 0);
    CHECK(check(auth, {{"X-Hub-Signature-256", other}}, body).message == "Invalid signature");
    CHECK(check(auth, {{"X-Hub-Signature-256", "sha1=" + sig.substr(7)}}, body).message == "Invalid signature format");
    CHECK(check(auth, {{"X-Hub-Signature-256", sig.substr(7)}}, body).message == "Invalid signature format");
    CHECK(check(auth, {{"X-Hub-Signature-256", "sha256=zz"}}, body).message == "Invalid signature");
    CHECK(check(auth, {{"X-Hub-Signature-256", ""}}, body).message == "Invalid signature format");
    // Missing header: the Rust message, header name lowercased.
    r = check(auth, {}, body);
    CHECK(r.status == 401);
    CHECK(r.message == "Missing x-hub-signature-256 header");
}

TEST_CASE("plain hex signatures accept bare hex or the algorithm prefix, sha512 too", "[unit][webhook][auth]") {
    Authenticator auth(hmac_auth("X-Signature", SignatureStyle::hex, false, HmacAlgorithm::sha512), fake_auth_env);
    const std::string body = "plain text body, not JSON";
    const std::string hex = sign(SignatureStyle::hex, HmacAlgorithm::sha512, kWebhookSecret, body, 0);
    CHECK(hex.size() == 128);
    CHECK(check(auth, {{"X-Signature", hex}}, body).ok());
    CHECK(check(auth, {{"X-Signature", "sha512=" + hex}}, body).ok());
    std::string upper = hex;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    CHECK(check(auth, {{"X-Signature", upper}}, body).ok());
    // A sha256 MAC is not accepted for a sha512 configuration (no downgrade).
    const std::string sha256 = sign(SignatureStyle::hex, HmacAlgorithm::sha256, kWebhookSecret, body, 0);
    CHECK(check(auth, {{"X-Signature", sha256}}, body).message == "Invalid signature");
    CHECK(check(auth, {{"X-Signature", "sha256=" + sha256}}, body).message == "Invalid signature format");
    CHECK(check(auth, {{"X-Signature", hex.substr(1)}}, body).message == "Invalid signature");
}

TEST_CASE("Stripe signatures check the timestamp tolerance and any v1", "[unit][webhook][auth]") {
    Authenticator auth(hmac_auth("Stripe-Signature", SignatureStyle::stripe, false), fake_auth_env);
    const std::string body = R"({"id":"evt_1","type":"charge.succeeded"})";
    const std::string sig = sign(SignatureStyle::stripe, HmacAlgorithm::sha256, kWebhookSecret, body, kNow - 10);
    CHECK(check(auth, {{"Stripe-Signature", sig}}, body).ok());
    // Several v1 (secret rotation) and a v0: any matching v1 is enough.
    const std::string t = "t=" + std::to_string(kNow - 10);
    const std::string v1 = sig.substr(sig.find("v1="));
    CHECK(check(auth, {{"Stripe-Signature", t + ",v1=" + std::string(64, 'a') + ", " + v1 + ",v0=abc"}}, body).ok());
    // Outside the tolerance, either way.
    CHECK(check(auth, {{"Stripe-Signature", sig}}, body, kNow + 300).message == "Timestamp outside the tolerance zone");
    const std::string future = sign(SignatureStyle::stripe, HmacAlgorithm::sha256, kWebhookSecret, body, kNow + 400);
    CHECK(check(auth, {{"Stripe-Signature", future}}, body).message == "Timestamp outside the tolerance zone");
    // The timestamp is signed: moving it breaks the signature.
    CHECK(check(auth, {{"Stripe-Signature", "t=" + std::to_string(kNow) + "," + v1}}, body).message == "Invalid signature");
    CHECK(check(auth, {{"Stripe-Signature", sig}}, body + "x").message == "Invalid signature");
    CHECK(check(auth, {{"Stripe-Signature", v1}}, body).message == "Invalid signature header format");
    CHECK(check(auth, {{"Stripe-Signature", t}}, body).message == "Invalid signature header format");
    CHECK(check(auth, {{"Stripe-Signature", "t=12x," + v1}}, body).message == "Invalid signature header format");
    CHECK(check(auth, {}, body).message == "Missing stripe-signature header");
}

TEST_CASE("a replayed signature is refused and a refused request can be retried", "[unit][webhook][auth]") {
    Authenticator auth(hmac_auth("Stripe-Signature", SignatureStyle::stripe, true), fake_auth_env);
    const std::string body = R"({"id":"evt_2"})";
    const std::string sig = sign(SignatureStyle::stripe, HmacAlgorithm::sha256, kWebhookSecret, body, kNow);
    const auto first = check(auth, {{"Stripe-Signature", sig}}, body);
    REQUIRE(first.ok());
    CHECK_FALSE(first.replay_key.empty());
    auto again = check(auth, {{"Stripe-Signature", sig}}, body, kNow + 5);
    CHECK(again.status == 401);
    CHECK(again.message == "Replayed signature");
    // Extra v1 entries do not make it a new request: the key is the MAC itself.
    CHECK(check(auth, {{"Stripe-Signature", sig + ",v1=00"}}, body, kNow + 5).message == "Replayed signature");
    // A request that was not accepted (e.g. 503) releases its signature: the sender's retry works.
    auth.release(first.replay_key);
    CHECK(check(auth, {{"Stripe-Signature", sig}}, body, kNow + 6).ok());
    // Memory is bounded by the tolerance: old entries expire, and then the timestamp check refuses.
    CHECK(check(auth, {{"Stripe-Signature", sig}}, body, kNow + 301).message == "Timestamp outside the tolerance zone");
    CHECK(auth.replay_cache().size() <= 1);

    Authenticator hex(hmac_auth("X-Signature", SignatureStyle::hex, true), fake_auth_env);
    const std::string h = sign(SignatureStyle::hex, HmacAlgorithm::sha256, kWebhookSecret, body, 0);
    CHECK(check(hex, {{"X-Signature", h}}, body).ok());
    CHECK(check(hex, {{"X-Signature", h}}, body, kNow + 10).message == "Replayed signature");
    CHECK(check(hex, {{"X-Signature", h}}, body, kNow + 301).ok());  // replay_window_seconds = 300
}

TEST_CASE("the replay cache is bounded and counts evictions", "[unit][webhook][auth]") {
    ReplayCache cache(3);
    CHECK(cache.insert("a", 100, 200));
    CHECK(cache.insert("b", 100, 150));
    CHECK(cache.insert("c", 100, 300));
    CHECK_FALSE(cache.insert("a", 101, 200));
    CHECK(cache.insert("d", 101, 400));  // evicts b, the first to expire
    CHECK(cache.size() == 3);
    CHECK(cache.evicted() == 1);
    CHECK(cache.insert("b", 102, 150));
    CHECK(cache.insert("x", 250, 260));  // a and b expired on the way
    CHECK(cache.size() == 3);
}

TEST_CASE("API keys compare in constant time and need their secret", "[unit][webhook][auth]") {
    AuthConfig a;
    a.type = AuthType::apikey;
    a.secret_env = "WEBHOOK_SECRET";
    a.header = "X-API-Key";
    Authenticator auth(a, fake_auth_env);
    CHECK(check(auth, {{"x-api-key", kWebhookSecret}}, "").ok());
    CHECK(check(auth, {{"X-API-Key", std::string(kWebhookSecret) + "x"}}, "").message == "Invalid API key");
    CHECK(check(auth, {{"X-API-Key", ""}}, "").message == "Invalid API key");
    CHECK(check(auth, {}, "").message == "Missing x-api-key header");
    // A key may be sent again and again: it is not a signature.
    CHECK(check(auth, {{"x-api-key", kWebhookSecret}}, "").ok());
    // The secret is read per request: unset is the Rust 500, empty is refused too.
    g_auth_env.erase("WEBHOOK_SECRET");
    auto r = check(auth, {{"X-API-Key", kWebhookSecret}}, "");
    CHECK(r.status == 500);
    CHECK(r.message == "Environment variable WEBHOOK_SECRET not set");
    g_auth_env["WEBHOOK_SECRET"] = "";
    CHECK(check(auth, {{"X-API-Key", ""}}, "").status == 500);
    g_auth_env["WEBHOOK_SECRET"] = "rotated";
    CHECK(check(auth, {{"X-API-Key", "rotated"}}, "").ok());
    g_auth_env["WEBHOOK_SECRET"] = kWebhookSecret;
}

TEST_CASE("JWT bearer headers follow the Rust messages", "[unit][webhook][auth]") {
    AuthConfig a;
    a.type = AuthType::jwt;
    a.secret_env = "WEBHOOK_SECRET";
    Authenticator auth(a, fake_auth_env);
    const int64_t now = unix_now();
    const std::string token = hs256_token(kWebhookSecret, claims());
    CHECK(check(auth, {{"Authorization", "Bearer " + token}}, "", now).ok());
    CHECK(check(auth, {{"Authorization", "Bearer " + token}}, "", now).ok());  // bearer tokens are reusable
    CHECK(check(auth, {}, "", now).message == "Missing Authorization header");
    CHECK(check(auth, {{"Authorization", "bearer " + token}}, "", now).message == "Invalid Authorization header format");
    CHECK(check(auth, {{"Authorization", "Token " + token}}, "", now).message == "Invalid Authorization header format");
    CHECK(check(auth, {{"Authorization", "Bearer " + hs256_token("wrong", claims())}}, "", now).message ==
          "Invalid JWT token: InvalidSignature");
    CHECK(check(auth, {{"Authorization", "Bearer " + hs256_token(kWebhookSecret, claims(-120))}}, "", now).message ==
          "Invalid JWT token: ExpiredSignature");
    g_auth_env.erase("WEBHOOK_SECRET");
    CHECK(check(auth, {{"Authorization", "Bearer " + token}}, "", now).status == 500);
    g_auth_env["WEBHOOK_SECRET"] = kWebhookSecret;
}

TEST_CASE("JWT replays are refused by jti when asked", "[unit][webhook][auth]") {
    AuthConfig a;
    a.type = AuthType::jwt;
    a.secret_env = "WEBHOOK_SECRET";
    a.reject_replays = true;
    Authenticator auth(a, fake_auth_env);
    const int64_t now = unix_now();
    const std::string token = hs256_token(kWebhookSecret, claims(300, {{"jti", "delivery-1"}}));
    const auto first = check(auth, {{"Authorization", "Bearer " + token}}, "", now);
    REQUIRE(first.ok());
    CHECK(check(auth, {{"Authorization", "Bearer " + token}}, "", now).message ==
          "Invalid JWT token: token already used (jti)");
    auth.release(first.replay_key);
    CHECK(check(auth, {{"Authorization", "Bearer " + token}}, "", now).ok());
    CHECK(check(auth, {{"Authorization", "Bearer " + hs256_token(kWebhookSecret, claims())}}, "", now).message ==
          "Invalid JWT token: Missing required claim: jti");
}

TEST_CASE("constant-time helpers and codecs", "[unit][webhook][auth]") {
    using namespace dcx::webhook::crypto;
    CHECK(equal_bytes("abc", "abc"));
    CHECK_FALSE(equal_bytes("abc", "abd"));
    CHECK_FALSE(equal_bytes("abc", "abcd"));
    CHECK(equal_bytes("", ""));
    CHECK(equal_secrets("key", "key"));
    CHECK_FALSE(equal_secrets("key", "key2"));
    CHECK(hex_decode("00ff10") == std::string("\x00\xff\x10", 3));
    CHECK_FALSE(hex_decode("0"));
    CHECK_FALSE(hex_decode("zz"));
    CHECK(hex_encode(std::string("\x00\xff", 2)) == "00ff");
    CHECK(base64url_decode("aGk") == std::string("hi"));
    CHECK_FALSE(base64url_decode("aGk="));
    CHECK_FALSE(base64url_decode("a"));
    CHECK_FALSE(base64url_decode("aGl"));  // non-canonical: unused bits set
    CHECK(base64_encode("hi") == "aGk=");
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("\xff\xfe\xfd") == "//79");
    // RFC 4231 test case 2.
    CHECK(hex_encode(hmac(Digest::sha256, "Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
