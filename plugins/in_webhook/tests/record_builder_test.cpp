// SPDX-License-Identifier: Apache-2.0
// Request to record: JSON by serde_json's rules or the base64 wrapper, the webhook.* attributes,
// and chrono's RFC 3339 timestamps.
#include <catch2/catch.hpp>

#include <map>

#include "record_builder.hpp"

using namespace dcx::webhook;
using nlohmann::json;

TEST_CASE("JSON bodies stay JSON and anything else becomes the base64 wrapper", "[unit][webhook][record]") {
    CHECK(payload_of(R"({"b":1, "a":2.50})") == json::parse(R"({"a":2.5,"b":1})"));
    CHECK(payload_of("[1,2]") == json::array({1, 2}));
    CHECK(payload_of("\"text\"") == "text");
    CHECK(payload_of(" 42 ") == 42);
    CHECK(payload_of("{not json") == json{{"data", "e25vdCBqc29u"}, {"encoding", "base64"}, {"size", 9}});
    CHECK(payload_of("") == json{{"data", ""}, {"encoding", "base64"}, {"size", 0}});
    CHECK(payload_of("\xEF\xBB\xBF{}")["encoding"] == "base64");       // serde_json refuses a BOM
    CHECK(payload_of("\"\xff\"")["encoding"] == "base64");             // invalid UTF-8
    CHECK(payload_of("[1e400]")["encoding"] == "base64");              // out of range for f64
    CHECK(payload_of("{\"a\":1} x")["encoding"] == "base64");          // trailing garbage
    CHECK(payload_of(std::string(127, '[') + std::string(127, ']')).is_array());
    CHECK(payload_of(std::string(128, '[') + std::string(128, ']'))["encoding"] == "base64");
    CHECK(payload_of(std::string(100000, '['))["encoding"] == "base64");  // no deep recursion
}

TEST_CASE("timestamps are RFC 3339 UTC with chrono's fraction digits", "[unit][webhook][record]") {
    using namespace std::chrono;
    const system_clock::time_point base{seconds(1760000000)};
    CHECK(rfc3339_utc(base) == "2025-10-09T08:53:20+00:00");
    CHECK(rfc3339_utc(base + milliseconds(120)) == "2025-10-09T08:53:20.120+00:00");
    CHECK(rfc3339_utc(base + microseconds(123456)) == "2025-10-09T08:53:20.123456+00:00");
    CHECK(rfc3339_utc(base + nanoseconds(1)) == "2025-10-09T08:53:20.000000001+00:00");
}

TEST_CASE("records carry the webhook attributes and no key", "[unit][webhook][record]") {
    using namespace std::chrono;
    const system_clock::time_point at{seconds(1760000000)};
    RequestInfo info{"/hooks/a", "203.0.113.9", std::string("curl/7.88.1"), std::string("application/json")};
    const auto r = build_record("/default/a", "webhook-itest", info, json{{"x", 1}}, at);
    CHECK(r.topic() == "/default/a");
    CHECK(r.payload() == R"({"x":1})");
    CHECK_FALSE(r.key());
    std::map<std::string, std::string> attrs(r.attributes().begin(), r.attributes().end());
    CHECK(attrs == std::map<std::string, std::string>{{"webhook.source", "webhook-itest"},
                                                      {"webhook.endpoint", "/hooks/a"},
                                                      {"webhook.timestamp", "2025-10-09T08:53:20+00:00"},
                                                      {"webhook.ip", "203.0.113.9"},
                                                      {"webhook.user_agent", "curl/7.88.1"},
                                                      {"webhook.content_type", "application/json"}});
    // Header values that are not visible ASCII are left out, as axum's to_str() would.
    RequestInfo odd{"/hooks/a", "203.0.113.9", std::string("agent\x01"), std::nullopt};
    const auto r2 = build_record("/default/a", "c", odd, json{}, at);
    for (const auto& [k, v] : r2.attributes()) {
        CHECK(k != "webhook.user_agent");
        CHECK(k != "webhook.content_type");
    }
}
