// SPDX-License-Identifier: Apache-2.0
// SourceRecord as a plugin author sees it: the guide's constructors and builders.
#include <catch2/catch.hpp>

#include "dcx/sdk/source_record.hpp"

using namespace dcx::sdk;

TEST_CASE("from_json stores compact JSON and the JSON kind", "[unit][plugin-api]") {
    const auto r = SourceRecord::from_json("/default/t", {{"b", 1}, {"a", "x"}});
    CHECK(r.kind() == SourceRecord::Kind::json);
    CHECK(r.topic() == "/default/t");
    CHECK(r.payload() == R"({"a":"x","b":1})");
}

TEST_CASE("from_json_text keeps the plugin's JSON text as it is, with the JSON kind", "[unit][plugin-api]") {
    const auto r = SourceRecord::from_json_text("/default/t", R"({"b": 1, "a": "x"})");
    CHECK(r.kind() == SourceRecord::Kind::json);
    CHECK(r.payload() == R"({"b": 1, "a": "x"})");  // the host parses and re-serializes what is not canonical
}

TEST_CASE("from_string, from_number and from_bytes keep their kinds and raw values", "[unit][plugin-api]") {
    CHECK(SourceRecord::from_string("/d/t", "héllo").payload() == "héllo");
    CHECK(SourceRecord::from_string("/d/t", "x").kind() == SourceRecord::Kind::string);
    CHECK(SourceRecord::from_number("/d/t", 42).payload() == "42");
    CHECK(SourceRecord::from_number("/d/t", 23.5).payload() == "23.5");
    CHECK(SourceRecord::from_number("/d/t", 1).kind() == SourceRecord::Kind::number);
    CHECK(SourceRecord::from_bytes("/d/t", std::string("\0\xff", 2)).payload() == std::string("\0\xff", 2));
    CHECK(SourceRecord::from_bytes("/d/t", "").kind() == SourceRecord::Kind::bytes);
}

TEST_CASE("from_number refuses a value that is not a number", "[unit][plugin-api]") {
    CHECK_THROWS_WITH(SourceRecord::from_number("/d/t", "42"), "Value is not a number");
    try {
        (void)SourceRecord::from_number("/d/t", nlohmann::json::object());
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(e.status() == DCX_STATUS_INVALID_RECORD);
    }
}

TEST_CASE("builders set attributes, key, offset and event time on temporaries and named records",
          "[unit][plugin-api]") {
    auto r = SourceRecord::from_json("/d/t", 1)
                 .with_attribute("a", "1")
                 .with_attributes({{"b", "2"}})
                 .with_key("k")
                 .with_offset({"p", 7, "m"})
                 .with_event_time_ms(99);
    CHECK(r.attributes() == std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}});
    CHECK(r.key() == "k");
    CHECK(r.offset() == Offset{"p", 7, "m"});
    CHECK(r.event_time_ms() == 99);
    r.with_attribute("c", "3");
    CHECK(r.attributes().size() == 3);
}
