// SPDX-License-Identifier: Apache-2.0
// MQTT message to record; see record_builder.hpp.
#include "record_builder.hpp"

#include <cmath>

namespace dcx::mqtt {
namespace {

using nlohmann::json;

// serde_json's default recursion limit: 128 nested arrays/objects fail, 127 parse.
constexpr size_t kMaxJsonDepth = 127;

// True when nesting stays within serde_json's limit. Scans brackets outside strings only, so
// it is cheap and never recurses (nlohmann's parser would recurse as deep as the input goes).
bool depth_within_limit(std::string_view text) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) --depth;
    }
    return true;
}

// serde_json refuses numbers that overflow a double ("number out of range"); nlohmann turns
// them into infinity, so such documents count as not JSON here too.
bool all_numbers_finite(const json& v) {
    switch (v.type()) {
        case json::value_t::number_float: return std::isfinite(v.get<double>());
        case json::value_t::array:
        case json::value_t::object:
            for (const auto& child : v) {
                if (!all_numbers_finite(child)) return false;
            }
            return true;
        default: return true;
    }
}

json wrapper(std::string_view payload) {
    return json{{"data", base64_encode(payload)}, {"encoding", "base64"}, {"size", payload.size()}};
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                           static_cast<uint8_t>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    const size_t rest = bytes.size() - i;
    if (rest == 1) {
        const uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

json payload_value(std::string_view payload) {
    // nlohmann skips a UTF-8 byte order mark; serde_json does not accept one.
    if (payload.substr(0, 3) == "\xEF\xBB\xBF") return wrapper(payload);
    if (!depth_within_limit(payload)) return wrapper(payload);
    json value = json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !all_numbers_finite(value)) return wrapper(payload);
    return value;
}

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
