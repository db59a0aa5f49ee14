// SPDX-License-Identifier: Apache-2.0
// Parsing and validation of the webhook configuration; see webhook_config.hpp.
#include "webhook_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>
#include <set>

#include "client_ip.hpp"
#include "dcx/sdk/config_fields.hpp"

namespace dcx::webhook {
namespace {

using dcx::sdk::ConfigError;
using nlohmann::json;
// The SDK's typed readers: errors name the key and never echo a value of the wrong type.
using dcx::sdk::config::boolean;
using dcx::sdk::config::fail;
using dcx::sdk::config::one_of;
using dcx::sdk::config::quote_value;
using dcx::sdk::config::reject_unknown;
using dcx::sdk::config::string;
using dcx::sdk::config::table;
using dcx::sdk::config::type_name;
using dcx::sdk::config::uint;
using Keys = dcx::sdk::config::KeySet;

const Keys kRootKeys = {"server", "auth", "rate_limit", "routes", "endpoints"};
const Keys kServerKeys = {
    "host", "port", "timeout_seconds", "max_body_size", "tls_cert_path", "tls_key_path", "ack",
    "publish_timeout_ms", "queue_timeout_ms", "queue_capacity", "read_timeout_seconds", "worker_threads",
    "trusted_proxies", "client_ip_header", "ready_max_unconfirmed_ms"};
const Keys kAuthKeys = {"type", "secret_env", "header", "algorithm", "public_key_path",
                                         "signature_style", "tolerance_seconds", "reject_replays",
                                         "replay_window_seconds"};
const Keys kRateLimitKeys = {"requests_per_second", "burst_size", "per_ip_enabled",
                                              "per_ip_requests_per_second", "per_ip_burst_size"};
const Keys kRouteKeys = {"from", "to", "partitions", "reliable_dispatch", "rate_limit", "ack"};
const Keys kEndpointKeys = {"path", "danube_topic", "partitions", "reliable_dispatch", "rate_limit", "ack"};

// The Rust connector's own validation messages, verbatim (source-plugins.md §2.1).
[[noreturn]] void fail_rust(const std::string& message) { throw ConfigError("Configuration error: " + message); }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Rust's `u16::from_str` with its error texts: ASCII digits with an optional leading '+'.
uint16_t parse_port_env(const std::string& text) {
    std::string digits = text;
    if (!digits.empty() && digits.front() == '+') digits.erase(0, 1);
    if (digits.empty()) fail_rust("Invalid SERVER_PORT value: cannot parse integer from empty string");
    uint32_t n = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') fail_rust("Invalid SERVER_PORT value: invalid digit found in string");
        n = n * 10 + static_cast<uint32_t>(c - '0');
        if (n > 65535) fail_rust("Invalid SERVER_PORT value: number too large to fit in target type");
    }
    return static_cast<uint16_t>(n);
}

AckMode parse_ack(const json& v, const std::string& path) {
    return one_of(v, path, {"enqueue", "publish"}) == 0 ? AckMode::enqueue : AckMode::publish;
}

RateLimit parse_rate_limit(const json& v, const std::string& path) {
    table(v, path);
    reject_unknown(v, kRateLimitKeys, path);
    // Both required when the table is present (serde: no defaults for these two).
    if (!v.contains("requests_per_second")) fail(path + ".requests_per_second", "is required");
    if (!v.contains("burst_size")) fail(path + ".burst_size", "is required");
    constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max();
    RateLimit r;
    // governor needs non-zero quotas; the Rust code silently replaced 0 with 100 and 10. Say so instead.
    r.requests_per_second = static_cast<uint32_t>(uint(v["requests_per_second"], path + ".requests_per_second", 1, kMax));
    r.burst_size = static_cast<uint32_t>(uint(v["burst_size"], path + ".burst_size", 1, kMax));
    if (v.contains("per_ip_enabled")) r.per_ip_enabled = boolean(v["per_ip_enabled"], path + ".per_ip_enabled");
    if (v.contains("per_ip_requests_per_second")) {
        r.per_ip_requests_per_second =
            static_cast<uint32_t>(uint(v["per_ip_requests_per_second"], path + ".per_ip_requests_per_second", 1, kMax));
    }
    if (v.contains("per_ip_burst_size")) {
        r.per_ip_burst_size = static_cast<uint32_t>(uint(v["per_ip_burst_size"], path + ".per_ip_burst_size", 1, kMax));
    }
    return r;
}

Route parse_route(const json& entry, const std::string& path, bool legacy, AckMode default_ack) {
    table(entry, path);
    reject_unknown(entry, legacy ? kEndpointKeys : kRouteKeys, path);
    const char* from_key = legacy ? "path" : "from";
    const char* to_key = legacy ? "danube_topic" : "to";
    Route r;
    r.path = path;
    r.ack = default_ack;
    // serde requires both keys; absent keys are reported with their path.
    if (!entry.contains(from_key)) fail(path + "." + from_key, "is required");
    if (!entry.contains(to_key)) fail(path + "." + to_key, "is required");
    r.from = string(entry[from_key], path + "." + from_key);
    r.to = string(entry[to_key], path + "." + to_key);
    if (entry.contains("partitions")) {
        r.partitions = static_cast<uint32_t>(uint(entry["partitions"], path + ".partitions", 0, std::numeric_limits<uint32_t>::max()));
    }
    if (entry.contains("reliable_dispatch")) r.reliable_dispatch = boolean(entry["reliable_dispatch"], path + ".reliable_dispatch");
    if (entry.contains("rate_limit")) r.rate_limit = parse_rate_limit(entry["rate_limit"], path + ".rate_limit");
    if (entry.contains("ack")) r.ack = parse_ack(entry["ack"], path + ".ack");
    return r;
}

void parse_server(const json& s, ServerConfig& c) {
    table(s, "server");
    reject_unknown(s, kServerKeys, "server");
    for (const auto& [k, v] : s.items()) {
        const std::string p = "server." + k;
        if (k == "host") c.host = string(v, p);
        else if (k == "port") c.port = static_cast<uint16_t>(uint(v, p, 0, 65535));
        else if (k == "timeout_seconds") c.timeout_seconds = uint(v, p, 1, 86400);
        else if (k == "max_body_size") c.max_body_size = uint(v, p, 1, std::numeric_limits<uint32_t>::max());
        else if (k == "tls_cert_path") c.tls_cert_path = string(v, p);
        else if (k == "tls_key_path") c.tls_key_path = string(v, p);
        else if (k == "ack") c.ack = parse_ack(v, p);
        else if (k == "publish_timeout_ms") c.publish_timeout_ms = uint(v, p, 1, 3600000);
        else if (k == "queue_timeout_ms") c.queue_timeout_ms = uint(v, p, 1, 3600000);
        else if (k == "queue_capacity") c.queue_capacity = uint(v, p, 1, 10000000);
        else if (k == "read_timeout_seconds") c.read_timeout_seconds = uint(v, p, 1, 3600);
        else if (k == "worker_threads") c.worker_threads = static_cast<uint32_t>(uint(v, p, 1, 1024));
        else if (k == "trusted_proxies") {
            if (!v.is_array()) fail(p, "expected an array of IP addresses or CIDR ranges, got " + type_name(v));
            for (size_t i = 0; i < v.size(); ++i) {
                const std::string item = string(v[i], p + "[" + std::to_string(i) + "]");
                if (!parse_cidr(item)) fail(p + "[" + std::to_string(i) + "]", "'" + item + "' is not an IP address or CIDR range");
                c.trusted_proxies.push_back(item);
            }
        } else if (k == "client_ip_header") {
            c.client_ip_header = string(v, p);
            if (c.client_ip_header.empty()) fail(p, "cannot be empty");
        } else if (k == "ready_max_unconfirmed_ms") c.ready_max_unconfirmed_ms = uint(v, p, 1, 86400000);
    }
}

void parse_auth(const json& a, AuthConfig& c) {
    table(a, "auth");
    reject_unknown(a, kAuthKeys, "auth");
    if (!a.contains("type")) fail("auth.type", "is required (\"none\", \"apikey\", \"hmac\" or \"jwt\")");
    static constexpr AuthType kTypes[] = {AuthType::none, AuthType::apikey, AuthType::hmac, AuthType::jwt};
    c.type = kTypes[one_of(a["type"], "auth.type", {"none", "apikey", "hmac", "jwt"})];
    if (a.contains("secret_env")) c.secret_env = string(a["secret_env"], "auth.secret_env");
    if (a.contains("header")) c.header = string(a["header"], "auth.header");
    if (a.contains("algorithm")) c.algorithm = string(a["algorithm"], "auth.algorithm");
    if (a.contains("public_key_path")) c.public_key_path = string(a["public_key_path"], "auth.public_key_path");
    if (a.contains("tolerance_seconds")) c.tolerance_seconds = uint(a["tolerance_seconds"], "auth.tolerance_seconds", 1, 86400);
    if (a.contains("replay_window_seconds")) {
        c.replay_window_seconds = uint(a["replay_window_seconds"], "auth.replay_window_seconds", 1, 7 * 86400);
    }
}

// Runs after the routes are validated, as the Rust connector's validate() does: its messages
// first, so old configurations fail the same way, then this plugin's stricter checks.
void resolve_auth(const json& a, AuthConfig& c) {
    switch (c.type) {
        case AuthType::none: break;
        case AuthType::apikey:
            if (!c.secret_env) fail_rust("secret_env is required for API key authentication");
            if (!c.header) fail_rust("header is required for API key authentication");
            break;
        case AuthType::hmac:
            if (!c.secret_env) fail_rust("secret_env is required for HMAC authentication");
            if (!c.header) fail_rust("header is required for HMAC authentication");
            if (!c.algorithm) fail_rust("algorithm is required for HMAC authentication");
            break;
        case AuthType::jwt:
            if (!c.secret_env && !c.public_key_path) {
                fail_rust("Either secret_env or public_key_path is required for JWT authentication");
            }
            break;
    }
    if (c.header && c.header->empty()) fail("auth.header", "cannot be empty");
    if (c.secret_env && c.secret_env->empty()) fail("auth.secret_env", "cannot be empty (it names an environment variable)");

    if (c.type == AuthType::hmac) {
        const std::string alg = lower(*c.algorithm);
        if (alg == "sha256") c.hmac_algorithm = HmacAlgorithm::sha256;
        else if (alg == "sha512") c.hmac_algorithm = HmacAlgorithm::sha512;
        else {
            fail("auth.algorithm",
                 "expected \"sha256\" or \"sha512\" for HMAC authentication, got " + quote_value(*c.algorithm));
        }
        // The style follows the well-known header names unless set (Stripe-Signature, X-Hub-Signature-256).
        const std::string h = lower(*c.header);
        c.signature_style = h == "stripe-signature"              ? SignatureStyle::stripe
                            : h.rfind("x-hub-signature", 0) == 0 ? SignatureStyle::github
                                                                 : SignatureStyle::hex;
        if (a.contains("signature_style")) {
            static constexpr SignatureStyle kStyles[] = {SignatureStyle::github, SignatureStyle::hex, SignatureStyle::stripe};
            c.signature_style = kStyles[one_of(a["signature_style"], "auth.signature_style", {"github", "hex", "stripe"})];
        }
        // Stripe signatures carry a timestamp, which bounds the replay memory: on by default.
        c.reject_replays = c.signature_style == SignatureStyle::stripe;
    } else if (a.contains("signature_style")) {
        fail("auth.signature_style", "applies to type = \"hmac\" only");
    }

    if (c.type == AuthType::jwt) {
        if (c.algorithm) {
            const std::string alg = *c.algorithm;
            if (alg != "HS256" && alg != "RS256" && alg != "ES256") {
                fail("auth.algorithm", "expected \"HS256\", \"RS256\" or \"ES256\" for JWT authentication, got " + quote_value(alg));
            }
            if (alg == "HS256" && !c.secret_env) fail("auth.algorithm", "HS256 needs secret_env");
            if (alg != "HS256" && !c.public_key_path) fail("auth.algorithm", alg + " needs public_key_path");
            c.jwt_algorithm = alg;
        }
        if (c.public_key_path) {
            std::error_code ec;
            if (!std::filesystem::is_regular_file(*c.public_key_path, ec)) {
                fail("auth.public_key_path", "file " + *c.public_key_path + " does not exist");
            }
        }
    }
    if (a.contains("reject_replays")) {
        c.reject_replays = boolean(a["reject_replays"], "auth.reject_replays");
        if (c.reject_replays && c.type != AuthType::hmac && c.type != AuthType::jwt) {
            fail("auth.reject_replays", "applies to type = \"hmac\" or \"jwt\" only");
        }
    }
}

}  // namespace

