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
