// SPDX-License-Identifier: Apache-2.0
// Turns an MQTT message into the record the Rust connector would produce (source-plugins.md
// §0 and §1.4): the payload as JSON when it parses, else the base64 wrapper object; attributes
// mqtt.topic, mqtt.qos, mqtt.retain, mqtt.dup and source; the MQTT topic as the key.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dcx/sdk/json_payload.hpp"
#include "dcx/sdk/source_record.hpp"
#include "inbound_message.hpp"

namespace dcx::mqtt {

/// Prefix of the attribute names MQTT 5 user properties get (`mqtt.user.<name>`).
inline constexpr std::string_view kUserPropertyPrefix = "mqtt.user.";

struct RecordOptions {
    bool include_metadata = true;  // attributes (and, with key_routing, the key)
    bool key_routing = true;       // key = MQTT topic, so the host keeps one MQTT topic on one partition
};

using dcx::sdk::base64_encode;

/// The payload value: the parsed JSON when `payload` is one JSON document as serde_json reads it
/// (any value, at most 127 levels deep, UTF-8), otherwise
/// {"data":"<base64>","encoding":"base64","size":<bytes>}.
nlohmann::json payload_value(std::string_view payload);

/// The record for `message` on the Danube topic `danube_topic`.
dcx::sdk::SourceRecord build_record(const InboundMessage& message, const std::string& danube_topic,
                                    const RecordOptions& options);

}  // namespace dcx::mqtt
