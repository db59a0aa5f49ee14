// SPDX-License-Identifier: Apache-2.0
// A plugin section's JSON Schema errors as users read them: a key the schema does not allow is
// named with its path and the closest allowed key, like the SDK's own "did you mean".
#include <catch2/catch.hpp>

#include "schema/json_validator.hpp"

using dcx::schema::explain_unknown_key;
using dcx::schema::JsonSchemaValidator;
using nlohmann::json;

namespace {

const json kSchema = json::parse(R"({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "mqtt": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "broker_host": {"type": "string"},
        "password": {"type": "string"},
        "routes": {"type": "array", "items": {"$ref": "#/definitions/route"}}
      }
    }
  },
  "definitions": {
    "route": {"type": "object", "additionalProperties": false,
              "properties": {"from": {"type": "string"}, "partitions": {"type": "integer"}}}
  }
})");

std::string error_of(const json& doc) {
    JsonSchemaValidator validator(kSchema);
    return explain_unknown_key(kSchema, validator.validate(doc).value_or("valid"));
}

}  // namespace

TEST_CASE("an unknown key is named with its path and the closest allowed key", "[unit][schema]") {
    CHECK(error_of(json::parse(R"({"mqtt": {"brokr_host": "x"}})")) ==
          "<root>[mqtt][brokr_host]: unknown key (did you mean \"broker_host\"?)");
    CHECK(error_of(json::parse(R"({"mqtt": {"routes": [{"from": "a"}, {"partition": 2}]}})")) ==
          "<root>[mqtt][routes][1][partition]: unknown key (did you mean \"partitions\"?)");
    CHECK(error_of(json::parse(R"({"mqtt": {"frobnicate": 1}})")) == "<root>[mqtt][frobnicate]: unknown key");
    CHECK(error_of(json::parse(R"({"mqt": {}})")) == "<root>[mqt]: unknown key (did you mean \"mqtt\"?)");
}

TEST_CASE("other schema errors keep valijson's text and never show the value", "[unit][schema]") {
    const auto wrong_type = error_of(json::parse(R"({"mqtt": {"password": 12345}})"));
    CHECK(wrong_type == "<root>[mqtt][password]: Value type not permitted by 'type' constraint.");
    CHECK_THAT(wrong_type, !Catch::Contains("12345"));
    CHECK(explain_unknown_key(kSchema, "<root>[x]: anything else") == "<root>[x]: anything else");
}

// valijson is patched to match with RE2 (scripts/patches/valijson-1.0-re2.patch): with std::regex a
// 300 KB string overflowed the stack (found by fuzz/payload_encoder) and a nested quantifier
// backtracked exponentially, letting one record stall the pipeline.
TEST_CASE("pattern and format checks are linear in the string and never recurse per character",
          "[unit][schema][regex]") {
    JsonSchemaValidator letters(json::parse(R"({"type": "string", "pattern": "^[a-z]+$"})"));
    CHECK_FALSE(letters.validate(json(std::string(1 << 20, 'a'))).has_value());
    const auto mismatch = letters.validate(json(std::string(1 << 20, 'a') + "1"));
    REQUIRE(mismatch.has_value());
    CHECK_THAT(*mismatch, Catch::Contains("'pattern'"));

    // (a+)+$ against "aaaa...b" takes 2^n steps in a backtracking engine.
    JsonSchemaValidator nested(json::parse(R"({"type": "string", "pattern": "^(a+)+$"})"));
    CHECK(nested.validate(json(std::string(5000, 'a') + "b")).has_value());

    JsonSchemaValidator dates(json::parse(R"({"type": "string", "format": "date"})"));
    CHECK_FALSE(dates.validate(json("2026-11-29")).has_value());
    CHECK(dates.validate(json("2026-02-30")).has_value());
    CHECK(dates.validate(json(std::string(300000, '7') + "-01-01")) == std::nullopt);  // a long year is a year
    CHECK(dates.validate(json(std::string(300000, '7'))).has_value());

    JsonSchemaValidator keys(json::parse(R"({"type": "object", "patternProperties": {"^x-[a-z]+$": {"type": "integer"}}})"));
    json doc;
    doc["x-" + std::string(300000, 'q')] = "not an integer";
    CHECK(keys.validate(doc).has_value());
}

TEST_CASE("a pattern RE2 cannot compile is refused when the schema loads, naming the pattern",
          "[unit][schema][regex]") {
    CHECK_THROWS_WITH(JsonSchemaValidator(json::parse(R"js({"properties": {"id": {"pattern": "^(?=x)"}}})js")),
                      Catch::Contains("'pattern' \"^(?=x)\" is not a regular expression RE2 accepts") &&
                          Catch::Contains("no lookaround or backreferences"));
    CHECK_THROWS_WITH(JsonSchemaValidator(json::parse(R"js({"patternProperties": {"(a": {}}})js")),
                      Catch::Contains("'patternProperties' key \"(a\" is not a regular expression RE2 accepts"));
    // A property named "pattern" is a name, not the keyword.
    CHECK_NOTHROW(JsonSchemaValidator(json::parse(R"({"properties": {"pattern": {"type": "string"}}})")));
}
