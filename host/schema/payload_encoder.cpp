// SPDX-License-Identifier: Apache-2.0
#include "schema/payload_encoder.hpp"

#include "common/base64.hpp"
#include "dcx/sdk/json_payload.hpp"
#include "schema/canonical_json.hpp"

namespace dcx::schema {
namespace {

using plugin::PayloadKind;
using Stage = EncodeError::Stage;

EncodeError serialize_error(std::string message) { return {Stage::serialize, "Serialization error: " + std::move(message)}; }

std::optional<EncodeError> decode_base64_into(const std::string& text, std::string& out) {
    auto decoded = base64_decode(text);
    if (!decoded) return serialize_error("Invalid base64: not standard base64 with padding");
    out = std::move(*decoded);
    return std::nullopt;
}

}  // namespace

SchemaType parse_schema_type(std::string_view t) {
    if (t == "json_schema" || t == "json") return SchemaType::json_schema;
    if (t == "avro") return SchemaType::avro;
    if (t == "string") return SchemaType::string;
    if (t == "number") return SchemaType::number;
    if (t == "bytes") return SchemaType::bytes;
    return SchemaType::none;
}

const char* to_string(SchemaType type) {
    switch (type) {
        case SchemaType::none: return "none";
        case SchemaType::json_schema: return "json_schema";
        case SchemaType::avro: return "avro";
        case SchemaType::string: return "string";
        case SchemaType::number: return "number";
        case SchemaType::bytes: return "bytes";
    }
    return "none";
}

// The JSON value the reference runtime's SourceRecord would hold for this record.
std::optional<EncodeError> PayloadEncoder::to_value(const plugin::OwnedRecord& r) {
    switch (r.kind) {
        case PayloadKind::json:
        case PayloadKind::number: {
            // Read as serde_json reads it: no byte order mark, at most 127 levels deep. The limit
            // also keeps deep input away from the recursive writer and validator (stack overflow).
            auto parsed = sdk::parse_json_like_serde(r.payload);
            if (!parsed) {
                return EncodeError{Stage::validate, r.kind == PayloadKind::json ? "payload is not valid JSON"
                                                                               : "Serialization error: Value is not a number"};
            }
            value_ = std::move(*parsed);
            if (r.kind == PayloadKind::number && !value_.is_number()) {
                return EncodeError{Stage::validate, "Serialization error: Value is not a number"};
            }
            return std::nullopt;
        }
        case PayloadKind::string: value_ = r.payload; return std::nullopt;
        case PayloadKind::bytes:
            value_ = nlohmann::json{{"data", base64_encode(r.payload)}, {"size", r.payload.size()}};
            return std::nullopt;
    }
    return EncodeError{Stage::validate, "unknown payload kind"};
}

std::optional<EncodeError> PayloadEncoder::encode(const plugin::OwnedRecord& r, SchemaType type,
                                                  JsonSchemaValidator* validator, std::string& out) {
    out.clear();
    // Fast paths that need no JSON: the bytes are already what the type asks for.
    if (type == SchemaType::string && r.kind == PayloadKind::string) {
        out = r.payload;
        return std::nullopt;
    }
    if (type == SchemaType::bytes && r.kind == PayloadKind::bytes) {
        out = r.payload;
        return std::nullopt;
    }
    // JSON text that is already canonical is sent as it is: no DOM, no re-serialization. Topics
    // with a JSON Schema still need the DOM for validation.
    const bool text_is_value = r.kind == PayloadKind::json || r.kind == PayloadKind::number;
    if (text_is_value && (type == SchemaType::none || type == SchemaType::avro || type == SchemaType::number) &&
        (r.kind == PayloadKind::json || (!r.payload.empty() && r.payload[0] != '{' && r.payload[0] != '[' &&
                                         r.payload[0] != '"' && r.payload[0] != 't' && r.payload[0] != 'f' &&
                                         r.payload[0] != 'n')) &&
        is_canonical_json(r.payload)) {
        out = r.payload;
        return std::nullopt;
    }
    if (type == SchemaType::string && r.kind == PayloadKind::json && !r.payload.empty() && r.payload[0] != '"' &&
        is_canonical_json(r.payload)) {
        out = r.payload;  // a non-string value under a string schema is sent as its JSON text
        return std::nullopt;
    }
    // JSON Schema topics: the schema's compiled checks read the text itself, and valid canonical
    // text is sent as it is, with no DOM at all. A record they do not accept takes the full path
    // below, where valijson decides and words the error.
    // Checked once: canonical text is valid JSON and UTF-8 already, and needs no re-serialization.
    const bool canonical_json_text =
        type == SchemaType::json_schema && r.kind == PayloadKind::json && is_canonical_json(r.payload);
    bool shown_valid = false;
    if (type == SchemaType::json_schema && r.kind == PayloadKind::json && validator) {
        shown_valid = validator->accepts_text(r.payload, canonical_json_text);
        if (shown_valid && canonical_json_text) {
            out = r.payload;
            return std::nullopt;
        }
    }
    if (auto err = to_value(r)) return err;

    switch (type) {
        case SchemaType::json_schema:
            if (validator && !shown_valid) {
                if (auto why = validator->validate(value_)) return EncodeError{Stage::validate, "JSON Schema validation failed: " + *why};
            }
            if (canonical_json_text) out = r.payload;  // no re-serialization
            else append_canonical_json(value_, out);
            return std::nullopt;
        case SchemaType::none:
        case SchemaType::avro:  // the reference runtime sends Avro topics JSON text too
        case SchemaType::number:
            append_canonical_json(value_, out);
            return std::nullopt;
        case SchemaType::string:
            if (value_.is_string()) out = value_.get_ref<const std::string&>();
            else append_canonical_json(value_, out);
            return std::nullopt;
        case SchemaType::bytes:
            if (value_.is_string()) return decode_base64_into(value_.get_ref<const std::string&>(), out);
            if (value_.is_object()) {
                const auto it = value_.find("data");
                if (it == value_.end() || !it->is_string()) return serialize_error("Expected 'data' field with base64 string");
                return decode_base64_into(it->get_ref<const std::string&>(), out);
            }
            return serialize_error("Cannot convert to bytes");
    }
    return std::nullopt;
}

}  // namespace dcx::schema
