// SPDX-License-Identifier: Apache-2.0
// The [mqtt] section: the Rust connector's keys, defaults and env overrides (source-plugins.md
// §1.1), the older `topic_mappings` vocabulary as an alias, and this plugin's additions. Parsed
// from the JSON the host hands to initialize(); problems throw dcx::sdk::ConfigError naming the key.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcx/sdk/config_fields.hpp"

namespace dcx::mqtt {

enum class ProtocolVersion { v311, v5 };

/// One `[[mqtt.routes]]` entry (or legacy `topic_mappings` entry).
struct Route {
    std::string from;            // subscribed verbatim (may be $share/<group>/...)
    std::string match_filter;    // what delivered topics are matched against ($share prefix stripped)
    std::string to;              // Danube topic
    int qos = 1;                 // 0, 1, 2 (AtMostOnce, AtLeastOnce, ExactlyOnce)
    uint32_t partitions = 0;
    bool reliable_dispatch = true;
    std::string path;            // "mqtt.routes[2]", for messages
};

struct MqttConfig {
    std::string broker_host;
    uint16_t broker_port = 1883;
    std::string client_id;
    std::optional<std::string> username;
    std::optional<std::string> password;  // never logged
    bool use_tls = false;
    std::string ca_cert_path;
    std::string client_cert_path;
    std::string client_key_path;
    bool tls_insecure = false;
    uint32_t keep_alive_secs = 60;
    uint32_t connection_timeout_secs = 30;
    uint64_t max_packet_size = 10485760;
    bool clean_session = true;
    bool include_metadata = true;
    bool tcp_nodelay = true;
    ProtocolVersion protocol_version = ProtocolVersion::v311;
    bool ack_after_publish = false;
    bool key_routing = true;
    std::vector<Route> routes;
    /// Non-fatal findings (deprecated keys, shadowed routes) for the log.
    std::vector<std::string> warnings;
};

// Environment lookups, from the SDK (tests pass their own).
using dcx::sdk::config::EnvLookup;
using dcx::sdk::config::process_env;

/// Parses `plugin_config` (the whole object the host passes; the section is its "mqtt" member),
/// applies MQTT_BROKER_HOST/PORT, MQTT_CLIENT_ID, MQTT_USERNAME, MQTT_PASSWORD and MQTT_USE_TLS,
/// then validates. Throws dcx::sdk::ConfigError.
MqttConfig parse_config(const nlohmann::json& plugin_config, const EnvLookup& env = process_env);

/// The JSON Schema (draft 7) of the plugin section, checked by the host before initialize().
nlohmann::json config_schema();

/// "AtLeastOnce" and friends (also 0, 1, 2) to a QoS number; nullopt for anything else.
std::optional<int> parse_qos(const nlohmann::json& value);

}  // namespace dcx::mqtt
