// SPDX-License-Identifier: Apache-2.0
// Producer and partition names are part of the parity contract (reference-runtime.md §5, §13):
// consumers and dashboards already know them.
#include <catch2/catch.hpp>

#include "broker/producer_naming.hpp"

using namespace dcx::broker;

TEST_CASE("a producer name joins connector and topic with a double dash", "[unit][broker]") {
    CHECK(producer_name("mqtt-iot-source", "/iot/sensors") == "mqtt-iot-source--iot-sensors");
    CHECK(producer_name("webhook", "/default/events") == "webhook--default-events");
}

TEST_CASE("every slash of the topic becomes a dash and nothing else is changed", "[unit][broker]") {
    CHECK(producer_name("c", "/a/b/c") == "c--a-b-c");
    CHECK(producer_name("My_Conn.1", "/ns/Topic_A-1") == "My_Conn.1--ns-Topic_A-1");
    CHECK(producer_name("c", "plain") == "c-plain");
}

TEST_CASE("partition i is named <name>-i on <topic>-part-i", "[unit][broker]") {
    const auto name = producer_name("mqtt-iot-source", "/iot/sensors");
    CHECK(partition_producer_name(name, 0) == "mqtt-iot-source--iot-sensors-0");
    CHECK(partition_topic("/iot/sensors", 0) == "/iot/sensors-part-0");
    CHECK(partition_producer_name(name, 3) == "mqtt-iot-source--iot-sensors-3");
    CHECK(partition_topic("/iot/sensors", 3) == "/iot/sensors-part-3");
    CHECK(partition_producer_name(name, 12) == "mqtt-iot-source--iot-sensors-12");
    CHECK(partition_topic("/iot/sensors", 12) == "/iot/sensors-part-12");
}
