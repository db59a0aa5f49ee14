// SPDX-License-Identifier: Apache-2.0
// Test keys and tokens: RSA and EC P-256 key pairs made in-process with OpenSSL, and JWTs signed
// with HS256, RS256 or ES256 (or anything else a test wants to try, such as alg = "none").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "test_pki.hpp"

namespace dcx::webhook::testing {

struct KeyPair {
    std::string private_pem;
    std::string public_pem;
};

/// Made once per process (key generation is slow enough to share).
const KeyPair& rsa_key();
const KeyPair& ec_key();
/// A second, unrelated pair of each kind, for wrong-key tests.
const KeyPair& other_rsa_key();

using dcx::testing::base64url;  // tests/support/test_pki.hpp
int64_t unix_now();

/// Claims the Rust connector requires: sub and exp (now + `ttl_s`), plus `extra`.
nlohmann::json claims(int64_t ttl_s = 300, const nlohmann::json& extra = nlohmann::json::object());

std::string hs256_token(const std::string& secret, const nlohmann::json& claims, const std::string& alg = "HS256");
std::string rs256_token(const KeyPair& key, const nlohmann::json& claims);
std::string es256_token(const KeyPair& key, const nlohmann::json& claims);
/// An unsigned token ({"alg":"none"}, empty signature).
std::string none_token(const nlohmann::json& claims);

}  // namespace dcx::webhook::testing
