// SPDX-License-Identifier: Apache-2.0
// Column values to JSON by type OID (the table in type_mapping.hpp).
#include <catch2/catch.hpp>

#include "type_mapping.hpp"

using namespace dcx::pgcdc;
using nlohmann::json;

TEST_CASE("booleans and integers become JSON booleans and numbers", "[unit][cdc][types]") {
    CHECK(text_value_to_json(oid::kBool, "t") == json(true));
    CHECK(text_value_to_json(oid::kBool, "f") == json(false));
    CHECK(text_value_to_json(oid::kInt2, "-32768") == json(-32768));
    CHECK(text_value_to_json(oid::kInt4, "42") == json(42));
    CHECK(text_value_to_json(oid::kInt8, "9223372036854775807") == json(INT64_MAX));
    CHECK(text_value_to_json(oid::kOid, "4294967295") == json(4294967295LL));
    CHECK(text_value_to_json(oid::kInt4, "4x") == json("4x"));  // not a number: kept as text
}

TEST_CASE("floats are numbers except NaN and infinities, numeric stays exact text", "[unit][cdc][types]") {
    CHECK(text_value_to_json(oid::kFloat8, "1.5") == json(1.5));
    CHECK(text_value_to_json(oid::kFloat4, "-0.1") == json(-0.1));
    CHECK(text_value_to_json(oid::kFloat8, "1e+300").get<double>() == 1e300);
    CHECK(text_value_to_json(oid::kFloat8, "NaN") == json("NaN"));
    CHECK(text_value_to_json(oid::kFloat8, "Infinity") == json("Infinity"));
    CHECK(text_value_to_json(oid::kFloat8, "-Infinity") == json("-Infinity"));
    CHECK(text_value_to_json(oid::kNumeric, "12345678901234567890.000000001") == json("12345678901234567890.000000001"));
    CHECK(text_value_to_json(oid::kNumeric, "NaN") == json("NaN"));
}

TEST_CASE("json and jsonb become the JSON value, or text when it cannot be taken", "[unit][cdc][types]") {
    CHECK(text_value_to_json(oid::kJsonb, R"({"a": [1, 2], "b": null})") == json::parse(R"({"a":[1,2],"b":null})"));
    CHECK(text_value_to_json(oid::kJson, "\"s\"") == json("s"));
    CHECK(text_value_to_json(oid::kJson, "{bad") == json("{bad"));
    const std::string deep = std::string(200, '[') + std::string(200, ']');
    CHECK(text_value_to_json(oid::kJsonb, deep) == json(deep));  // deeper than the payload rules allow
}

TEST_CASE("bytea in hex becomes base64", "[unit][cdc][types]") {
    CHECK(text_value_to_json(oid::kBytea, "\\x68656c6c6f") == json("aGVsbG8="));
    CHECK(text_value_to_json(oid::kBytea, "\\x") == json(""));
    CHECK(text_value_to_json(oid::kBytea, "\\x0") == json("\\x0"));     // odd digits: text
    CHECK(text_value_to_json(oid::kBytea, "\\xzz") == json("\\xzz"));   // not hex: text
    CHECK(text_value_to_json(oid::kBytea, "plain") == json("plain"));   // escape format: text
}

TEST_CASE("timestamps become RFC 3339, with Z for UTC", "[unit][cdc][types]") {
    CHECK(text_value_to_json(oid::kTimestamp, "2024-05-01 12:30:00.123456") == json("2024-05-01T12:30:00.123456"));
    CHECK(text_value_to_json(oid::kTimestamp, "2024-05-01 12:30:00") == json("2024-05-01T12:30:00"));
    CHECK(text_value_to_json(oid::kTimestamptz, "2024-05-01 12:30:00.5+00") == json("2024-05-01T12:30:00.5Z"));
    CHECK(text_value_to_json(oid::kTimestamptz, "2024-05-01 12:30:00+02") == json("2024-05-01T12:30:00+02:00"));
    CHECK(text_value_to_json(oid::kTimestamptz, "2024-05-01 12:30:00+05:30") == json("2024-05-01T12:30:00+05:30"));
    CHECK(text_value_to_json(oid::kTimestamptz, "infinity") == json("infinity"));
    CHECK(text_value_to_json(oid::kTimestamp, "0044-03-15 12:00:00 BC") == json("0044-03-15 12:00:00 BC"));
}

TEST_CASE("strings, uuids, arrays and unknown types are text", "[unit][cdc][types]") {
    CHECK(text_value_to_json(oid::kText, "héllo") == json("héllo"));
    CHECK(text_value_to_json(oid::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11") == json("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    CHECK(text_value_to_json(1007, "{1,2,3}") == json("{1,2,3}"));  // int4[]
    CHECK(text_value_to_json(600, "(1,2)") == json("(1,2)"));        // point
    CHECK(text_value_to_json(99999, "happy") == json("happy"));      // an enum
    CHECK_FALSE(is_mapped_type(1007));
    CHECK(is_mapped_type(oid::kTimestamptz));
}

TEST_CASE("text that is not UTF-8 is repaired so the JSON stays valid", "[unit][cdc][types]") {
    CHECK(utf8_text("ok") == "ok");
    CHECK(utf8_text("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
    CHECK(utf8_text("\xC3") == "\xEF\xBF\xBD");               // truncated sequence
    CHECK(utf8_text("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
    CHECK(utf8_text("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");
    CHECK_NOTHROW(text_value_to_json(oid::kText, "\xFF\xFE").dump());
    CHECK(binary_value_to_json(std::string("\x00\xFF", 2)) == json("AP8="));
}
