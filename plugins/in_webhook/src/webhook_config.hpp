// SPDX-License-Identifier: Apache-2.0
// The webhook source's configuration: the Rust source-webhook connector's tables ([server],
// [auth], [rate_limit], [[routes]]) with its defaults, env overrides and validation messages
// (source-plugins.md §2.1), the older [[endpoints]] vocabulary as an alias, and this plugin's
// additions (signature styles, replay rejection, ack modes, trusted proxies). Parsed from the JSON
// the host hands to initialize(); problems throw dcx::sdk::ConfigError.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcx/sdk/config_fields.hpp"

namespace dcx::webhook {

enum class AuthType { none, apikey, hmac, jwt };
/// How an HMAC signature travels: `sha256=<hex>` (GitHub), `<hex>` or `<algo>=<hex>`, or
/// Stripe's `t=<unix>,v1=<hex>[,v1=...]` over `<t>.<body>`.
enum class SignatureStyle { github, hex, stripe };
enum class HmacAlgorithm { sha256, sha512 };
/// When a request gets its 200: once the host took the record (`enqueue`, the Rust behaviour),
/// or once Danube acknowledged it (`publish`).
enum class AckMode { enqueue, publish };

/// `[rate_limit]` and `[routes.rate_limit]`: a token bucket refilled at `requests_per_second`
/// holding at most `burst_size` tokens; optionally one more bucket per client IP.
struct RateLimit {
    uint32_t requests_per_second = 0;
    uint32_t burst_size = 0;
    bool per_ip_enabled = false;
    std::optional<uint32_t> per_ip_requests_per_second;  // default: requests_per_second
    std::optional<uint32_t> per_ip_burst_size;           // default: burst_size
};

struct ServerConfig {
    std::string host = "0.0.0.0";      // env SERVER_HOST
    uint16_t port = 8080;              // env SERVER_PORT; 0 picks a free port (logged)
    uint64_t timeout_seconds = 30;     // whole request, from the end of its headers: 408
    uint64_t max_body_size = 1048576;  // bytes, enforced while reading: 413
    std::string tls_cert_path;
    std::string tls_key_path;
    // Additions of this plugin.
    AckMode ack = AckMode::enqueue;
    uint64_t publish_timeout_ms = 10000;  // ack = "publish": longest wait for Danube's ack: 503
    uint64_t queue_timeout_ms = 5000;     // longest wait for the host to take a record: 503
    std::optional<uint64_t> queue_capacity;  // default: [processing].batch_size (as in Rust)
    uint64_t read_timeout_seconds = 10;   // one socket read (headers, body); capped by timeout_seconds
    uint32_t worker_threads = 16;         // concurrent connections served
    std::vector<std::string> trusted_proxies;      // IPs or CIDRs whose proxy header is believed
    std::string client_ip_header = "X-Forwarded-For";  // or X-Real-IP (any header holding an IP list)
    uint64_t ready_max_unconfirmed_ms = 10000;  // /ready is 503 when a record waits longer for Danube
};

struct AuthConfig {
    AuthType type = AuthType::none;
    std::optional<std::string> secret_env;  // the NAME of the env var holding the secret
    std::optional<std::string> header;
    std::optional<std::string> algorithm;
    std::optional<std::string> public_key_path;
    // Resolved or added by this plugin.
    SignatureStyle signature_style = SignatureStyle::hex;
    HmacAlgorithm hmac_algorithm = HmacAlgorithm::sha256;
    uint64_t tolerance_seconds = 300;   // stripe: accepted clock difference
    bool reject_replays = false;        // default true for stripe
    uint64_t replay_window_seconds = 300;  // hex/github: how long a used signature is remembered
    std::optional<std::string> jwt_algorithm;  // "HS256", "RS256" or "ES256" when pinned
};

/// One `[[routes]]` entry (or legacy `[[endpoints]]` entry).
struct Route {
    std::string from;  // exact HTTP path
    std::string to;    // Danube topic
    uint32_t partitions = 0;
    bool reliable_dispatch = false;
    std::optional<RateLimit> rate_limit;
    AckMode ack = AckMode::enqueue;  // [server] ack unless the route sets its own
    std::string path;                // "routes[2]", for messages
};

struct WebhookConfig {
    ServerConfig server;
    AuthConfig auth;
    std::optional<RateLimit> rate_limit;
    std::vector<Route> routes;
    /// Non-fatal findings (deprecated keys) for the log.
    std::vector<std::string> warnings;
};

// Environment lookups, from the SDK (tests pass their own).
using dcx::sdk::config::EnvLookup;
using dcx::sdk::config::process_env;

/// Parses the plugin configuration (the root object the host passes: "server", "auth",
/// "rate_limit", "routes" or "endpoints"), applies SERVER_HOST and SERVER_PORT, then validates
/// with the Rust connector's messages. Throws dcx::sdk::ConfigError.
WebhookConfig parse_config(const nlohmann::json& plugin_config, const EnvLookup& env = process_env);

/// The JSON Schema (draft 7) of the plugin configuration, checked by the host before initialize().
nlohmann::json config_schema();

const char* to_string(AckMode mode);

}  // namespace dcx::webhook
