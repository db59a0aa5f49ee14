// SPDX-License-Identifier: Apache-2.0
// The [mqtt] section: the Rust connector's keys, defaults and env overrides, the older
// topic_mappings vocabulary, validation messages that name the key, and the JSON Schema the
// host checks (config.example.toml must pass both).
#include <catch2/catch.hpp>


#include <map>

#include "dcx/sdk/error.hpp"
#include "plugin_config_testing.hpp"
#include "mqtt_config.hpp"

using namespace dcx::mqtt;
using nlohmann::json;

namespace {

std::map<std::string, std::string> g_env;
std::optional<std::string> fake_env(const std::string& name) {
    const auto it = g_env.find(name);
    if (it == g_env.end()) return std::nullopt;
    return it->second;
}

struct EnvScope {
    explicit EnvScope(std::map<std::string, std::string> env) { g_env = std::move(env); }
    ~EnvScope() { g_env.clear(); }
};

json minimal() {
    return json::parse(R"({"mqtt": {"broker_host": "mosquitto", "client_id": "c1",
                          "routes": [{"from": "sensors/#", "to": "/iot/sensors"}]}})");
}

MqttConfig parse(const json& j) { return parse_config(j, fake_env); }

std::string error_of(const json& j) {
    try {
        parse(j);
    } catch (const dcx::sdk::ConfigError& e) {
        return e.what();
    }
    return "no error";
}



std::optional<std::string> schema_error(const json& doc) { return dcx::testing::schema_errors(config_schema(), doc); }

}  // namespace

TEST_CASE("defaults are the Rust connector's", "[unit][mqtt][config]") {
    const auto c = parse(minimal());
    CHECK(c.broker_host == "mosquitto");
    CHECK(c.broker_port == 1883);
    CHECK(c.client_id == "c1");
    CHECK_FALSE(c.username);
    CHECK_FALSE(c.password);
    CHECK_FALSE(c.use_tls);
    CHECK(c.keep_alive_secs == 60);
    CHECK(c.connection_timeout_secs == 30);
    CHECK(c.max_packet_size == 10485760);
    CHECK(c.clean_session);
    CHECK(c.include_metadata);
    CHECK(c.tcp_nodelay);
    CHECK(c.protocol_version == ProtocolVersion::v311);
    CHECK_FALSE(c.ack_after_publish);
    CHECK(c.key_routing);
    REQUIRE(c.routes.size() == 1);
    CHECK(c.routes[0].qos == 1);  // AtLeastOnce
    CHECK(c.routes[0].partitions == 0);
    CHECK(c.routes[0].reliable_dispatch);
    CHECK(c.warnings.empty());
}

TEST_CASE("QoS names and reliable_dispatch derived from them", "[unit][mqtt][config]") {
    auto j = minimal();
    j["mqtt"]["routes"] = json::parse(R"([
        {"from": "a", "to": "/d/a", "qos": "AtMostOnce"},
        {"from": "b", "to": "/d/b", "qos": "AtLeastOnce", "partitions": 4},
        {"from": "c", "to": "/d/c", "qos": "ExactlyOnce"},
        {"from": "d", "to": "/d/d", "qos": "AtMostOnce", "reliable_dispatch": true},
        {"from": "e", "to": "/d/e", "qos": 2}])");
    const auto c = parse(j);
    REQUIRE(c.routes.size() == 5);
    CHECK(c.routes[0].qos == 0);
    CHECK_FALSE(c.routes[0].reliable_dispatch);
    CHECK(c.routes[1].qos == 1);
    CHECK(c.routes[1].partitions == 4);
    CHECK(c.routes[1].reliable_dispatch);
    CHECK(c.routes[2].qos == 2);
    CHECK(c.routes[2].reliable_dispatch);
    CHECK(c.routes[3].reliable_dispatch);
    CHECK(c.routes[4].qos == 2);
    j["mqtt"]["routes"][0]["qos"] = "at_most_once";
    CHECK(error_of(j) ==
          "mqtt.routes[0].qos: expected \"AtMostOnce\", \"AtLeastOnce\" or \"ExactlyOnce\" (or 0, 1, 2), got \"at_most_once\"");
    j["mqtt"]["routes"][0]["qos"] = 3;
    CHECK_THAT(error_of(j), Catch::EndsWith("(or 0, 1, 2), got 3"));
}

TEST_CASE("environment overrides win over the file", "[unit][mqtt][config]") {
    EnvScope env({{"MQTT_BROKER_HOST", "broker.example"},
                  {"MQTT_BROKER_PORT", "8883"},
                  {"MQTT_CLIENT_ID", "from-env"},
                  {"MQTT_USERNAME", "u"},
                  {"MQTT_PASSWORD", "p"},
                  {"MQTT_USE_TLS", "true"}});
    const auto c = parse(minimal());
    CHECK(c.broker_host == "broker.example");
    CHECK(c.broker_port == 8883);
    CHECK(c.client_id == "from-env");
    CHECK(c.username == "u");
    CHECK(c.password == "p");
    CHECK(c.use_tls);
}

