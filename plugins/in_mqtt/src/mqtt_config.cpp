// SPDX-License-Identifier: Apache-2.0
// Parsing and validation of the [mqtt] section; see mqtt_config.hpp.
#include "mqtt_config.hpp"

#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "dcx/sdk/config_fields.hpp"
#include "topic_filter.hpp"

namespace dcx::mqtt {
namespace {

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

const Keys kSectionKeys = {
    // The Rust connector's keys (source-plugins.md §1.1).
    "broker_host", "broker_port", "client_id", "username", "password", "use_tls", "keep_alive_secs",
    "connection_timeout_secs", "max_packet_size", "clean_session", "include_metadata", "tcp_nodelay", "routes",
    // Its older route list, and the keys its docs promised (TLS files).
    "topic_mappings", "ca_cert_path", "client_cert_path", "client_key_path",
    // This plugin's own.
    "tls_insecure", "protocol_version", "ack_after_publish", "key_routing"};
const Keys kRouteKeys = {"from", "to", "qos", "partitions", "reliable_dispatch"};
const Keys kLegacyRouteKeys = {"mqtt_topic", "danube_topic", "qos", "partitions", "reliable_dispatch"};

// A QoS as written, for its error: QoS names and numbers are never secrets.
std::string shown_qos(const json& v) {
    if (v.is_string()) return quote_value(v.get_ref<const std::string&>());
    if (v.is_number_integer()) return v.dump();
    return type_name(v);
}

// Rust's `u16::from_str`: ASCII digits with an optional leading '+', nothing else.
std::optional<uint16_t> parse_port(const std::string& text) {
    std::string digits = text;
    if (!digits.empty() && digits.front() == '+') digits.erase(0, 1);
    if (digits.empty() || digits.size() > 5) return std::nullopt;
    uint32_t n = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<uint32_t>(c - '0');
    }
    if (n > 65535) return std::nullopt;
    return static_cast<uint16_t>(n);
}

Route parse_route(const json& entry, const std::string& path, bool legacy) {
    table(entry, path);
    reject_unknown(entry, legacy ? kLegacyRouteKeys : kRouteKeys, path);
    const char* from_key = legacy ? "mqtt_topic" : "from";
    const char* to_key = legacy ? "danube_topic" : "to";
    Route r;
    r.path = path;
    if (entry.contains(from_key)) r.from = string(entry[from_key], path + "." + from_key);
    if (entry.contains(to_key)) r.to = string(entry[to_key], path + "." + to_key);
    // The Rust connector's messages (source-plugins.md §1.1).
    if (r.from.empty()) fail(path + "." + from_key, legacy ? "MQTT topic cannot be empty" : "Route 'from' cannot be empty");
    if (r.to.empty()) fail(path + "." + to_key, legacy ? "Danube topic cannot be empty" : "Route 'to' cannot be empty");
    if (auto why = filter_error(r.from)) fail(path + "." + from_key, *why);
    r.match_filter = std::string(matching_part(r.from));
    if (entry.contains("qos")) {
        const auto qos = parse_qos(entry["qos"]);
        if (!qos) {
            fail(path + ".qos",
                 "expected \"AtMostOnce\", \"AtLeastOnce\" or \"ExactlyOnce\" (or 0, 1, 2), got " + shown_qos(entry["qos"]));
        }
        r.qos = *qos;
    }
    if (entry.contains("partitions")) {
        r.partitions = static_cast<uint32_t>(uint(entry["partitions"], path + ".partitions", 0, std::numeric_limits<uint32_t>::max()));
    }
    // Absent: derived from the QoS, as the Rust connector does (false only for AtMostOnce).
    r.reliable_dispatch = entry.contains("reliable_dispatch") ? boolean(entry["reliable_dispatch"], path + ".reliable_dispatch")
                                                              : r.qos != 0;
    return r;
}

}  // namespace

std::optional<int> parse_qos(const json& value) {
    if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        if (s == "AtMostOnce") return 0;
        if (s == "AtLeastOnce") return 1;
        if (s == "ExactlyOnce") return 2;
        return std::nullopt;
    }
    if (value.is_number_integer()) {
        const int64_t n = value.get<int64_t>();
        if (n >= 0 && n <= 2) return static_cast<int>(n);
    }
    return std::nullopt;
}

