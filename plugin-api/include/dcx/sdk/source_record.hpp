// SPDX-License-Identifier: Apache-2.0
// SourceRecord, Offset and ProducerConfig: the guide's record model, as C++ value types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcx/plugin_api.h"
#include "dcx/sdk/error.hpp"

namespace dcx::sdk {

/// A position in the source (the reference runtime's Offset).
struct Offset {
    std::string partition;
    uint64_t value = 0;
    std::optional<std::string> metadata;

    friend bool operator==(const Offset&, const Offset&) = default;
};

/// One destination topic declared by producer_configs().
struct ProducerConfig {
    std::string topic;
    uint32_t partitions = 0;  // 0: plain topic; N: `<topic>-part-0..N-1`
    bool reliable_dispatch = false;
};

/// A record for the host to validate, serialize per the topic's schema and publish.
class SourceRecord {
public:
    enum class Kind : int32_t { json = DCX_PAYLOAD_JSON, string = DCX_PAYLOAD_STRING, number = DCX_PAYLOAD_NUMBER, bytes = DCX_PAYLOAD_BYTES };

    /// A JSON value (SourceRecord::new in the guide).
    SourceRecord(std::string topic, const nlohmann::json& value)
        : SourceRecord(Kind::json, std::move(topic), value.dump()) {}

    static SourceRecord from_json(std::string topic, const nlohmann::json& value) {
        return SourceRecord(std::move(topic), value);
    }
    /// JSON text the plugin already has (a source that delivers JSON, or text built without a
    /// DOM): sent without parsing and re-serializing in the plugin. The host reads it as
    /// serde_json would and refuses a record that is not valid JSON (INVALID_RECORD, dead letter
    /// policy); text already in canonical form (sorted keys, compact) goes out byte for byte.
    static SourceRecord from_json_text(std::string topic, std::string json_text) {
        return SourceRecord(Kind::json, std::move(topic), std::move(json_text));
    }
    /// Text carried as a JSON string.
    static SourceRecord from_string(std::string topic, std::string text) {
        return SourceRecord(Kind::string, std::move(topic), std::move(text));
    }
    /// A JSON number; throws InvalidDataError("Value is not a number") for anything else.
    static SourceRecord from_number(std::string topic, const nlohmann::json& number) {
        if (!number.is_number()) throw InvalidDataError("Value is not a number");
        return SourceRecord(Kind::number, std::move(topic), number.dump());
    }
    /// Opaque bytes; JSON topics receive {"data":"<base64>","size":n}, `bytes` topics the raw bytes.
    static SourceRecord from_bytes(std::string topic, std::string bytes) {
        return SourceRecord(Kind::bytes, std::move(topic), std::move(bytes));
    }

    // Builders work on named records and on temporaries (no copy in `push_back(from_json(...).with_key(k))`).
    SourceRecord& with_attribute(std::string key, std::string value) & {
        if (attributes_.empty()) attributes_.reserve(4);  // one allocation for the usual few, not one per growth
        attributes_.emplace_back(std::move(key), std::move(value));
        return *this;
    }
    SourceRecord&& with_attribute(std::string key, std::string value) && {
        return std::move(with_attribute(std::move(key), std::move(value)));
    }
    SourceRecord& with_attributes(const std::map<std::string, std::string>& attributes) & {
        for (const auto& [k, v] : attributes) attributes_.emplace_back(k, v);
        return *this;
    }
    SourceRecord&& with_attributes(const std::map<std::string, std::string>& attributes) && {
        return std::move(with_attributes(attributes));
    }
    /// Routing key: records with one key always reach the same partition, in order.
    SourceRecord& with_key(std::string key) & {
        key_ = std::move(key);
        return *this;
    }
    SourceRecord&& with_key(std::string key) && { return std::move(with_key(std::move(key))); }
    SourceRecord& with_offset(Offset offset) & {
        offset_ = std::move(offset);
        return *this;
    }
    SourceRecord&& with_offset(Offset offset) && { return std::move(with_offset(std::move(offset))); }
    /// Tracks this record: connectors deriving from RecordOutcomes hear its fate with this token (non-zero).
    SourceRecord& with_token(uint64_t token) & {
        token_ = token;
        return *this;
    }
    SourceRecord&& with_token(uint64_t token) && { return std::move(with_token(token)); }
    /// Source event time in ms since the epoch, sent as the message's publish_time.
    SourceRecord& with_event_time_ms(int64_t ms) & {
        event_time_ms_ = ms;
        return *this;
    }
    SourceRecord&& with_event_time_ms(int64_t ms) && { return std::move(with_event_time_ms(ms)); }

    Kind kind() const { return kind_; }
    const std::string& topic() const { return topic_; }
    const std::string& payload() const { return payload_; }
    const std::vector<std::pair<std::string, std::string>>& attributes() const { return attributes_; }
    const std::optional<std::string>& key() const { return key_; }
    const std::optional<Offset>& offset() const { return offset_; }
    int64_t event_time_ms() const { return event_time_ms_; }
    uint64_t token() const { return token_; }

private:
    SourceRecord(Kind kind, std::string topic, std::string payload)
        : kind_(kind), topic_(std::move(topic)), payload_(std::move(payload)) {}

    Kind kind_;
    std::string topic_;
    std::string payload_;
    std::vector<std::pair<std::string, std::string>> attributes_;
    std::optional<std::string> key_;
    std::optional<Offset> offset_;
    int64_t event_time_ms_ = 0;
    uint64_t token_ = 0;
};

}  // namespace dcx::sdk
