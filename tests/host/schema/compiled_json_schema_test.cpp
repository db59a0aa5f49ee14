// SPDX-License-Identifier: Apache-2.0
// The compiled JSON Schema checks (the fast path of json_schema topics) against valijson, the
// authority: they accept what valijson accepts in the cases they model, never accept what valijson
// refuses, and refuse to compile a schema with a keyword they do not model, naming it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "schema/compiled_json_schema.hpp"
#include "schema/json_validator.hpp"

using dcx::schema::CompiledJsonSchema;
using dcx::schema::JsonSchemaValidator;
using nlohmann::json;

namespace {

// Only keywords the compiled checks cover, with a local recursive $ref.
const char* kOrderSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#", "title": "order", "type": "object",
  "required": ["id", "items", "currency"], "additionalProperties": false, "maxProperties": 8,
  "properties": {
    "id": {"type": "integer", "minimum": 1, "exclusiveMaximum": 1000},
    "name": {"type": ["string", "null"], "minLength": 2, "maxLength": 5, "pattern": "^[a-z]"},
    "currency": {"enum": ["EUR", "USD", 7, true, null]},
    "version": {"const": 3},
    "amount": {"type": "number", "exclusiveMinimum": 0, "maximum": 99.5},
    "items": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"$ref": "#/definitions/item"}},
    "meta": {"type": "object", "additionalProperties": {"type": "boolean"}},
    "free": true
  },
  "definitions": {
    "item": {"type": "object", "required": ["sku"],
             "properties": {"sku": {"type": "string"}, "part": {"$ref": "#/definitions/item"}}}
  }
})";

std::unique_ptr<CompiledJsonSchema> compiled(const char* schema) {
    std::string why;
    auto c = CompiledJsonSchema::compile(json::parse(schema), why);
    INFO(why);
    REQUIRE(c);
    return c;
}

std::string why_not(const char* schema) {
    std::string why;
    CHECK_FALSE(CompiledJsonSchema::compile(json::parse(schema), why));
    return why;
}

bool valijson_accepts(JsonSchemaValidator& v, const std::string& text) {
    const json doc = json::parse(text, nullptr, false);
    return !doc.is_discarded() && !v.validate(doc);
}

}  // namespace

TEST_CASE("compiled checks accept exactly the records valijson accepts, over a sweep of mutations", "[unit][schema]") {
    const auto schema = json::parse(kOrderSchema);
    JsonSchemaValidator valijson(schema);
    auto fast = compiled(kOrderSchema);
    REQUIRE(valijson.why_not_compiled().empty());

    const json base = json::parse(R"({"id": 5, "name": "abc", "currency": "EUR", "version": 3, "amount": 12.5,
        "items": [{"sku": "a", "part": {"sku": "b"}}], "meta": {"x": true}, "free": [1, {"y": null}]})");
    // Every value of every key replaced by each of these, and every key removed, one at a time.
    const std::vector<json> values = {
        nullptr, true, false, 0, 1, 2, 3, 7, 999, 1000, -1, 3.0, 0.5, 99.5, 99.6, 1e300, "", "a", "ab", "abcde",
        "abcdef", "Abc", "EUR", "USD", "eur", "\u00e9\u00e9\u00e9", json::array(), json::array({json::object({{"sku", "s"}})}),
        json::array({json::object(), json::object()}), json::array({json::object({{"sku", 1}})}),
        json::array({json::object({{"sku", "a"}}), json::object({{"sku", "b"}}), json::object({{"sku", "c"}}),
                     json::object({{"sku", "d"}})}),
        json::object(), json::object({{"x", false}}), json::object({{"x", 1}}), json::object({{"sku", "z"}}),
    };
    std::vector<json> docs = {base, json::object(), json::array(), nullptr, 5, "text"};
    for (const auto& [key, _] : base.items()) {
        json without = base;
        without.erase(key);
        docs.push_back(without);
        for (const auto& v : values) {
            json changed = base;
            changed[key] = v;
            docs.push_back(changed);
        }
    }
    for (const auto& v : values) {  // keys beyond "properties", and through additionalProperties' schema
        json extra = base;
        extra["unlisted"] = v;
        docs.push_back(extra);
        json meta = base;
        meta["meta"]["k"] = v;
        docs.push_back(meta);
        json deep = base;
        deep["items"][0]["part"]["part"] = v;
        docs.push_back(deep);
    }

    size_t valid = 0;
    for (const auto& doc : docs) {
        for (const std::string& text : {doc.dump(), doc.dump(2)}) {  // canonical and pretty text alike
            INFO(text);
            const bool authority = valijson_accepts(valijson, text);
            const bool accepted = fast->accepts(text);
            CHECK(valijson.accepts_text(text) == accepted);
            if (accepted) CHECK(authority);
            // The one valid record here they leave to valijson: 3.0 for `"const": 3` (a fraction
            // equal to an integer, which valijson's number equality decides).
            const bool fraction_for_const = doc.is_object() && doc.contains("version") && doc["version"].is_number_float();
            if (authority && !fraction_for_const) CHECK(accepted);
            valid += authority ? 1 : 0;
        }
    }
    CHECK(valid > 40);  // the sweep holds valid records as well as invalid ones
    CHECK(docs.size() * 2 - valid > 400);
}