TEST_CASE("unusable MQTT_BROKER_PORT and MQTT_USE_TLS values are ignored with a warning", "[unit][mqtt][config]") {
    EnvScope env({{"MQTT_BROKER_PORT", "18x3"}, {"MQTT_USE_TLS", "yes"}});
    const auto c = parse(minimal());
    CHECK(c.broker_port == 1883);
    CHECK_FALSE(c.use_tls);
    CHECK(c.warnings == std::vector<std::string>{
                            "MQTT_BROKER_PORT is not a port number; ignored (as the Rust connector does)",
                            "MQTT_USE_TLS must be \"true\" or \"false\"; ignored (as the Rust connector does)"});
}

TEST_CASE("env can supply the host and client id the file leaves empty", "[unit][mqtt][config]") {
    auto j = minimal();
    j["mqtt"]["broker_host"] = "";
    j["mqtt"].erase("client_id");
    CHECK_THAT(error_of(j), Catch::Contains("mqtt.broker_host") && Catch::Contains("broker_host cannot be empty"));
    j["mqtt"]["broker_host"] = "h";
    CHECK_THAT(error_of(j), Catch::Contains("mqtt.client_id") && Catch::Contains("client_id cannot be empty"));
    EnvScope env(std::map<std::string, std::string>{{"MQTT_CLIENT_ID", "c"}});
    CHECK(parse(j).client_id == "c");
}

TEST_CASE("the older topic_mappings vocabulary is accepted with a deprecation warning", "[unit][mqtt][config]") {
    auto j = minimal();
    j["mqtt"].erase("routes");
    j["mqtt"]["topic_mappings"] = json::parse(
        R"([{"mqtt_topic": "sensors/+/t", "danube_topic": "/iot/t", "qos": "AtMostOnce", "partitions": 2}])");
    const auto c = parse(j);
    REQUIRE(c.routes.size() == 1);
    CHECK(c.routes[0].from == "sensors/+/t");
    CHECK(c.routes[0].to == "/iot/t");
    CHECK(c.routes[0].qos == 0);
    CHECK(c.routes[0].partitions == 2);
    CHECK_FALSE(c.routes[0].reliable_dispatch);
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::Contains("deprecated"));
    CHECK_FALSE(schema_error(j));
    j["mqtt"]["routes"] = minimal()["mqtt"]["routes"];
    CHECK_THAT(error_of(j), Catch::Contains("not both"));
}

TEST_CASE("validation messages name the key", "[unit][mqtt][config]") {
    auto j = minimal();
    j["mqtt"]["brokr_host"] = "x";
    CHECK(error_of(j) == "mqtt.brokr_host: unknown key (did you mean \"broker_host\"?)");

    j = minimal();
    j["mqtt"]["routes"][0]["partition"] = 3;
    CHECK(error_of(j) == "mqtt.routes[0].partition: unknown key (did you mean \"partitions\"?)");

    j = minimal();
    j["mqtt"]["routes"] = json::array();
    CHECK_THAT(error_of(j), Catch::Contains("At least one route is required"));

    j = minimal();
    j["mqtt"]["routes"][0]["from"] = "";
    CHECK_THAT(error_of(j), Catch::Contains("mqtt.routes[0].from") && Catch::Contains("Route 'from' cannot be empty"));

    j = minimal();
    j["mqtt"]["routes"][0]["to"] = "";
    CHECK_THAT(error_of(j), Catch::Contains("mqtt.routes[0].to") && Catch::Contains("Route 'to' cannot be empty"));

    j = minimal();
    j["mqtt"]["routes"][0]["from"] = "a/#/b";
    CHECK_THAT(error_of(j), Catch::Contains("mqtt.routes[0].from") && Catch::Contains("'#'"));

    j = minimal();
    j["mqtt"]["broker_port"] = "1883";
    CHECK(error_of(j) == "mqtt.broker_port: expected an integer from 1 to 65535, got a string");

    j = minimal();
    j["mqtt"]["broker_port"] = 70000;
    CHECK(error_of(j) == "mqtt.broker_port: expected an integer from 1 to 65535, got 70000");

    j = minimal();
    j["mqtt"]["keep_alive_secs"] = 3;
    CHECK(error_of(j) == "mqtt.keep_alive_secs: must be 0 (off) or from 5 to 65535, got 3");

    j = minimal();
    j["mqtt"]["protocol_version"] = "4";
    CHECK(error_of(j) == "mqtt.protocol_version: expected \"3.1.1\" or \"5\", got \"4\"");

    j = minimal();
    j["mqtt"]["use_tls"] = "true";
    CHECK(error_of(j) == "mqtt.use_tls: expected true or false, got a string");

    j = minimal();
    j["mqtt"]["routes"] = json::object();
    CHECK(error_of(j) == "mqtt.routes: expected an array of tables ([[mqtt.routes]]), got a table");

    j = minimal();
    j["mqtt"]["routes"][0] = "sensors/#";
    CHECK(error_of(j) == "mqtt.routes[0]: expected a table, got a string");

    j = minimal();
    j["mqtt"]["use_tls"] = true;
    j["mqtt"]["ca_cert_path"] = "/nonexistent/ca.crt";
    CHECK_THAT(error_of(j), Catch::Contains("mqtt.ca_cert_path") && Catch::Contains("does not exist"));

    j = minimal();
    j["mqtt"]["client_cert_path"] = "/x.crt";
    CHECK_THAT(error_of(j), Catch::Contains("client_key_path"));

    j = minimal();
    j["mqtt_extra"] = json::object();
    CHECK(error_of(j) == "mqtt_extra: unknown key (the in_mqtt plugin reads only [mqtt])");

    CHECK_THAT(error_of(json::object()), Catch::Contains("[mqtt] section is required"));
}

