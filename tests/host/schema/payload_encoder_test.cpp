// SPDX-License-Identifier: Apache-2.0
// Payload bytes per record kind and schema type (reference-runtime.md §6-7). The expectations live
// in corpus/payload_bytes.json so another implementation can run the same cases; this file runs
// them through PayloadEncoder and adds what is specific to this host (error stages, reuse).
#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "plugin/owned_record.hpp"
#include "schema/canonical_json.hpp"
#include "schema/json_validator.hpp"
#include "schema/payload_encoder.hpp"

using namespace dcx::schema;
using dcx::plugin::OwnedRecord;
using dcx::plugin::PayloadKind;
using nlohmann::json;

namespace {

const json& payload_corpus() {
    static const json data = [] {
        std::ifstream in(std::string(DCX_SCHEMA_CORPUS_DIR) + "/payload_bytes.json", std::ios::binary);
        REQUIRE(in.good());
        std::ostringstream text;
        text << in.rdbuf();
        return json::parse(text.str());
    }();
    return data;
}

PayloadKind kind_of(const std::string& name) {
    if (name == "json") return PayloadKind::json;
    if (name == "string") return PayloadKind::string;
    if (name == "number") return PayloadKind::number;
    if (name == "bytes") return PayloadKind::bytes;
    FAIL("unknown kind " << name);
    return PayloadKind::json;
}

std::string decode(const json& base64_text) {
    const auto bytes = dcx::base64_decode(base64_text.get<std::string>());
    REQUIRE(bytes.has_value());
    return *bytes;
}

OwnedRecord record(PayloadKind kind, std::string payload) {
    OwnedRecord r;
    r.kind = kind;
    r.topic = "/default/events";
    r.payload = std::move(payload);
    return r;
}

// "<root>[tags][1]": how valijson names the path that an error_path of ["tags", 1] lists.
std::string valijson_path(const json& segments) {
    std::string path = "<root>";
    for (const auto& s : segments) path += "[" + (s.is_string() ? s.get<std::string>() : s.dump()) + "]";
    return path;
}

struct Outcome {
    std::optional<EncodeError> error;
    std::string bytes;
};

Outcome encode(const OwnedRecord& r, SchemaType type, JsonSchemaValidator* validator = nullptr) {
    PayloadEncoder encoder;
    Outcome o;
    o.error = encoder.encode(r, type, validator, o.bytes);
    return o;
}

}  // namespace

TEST_CASE("the payload corpus covers every record kind under every schema type", "[unit][schema]") {
    const json& cases = payload_corpus().at("cases");
    REQUIRE(cases.size() >= 60);
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& c : cases) seen.emplace(c.at("kind").get<std::string>(), c.at("schema_type").get<std::string>());
    for (const char* kind : {"json", "string", "number", "bytes"}) {
        for (const char* type : {"none", "json_schema", "avro", "string", "number", "bytes"}) {
            INFO(kind << " under " << type);
            CHECK(seen.count({kind, type}) == 1);
        }
    }
}

TEST_CASE("the payload corpus text fields agree with its base64 fields", "[unit][schema]") {
    for (const auto& c : payload_corpus().at("cases")) {
        INFO(c.at("name").get<std::string>());
        if (c.contains("payload_text")) CHECK(decode(c.at("payload_base64")) == c.at("payload_text").get<std::string>());
        if (c.contains("expected_text")) CHECK(decode(c.at("expected_base64")) == c.at("expected_text").get<std::string>());
        CHECK(c.contains("expected_base64") != c.contains("error_prefix"));
    }
}