TEST_CASE("compiled checks leave to valijson what they do not model, and never accept it", "[unit][schema]") {
    const char* schema = R"({"type":"object","properties":{
        "short": {"type": "string", "maxLength": 3}, "long": {"type": "string", "minLength": 3},
        "e": {"enum": [2.5, [1], {"a": 1}, "s"]}, "c": {"const": 1.5}, "n": {"type": "integer"},
        "ct": {"type": "number", "const": 1.5},
        "big": {"enum": [1]}}})";
    JsonSchemaValidator valijson(json::parse(schema));
    auto fast = compiled(schema);
    struct Case {
        const char* text;
        bool valid;  // valijson's verdict, checked below
    };
    // Cases the compiled checks do not decide (so they answer "no"), with valijson's verdict.
    const std::vector<Case> declined = {
        {R"({"short": "ab\u0000cdef"})", true},   // valijson counts code points up to a NUL
        {R"({"long": "abcd\u0000"})", true},      // ... and 4 >= 3 holds either way, but NUL strings are left to it
        {R"({"e": 2.5})", true},                  // fractions in enum
        {R"({"e": [1]})", true},                  // arrays and objects in enum
        {R"({"e": {"a": 1}})", true},
        {R"({"c": 1.5})", true},                  // a fraction as const
        {R"({"ct": 1.5})", true},                 // ... also beside a type, whichever key comes first
        {R"({"ct": 2})", false},
        {R"({"big": 1.0})", true},                // 1.0 equals the enum's 1 for valijson
    };
    for (const auto& c : declined) {
        INFO(c.text);
        CHECK(valijson_accepts(valijson, c.text) == c.valid);
        CHECK_FALSE(fast->accepts(c.text));
    }
    CHECK_FALSE(fast->accepts(R"({"e": 2.5})"));
    CHECK_FALSE(fast->accepts(R"({"short": "ab\u0000cdef"})"));
    CHECK(fast->accepts(R"({"e": "s", "short": "abc", "long": "\u00e9\u00e9\u00e9"})"));  // code points, not bytes
    CHECK(fast->accepts(R"({"n": -0})"));  // an integer for nlohmann and rapidjson alike
    CHECK(valijson_accepts(valijson, R"({"n": -0})"));
    CHECK_FALSE(fast->accepts(R"({"n": 1.0})"));
    CHECK_FALSE(valijson_accepts(valijson, R"({"n": 1.0})"));
    CHECK_FALSE(fast->accepts(R"({"short": "\u00e9\u00e9\u00e9\u00e9"})"));
}

TEST_CASE("compiled checks take only one JSON value, as serde_json reads it", "[unit][schema]") {
    auto fast = compiled("{}");
    CHECK(fast->accepts(R"({"a": [1, 2.5, "x", null, true]})"));
    CHECK(fast->accepts(std::string(127, '[') + std::string(127, ']')));      // serde_json's limit
    CHECK_FALSE(fast->accepts(std::string(128, '[') + std::string(128, ']')));
    CHECK_FALSE(fast->accepts(std::string(200000, '[')));                      // no recursion: no stack overflow
    CHECK_FALSE(fast->accepts(""));
    CHECK_FALSE(fast->accepts("{} {}"));
    CHECK_FALSE(fast->accepts(std::string("{}\0garbage", 10)));               // a raw NUL is not the end of input
    CHECK_FALSE(fast->accepts("\xEF\xBB\xBF{}"));                             // byte order mark
    CHECK_FALSE(fast->accepts("{\"a\": \"\xC3\x28\"}"));                      // invalid UTF-8
    CHECK_FALSE(fast->accepts("{\"a\": NaN}"));
    CHECK_FALSE(fast->accepts("[1,]"));
    CHECK_FALSE(fast->accepts("1e400"));
}

TEST_CASE("a $ref to the root makes a recursive schema", "[unit][schema]") {
    const char* schema = R"({"type": ["array", "integer"], "maximum": 5, "maxItems": 2, "items": {"$ref": "#"}})";
    auto fast = compiled(schema);
    CHECK(fast->accepts("[[1, [2]], 5]"));
    CHECK_FALSE(fast->accepts("[[1, [6]]]"));
    CHECK_FALSE(fast->accepts("[[1, [2, 3, 4]]]"));
    CHECK_FALSE(fast->accepts(R"([["x"]])"));
}

TEST_CASE("a schema with a keyword the checks do not model is not compiled, and says which", "[unit][schema]") {
    CHECK(why_not(R"({"anyOf": [{"type": "string"}]})") == "'anyOf' at /");
    CHECK(why_not(R"({"properties": {"at": {"type": "string", "format": "date-time"}}})") == "'format' at /properties/at");
    CHECK(why_not(R"({"minProperties": 1})") == "'minProperties' at /");  // duplicate keys would count twice
    CHECK(why_not(R"({"patternProperties": {"^x": {}}})") == "'patternProperties' at /");
    CHECK(why_not(R"({"items": [{"type": "string"}]})") == "'items' at /");
    CHECK(why_not(R"({"uniqueItems": true})") == "'uniqueItems' at /");
    CHECK(why_not(R"({"multipleOf": 2})") == "'multipleOf' at /");
    CHECK(why_not(R"({"properties": {"a": {"$ref": "other.json#/x"}}})") ==
          "'$ref' \"other.json#/x\" (only local refs are compiled) at /properties/a");
    CHECK(why_not(R"({"properties": {"a": {"$ref": "#/definitions/a", "type": "string"}}, "definitions": {"a": {}}})") ==
          "'type' beside '$ref' at /properties/a");
    CHECK(why_not(R"({"type": "any"})") == "'type' at /");
    CHECK(why_not(R"({"properties": {"a": {"properties": {"b": {"id": "x"}}}}})") == "'id' at /properties/a/properties/b");
    JsonSchemaValidator with_format(json::parse(R"({"type": "string", "format": "date"})"));
    CHECK(with_format.why_not_compiled() == "'format' at /");
    CHECK_FALSE(with_format.accepts_text(R"("2026-11-29")"));  // every record goes to valijson
    CHECK_FALSE(with_format.validate(json("2026-11-29")));
}
