// SPDX-License-Identifier: Apache-2.0
// Fuzz target: serialization of a record's payload for its topic's schema type (PayloadEncoder),
// the canonical JSON writer and its one-pass is_canonical_json fast path, JSON Schema validation
// (fixed schemas, or one read from the input) with its compiled checks, and base64.
//
// Input: the payload bytes from the front; from the back (fuzz_input.hpp): the schema type, the
// payload kind, the validator and how deep to wrap the payload in arrays (deep nesting without
// megabyte inputs). With the last validator choice the front is "<schema JSON>\0<payload>".
//
// Properties:
// - encode() gives the bytes of a plain DOM reference (parse, validate, canonical_json), so every
//   fast path (text already canonical, string/bytes pass-through) agrees with the slow path;
// - is_canonical_json(t) implies t parses and canonical_json gives t back;
// - canonical_json is a fixed point: its output parses to the same value and rewrites to itself,
//   and without escapes it passes is_canonical_json;
// - the compiled JSON Schema checks never accept a record that valijson refuses (encode() agreeing
//   with the reference shows it for whole records; checked directly on the text as well);
// - JSON is read as serde_json reads it: over 127 levels deep or with a byte order mark, refused;
// - base64 round-trips; bytes pass through a bytes topic unchanged.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "fuzz_input.hpp"
#include "plugin/owned_record.hpp"
#include "schema/canonical_json.hpp"
#include "schema/json_validator.hpp"
#include "schema/payload_encoder.hpp"

namespace {

using dcx::fuzz::expect;
using dcx::fuzz::FuzzInput;
using dcx::plugin::OwnedRecord;
using dcx::plugin::PayloadKind;
using dcx::schema::canonical_json;
using dcx::schema::EncodeError;
using dcx::schema::is_canonical_json;
using dcx::schema::JsonSchemaValidator;
using dcx::schema::SchemaType;
using nlohmann::json;

constexpr SchemaType kTypes[] = {SchemaType::none,   SchemaType::json_schema, SchemaType::avro,
                                 SchemaType::string, SchemaType::number,      SchemaType::bytes};

// Schemas with the keywords records meet in practice, compiled once.
constexpr const char* kSchemas[] = {
    R"({})",
    R"({"type":"object","required":["id"],"additionalProperties":false,
        "properties":{"id":{"type":"integer","minimum":1,"maximum":1000000},
                      "name":{"type":"string","minLength":1,"maxLength":16,"pattern":"^[a-z][a-z0-9_]*$"},
                      "score":{"type":"number","exclusiveMinimum":0,"multipleOf":0.5},
                      "tags":{"type":"array","items":{"type":"string"},"uniqueItems":true,"maxItems":4},
                      "at":{"type":"string","format":"date-time"},
                      "kind":{"enum":["a","b",1,null]}}})",
    R"({"anyOf":[{"type":"string","format":"date"},{"type":"number"},
                 {"type":"array","items":{"$ref":"#"}},{"type":"object","additionalProperties":{"$ref":"#"}}]})",
    R"({"type":"object","patternProperties":{"^x-":{"type":"string"}},"propertyNames":{"maxLength":8},
        "minProperties":1,"dependencies":{"a":["b"]},"not":{"required":["forbidden"]}})",
    R"({"oneOf":[{"type":"integer"},{"type":"number","minimum":10}],"if":{"minimum":100},"then":{"maximum":200},
        "else":{"const":5}})",
    R"({"type":"array","prefixItems":[{"type":"string"}],"items":[{"type":"string"},{"type":"integer"}],
        "additionalItems":false,"contains":{"type":"string","format":"time"}})",
    // Only keywords the compiled checks cover (compiled_json_schema.hpp): records take the fast path.
    R"({"$schema":"http://json-schema.org/draft-07/schema#","title":"order","type":"object","required":["id","items"],
        "additionalProperties":false,"maxProperties":6,
        "properties":{"id":{"type":"integer","minimum":1,"exclusiveMaximum":1000000},
                      "name":{"type":["string","null"],"minLength":2,"maxLength":8,"pattern":"^[a-z]"},
                      "kind":{"enum":["a","b",1,true,null,2.5,[1]]},"v":{"const":3},"w":{"const":"x"},
                      "items":{"type":"array","minItems":1,"maxItems":3,"items":{"$ref":"#/definitions/item"}},
                      "meta":{"type":"object","additionalProperties":{"type":"number","maximum":10,"exclusiveMinimum":-1}},
                      "any":true,"none":false},
        "definitions":{"item":{"type":"object","required":["sku"],
                               "properties":{"sku":{"type":"string","maxLength":3},"sub":{"$ref":"#/definitions/item"}}}}})",
    R"({"type":["array","integer","boolean"],"items":{"$ref":"#"},"maxItems":2,"maximum":5,"uniqueItems":false})",
    R"({"type":"object","required":["seq","data","ts"],"properties":{"seq":{"type":"integer","minimum":0},
        "key":{"type":"string"},"data":{"type":"string"},"ts":{"type":"integer"}}})",
};
constexpr size_t kSchemaCount = sizeof kSchemas / sizeof kSchemas[0];
constexpr size_t kFirstCompiledSchema = 6;  // from here on the compiled checks must cover the schema

JsonSchemaValidator* fixed_validator(size_t i) {
    static std::unique_ptr<JsonSchemaValidator> compiled[kSchemaCount];
    if (!compiled[i]) {
        compiled[i] = std::make_unique<JsonSchemaValidator>(json::parse(kSchemas[i]));
        expect(i < kFirstCompiledSchema || compiled[i]->why_not_compiled().empty());
    }
    return compiled[i].get();
}

