// SPDX-License-Identifier: Apache-2.0
// Topic filter validation and matching, including the fixes over the Rust connector: '#' matches
// the parent level, wildcards do not match '$' topics, $share prefixes are stripped.
#include <catch2/catch.hpp>

#include "route_table.hpp"
#include "topic_filter.hpp"

using namespace dcx::mqtt;

TEST_CASE("plain filters match literally and level by level", "[unit][mqtt]") {
    CHECK(topic_matches("sensors/temp", "sensors/temp"));
    CHECK_FALSE(topic_matches("sensors/temp", "sensors/humidity"));
    CHECK_FALSE(topic_matches("sensors/temp", "sensors/temp/x"));
    CHECK_FALSE(topic_matches("sensors/temp/x", "sensors/temp"));
    CHECK_FALSE(topic_matches("Sensors/temp", "sensors/temp"));  // case matters
}

TEST_CASE("plus matches exactly one level and an empty level counts", "[unit][mqtt]") {
    CHECK(topic_matches("sensors/+/data", "sensors/temp/data"));
    CHECK_FALSE(topic_matches("sensors/+/data", "sensors/temp/config"));
    CHECK_FALSE(topic_matches("sensors/+/data", "sensors/a/b/data"));
    CHECK(topic_matches("sensors/+", "sensors/"));
    CHECK(topic_matches("+/+", "/finance"));
    CHECK(topic_matches("+", "a"));
    CHECK_FALSE(topic_matches("+", "a/b"));
    CHECK_FALSE(topic_matches("sensors/+", "sensors"));
}

TEST_CASE("hash matches the parent level and every level below", "[unit][mqtt]") {
    CHECK(topic_matches("sensors/#", "sensors"));  // the Rust connector got this one wrong
    CHECK(topic_matches("sensors/#", "sensors/temp"));
    CHECK(topic_matches("sensors/#", "sensors/humidity/zone1/data"));
    CHECK_FALSE(topic_matches("sensors/#", "devices/temp"));
    CHECK_FALSE(topic_matches("sensors/#", "sensorsX"));
    CHECK(topic_matches("#", "a/b/c"));
    CHECK(topic_matches("factory/+/sensors/#", "factory/line1/sensors"));
    CHECK(topic_matches("factory/+/sensors/#", "factory/line2/sensors/pressure/zone1"));
}

TEST_CASE("wildcards at the first level do not match dollar topics", "[unit][mqtt]") {
    CHECK_FALSE(topic_matches("#", "$SYS/broker/uptime"));
    CHECK_FALSE(topic_matches("+/broker/uptime", "$SYS/broker/uptime"));
    CHECK(topic_matches("$SYS/#", "$SYS/broker/uptime"));
    CHECK(topic_matches("$SYS/+/uptime", "$SYS/broker/uptime"));
}

TEST_CASE("shared subscription prefixes are stripped for matching", "[unit][mqtt]") {
    CHECK(matching_part("$share/workers/sensors/#") == "sensors/#");
    CHECK(share_group("$share/workers/sensors/#") == "workers");
    CHECK(matching_part("sensors/#") == "sensors/#");
    CHECK(share_group("sensors/#").empty());
    CHECK(topic_matches(matching_part("$share/g/sensors/+"), "sensors/t1"));
}

TEST_CASE("invalid filters are refused with the rule they break", "[unit][mqtt]") {
    CHECK_FALSE(filter_error("a/b"));
    CHECK_FALSE(filter_error("a/+/b/#"));
    CHECK_FALSE(filter_error("#"));
    CHECK_FALSE(filter_error("$share/g/a/#"));
    CHECK_THAT(*filter_error("a/#/b"), Catch::Contains("'#' must be a whole level and the last one"));
    CHECK_THAT(*filter_error("a/b#"), Catch::Contains("'#'"));
    CHECK_THAT(*filter_error("a/b+/c"), Catch::Contains("'+' must be a whole level"));
    CHECK_THAT(*filter_error(""), Catch::Contains("cannot be empty"));
    CHECK_THAT(*filter_error("$share/g"), Catch::Contains("$share/<group>/<filter>"));
    CHECK_THAT(*filter_error("$share//a"), Catch::Contains("$share/<group>/<filter>"));
    CHECK_THAT(*filter_error("$share/g+/a"), Catch::Contains("cannot contain"));
    CHECK(filter_error("$share/g/a/#/b"));
}

TEST_CASE("the first matching route in configuration order wins", "[unit][mqtt]") {
    auto route = [](std::string from, std::string to) {
        Route r;
        r.match_filter = std::string(matching_part(from));
        r.from = std::move(from);
        r.to = std::move(to);
        return r;
    };
    const RouteTable table({route("sensors/zone1/+", "/iot/zone1"), route("sensors/#", "/iot/sensors"),
                            route("$share/g/devices/+", "/iot/devices")});
    REQUIRE(table.match("sensors/zone1/t"));
    CHECK(table.match("sensors/zone1/t")->to == "/iot/zone1");
    CHECK(table.match("sensors/zone2/t")->to == "/iot/sensors");
    CHECK(table.match("sensors")->to == "/iot/sensors");
    CHECK(table.match("devices/d1")->to == "/iot/devices");
    CHECK(table.match("other/x") == nullptr);
}
