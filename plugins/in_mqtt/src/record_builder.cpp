// SPDX-License-Identifier: Apache-2.0
// MQTT message to record; see record_builder.hpp.
#include "record_builder.hpp"

namespace dcx::mqtt {

using nlohmann::json;

json payload_value(std::string_view payload) { return dcx::sdk::json_or_base64_wrapper(payload); }

dcx::sdk::SourceRecord build_record(const InboundMessage& m, const std::string& danube_topic, const RecordOptions& options) {
    auto record = dcx::sdk::SourceRecord::from_json(danube_topic, payload_value(m.payload));
    if (!options.include_metadata) return record;
    record.with_attribute("mqtt.topic", std::string(m.topic))
        .with_attribute("mqtt.qos", std::to_string(m.qos))
        .with_attribute("mqtt.retain", m.retain ? "true" : "false")
        .with_attribute("mqtt.dup", m.dup ? "true" : "false")
        .with_attribute("source", "mqtt");
    // Repeated user property names keep the last value, as repeated JSON keys do.
    std::vector<std::pair<std::string, std::string>> props;
    for (const auto& [name, value] : m.user_properties) {
        std::string attr = std::string(kUserPropertyPrefix) + name;
        bool replaced = false;
        for (auto& p : props) {
            if (p.first == attr) {
                p.second = value;
                replaced = true;
            }
        }
        if (!replaced) props.emplace_back(std::move(attr), value);
    }
    for (auto& [k, v] : props) record.with_attribute(std::move(k), std::move(v));
    if (options.key_routing) record.with_key(std::string(m.topic));
    return record;
}

}  // namespace dcx::mqtt