size_t nesting(std::string_view text) {
    size_t depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            max = std::max(max, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return max;
}

// serde_json refuses 128 nested arrays/objects and a byte order mark; so does the host.
bool serde_reads(std::string_view text) { return nesting(text) <= 127 && text.substr(0, 3) != "\xEF\xBB\xBF"; }

struct Outcome {
    std::optional<EncodeError::Stage> error;  // nullopt: encoded
    std::string bytes;
};

// What the reference runtime's record would serialize to, the slow way: a DOM, then the writer.
Outcome reference(const OwnedRecord& r, SchemaType type, JsonSchemaValidator* validator) {
    using Stage = EncodeError::Stage;
    if ((type == SchemaType::string && r.kind == PayloadKind::string) ||
        (type == SchemaType::bytes && r.kind == PayloadKind::bytes)) {
        return {std::nullopt, r.payload};
    }
    json v;
    switch (r.kind) {
        case PayloadKind::json:
        case PayloadKind::number:
            if (!serde_reads(r.payload)) return {Stage::validate, {}};
            v = json::parse(r.payload, nullptr, false);
            if (v.is_discarded() || (r.kind == PayloadKind::number && !v.is_number())) return {Stage::validate, {}};
            break;
        case PayloadKind::string: v = r.payload; break;
        case PayloadKind::bytes: v = json{{"data", dcx::base64_encode(r.payload)}, {"size", r.payload.size()}}; break;
    }
    const auto decode = [](const std::string& text) -> Outcome {
        auto d = dcx::base64_decode(text);
        if (!d) return {Stage::serialize, {}};
        return {std::nullopt, std::move(*d)};
    };
    switch (type) {
        case SchemaType::json_schema:
            if (validator && validator->validate(v)) return {Stage::validate, {}};
            return {std::nullopt, canonical_json(v)};
        case SchemaType::none:
        case SchemaType::avro:
        case SchemaType::number: return {std::nullopt, canonical_json(v)};
        case SchemaType::string: return {std::nullopt, v.is_string() ? v.get<std::string>() : canonical_json(v)};
        case SchemaType::bytes:
            if (v.is_string()) return decode(v.get<std::string>());
            if (v.is_object() && v.contains("data") && v["data"].is_string()) return decode(v["data"].get<std::string>());
            return {Stage::serialize, {}};
    }
    return {Stage::serialize, {}};
}

void check_canonical(std::string_view text) {
    if (is_canonical_json(text)) {
        const json v = json::parse(text, nullptr, false);
        expect(!v.is_discarded());
        expect(canonical_json(v) == text);
    }
}

void check_writer(const json& v) {
    const std::string c = canonical_json(v);
    const json back = json::parse(c, nullptr, false);
    expect(!back.is_discarded());
    expect(canonical_json(back) == c);
    if (c.find('\\') == std::string::npos && nesting(c) < 128) expect(is_canonical_json(c));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzInput in(data, size);
    const SchemaType type = kTypes[in.integral<uint8_t>() % 6];
    const auto kind = static_cast<PayloadKind>(in.integral<uint8_t>() % 4);
    // 0: no validator; 1..kSchemaCount: kSchemas; the last: a schema read from the input.
    const size_t choice = in.integral<uint8_t>() % (kSchemaCount + 2);
    const uint8_t wrap = in.integral<uint8_t>();
    // Mostly none; sometimes around serde_json's limit of 128; rarely very deep.
    const size_t depth = wrap < 200 ? 0 : wrap < 250 ? static_cast<size_t>(wrap - 200) * 3 : (wrap - 249) * 20000;

    std::unique_ptr<JsonSchemaValidator> own;
    JsonSchemaValidator* validator = nullptr;
    if (choice == kSchemaCount + 1) {
        const json schema = json::parse(in.until('\0'), nullptr, false);
        if (!schema.is_discarded()) {
            try {
                own = std::make_unique<JsonSchemaValidator>(schema);
                validator = own.get();
            } catch (const std::runtime_error&) {
                // Not a usable schema: refused when the daemon starts.
            }
        }
    } else if (choice > 0) {
        validator = fixed_validator(choice - 1);
    }

    OwnedRecord record;
    record.kind = kind;
    record.topic = "/default/fuzz";
    const std::string_view body = in.rest();
    record.payload.reserve(body.size() + 2 * depth);
    record.payload.append(depth, '[').append(body).append(depth, ']');

    dcx::schema::PayloadEncoder encoder;
    std::string out;
    const auto err = encoder.encode(record, type, validator, out);
    const Outcome want = reference(record, type, validator);
    expect(err.has_value() == want.error.has_value());
    if (err) {
        expect(err->stage == *want.error && !err->message.empty());
    } else {
        expect(out == want.bytes);
    }
    // The encoder is reused record after record: a second run gives the same answer.
    std::string again;
    const auto err2 = encoder.encode(record, type, validator, again);
    expect(err2.has_value() == err.has_value() && again == out);

    if (validator && validator->accepts_text(record.payload)) {
        const json v = json::parse(record.payload, nullptr, false);
        expect(!v.is_discarded() && !validator->validate(v));
    }

    check_canonical(record.payload);
    if (record.kind == PayloadKind::json && serde_reads(record.payload)) {
        const json v = json::parse(record.payload, nullptr, false);
        if (!v.is_discarded()) check_writer(v);
    }
    const std::string b64 = dcx::base64_encode(body);
    const auto decoded = dcx::base64_decode(b64);
    expect(decoded && *decoded == body);
    if (const auto d = dcx::base64_decode(body)) expect(dcx::base64_encode(*d) == body);  // strict: one spelling
    return 0;
}