const char* to_string(AckMode mode) { return mode == AckMode::publish ? "publish" : "enqueue"; }

WebhookConfig parse_config(const json& plugin_config, const EnvLookup& env) {
    table(plugin_config, "(root)");
    reject_unknown(plugin_config, kRootKeys, "");
    WebhookConfig c;
    // [server] and [auth] are required tables in the Rust struct ([server] may be empty).
    if (!plugin_config.contains("server")) fail("server", "the [server] table is required (it may be empty)");
    if (!plugin_config.contains("auth")) fail("auth", "the [auth] table is required (type = \"none\" turns authentication off)");
    parse_server(plugin_config["server"], c.server);
    parse_auth(plugin_config["auth"], c.auth);
    if (plugin_config.contains("rate_limit")) c.rate_limit = parse_rate_limit(plugin_config["rate_limit"], "rate_limit");

    const bool has_routes = plugin_config.contains("routes");
    const bool has_endpoints = plugin_config.contains("endpoints");
    if (has_routes && has_endpoints) fail("endpoints", "set [[routes]] or the older [[endpoints]], not both");
    if (has_endpoints) {
        c.warnings.push_back("[[endpoints]] (path/danube_topic) is deprecated: use [[routes]] with from/to");
    }
    const std::string list_key = has_endpoints ? "endpoints" : "routes";
    if (plugin_config.contains(list_key)) {
        const json& list = plugin_config[list_key];
        if (!list.is_array()) fail(list_key, "expected an array of tables ([[" + list_key + "]]), got " + type_name(list));
        for (size_t i = 0; i < list.size(); ++i) {
            c.routes.push_back(parse_route(list[i], list_key + "[" + std::to_string(i) + "]", has_endpoints, c.server.ack));
        }
    }

    // Environment overrides after parsing, before validation (as the Rust loader does).
    if (auto v = env("SERVER_HOST")) c.server.host = *v;
    if (auto v = env("SERVER_PORT")) c.server.port = parse_port_env(*v);

    if (c.routes.empty()) fail_rust("At least one route must be configured");
    std::set<std::string> seen;
    for (const auto& r : c.routes) {
        if (!seen.insert(r.from).second) fail_rust("Duplicate route source path: " + r.from);
        if (r.from.empty() || r.from.front() != '/') fail_rust("Route 'from' must start with '/': " + r.from);
        if (r.to.empty()) fail_rust("Route 'to' cannot be empty for source path: " + r.from);
        if (r.from == "/health" || r.from == "/ready") {
            fail(r.path, "'" + r.from + "' is the server's own GET endpoint; choose another path");
        }
    }
    resolve_auth(plugin_config["auth"], c.auth);
    if (c.server.host.empty()) fail("server.host", "cannot be empty (set it, or SERVER_HOST)");
    if (c.server.tls_cert_path.empty() != c.server.tls_key_path.empty()) {
        fail("server.tls_cert_path", "tls_cert_path and tls_key_path go together");
    }
    for (const auto* p : {&c.server.tls_cert_path, &c.server.tls_key_path}) {
        std::error_code ec;
        if (!p->empty() && !std::filesystem::is_regular_file(*p, ec)) fail("server", "file " + *p + " does not exist");
    }
    return c;
}

