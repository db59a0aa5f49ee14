// SPDX-License-Identifier: Apache-2.0
// Request authentication; see webhook_auth.hpp.
#include "webhook_auth.hpp"

#include <algorithm>
#include <cctype>

#include "crypto.hpp"
#include "dcx/sdk/error.hpp"
#include "hmac_signature.hpp"

namespace dcx::webhook {
namespace {

AuthResult refuse(std::string why) { return {401, std::move(why), {}}; }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

Authenticator::Authenticator(const AuthConfig& config, EnvLookup env)
    : config_(config), env_(std::move(env)), replays_(100000) {
    if (config_.type != AuthType::jwt) return;
    std::optional<crypto::PublicKey> key;
    if (config_.public_key_path) {
        try {
            key = crypto::PublicKey::load_pem_file(*config_.public_key_path);
        } catch (const std::exception& e) {
            throw dcx::sdk::ConfigError(std::string("auth.public_key_path: ") + e.what());
        }
        if (config_.jwt_algorithm && *config_.jwt_algorithm != "HS256" && *config_.jwt_algorithm != key->jwt_algorithm()) {
            throw dcx::sdk::ConfigError("auth.algorithm: " + *config_.jwt_algorithm + " does not match the key in " +
                                        *config_.public_key_path + " (a " + key->jwt_algorithm() + " key)");
        }
    }
    jwt_ = std::make_unique<JwtVerifier>(config_.secret_env.has_value(), std::move(key), config_.jwt_algorithm);
}

std::optional<std::string> Authenticator::secret(AuthResult& failure) const {
    const std::string& name = *config_.secret_env;
    auto value = env_(name);
    if (!value) {
        failure = {500, "Environment variable " + name + " not set", {}};
        return std::nullopt;
    }
    // An empty secret would accept an empty key or a MAC anyone can compute.
    if (value->empty()) {
        failure = {500, "Environment variable " + name + " is empty", {}};
        return std::nullopt;
    }
    return value;
}

std::string Authenticator::missing_header() const { return "Missing " + lower(*config_.header) + " header"; }

AuthResult Authenticator::check_headers(const HeaderLookup& headers, int64_t now_s) {
    switch (config_.type) {
        case AuthType::none: return {};
        case AuthType::hmac:
            if (!headers(*config_.header)) return refuse(missing_header());
            return {};
        case AuthType::apikey: {
            // The Rust order: the secret first (500), then the header (401).
            AuthResult failure;
            const auto expected = secret(failure);
            if (!expected) return failure;
            const auto given = headers(*config_.header);
            if (!given) return refuse(missing_header());
            if (!crypto::equal_secrets(*given, *expected)) return refuse("Invalid API key");
            return {};
        }
        case AuthType::jwt: {
            const auto value = headers("Authorization");
            if (!value) return refuse("Missing Authorization header");
            if (value->rfind("Bearer ", 0) != 0) return refuse("Invalid Authorization header format");
            std::optional<std::string> hs256;
            AuthResult failure;
            if (config_.secret_env) {
                hs256 = env_(*config_.secret_env);
                if (hs256 && hs256->empty()) hs256.reset();
            }
            const JwtCheck check = jwt_->verify(std::string_view(*value).substr(7), hs256, now_s);
            if (check.status == JwtCheck::Status::secret_missing) {
                secret(failure);
                return failure;
            }
            if (!check.ok()) return refuse("Invalid JWT token: " + check.error);
            if (!config_.reject_replays) return {};
            if (!check.jti) return refuse("Invalid JWT token: Missing required claim: jti");
            const std::string key = "jti:" + *check.jti;
            // Remembered until the token expires (plus the leeway it is accepted for).
            if (!replays_.insert(key, now_s, check.exp + 60)) return refuse("Invalid JWT token: token already used (jti)");
            return {200, {}, key};
        }
    }
    return {};
}

AuthResult Authenticator::check_body(const HeaderLookup& headers, std::string_view body, int64_t now_s) {
    if (config_.type != AuthType::hmac) return {};
    const auto value = headers(*config_.header);
    if (!value) return refuse(missing_header());
    AuthResult failure;
    const auto key = secret(failure);
    if (!key) return failure;
    const SignatureCheck check = verify_signature(config_.signature_style, config_.hmac_algorithm, *key, *value, body,
                                                  now_s, config_.tolerance_seconds);
    if (!check.ok) return refuse(check.failure);
    if (!config_.reject_replays) return {};
    // Stripe: a signature is only valid within the tolerance of its timestamp, so remembering it
    // that long is enough. Other styles have no timestamp: remember it for the replay window.
    const int64_t until = check.timestamp ? *check.timestamp + static_cast<int64_t>(config_.tolerance_seconds)
                                          : now_s + static_cast<int64_t>(config_.replay_window_seconds);
    const std::string replay_key = "mac:" + check.replay_key;
    if (!replays_.insert(replay_key, now_s, until)) return refuse("Replayed signature");
    return {200, {}, replay_key};
}

void Authenticator::release(const std::string& replay_key) {
    if (!replay_key.empty()) replays_.erase(replay_key);
}

}  // namespace dcx::webhook