MqttConfig parse_config(const json& plugin_config, const EnvLookup& env) {
    if (!plugin_config.is_object() || !plugin_config.contains("mqtt")) fail("mqtt", "the [mqtt] section is required");
    for (const auto& [k, _] : plugin_config.items()) {
        if (k != "mqtt") fail(k, "unknown key (the in_mqtt plugin reads only [mqtt])");
    }
    const json& s = table(plugin_config["mqtt"], "mqtt");
    reject_unknown(s, kSectionKeys, "mqtt");

    MqttConfig c;
    auto key = [](const std::string& k) { return "mqtt." + k; };
    for (const auto& [k, v] : s.items()) {
        const std::string p = key(k);
        if (k == "broker_host") c.broker_host = string(v, p);
        else if (k == "broker_port") c.broker_port = static_cast<uint16_t>(uint(v, p, 1, 65535));
        else if (k == "client_id") c.client_id = string(v, p);
        else if (k == "username") c.username = string(v, p);
        else if (k == "password") c.password = string(v, p);
        else if (k == "use_tls") c.use_tls = boolean(v, p);
        else if (k == "ca_cert_path") c.ca_cert_path = string(v, p);
        else if (k == "client_cert_path") c.client_cert_path = string(v, p);
        else if (k == "client_key_path") c.client_key_path = string(v, p);
        else if (k == "tls_insecure") c.tls_insecure = boolean(v, p);
        // libmosquitto refuses keep-alives from 1 to 4 s; 0 turns keep-alive off.
        else if (k == "keep_alive_secs") {
            c.keep_alive_secs = static_cast<uint32_t>(uint(v, p, 0, 65535));
            if (c.keep_alive_secs > 0 && c.keep_alive_secs < 5) fail(p, "must be 0 (off) or from 5 to 65535, got " + std::to_string(c.keep_alive_secs));
        } else if (k == "connection_timeout_secs") c.connection_timeout_secs = static_cast<uint32_t>(uint(v, p, 1, 86400));
        else if (k == "max_packet_size") c.max_packet_size = uint(v, p, 1, std::numeric_limits<uint32_t>::max());
        else if (k == "clean_session") c.clean_session = boolean(v, p);
        else if (k == "include_metadata") c.include_metadata = boolean(v, p);
        else if (k == "tcp_nodelay") c.tcp_nodelay = boolean(v, p);
        else if (k == "protocol_version") {
            c.protocol_version = one_of(v, p, {"3.1.1", "5"}) == 0 ? ProtocolVersion::v311 : ProtocolVersion::v5;
        } else if (k == "ack_after_publish") c.ack_after_publish = boolean(v, p);
        else if (k == "key_routing") c.key_routing = boolean(v, p);
    }

    const bool has_routes = s.contains("routes");
    const bool has_mappings = s.contains("topic_mappings");
    if (has_routes && has_mappings) fail("mqtt.topic_mappings", "set routes or the older topic_mappings, not both");
    if (has_mappings) {
        c.warnings.push_back("mqtt.topic_mappings (mqtt_topic/danube_topic) is deprecated: use [[mqtt.routes]] with from/to");
    }
    const std::string list_key = has_mappings ? "topic_mappings" : "routes";
    if (s.contains(list_key)) {
        const json& list = s[list_key];
        if (!list.is_array()) {
            fail(key(list_key), "expected an array of tables ([[mqtt." + list_key + "]]), got " + type_name(list));
        }
        for (size_t i = 0; i < list.size(); ++i) {
            c.routes.push_back(parse_route(list[i], key(list_key) + "[" + std::to_string(i) + "]", has_mappings));
        }
    }

    // Environment overrides come after parsing and before validation, as in the Rust connector.
    if (auto v = env("MQTT_BROKER_HOST")) c.broker_host = *v;
    if (auto v = env("MQTT_BROKER_PORT")) {
        if (auto port = parse_port(*v); port && *port > 0) c.broker_port = *port;
        else c.warnings.push_back("MQTT_BROKER_PORT is not a port number; ignored (as the Rust connector does)");
    }
    if (auto v = env("MQTT_CLIENT_ID")) c.client_id = *v;
    if (auto v = env("MQTT_USERNAME")) c.username = *v;
    if (auto v = env("MQTT_PASSWORD")) c.password = *v;
    if (auto v = env("MQTT_USE_TLS")) {
        if (*v == "true") c.use_tls = true;
        else if (*v == "false") c.use_tls = false;
        else c.warnings.push_back("MQTT_USE_TLS must be \"true\" or \"false\"; ignored (as the Rust connector does)");
    }

    if (c.broker_host.empty()) fail("mqtt.broker_host", "broker_host cannot be empty (set it, or MQTT_BROKER_HOST)");
    if (c.client_id.empty()) fail("mqtt.client_id", "client_id cannot be empty (set it, or MQTT_CLIENT_ID)");
    if (c.routes.empty()) fail("mqtt.routes", "At least one route is required");
    // MQTT 3.1.1 §3.1.2.9: a password needs a user name (MQTT 5 allows it alone).
    if (c.password && !c.username && c.protocol_version == ProtocolVersion::v311) {
        fail("mqtt.password", "a password needs a username with MQTT 3.1.1 (set username or MQTT_USERNAME)");
    }
    if (c.client_cert_path.empty() != c.client_key_path.empty()) {
        fail("mqtt.client_cert_path", "client_cert_path and client_key_path go together");
    }
    const bool tls_paths = !c.ca_cert_path.empty() || !c.client_cert_path.empty();
    if (c.use_tls) {
        for (const auto& [k, path] : std::map<std::string, std::string>{
                 {"ca_cert_path", c.ca_cert_path}, {"client_cert_path", c.client_cert_path}, {"client_key_path", c.client_key_path}}) {
            std::error_code ec;
            if (!path.empty() && !std::filesystem::is_regular_file(path, ec)) fail(key(k), "file " + path + " does not exist");
        }
    } else if (tls_paths) {
        c.warnings.push_back("mqtt.ca_cert_path/client_cert_path are ignored because use_tls = false");
    }
    if (c.ack_after_publish && c.clean_session) {
        c.warnings.push_back(
            "mqtt.ack_after_publish without clean_session = false: a message not yet acknowledged when the "
            "connection ends is discarded by the MQTT broker instead of being sent again");
    }
    std::map<std::string, std::string> first_with_filter;
    for (const auto& r : c.routes) {
        const auto [it, fresh] = first_with_filter.emplace(r.match_filter, r.path);
        if (!fresh) {
            c.warnings.push_back(r.path + " matches the same topics as " + it->second +
                                 ", which comes first and wins: it never receives a message");
        }
    }
    return c;
}

