// SPDX-License-Identifier: Apache-2.0
#include "plugin/owned_record.hpp"

#include "common/utf8.hpp"

namespace dcx::plugin {

const char* to_string(PayloadKind kind) {
    switch (kind) {
        case PayloadKind::json: return "json";
        case PayloadKind::string: return "string";
        case PayloadKind::number: return "number";
        case PayloadKind::bytes: return "bytes";
    }
    return "unknown";
}

OwnedRecord& RecordBatch::append() {
    if (size_ == slots_.size()) slots_.emplace_back();
    OwnedRecord& r = slots_[size_++];
    r.kind = PayloadKind::json;
    r.topic.clear();
    r.payload.clear();
    r.attributes.clear();
    r.key.reset();
    r.offset.reset();
    r.user_token = 0;
    r.event_time_ms = 0;
    return r;
}

std::optional<std::string> check_record(const OwnedRecord& r, size_t max_record_bytes) {
    if (r.topic.empty()) return "record has an empty topic";
    if (!is_valid_utf8(r.topic)) return "record topic is not valid UTF-8";
    if (r.key && !is_valid_utf8(*r.key)) return "record key is not valid UTF-8";
    size_t total = r.topic.size() + r.payload.size() + (r.key ? r.key->size() : 0);
    for (const auto& [k, v] : r.attributes) {
        if (!is_valid_utf8(k)) return "an attribute name is not valid UTF-8";
        if (!is_valid_utf8(v)) return "attribute '" + k + "' has a value that is not valid UTF-8";
        total += k.size() + v.size();
    }
    if (r.kind != PayloadKind::bytes && !is_valid_utf8(r.payload)) {
        return std::string("payload of kind ") + to_string(r.kind) + " is not valid UTF-8";
    }
    if (total > max_record_bytes) {
        return "record is " + std::to_string(total) + " bytes, over the limit of " + std::to_string(max_record_bytes) +
               " bytes (max_record_bytes)";
    }
    return std::nullopt;
}

}  // namespace dcx::plugin
