// SPDX-License-Identifier: Apache-2.0
// The [auth] table at request time: API key, HMAC signature or JWT, with the Rust connector's
// response texts (source-plugins.md §2.2) and what it only advertised made real (§2.5 fixes 1,
// 3, 4): HMAC over the raw body, constant-time comparisons, RS256/ES256, replay rejection.
// Secrets are read from the environment variable named by `secret_env` on every request, so a
// rotated secret applies without a restart, and are never logged or echoed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "jwt_verifier.hpp"
#include "replay_cache.hpp"
#include "webhook_config.hpp"

namespace dcx::webhook {

/// A request header by name (case-insensitive); nullopt when absent.
using HeaderLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct AuthResult {
    int status = 200;         // 200 accepted, 401 refused, 500 the secret is not available
    std::string message;      // the reason for the response body
    std::string replay_key;   // non-empty when this request was recorded against replays

    bool ok() const { return status == 200; }
};

class Authenticator {
public:
    /// Loads the public key file, if any; throws dcx::sdk::ConfigError when it is unusable.
    Authenticator(const AuthConfig& config, EnvLookup env);

    AuthType type() const { return config_.type; }
    /// HMAC needs the body; the other types decide on headers alone.
    bool needs_body() const { return config_.type == AuthType::hmac; }

    /// Header-only checks: API key and JWT decide here; HMAC only checks that its header is
    /// present. [thread-safe]
    AuthResult check_headers(const HeaderLookup& headers, int64_t now_s);
    /// HMAC over the raw body (no-op for other types). [thread-safe]
    AuthResult check_body(const HeaderLookup& headers, std::string_view body, int64_t now_s);
    /// The request recorded under `replay_key` was not accepted: a resend is a retry. [thread-safe]
    void release(const std::string& replay_key);

    const ReplayCache& replay_cache() const { return replays_; }

private:
    // The secret's current value; sets `failure` (500) when the variable is unset or empty.
    std::optional<std::string> secret(AuthResult& failure) const;
    std::string missing_header() const;

    AuthConfig config_;
    EnvLookup env_;
    std::unique_ptr<JwtVerifier> jwt_;
    ReplayCache replays_;
};

}  // namespace dcx::webhook