json config_schema() {
    // Draft 7. The section and each route reject unknown keys, so a typo is reported with its path.
    static const char* kSchema = R"({
  "type": "object",
  "required": ["mqtt"],
  "additionalProperties": false,
  "properties": {
    "mqtt": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "broker_host": {"type": "string"},
        "broker_port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "client_id": {"type": "string"},
        "username": {"type": "string"},
        "password": {"type": "string"},
        "use_tls": {"type": "boolean"},
        "ca_cert_path": {"type": "string"},
        "client_cert_path": {"type": "string"},
        "client_key_path": {"type": "string"},
        "tls_insecure": {"type": "boolean"},
        "keep_alive_secs": {"type": "integer", "minimum": 0, "maximum": 65535},
        "connection_timeout_secs": {"type": "integer", "minimum": 1, "maximum": 86400},
        "max_packet_size": {"type": "integer", "minimum": 1, "maximum": 4294967295},
        "clean_session": {"type": "boolean"},
        "include_metadata": {"type": "boolean"},
        "tcp_nodelay": {"type": "boolean"},
        "protocol_version": {"enum": ["3.1.1", "5"]},
        "ack_after_publish": {"type": "boolean"},
        "key_routing": {"type": "boolean"},
        "routes": {"type": "array", "items": {"$ref": "#/definitions/route"}},
        "topic_mappings": {"type": "array", "items": {"$ref": "#/definitions/topic_mapping"}}
      }
    }
  },
  "definitions": {
    "qos": {"enum": ["AtMostOnce", "AtLeastOnce", "ExactlyOnce", 0, 1, 2]},
    "route": {
      "type": "object",
      "additionalProperties": false,
      "required": ["from", "to"],
      "properties": {
        "from": {"type": "string", "minLength": 1},
        "to": {"type": "string", "minLength": 1},
        "qos": {"$ref": "#/definitions/qos"},
        "partitions": {"type": "integer", "minimum": 0, "maximum": 4294967295},
        "reliable_dispatch": {"type": "boolean"}
      }
    },
    "topic_mapping": {
      "type": "object",
      "additionalProperties": false,
      "required": ["mqtt_topic", "danube_topic"],
      "properties": {
        "mqtt_topic": {"type": "string", "minLength": 1},
        "danube_topic": {"type": "string", "minLength": 1},
        "qos": {"$ref": "#/definitions/qos"},
        "partitions": {"type": "integer", "minimum": 0, "maximum": 4294967295},
        "reliable_dispatch": {"type": "boolean"}
      }
    }
  }
})";
    return json::parse(kSchema);
}

}  // namespace dcx::mqtt
