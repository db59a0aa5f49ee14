// SPDX-License-Identifier: Apache-2.0
// The daemon's configuration: the reference runtime's core keys (same names, types, defaults)
// flattened at the TOML root, the host's own keys, and the plugin's section as JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dcx::config {

enum class Ordering { strict, relaxed };
enum class InvalidRecordPolicy { dead_letter, skip, fail };

struct VersionStrategy {
    enum class Kind { latest, pinned, minimum };
    Kind kind = Kind::latest;
    uint32_t version = 0;  // for pinned and minimum
};

/// One `[[schemas]]` entry.
struct SchemaMapping {
    std::string topic;
    std::string subject;
    std::string schema_type;           // lowercased, as the reference runtime does
    std::filesystem::path schema_file;  // resolved; empty for primitive types
    std::string definition;             // file contents for json_schema/avro; empty otherwise
    bool auto_register = true;
    VersionStrategy version;
};

/// `[retry]`: the reference keys, used by the source path too (the reference ignored them).
struct RetryConfig {
    uint32_t max_retries = 3;  // tries before a lookup + producer re-creation
    uint64_t retry_backoff_ms = 1000;
    uint64_t max_backoff_ms = 30000;
};

/// `[processing]`: the reference keys and defaults.
struct ProcessingConfig {
    uint32_t batch_size = 1000;
    uint64_t batch_timeout_ms = 1000;  // accepted for parity; sinks only
    uint64_t poll_interval_ms = 100;
    uint16_t metrics_port = 9090;
    std::string log_level = "info";
    uint64_t health_check_interval_ms = 30000;
    uint32_t health_check_failure_threshold = 3;
};

/// `[delivery]`: the host's own publishing settings.
struct DeliveryConfig {
    Ordering ordering = Ordering::strict;
    uint32_t window_per_producer = 32;          // relaxed: sends in flight per topic partition
    uint32_t max_inflight_records = 10000;      // polled but not yet settled
    uint64_t max_inflight_bytes = 64ull << 20;  // their payload bytes
    uint64_t max_record_bytes = (4ull << 20) - (64 << 10);  // under the broker's 4 MiB request limit
    uint64_t send_timeout_ms = 10000;
    uint64_t commit_interval_ms = 1000;
    uint64_t shutdown_timeout_ms = 25000;
};

/// `[dead_letter]`.
struct DeadLetterConfig {
    std::string topic;  // empty: no dead-letter topic
    InvalidRecordPolicy on_invalid = InvalidRecordPolicy::skip;
};

/// `[http]`: the listener for /metrics, /healthz, /readyz and /status.
struct HttpConfig {
    bool enabled = true;
    std::string address = "0.0.0.0";  // as the reference runtime's exporter; use 127.0.0.1 to keep it local
    std::optional<uint16_t> port;      // default: [processing] metrics_port; 0 picks a free port
};

/// `[broker]`: TLS, mTLS and a bearer token for the Danube connection (broker-protocol.md §11).
struct BrokerSecurityConfig {
    std::filesystem::path tls_ca_file;    // PEM roots; empty with https:// means the system roots
    std::filesystem::path tls_cert_file;  // client certificate (mTLS), with tls_key_file
    std::filesystem::path tls_key_file;
    std::string tls_server_name;          // expected name in the broker's certificate, if not the URL host
    std::string token;                    // JWT sent as `authorization: Bearer`; use ${env:NAME}
    std::filesystem::path token_file;     // or read from this file, re-read when it changes
    bool tls() const { return !tls_ca_file.empty() || !tls_cert_file.empty(); }
};

/// `[log]`.
struct LogConfig {
    bool json = false;  // format = "json": one JSON object per line
};

struct ConnectorConfig {
    std::filesystem::path file;
    std::string danube_service_url;
    std::string connector_name;
    std::string plugin;                 // name in plugins_dir, or a path
    std::filesystem::path plugins_dir;  // default: <exe>/../plugins, else /usr/lib/danube-connectd/plugins
    std::filesystem::path data_dir;     // durable state (offsets); empty: none
    RetryConfig retry;
    ProcessingConfig processing;
    DeliveryConfig delivery;
    DeadLetterConfig dead_letter;
    HttpConfig http;
    BrokerSecurityConfig broker;
    LogConfig log;
    std::vector<SchemaMapping> schemas;
    nlohmann::json plugin_config = nlohmann::json::object();  // every key that is not the host's
    std::vector<std::string> warnings;  // unknown keys, deprecated keys: logged at startup

    /// What the plugin receives as core_config (plugin_api.h initialize), plus `offsets`.
    nlohmann::json core_json() const;
    const SchemaMapping* schema_for(const std::string& topic) const;
};

/// Looks up an environment variable; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

/// Reads, interpolates (${env:NAME}, ${file:/path}), applies DANUBE_SERVICE_URL / CONNECTOR_NAME,
/// then validates, in the reference runtime's order. Throws ConfigError.
ConnectorConfig load_config(const std::filesystem::path& file, const EnvLookup& env);

/// The names of every key the host itself reads at the root (the rest goes to the plugin).
const std::vector<std::string>& host_root_keys();

}  // namespace dcx::config
