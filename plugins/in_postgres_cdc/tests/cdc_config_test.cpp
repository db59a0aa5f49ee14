// SPDX-License-Identifier: Apache-2.0
// The [postgres_cdc] section: defaults, validation messages that name the key, the password from
// the environment (never in a message), routing by route and by pattern, and the JSON Schema the
// host checks (config.example.toml must pass both).
#include <catch2/catch.hpp>


#include <map>

#include "cdc_config.hpp"
#include "dcx/sdk/error.hpp"
#include "plugin_config_testing.hpp"
#include "pg_connection.hpp"
#include "route_table.hpp"

using namespace dcx::pgcdc;
using nlohmann::json;

namespace {

std::map<std::string, std::string> g_env;
std::optional<std::string> fake_env(const std::string& name) {
    const auto it = g_env.find(name);
    if (it == g_env.end()) return std::nullopt;
    return it->second;
}

json minimal() {
    return json::parse(R"({"postgres_cdc": {"connection": "host=127.0.0.1 port=5432 dbname=app user=cdc",
                            "topic_pattern": "/default/{schema}_{table}"}})");
}

CdcConfig parse(const json& j) { return parse_config(j, fake_env); }

std::string error_of(const json& j) {
    try {
        parse(j);
    } catch (const dcx::sdk::ConfigError& e) {
        return e.what();
    }
    return "no error";
}

json with(const std::string& key, json value) {
    json j = minimal();
    j["postgres_cdc"][key] = std::move(value);
    return j;
}



std::optional<std::string> schema_error(const json& doc) { return dcx::testing::schema_errors(config_schema(), doc); }

}  // namespace

TEST_CASE("defaults: slot and publication danube_cdc, created when missing, no snapshot", "[unit][cdc][config]") {
    const auto c = parse(minimal());
    CHECK(c.slot == "danube_cdc");
    CHECK(c.publication == "danube_cdc");
    CHECK(c.create_slot);
    CHECK(c.create_publication);
    CHECK(c.snapshot == SnapshotMode::never);
    CHECK(c.status_interval_ms == 10000);
    CHECK(c.connect_timeout_secs == 10);
    CHECK(c.reliable_dispatch);
    CHECK(c.partitions == 0);
    CHECK_FALSE(c.password);
    CHECK(c.warnings.empty());
}

TEST_CASE("every key is read", "[unit][cdc][config]") {
    g_env = {{"PG_SECRET", "s3cr3t"}};
    const auto c = parse(json::parse(R"({"postgres_cdc": {
        "connection": "postgresql://cdc@db:5433/app", "password_env": "PG_SECRET", "slot": "s1",
        "create_slot": false, "publication": "Pub_1", "create_publication": false,
        "tables": ["public.a", "shop.b"], "partitions": 3, "reliable_dispatch": false,
        "routes": [{"from": "public.a", "to": "/ns/a", "partitions": 2, "reliable_dispatch": false}],
        "snapshot": "initial", "snapshot_fetch_rows": 50, "status_interval_ms": 500,
        "connect_timeout_secs": 3, "query_timeout_secs": 4, "reconnect_backoff_ms": 20,
        "max_reconnect_backoff_ms": 40}})"));
    g_env.clear();
    CHECK(c.password == "s3cr3t");
    CHECK(c.slot == "s1");
    CHECK_FALSE(c.create_slot);
    CHECK(c.publication == "Pub_1");
    CHECK(c.tables == std::vector<TableName>{{"public", "a"}, {"shop", "b"}});
    REQUIRE(c.routes.size() == 1);
    CHECK(c.routes[0].from == TableName{"public", "a"});
    CHECK(c.routes[0].partitions == 2);
    CHECK_FALSE(c.routes[0].reliable_dispatch);
    CHECK(c.snapshot == SnapshotMode::initial);
    CHECK(c.snapshot_fetch_rows == 50);
    CHECK(c.status_interval_ms == 500);
    CHECK(c.max_reconnect_backoff_ms == 40);
}

