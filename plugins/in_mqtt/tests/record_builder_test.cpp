// SPDX-License-Identifier: Apache-2.0
// Records as the Rust connector builds them: JSON payloads as they are, anything serde_json would
// refuse as the base64 wrapper; mqtt.* attributes, source and the MQTT topic as key.
#include <catch2/catch.hpp>

#include <map>

#include "record_builder.hpp"

using namespace dcx::mqtt;
using nlohmann::json;

namespace {

std::map<std::string, std::string> attrs(const dcx::sdk::SourceRecord& r) {
    return {r.attributes().begin(), r.attributes().end()};
}

json wrapper_of(std::string_view bytes) {
    return json{{"data", base64_encode(bytes)}, {"encoding", "base64"}, {"size", bytes.size()}};
}

}  // namespace

TEST_CASE("base64 is the standard alphabet with padding", "[unit][mqtt]") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("hello") == "aGVsbG8=");
    CHECK(base64_encode(std::string("\xff\xfe\x00\x01", 4)) == "//4AAQ==");
}

TEST_CASE("JSON payloads are kept as JSON values of any kind", "[unit][mqtt]") {
    CHECK(payload_value(R"({"b":1, "a":2.50})") == json({{"a", 2.5}, {"b", 1}}));
    CHECK(payload_value("42") == json(42));
    CHECK(payload_value("\"text\"") == json("text"));
    CHECK(payload_value("true") == json(true));
    CHECK(payload_value("null") == json(nullptr));
    CHECK(payload_value(" [1, 2] \n") == json::array({1, 2}));
    CHECK(payload_value(R"({"a":1,"a":2})") == json({{"a", 2}}));  // the last duplicate wins, as in serde_json
}

TEST_CASE("payloads serde_json refuses become the base64 wrapper", "[unit][mqtt]") {
    CHECK(payload_value("hello") == json::parse(R"({"data":"aGVsbG8=","encoding":"base64","size":5})"));
    CHECK(payload_value("") == wrapper_of(""));
    CHECK(payload_value("{\"a\":1} trailing") == wrapper_of("{\"a\":1} trailing"));
    CHECK(payload_value("{'a':1}") == wrapper_of("{'a':1}"));
    const std::string binary("\x00\x01\x02\xff", 4);
    CHECK(payload_value(binary) == wrapper_of(binary));
    const std::string bad_utf8 = "\"\xc3\x28\"";
    CHECK(payload_value(bad_utf8) == wrapper_of(bad_utf8));
    const std::string bom = "\xEF\xBB\xBF{}";
    CHECK(payload_value(bom) == wrapper_of(bom));
    CHECK(payload_value("1e400") == wrapper_of("1e400"));  // "number out of range" in serde_json
    CHECK(payload_value("[1, NaN]") == wrapper_of("[1, NaN]"));
    CHECK(payload_value("// c\n1") == wrapper_of("// c\n1"));  // no comments
}

TEST_CASE("nesting deeper than serde_json's limit becomes the wrapper", "[unit][mqtt]") {
    const auto nested = [](size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    CHECK(payload_value(nested(127)).is_array());
    CHECK(payload_value(nested(128)) == wrapper_of(nested(128)));
    CHECK(payload_value(nested(100000)).is_object());  // and no deep recursion
    // Brackets inside strings do not count.
    CHECK(payload_value("[\"" + std::string(300, '[') + "\"]").is_array());
}

TEST_CASE("records carry mqtt attributes, source and the topic as key", "[unit][mqtt]") {
    InboundMessage m;
    m.topic = "sensors/t1/zone1";
    m.payload = R"({"celsius":21.5})";
    m.qos = 1;
    m.retain = true;
    m.dup = false;
    const auto r = build_record(m, "/iot/zone1", {});
    CHECK(r.topic() == "/iot/zone1");
    CHECK(r.kind() == dcx::sdk::SourceRecord::Kind::json);
    CHECK(json::parse(r.payload()) == json({{"celsius", 21.5}}));
    CHECK(attrs(r) == std::map<std::string, std::string>{{"mqtt.topic", "sensors/t1/zone1"},
                                                         {"mqtt.qos", "1"},
                                                         {"mqtt.retain", "true"},
                                                         {"mqtt.dup", "false"},
                                                         {"source", "mqtt"}});
    CHECK(r.key() == "sensors/t1/zone1");
    CHECK_FALSE(r.offset());
}

TEST_CASE("include_metadata false drops attributes and key, key_routing false only the key", "[unit][mqtt]") {
    InboundMessage m;
    m.topic = "a/b";
    m.payload = "raw";
    m.user_properties = {{"k", "v"}};
    const auto bare = build_record(m, "/d/t", {false, true});
    CHECK(bare.attributes().empty());
    CHECK_FALSE(bare.key());
    CHECK(json::parse(bare.payload()) == wrapper_of("raw"));
    const auto unkeyed = build_record(m, "/d/t", {true, false});
    CHECK(attrs(unkeyed).at("mqtt.topic") == "a/b");
    CHECK_FALSE(unkeyed.key());
}

TEST_CASE("MQTT 5 user properties become mqtt.user attributes, the last repeat wins", "[unit][mqtt]") {
    InboundMessage m;
    m.topic = "a";
    m.payload = "{}";
    m.qos = 2;
    m.dup = true;
    m.user_properties = {{"device", "d1"}, {"site", "north"}, {"device", "d2"}, {"source", "spoof"}};
    const auto a = attrs(build_record(m, "/d/t", {}));
    CHECK(a.at("mqtt.user.device") == "d2");
    CHECK(a.at("mqtt.user.site") == "north");
    CHECK(a.at("mqtt.user.source") == "spoof");
    CHECK(a.at("source") == "mqtt");  // a publisher cannot overwrite the connector's attributes
    CHECK(a.at("mqtt.qos") == "2");
    CHECK(a.at("mqtt.dup") == "true");
}