TEST_CASE("a password needs a username under MQTT 3.1.1 but not under MQTT 5", "[unit][mqtt][config]") {
    auto j = minimal();
    j["mqtt"]["password"] = "secret";
    const std::string err = error_of(j);
    CHECK_THAT(err, Catch::Contains("mqtt.password") && Catch::Contains("needs a username"));
    CHECK_THAT(err, !Catch::Contains("secret"));  // never the value
    j["mqtt"]["protocol_version"] = "5";
    CHECK(parse(j).password == "secret");
    j = minimal();
    j["mqtt"]["username"] = "only-user";
    CHECK(parse(j).username == "only-user");  // a user name alone is sent (MQTT 3.1.1 allows it)
}

TEST_CASE("a password typed as a number is refused without showing it", "[unit][mqtt][config]") {
    auto j = minimal();
    j["mqtt"]["username"] = "connector";
    j["mqtt"]["password"] = 12345;
    const std::string err = error_of(j);
    CHECK(err == "mqtt.password: expected a string, got an integer");
    CHECK_THAT(err, !Catch::Contains("12345"));
    // Other wrong shapes of a secret are named by their type alone too.
    j["mqtt"]["password"] = json::array({"hunter2"});
    CHECK(error_of(j) == "mqtt.password: expected a string, got an array");
    j["mqtt"]["password"] = 4711.5;
    CHECK(error_of(j) == "mqtt.password: expected a string, got a float");
    j["mqtt"]["password"] = "12345";
    CHECK(parse(j).password == "12345");  // quoted, it is a password like any other
}

TEST_CASE("shared subscriptions keep the filter and match on the rest", "[unit][mqtt][config]") {
    auto j = minimal();
    j["mqtt"]["routes"][0]["from"] = "$share/workers/sensors/#";
    const auto c = parse(j);
    CHECK(c.routes[0].from == "$share/workers/sensors/#");
    CHECK(c.routes[0].match_filter == "sensors/#");
}

TEST_CASE("a route shadowed by an earlier one with the same filter is reported", "[unit][mqtt][config]") {
    auto j = minimal();
    j["mqtt"]["routes"].push_back({{"from", "sensors/#"}, {"to", "/iot/other"}});
    const auto c = parse(j);
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::Contains("mqtt.routes[1]") && Catch::Contains("never receives"));
}

TEST_CASE("the JSON Schema accepts every key the parser knows and refuses unknown ones", "[unit][mqtt][config]") {
    const auto all = json::parse(R"({"mqtt": {
        "broker_host": "h", "broker_port": 1883, "client_id": "c", "username": "u", "password": "p",
        "use_tls": false, "ca_cert_path": "a", "client_cert_path": "b", "client_key_path": "c",
        "tls_insecure": false, "keep_alive_secs": 30, "connection_timeout_secs": 5, "max_packet_size": 1000,
        "clean_session": false, "include_metadata": true, "tcp_nodelay": true, "protocol_version": "5",
        "ack_after_publish": true, "key_routing": false,
        "routes": [{"from": "a", "to": "/d/a", "qos": "ExactlyOnce", "partitions": 1, "reliable_dispatch": true}]}})");
    CHECK_FALSE(schema_error(all));
    CHECK_NOTHROW(parse(all));
    auto bad = all;
    bad["mqtt"]["brokr_host"] = "x";
    REQUIRE(schema_error(bad));
    CHECK_THAT(*schema_error(bad), Catch::Contains("brokr_host"));
    bad = all;
    bad["mqtt"]["routes"][0]["qos"] = "Once";
    CHECK(schema_error(bad));
    bad = all;
    bad["mqtt"]["routes"][0].erase("to");
    CHECK(schema_error(bad));
}

TEST_CASE("config.example.toml parses and passes the schema", "[unit][mqtt][config]") {
    const json section = dcx::testing::plugin_section_of(DCX_IN_MQTT_DIR "/config.example.toml");
    INFO(section.dump());
    CHECK_FALSE(schema_error(section));
    const auto c = parse(section);
    CHECK(c.broker_host == "127.0.0.1");
    CHECK(c.broker_port == 1883);
    CHECK_FALSE(c.clean_session);
    REQUIRE(c.routes.size() == 2);
    CHECK(c.routes[0].to == "/default/sensors_zone1");
    CHECK(c.routes[0].partitions == 4);
    CHECK(c.routes[1].qos == 0);
    CHECK_FALSE(c.routes[1].reliable_dispatch);
}