TEST_CASE("PayloadEncoder produces the corpus bytes and errors", "[unit][schema]") {
    for (const auto& c : payload_corpus().at("cases")) {
        const std::string name = c.at("name");
        INFO(name);
        const OwnedRecord r = record(kind_of(c.at("kind")), decode(c.at("payload_base64")));
        const SchemaType type = parse_schema_type(c.at("schema_type").get<std::string>());
        std::unique_ptr<JsonSchemaValidator> validator;
        if (c.contains("json_schema")) validator = std::make_unique<JsonSchemaValidator>(c.at("json_schema"));
        const Outcome o = encode(r, type, validator.get());
        if (c.contains("expected_base64")) {
            if (o.error) FAIL_CHECK("unexpected error: " << o.error->message);
            CHECK(o.bytes == decode(c.at("expected_base64")));
        } else {
            REQUIRE(o.error.has_value());
            CHECK_THAT(o.error->message, Catch::StartsWith(c.at("error_prefix").get<std::string>()));
            if (c.contains("error_path")) CHECK_THAT(o.error->message, Catch::Contains(valijson_path(c.at("error_path"))));
        }
    }
}

TEST_CASE("hello from bytes under a JSON topic is the base64 wrapper", "[unit][schema]") {
    const Outcome o = encode(record(PayloadKind::bytes, "hello"), SchemaType::json_schema);
    CHECK_FALSE(o.error);
    CHECK(o.bytes == R"({"data":"aGVsbG8=","size":5})");
}

TEST_CASE("schema type names map as the reference runtime lowercases them", "[unit][schema]") {
    CHECK(parse_schema_type("json_schema") == SchemaType::json_schema);
    CHECK(parse_schema_type("json") == SchemaType::json_schema);
    CHECK(parse_schema_type("avro") == SchemaType::avro);
    CHECK(parse_schema_type("string") == SchemaType::string);
    CHECK(parse_schema_type("number") == SchemaType::number);
    CHECK(parse_schema_type("bytes") == SchemaType::bytes);
    CHECK(parse_schema_type("xml") == SchemaType::none);
    CHECK(std::string(to_string(SchemaType::json_schema)) == "json_schema");
    CHECK(std::string(to_string(SchemaType::none)) == "none");
}

TEST_CASE("content problems are validate-stage errors and conversion problems serialize-stage", "[unit][schema]") {
    auto stage_of = [](PayloadKind kind, const std::string& payload, SchemaType type) {
        const Outcome o = encode(record(kind, payload), type);
        REQUIRE(o.error.has_value());
        return o.error->stage;
    };
    CHECK(stage_of(PayloadKind::json, "{", SchemaType::none) == EncodeError::Stage::validate);
    CHECK(stage_of(PayloadKind::number, "abc", SchemaType::number) == EncodeError::Stage::validate);
    CHECK(stage_of(PayloadKind::number, "42", SchemaType::bytes) == EncodeError::Stage::serialize);
    CHECK(stage_of(PayloadKind::json, R"({"a":1})", SchemaType::bytes) == EncodeError::Stage::serialize);
    CHECK(stage_of(PayloadKind::json, R"("aGl=")", SchemaType::bytes) == EncodeError::Stage::serialize);
}

TEST_CASE("a JSON Schema failure names the failing path and is a validate-stage error", "[unit][schema]") {
    JsonSchemaValidator validator(json::parse(R"({"type":"object","properties":{"id":{"type":"integer","minimum":1}}})"));
    const Outcome o = encode(record(PayloadKind::json, R"({"id":0})"), SchemaType::json_schema, &validator);
    REQUIRE(o.error.has_value());
    CHECK(o.error->stage == EncodeError::Stage::validate);
    CHECK_THAT(o.error->message, Catch::StartsWith("JSON Schema validation failed: <root>[id]"));
    CHECK(o.bytes.empty());
}

TEST_CASE("only json_schema topics are validated", "[unit][schema]") {
    JsonSchemaValidator validator(json::parse(R"({"type":"string"})"));
    for (const SchemaType type : {SchemaType::none, SchemaType::avro, SchemaType::string, SchemaType::number}) {
        const Outcome o = encode(record(PayloadKind::number, "7"), type, &validator);
        CHECK_FALSE(o.error);
        CHECK(o.bytes == "7");
    }
    CHECK(encode(record(PayloadKind::number, "7"), SchemaType::json_schema, &validator).error.has_value());
}