TEST_CASE("mistakes are reported with the key's path", "[unit][cdc][config]") {
    CHECK(error_of(json::object()) == "postgres_cdc: the [postgres_cdc] section is required");
    CHECK(error_of(json::parse(R"({"postgres_cdc": {"connection": "host=x"}})")).find("postgres_cdc.routes: set routes") == 0);
    CHECK(error_of(with("solt", "x")) == "postgres_cdc.solt: unknown key (did you mean \"slot\"?)");
    CHECK(error_of(with("connection", "")).find("postgres_cdc.connection: is required") == 0);
    CHECK(error_of(with("connection", 5)) == "postgres_cdc.connection: expected a string, got an integer");
    CHECK(error_of(with("slot", "Bad-Slot")).find("postgres_cdc.slot: may contain only lower-case") == 0);
    CHECK(error_of(with("publication", "a b")).find("postgres_cdc.publication: may contain only") == 0);
    CHECK(error_of(with("snapshot", "always")) == "postgres_cdc.snapshot: expected \"never\" or \"initial\", got \"always\"");
    CHECK(error_of(with("status_interval_ms", 5)) == "postgres_cdc.status_interval_ms: expected an integer from 100 to 60000, got 5");
    CHECK(error_of(with("tables", json::array({"orders"}))) == "postgres_cdc.tables[0]: expected \"schema.table\", got \"orders\"");
    CHECK(error_of(with("topic_pattern", "cdc/{table}")).find("postgres_cdc.topic_pattern: must give a Danube topic") == 0);
    CHECK(error_of(with("routes", json::parse(R"([{"from": "public.a", "to": "a"}])")))
              .find("postgres_cdc.routes[0].to: expected a Danube topic") == 0);
    CHECK(error_of(with("routes", json::parse(R"([{"to": "/a/b"}])"))) == "postgres_cdc.routes[0].from: is required (\"schema.table\")");
    CHECK(error_of(with("routes", json::parse(R"([{"from": "public.a", "to": "/a/b"}, {"from": "public.a", "to": "/a/c"}])"))) ==
          "postgres_cdc.routes[1].from: table public.a has a route already");
    CHECK(error_of(with("routes", json::parse(R"([{"from": "public.a", "to": "/a/b", "priority": 1}])"))) ==
          "postgres_cdc.routes[0].priority: unknown key");
    CHECK(error_of(json::parse(R"({"postgres_cdc": {"connection": "host=x", "topic_pattern": "/a/b"}, "mqtt": {}})")) ==
          "mqtt: unknown key (the in_postgres_cdc plugin reads only [postgres_cdc])");
}

TEST_CASE("the password comes from the environment and never appears in a message", "[unit][cdc][config]") {
    CHECK(error_of(with("password_env", "PG_UNSET")) ==
          "postgres_cdc.password_env: names the environment variable PG_UNSET, which is not set");
    // A broken connection string that holds a password: libpq's message (which may quote it) is not shown.
    const std::string e = error_of(with("connection", "host=x password=hunter2 port"));
    CHECK(e.find("is not a valid libpq connection string") != std::string::npos);
    CHECK(e.find("hunter2") == std::string::npos);
    // Without a secret, libpq's reason is shown.
    CHECK(error_of(with("connection", "hots=x")).find("invalid connection option") != std::string::npos);
    // A password in the string works, with a warning; the target's description leaves it out.
    const auto c = parse(with("connection", "host=db password=hunter2 user=cdc"));
    REQUIRE(c.warnings.size() == 1);
    CHECK(c.warnings[0].find("prefer password_env") != std::string::npos);
    const auto target = replication_target(c, "app");
    CHECK(target.description == "host=db port=(default) dbname=(default) user=cdc");
    CHECK(target.description.find("hunter2") == std::string::npos);
}

TEST_CASE("the replication target adds replication, encoding and output settings", "[unit][cdc][config]") {
    g_env = {{"PGPW", "pw"}};
    auto c = parse(with("password_env", "PGPW"));
    g_env.clear();
    c.connection = "host=db options='-c work_mem=64MB' application_name=mine replication=true";
    const auto target = replication_target(c, "danube-connectd x");
    std::map<std::string, std::string> p(target.params.begin(), target.params.end());
    CHECK(p["replication"] == "database");
    CHECK(p["password"] == "pw");
    CHECK(p["client_encoding"] == "UTF8");
    CHECK(p["application_name"] == "mine");
    CHECK(p["options"].find("-c work_mem=64MB -c datestyle=ISO -c timezone=UTC") == 0);
    CHECK(p["options"].find("bytea_output=hex") != std::string::npos);
}

TEST_CASE("routes win over the pattern; topics are declared once each", "[unit][cdc][config]") {
    auto c = parse(with("routes", json::parse(R"([{"from": "public.orders", "to": "/default/orders", "partitions": 4}])")));
    RouteTable routes(c);
    CHECK(routes.route({"public", "orders"})->topic == "/default/orders");
    CHECK(routes.route({"public", "orders"})->partitions == 4);
    CHECK(routes.route({"shop", "line items"})->topic == "/default/shop_line_items");  // cleaned for a topic name
    std::vector<std::string> warnings;
    const auto producers = routes.declare({{"public", "orders"}, {"shop", "items"}}, warnings);
    REQUIRE(producers.size() == 2);
    CHECK(producers[0].topic == "/default/orders");
    CHECK(producers[1].topic == "/default/shop_items");
    CHECK(routes.declared("/default/shop_items"));
    CHECK_FALSE(routes.declared("/default/public_other"));
    CHECK(warnings.empty());

    c.topic_pattern.reset();
    RouteTable explicit_only(c);
    CHECK_FALSE(explicit_only.route({"shop", "items"}));
}

TEST_CASE("config.example.toml parses and passes the schema", "[unit][cdc][config]") {
    const json section = dcx::testing::plugin_section_of(DCX_IN_POSTGRES_CDC_DIR "/config.example.toml");
    g_env = {{"PGPASSWORD_CDC", "example"}};
    const auto c = parse(section);
    g_env.clear();
    CHECK(c.routes.size() == 2);
    CHECK(c.topic_pattern);
    const auto err = schema_error(section);
    INFO(err.value_or(""));
    CHECK_FALSE(err);
    CHECK(schema_error(with("slot", "BAD")));
    CHECK(schema_error(with("unknown", 1)));
}
