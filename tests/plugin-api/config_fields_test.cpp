// SPDX-License-Identifier: Apache-2.0
// dcx/sdk/config_fields.hpp as a plugin author sees it: each reader returns the value or throws
// ConfigError("<path>: <expected>, got <found>"), type errors name the JSON type and never the
// value (a password typed as a number must not reach a log), and unknown keys get a "did you mean".
#include <catch2/catch.hpp>

#include <iomanip>  // std::quoted in sight: the header's own calls must not pick it by ADL

#include "dcx/sdk/config_fields.hpp"

namespace field = dcx::sdk::config;
using dcx::sdk::ConfigError;
using nlohmann::json;

namespace {

// The message a reader throws, or "no error".
template <class Fn>
std::string error_of(Fn&& fn) {
    try {
        fn();
    } catch (const ConfigError& e) {
        CHECK(e.status() == DCX_STATUS_CONFIG);
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("config fields: readers return values of the right type", "[unit][plugin-api][config]") {
    CHECK(field::string(json("mosquitto"), "mqtt.broker_host") == "mosquitto");
    CHECK(field::boolean(json(true), "mqtt.use_tls"));
    CHECK(field::uint(json(1883), "mqtt.broker_port", 1, 65535) == 1883);
    CHECK(field::uint(json(0), "x", 0) == 0);
    CHECK(field::uint(json(std::numeric_limits<std::uint64_t>::max()), "x", 0) == std::numeric_limits<std::uint64_t>::max());
    const json t = {{"a", 1}};
    CHECK(&field::table(t, "section") == &t);
    const json a = json::array({1, 2});
    CHECK(&field::array(a, "list") == &a);
    CHECK(field::one_of(json("AtLeastOnce"), "qos", {"AtMostOnce", "AtLeastOnce", "ExactlyOnce"}) == 1);
    CHECK_NOTHROW(field::reject_unknown(json{{"host", 1}, {"port", 2}}, {"host", "port"}, "server"));
}

TEST_CASE("config fields: a wrong type names the key and the JSON type, never the value", "[unit][plugin-api][config]") {
    CHECK(error_of([] { field::string(json(12345), "mqtt.password"); }) == "mqtt.password: expected a string, got an integer");
    CHECK(error_of([] { field::string(json(3.25), "auth.secret"); }) == "auth.secret: expected a string, got a float");
    CHECK(error_of([] { field::string(json(false), "auth.token"); }) == "auth.token: expected a string, got a boolean");
    CHECK(error_of([] { field::string(json::array({"hunter2"}), "auth.token"); }) ==
          "auth.token: expected a string, got an array");
    CHECK(error_of([] { field::string(json{{"k", "hunter2"}}, "auth.token"); }) == "auth.token: expected a string, got a table");
    CHECK(error_of([] { field::string(json(nullptr), "auth.token"); }) == "auth.token: expected a string, got nothing");
    CHECK(error_of([] { field::boolean(json("yes"), "mqtt.use_tls"); }) == "mqtt.use_tls: expected true or false, got a string");
    CHECK(error_of([] { field::table(json("x"), "server"); }) == "server: expected a table, got a string");
    CHECK(error_of([] { field::array(json(7), "routes"); }) == "routes: expected an array, got an integer");
    // The secret-looking values themselves never appear.
    for (const auto& msg : {error_of([] { field::string(json(12345), "mqtt.password"); }),
                            error_of([] { field::string(json::array({"hunter2"}), "auth.token"); }),
                            error_of([] { field::boolean(json("hunter2"), "auth.enabled"); }),
                            error_of([] { field::uint(json("hunter2"), "auth.port", 1, 2); })}) {
        CHECK_THAT(msg, !Catch::Contains("12345") && !Catch::Contains("hunter2"));
    }
}

TEST_CASE("config fields: integers out of range are shown with the range", "[unit][plugin-api][config]") {
    CHECK(error_of([] { field::uint(json(70000), "mqtt.broker_port", 1, 65535); }) ==
          "mqtt.broker_port: expected an integer from 1 to 65535, got 70000");
    CHECK(error_of([] { field::uint(json(0), "mqtt.broker_port", 1, 65535); }) ==
          "mqtt.broker_port: expected an integer from 1 to 65535, got 0");
    CHECK(error_of([] { field::uint(json(-1), "server.port", 0, 65535); }) ==
          "server.port: expected an integer from 0 to 65535, got -1");
    CHECK(error_of([] { field::uint(json("8080"), "server.port", 0, 65535); }) ==
          "server.port: expected an integer from 0 to 65535, got a string");
    CHECK(error_of([] { field::uint(json(1.5), "server.port", 0, 65535); }) ==
          "server.port: expected an integer from 0 to 65535, got a float");
}

TEST_CASE("config fields: one_of lists the choices and quotes the typo", "[unit][plugin-api][config]") {
    CHECK(error_of([] { field::one_of(json("AtLeastOnse"), "qos", {"AtMostOnce", "AtLeastOnce", "ExactlyOnce"}); }) ==
          "qos: expected \"AtMostOnce\", \"AtLeastOnce\" or \"ExactlyOnce\", got \"AtLeastOnse\"");
    CHECK(error_of([] { field::one_of(json("x"), "ack", {"enqueue", "publish"}); }) ==
          "ack: expected \"enqueue\" or \"publish\", got \"x\"");
    CHECK(error_of([] { field::one_of(json(5), "protocol_version", {"3.1.1", "5"}); }) ==
          "protocol_version: expected \"3.1.1\" or \"5\", got an integer");
    // A long value is cut, and quotes inside it are escaped.
    const auto long_value = error_of([] { field::one_of(json(std::string(100, 'a')), "mode", {"on", "off"}); });
    CHECK(long_value == "mode: expected \"on\" or \"off\", got \"" + std::string(60, 'a') + "...\"");
    CHECK(error_of([] { field::one_of(json("a\"b"), "mode", {"on"}); }) == "mode: expected \"on\", got \"a\\\"b\"");
}

TEST_CASE("config fields: an unknown key is refused with the closest known key", "[unit][plugin-api][config]") {
    const std::set<std::string, std::less<>> known = {"broker_host", "broker_port", "client_id"};
    CHECK(error_of([&] { field::reject_unknown(json{{"brokr_host", "x"}}, known, "mqtt"); }) ==
          "mqtt.brokr_host: unknown key (did you mean \"broker_host\"?)");
    CHECK(error_of([&] { field::reject_unknown(json{{"clientid", "x"}}, known, "mqtt"); }) ==
          "mqtt.clientid: unknown key (did you mean \"client_id\"?)");
    // More than two edits away is another word: no suggestion.
    CHECK(error_of([&] { field::reject_unknown(json{{"frobnicate", 1}}, known, "mqtt"); }) == "mqtt.frobnicate: unknown key");
    // At the root the key is its own path.
    CHECK(error_of([&] { field::reject_unknown(json{{"client", 1}}, known, ""); }) == "client: unknown key");
    CHECK(field::edit_distance("kitten", "sitting") == 3);
    CHECK(field::edit_distance("", "abc") == 3);
    CHECK(field::edit_distance("same", "same") == 0);
}