TEST_CASE("a schema that is not a usable JSON Schema is refused when compiled", "[unit][schema]") {
    CHECK_THROWS_WITH(JsonSchemaValidator(json::parse(R"({"type":42})")), Catch::Contains("not a usable JSON Schema"));
}

TEST_CASE("one encoder reused across records gives each record its own bytes", "[unit][schema]") {
    PayloadEncoder encoder;
    std::string out = "left over";
    CHECK_FALSE(encoder.encode(record(PayloadKind::json, R"({"b":1,"a":2})"), SchemaType::none, nullptr, out));
    CHECK(out == R"({"a":2,"b":1})");
    CHECK(encoder.encode(record(PayloadKind::json, "[1,"), SchemaType::none, nullptr, out).has_value());
    CHECK(out.empty());
    CHECK_FALSE(encoder.encode(record(PayloadKind::string, "x"), SchemaType::string, nullptr, out));
    CHECK(out == "x");
    CHECK_FALSE(encoder.encode(record(PayloadKind::bytes, "hi"), SchemaType::none, nullptr, out));
    CHECK(out == R"({"data":"aGk=","size":2})");
}

// ---- regressions found by fuzz/payload_encoder_fuzz.cpp ----

// A JSON record nested deeper than serde_json allows reached the recursive canonical writer and
// valijson, which overflowed the stack (the fuzzer's case: 60,000 levels in 120 KB, well under
// max_record_bytes) and killed the daemon.
TEST_CASE("JSON nested deeper than serde_json's 127 levels is refused without recursing", "[unit][schema]") {
    const auto nested = [](size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); };
    const Outcome ok = encode(record(PayloadKind::json, nested(127)), SchemaType::none);
    CHECK_FALSE(ok.error);
    CHECK(ok.bytes == nested(127));
    CHECK_FALSE(dcx::schema::is_canonical_json(nested(128)));  // the fast path agrees with the parser
    JsonSchemaValidator any(json::parse("{}"));
    for (const size_t levels : {size_t{128}, size_t{1000000}}) {
        INFO(levels << " levels");
        for (const SchemaType type : {SchemaType::none, SchemaType::avro, SchemaType::string, SchemaType::json_schema}) {
            const Outcome o = encode(record(PayloadKind::json, nested(levels)), type, &any);
            REQUIRE(o.error.has_value());
            CHECK(o.error->stage == EncodeError::Stage::validate);
            CHECK(o.error->message == "payload is not valid JSON");
        }
        // Not JSON text, so no limit: a string payload is only wrapped.
        CHECK_FALSE(encode(record(PayloadKind::string, nested(levels)), SchemaType::none).error);
    }
}

// valijson 1.0 throws when "format" meets an array or an object; the exception went up through
// the pipeline and stopped the daemon on the first such record.
TEST_CASE("a value valijson cannot check against the schema fails validation instead of throwing", "[unit][schema]") {
    JsonSchemaValidator validator(json::parse(
        R"({"anyOf":[{"type":"string","format":"date"},{"type":"array"}],"properties":{"at":{"format":"date-time"}}})"));
    for (const char* payload : {R"([1,[2]])", R"({"at":{"t":1}})"}) {
        INFO(payload);
        const Outcome o = encode(record(PayloadKind::json, payload), SchemaType::json_schema, &validator);
        REQUIRE(o.error.has_value());
        CHECK(o.error->stage == EncodeError::Stage::validate);
        CHECK_THAT(o.error->message, Catch::Contains("cannot be checked against the JSON Schema"));
    }
    CHECK_FALSE(encode(record(PayloadKind::json, R"("2024-02-29")"), SchemaType::json_schema, &validator).error);
}