json config_schema() {
    // Draft 7. Every table rejects unknown keys, so a typo is reported with its path. Counts and
    // cross-key rules are left to initialize(), which words them as the Rust connector did.
    static const char* kSchema = R"({
  "type": "object",
  "required": ["server", "auth"],
  "additionalProperties": false,
  "properties": {
    "server": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "host": {"type": "string"},
        "port": {"type": "integer", "minimum": 0, "maximum": 65535},
        "timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 86400},
        "max_body_size": {"type": "integer", "minimum": 1, "maximum": 4294967295},
        "tls_cert_path": {"type": "string"},
        "tls_key_path": {"type": "string"},
        "ack": {"$ref": "#/definitions/ack"},
        "publish_timeout_ms": {"type": "integer", "minimum": 1, "maximum": 3600000},
        "queue_timeout_ms": {"type": "integer", "minimum": 1, "maximum": 3600000},
        "queue_capacity": {"type": "integer", "minimum": 1, "maximum": 10000000},
        "read_timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 3600},
        "worker_threads": {"type": "integer", "minimum": 1, "maximum": 1024},
        "trusted_proxies": {"type": "array", "items": {"type": "string"}},
        "client_ip_header": {"type": "string", "minLength": 1},
        "ready_max_unconfirmed_ms": {"type": "integer", "minimum": 1, "maximum": 86400000}
      }
    },
    "auth": {
      "type": "object",
      "required": ["type"],
      "additionalProperties": false,
      "properties": {
        "type": {"enum": ["none", "apikey", "hmac", "jwt"]},
        "secret_env": {"type": "string"},
        "header": {"type": "string"},
        "algorithm": {"type": "string"},
        "public_key_path": {"type": "string"},
        "signature_style": {"enum": ["github", "hex", "stripe"]},
        "tolerance_seconds": {"type": "integer", "minimum": 1, "maximum": 86400},
        "reject_replays": {"type": "boolean"},
        "replay_window_seconds": {"type": "integer", "minimum": 1, "maximum": 604800}
      }
    },
    "rate_limit": {"$ref": "#/definitions/rate_limit"},
    "routes": {"type": "array", "items": {"$ref": "#/definitions/route"}},
    "endpoints": {"type": "array", "items": {"$ref": "#/definitions/endpoint"}}
  },
  "definitions": {
    "ack": {"enum": ["enqueue", "publish"]},
    "rate_limit": {
      "type": "object",
      "required": ["requests_per_second", "burst_size"],
      "additionalProperties": false,
      "properties": {
        "requests_per_second": {"type": "integer", "minimum": 1, "maximum": 4294967295},
        "burst_size": {"type": "integer", "minimum": 1, "maximum": 4294967295},
        "per_ip_enabled": {"type": "boolean"},
        "per_ip_requests_per_second": {"type": "integer", "minimum": 1, "maximum": 4294967295},
        "per_ip_burst_size": {"type": "integer", "minimum": 1, "maximum": 4294967295}
      }
    },
    "route": {
      "type": "object",
      "required": ["from", "to"],
      "additionalProperties": false,
      "properties": {
        "from": {"type": "string"},
        "to": {"type": "string"},
        "partitions": {"type": "integer", "minimum": 0, "maximum": 4294967295},
        "reliable_dispatch": {"type": "boolean"},
        "rate_limit": {"$ref": "#/definitions/rate_limit"},
        "ack": {"$ref": "#/definitions/ack"}
      }
    },
    "endpoint": {
      "type": "object",
      "required": ["path", "danube_topic"],
      "additionalProperties": false,
      "properties": {
        "path": {"type": "string"},
        "danube_topic": {"type": "string"},
        "partitions": {"type": "integer", "minimum": 0, "maximum": 4294967295},
        "reliable_dispatch": {"type": "boolean"},
        "rate_limit": {"$ref": "#/definitions/rate_limit"},
        "ack": {"$ref": "#/definitions/ack"}
      }
    }
  }
})";
    return json::parse(kSchema);
}

}  // namespace dcx::webhook
