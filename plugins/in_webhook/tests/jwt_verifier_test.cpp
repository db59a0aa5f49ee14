// SPDX-License-Identifier: Apache-2.0
// JWT verification: HS256, RS256 and ES256; the algorithm must match the configured keys (no
// `none`, no HMAC made with the public key); exp, nbf and sub as jsonwebtoken checks them.
#include <catch2/catch.hpp>

#include "crypto.hpp"
#include "jwt_test_keys.hpp"
#include "jwt_verifier.hpp"

using namespace dcx::webhook;
using namespace dcx::webhook::testing;

namespace {

const std::optional<std::string> kSecret = std::string("jwt-secret");

JwtVerifier hs_only() { return JwtVerifier(true, std::nullopt, std::nullopt); }
JwtVerifier with_key(const KeyPair& k, bool hs = false, std::optional<std::string> pinned = std::nullopt) {
    return JwtVerifier(hs, crypto::PublicKey::from_pem(k.public_pem), std::move(pinned));
}
std::string error_of(const JwtVerifier& v, const std::string& token) {
    const auto c = v.verify(token, kSecret, unix_now());
    return c.ok() ? "ok" : c.error;
}

}  // namespace

TEST_CASE("HS256 tokens: signature, exp with 60 s leeway, nbf, sub", "[unit][webhook][jwt]") {
    const auto v = hs_only();
    CHECK(error_of(v, hs256_token(*kSecret, claims())) == "ok");
    CHECK(error_of(v, hs256_token(*kSecret, claims(-30))) == "ok");  // within the leeway
    CHECK(error_of(v, hs256_token(*kSecret, claims(-90))) == "ExpiredSignature");
    CHECK(error_of(v, hs256_token("other", claims())) == "InvalidSignature");
    CHECK(error_of(v, hs256_token(*kSecret, {{"sub", "x"}})) == "Missing required claim: exp");
    CHECK(error_of(v, hs256_token(*kSecret, {{"exp", unix_now() + 60}})) == "JSON error: missing field `sub`");
    CHECK_THAT(error_of(v, hs256_token(*kSecret, claims(60, {{"sub", 5}}))), Catch::StartsWith("JSON error"));
    CHECK_THAT(error_of(v, hs256_token(*kSecret, claims(60, {{"exp", "soon"}}))), Catch::StartsWith("JSON error"));
    CHECK(error_of(v, hs256_token(*kSecret, claims(300, {{"nbf", unix_now() + 600}}))) == "ImmatureSignature");
    CHECK(error_of(v, hs256_token(*kSecret, claims(300, {{"nbf", unix_now() - 5}}))) == "ok");
    const auto c = v.verify(hs256_token(*kSecret, claims(300, {{"jti", "abc"}})), kSecret, unix_now());
    REQUIRE(c.ok());
    CHECK(c.jti == "abc");
    // The secret is per call: unset means the caller must answer 500.
    CHECK(v.verify(hs256_token(*kSecret, claims()), std::nullopt, unix_now()).status == JwtCheck::Status::secret_missing);
}

TEST_CASE("malformed tokens are InvalidToken or decoding errors", "[unit][webhook][jwt]") {
    const auto v = hs_only();
    const std::string good = hs256_token(*kSecret, claims());
    CHECK(error_of(v, "") == "InvalidToken");
    CHECK(error_of(v, "abc") == "InvalidToken");
    CHECK(error_of(v, "a.b") == "InvalidToken");
    CHECK(error_of(v, good + ".x") == "InvalidToken");
    CHECK_THAT(error_of(v, "!!.e30.x"), Catch::StartsWith("Base64 error"));
    CHECK_THAT(error_of(v, base64url("[1]") + ".e30.abc"), Catch::StartsWith("JSON error"));
    CHECK_THAT(error_of(v, base64url("{}") + ".e30.abc"), Catch::StartsWith("JSON error"));
    // Flipping one character of the signature or claims breaks it.
    std::string tampered = good;
    tampered[tampered.find('.') + 3] ^= 1;
    CHECK(error_of(v, tampered) != "ok");
}

TEST_CASE("RS256 and ES256 tokens verify with the public key", "[unit][webhook][jwt]") {
    const auto rsa = with_key(rsa_key());
    CHECK(error_of(rsa, rs256_token(rsa_key(), claims())) == "ok");
    CHECK(error_of(rsa, rs256_token(other_rsa_key(), claims())) == "InvalidSignature");
    CHECK(error_of(rsa, rs256_token(rsa_key(), claims(-120))) == "ExpiredSignature");
    CHECK(error_of(rsa, es256_token(ec_key(), claims())) == "InvalidAlgorithm");
    const auto ec = with_key(ec_key());
    CHECK(error_of(ec, es256_token(ec_key(), claims())) == "ok");
    CHECK(error_of(ec, rs256_token(rsa_key(), claims())) == "InvalidAlgorithm");
    const std::string token = es256_token(ec_key(), claims());
    std::string tampered = token;
    tampered[token.rfind('.') + 10] = token[token.rfind('.') + 10] == 'A' ? 'B' : 'A';
    CHECK(error_of(ec, tampered) == "InvalidSignature");
    // The last character carries unused bits: another spelling of the same bytes is refused too.
    tampered = token;
    tampered.back() = token.back() == 'A' ? 'B' : 'A';
    CHECK(error_of(ec, tampered) != "ok");
}

TEST_CASE("algorithm confusion and alg none are refused", "[unit][webhook][jwt]") {
    const auto rsa = with_key(rsa_key());
    // The classic attack: HS256 "signed" with the public key as the HMAC secret.
    CHECK(error_of(rsa, hs256_token(rsa_key().public_pem, claims())) == "InvalidAlgorithm");
    CHECK(error_of(rsa, none_token(claims())) == "InvalidAlgorithm");
    CHECK(error_of(hs_only(), none_token(claims())) == "InvalidAlgorithm");
    CHECK(error_of(hs_only(), rs256_token(rsa_key(), claims())) == "InvalidAlgorithm");
    CHECK(error_of(hs_only(), hs256_token(*kSecret, claims(), "HS512")) == "InvalidAlgorithm");
    // Both configured: each algorithm uses its own key; a pin allows only one.
    const auto both = with_key(rsa_key(), true);
    CHECK(error_of(both, hs256_token(*kSecret, claims())) == "ok");
    CHECK(error_of(both, rs256_token(rsa_key(), claims())) == "ok");
    const auto pinned = with_key(rsa_key(), true, "RS256");
    CHECK(error_of(pinned, hs256_token(*kSecret, claims())) == "InvalidAlgorithm");
}

TEST_CASE("public keys load from PEM keys and certificates, with size and curve rules", "[unit][webhook][jwt]") {
    CHECK(crypto::PublicKey::from_pem(rsa_key().public_pem).kind() == crypto::PublicKey::Kind::rsa);
    CHECK(crypto::PublicKey::from_pem(ec_key().public_pem).kind() == crypto::PublicKey::Kind::ec_p256);
    CHECK_THROWS_WITH(crypto::PublicKey::from_pem("not a key"), Catch::Contains("no PEM public key"));
    CHECK_THROWS(crypto::PublicKey::load_pem_file("/nonexistent/key.pem"));
    CHECK(crypto::ecdsa_p256_raw_to_der(std::string(64, '\x01')));
    CHECK_FALSE(crypto::ecdsa_p256_raw_to_der(std::string(63, '\x01')));
}
