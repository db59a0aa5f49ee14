// SPDX-License-Identifier: Apache-2.0
// JWT bearer tokens (RFC 7519) as the Rust connector's jsonwebtoken validation checks them:
// HS256 with a shared secret, plus RS256/ES256 with a public key file (source-plugins.md §2.5
// fix 3). The token's `alg` must be one the configured keys verify: never `none`, never an HMAC
// made with a public key. `exp` is required (60 s leeway), `nbf` is honoured, `sub` must be a
// string. Error texts follow jsonwebtoken's ("ExpiredSignature", "InvalidSignature", ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto.hpp"

namespace dcx::webhook {

struct JwtCheck {
    enum class Status { ok, invalid, secret_missing };
    Status status = Status::invalid;
    std::string error;               // jsonwebtoken-style reason when invalid
    std::optional<std::string> jti;  // the token id, when present
    int64_t exp = 0;                 // when ok

    bool ok() const { return status == Status::ok; }
};

class JwtVerifier {
public:
    /// `hs256_enabled`: a secret is configured (its value comes per call); `public_key`: RS256 or
    /// ES256 key, if configured; `pinned_alg`: the only algorithm accepted, if set.
    JwtVerifier(bool hs256_enabled, std::optional<crypto::PublicKey> public_key, std::optional<std::string> pinned_alg,
                int64_t leeway_s = 60);

    /// Verifies `token` at Unix time `now_s`. `hs256_secret` is the secret's current value
    /// (nullopt when its variable is unset: an HS256 token then yields secret_missing). [thread-safe]
    JwtCheck verify(std::string_view token, const std::optional<std::string>& hs256_secret, int64_t now_s) const;

private:
    bool hs256_enabled_;
    std::optional<crypto::PublicKey> public_key_;
    std::optional<std::string> pinned_alg_;
    int64_t leeway_s_;
};

}  // namespace dcx::webhook
