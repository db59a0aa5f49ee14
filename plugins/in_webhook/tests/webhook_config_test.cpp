// SPDX-License-Identifier: Apache-2.0
// The webhook configuration: the Rust connector's tables, defaults, env overrides and validation
// messages, the older [[endpoints]] vocabulary, this plugin's additions, and the JSON Schema the
// host checks (config.example.toml must pass both).
#include <catch2/catch.hpp>


#include <map>

#include "dcx/sdk/error.hpp"
#include "plugin_config_testing.hpp"
#include "webhook_config.hpp"

using namespace dcx::webhook;
using nlohmann::json;

namespace {

using Env = std::map<std::string, std::string>;
Env g_env;
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
    return json::parse(R"({"server": {}, "auth": {"type": "none"},
                           "routes": [{"from": "/hooks/a", "to": "/default/a"}]})");
}

WebhookConfig parse(const json& j) { return parse_config(j, fake_env); }

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

TEST_CASE("a minimal configuration gets the Rust connector's defaults", "[unit][webhook][config]") {
    const auto c = parse(minimal());
    CHECK(c.server.host == "0.0.0.0");
    CHECK(c.server.port == 8080);
    CHECK(c.server.timeout_seconds == 30);
    CHECK(c.server.max_body_size == 1048576);
    CHECK(c.server.ack == AckMode::enqueue);
    CHECK(c.auth.type == AuthType::none);
    CHECK_FALSE(c.rate_limit);
    REQUIRE(c.routes.size() == 1);
    CHECK(c.routes[0].from == "/hooks/a");
    CHECK(c.routes[0].to == "/default/a");
    CHECK(c.routes[0].partitions == 0);
    CHECK_FALSE(c.routes[0].reliable_dispatch);
    CHECK(c.routes[0].ack == AckMode::enqueue);
    CHECK(c.warnings.empty());
}

TEST_CASE("SERVER_HOST and SERVER_PORT override the table with Rust's port errors", "[unit][webhook][config]") {
    {
        EnvScope env(Env{{"SERVER_HOST", "127.0.0.1"}, {"SERVER_PORT", "9099"}});
        const auto c = parse(minimal());
        CHECK(c.server.host == "127.0.0.1");
        CHECK(c.server.port == 9099);
    }
    {
        EnvScope env(Env{{"SERVER_PORT", "+0"}});
        CHECK(parse(minimal()).server.port == 0);
    }
    EnvScope env(Env{{"SERVER_PORT", "80a"}});
    CHECK(error_of(minimal()) == "Configuration error: Invalid SERVER_PORT value: invalid digit found in string");
    g_env["SERVER_PORT"] = "65536";
    CHECK(error_of(minimal()) == "Configuration error: Invalid SERVER_PORT value: number too large to fit in target type");
    g_env["SERVER_PORT"] = "";
    CHECK(error_of(minimal()) == "Configuration error: Invalid SERVER_PORT value: cannot parse integer from empty string");
}

TEST_CASE("route validation uses the Rust connector's messages", "[unit][webhook][config]") {
    auto j = minimal();
    j["routes"] = json::array();
    CHECK(error_of(j) == "Configuration error: At least one route must be configured");
    j = minimal();
    j.erase("routes");
    CHECK(error_of(j) == "Configuration error: At least one route must be configured");
    j = minimal();
    j["routes"].push_back({{"from", "/hooks/a"}, {"to", "/default/b"}});
    CHECK(error_of(j) == "Configuration error: Duplicate route source path: /hooks/a");
    j = minimal();
    j["routes"][0]["from"] = "hooks/a";
    CHECK(error_of(j) == "Configuration error: Route 'from' must start with '/': hooks/a");
    j = minimal();
    j["routes"][0]["to"] = "";
    CHECK(error_of(j) == "Configuration error: Route 'to' cannot be empty for source path: /hooks/a");
    j = minimal();
    j["routes"][0].erase("to");
    CHECK(error_of(j) == "routes[0].to: is required");
    j = minimal();
    j["routes"][0]["from"] = "/health";
    CHECK_THAT(error_of(j), Catch::Contains("server's own GET endpoint"));
}

TEST_CASE("auth validation uses the Rust connector's messages", "[unit][webhook][config]") {
    auto with_auth = [](const json& auth) {
        auto j = minimal();
        j["auth"] = auth;
        return error_of(j);
    };
    CHECK(with_auth({{"type", "apikey"}, {"header", "X-Api-Key"}}) ==
          "Configuration error: secret_env is required for API key authentication");
    CHECK(with_auth({{"type", "apikey"}, {"secret_env", "K"}}) ==
          "Configuration error: header is required for API key authentication");
    CHECK(with_auth({{"type", "hmac"}, {"header", "X-Sig"}, {"algorithm", "sha256"}}) ==
          "Configuration error: secret_env is required for HMAC authentication");
    CHECK(with_auth({{"type", "hmac"}, {"secret_env", "K"}, {"algorithm", "sha256"}}) ==
          "Configuration error: header is required for HMAC authentication");
    CHECK(with_auth({{"type", "hmac"}, {"secret_env", "K"}, {"header", "X-Sig"}}) ==
          "Configuration error: algorithm is required for HMAC authentication");
    CHECK(with_auth({{"type", "jwt"}}) ==
          "Configuration error: Either secret_env or public_key_path is required for JWT authentication");
    CHECK(with_auth({{"type", "hmac"}, {"secret_env", "K"}, {"header", "X-Sig"}, {"algorithm", "md5"}}) ==
          "auth.algorithm: expected \"sha256\" or \"sha512\" for HMAC authentication, got \"md5\"");
    CHECK(with_auth({{"type", "basic"}}) == "auth.type: expected \"none\", \"apikey\", \"hmac\" or \"jwt\", got \"basic\"");
    CHECK(with_auth({{"type", "jwt"}, {"secret_env", "K"}, {"algorithm", "HS512"}}) ==
          "auth.algorithm: expected \"HS256\", \"RS256\" or \"ES256\" for JWT authentication, got \"HS512\"");
    CHECK(with_auth({{"type", "hmac"}, {"secret_env", "K"}, {"header", "X"}, {"algorithm", "sha256"}, {"signature_style", "slack"}}) ==
          "auth.signature_style: expected \"github\", \"hex\" or \"stripe\", got \"slack\"");
    CHECK_THAT(with_auth({{"type", "jwt"}, {"public_key_path", "/nonexistent/key.pem"}}), Catch::Contains("does not exist"));
    CHECK_THAT(with_auth({{"type", "jwt"}, {"secret_env", "K"}, {"algorithm", "RS256"}}), Catch::Contains("public_key_path"));
    CHECK_THAT(with_auth({{"type", "apikey"}, {"secret_env", "K"}, {"header", "X"}, {"reject_replays", true}}),
               Catch::Contains("reject_replays"));
    // The routes are validated before [auth], as in Rust.
    auto j = minimal();
    j["auth"] = {{"type", "jwt"}};
    j["routes"] = json::array();
    CHECK(error_of(j) == "Configuration error: At least one route must be configured");
}

TEST_CASE("the HMAC signature style follows the header name unless set", "[unit][webhook][config]") {
    auto style = [](const std::string& header, std::optional<std::string> set = std::nullopt) {
        auto j = minimal();
        j["auth"] = {{"type", "hmac"}, {"secret_env", "K"}, {"header", header}, {"algorithm", "SHA256"}};
        if (set) j["auth"]["signature_style"] = *set;
        return parse(j).auth;
    };
    CHECK(style("Stripe-Signature").signature_style == SignatureStyle::stripe);
    CHECK(style("Stripe-Signature").reject_replays);
    CHECK(style("X-Hub-Signature-256").signature_style == SignatureStyle::github);
    CHECK_FALSE(style("X-Hub-Signature-256").reject_replays);
    CHECK(style("X-Signature").signature_style == SignatureStyle::hex);
    CHECK(style("X-Signature", "stripe").signature_style == SignatureStyle::stripe);
    CHECK(style("X-Signature").hmac_algorithm == HmacAlgorithm::sha256);
    CHECK(style("X-Signature").tolerance_seconds == 300);
}

TEST_CASE("the older endpoints vocabulary is accepted with a warning", "[unit][webhook][config]") {
    const auto j = json::parse(R"({"server": {"port": 9000}, "auth": {"type": "none"},
        "rate_limit": {"requests_per_second": 5, "burst_size": 10},
        "endpoints": [{"path": "/webhooks/payments", "danube_topic": "/stripe/payments", "partitions": 4,
                       "reliable_dispatch": true, "rate_limit": {"requests_per_second": 1, "burst_size": 2}}]})");
    const auto c = parse(j);
    REQUIRE(c.routes.size() == 1);
    CHECK(c.routes[0].from == "/webhooks/payments");
    CHECK(c.routes[0].to == "/stripe/payments");
    CHECK(c.routes[0].partitions == 4);
    CHECK(c.routes[0].reliable_dispatch);
    REQUIRE(c.routes[0].rate_limit);
    CHECK(c.routes[0].rate_limit->burst_size == 2);
    REQUIRE(c.rate_limit);
    CHECK(c.rate_limit->requests_per_second == 5);
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::Contains("deprecated"));
    CHECK_FALSE(schema_error(j));
    auto both = j;
    both["routes"] = json::array({{{"from", "/x"}, {"to", "/d/x"}}});
    CHECK_THAT(error_of(both), Catch::Contains("not both"));
}

TEST_CASE("unknown keys and wrong types are refused with their path", "[unit][webhook][config]") {
    auto j = minimal();
    j["server"]["prot"] = 1;
    CHECK(error_of(j) == "server.prot: unknown key (did you mean \"port\"?)");
    j = minimal();
    j["server"]["frobnicate"] = 1;
    CHECK(error_of(j) == "server.frobnicate: unknown key");
    j = minimal();
    j["retries"] = 1;
    CHECK(error_of(j) == "retries: unknown key");
    j = minimal();
    j["server"]["port"] = "8080";
    CHECK(error_of(j) == "server.port: expected an integer from 0 to 65535, got a string");
    j = minimal();
    j["server"]["port"] = 70000;
    CHECK(error_of(j) == "server.port: expected an integer from 0 to 65535, got 70000");
    j = minimal();
    j["rate_limit"] = {{"requests_per_second", 5}};
    CHECK(error_of(j) == "rate_limit.burst_size: is required");
    j = minimal();
    j["routes"][0]["ack"] = "later";
    CHECK(error_of(j) == "routes[0].ack: expected \"enqueue\" or \"publish\", got \"later\"");
    j = minimal();
    j["routes"][0]["reliable_dispatch"] = "yes";
    CHECK(error_of(j) == "routes[0].reliable_dispatch: expected true or false, got a string");
    j = minimal();
    j["routes"] = json::object();
    CHECK(error_of(j) == "routes: expected an array of tables ([[routes]]), got a table");
    j = minimal();
    j["server"] = "0.0.0.0";
    CHECK(error_of(j) == "server: expected a table, got a string");
    j = minimal();
    j["server"]["trusted_proxies"] = {"10.0.0.0/8", "not-an-ip"};
    CHECK(error_of(j) == "server.trusted_proxies[1]: 'not-an-ip' is not an IP address or CIDR range");
    j = minimal();
    j["server"]["tls_cert_path"] = "/tmp/cert.pem";
    CHECK_THAT(error_of(j), Catch::Contains("go together"));
}

TEST_CASE("a secret typed as a number is refused without showing it", "[unit][webhook][config]") {
    // secret_env names the variable that holds the secret; a secret pasted in its place (here a
    // numeric one) must not be echoed into the log.
    auto j = minimal();
    j["auth"] = {{"type", "apikey"}, {"secret_env", 12345}, {"header", "X-API-Key"}};
    const std::string err = error_of(j);
    CHECK(err == "auth.secret_env: expected a string, got an integer");
    CHECK_THAT(err, !Catch::Contains("12345"));
    j["auth"]["secret_env"] = "WEBHOOK_SECRET";
    j["auth"]["header"] = 4711;
    CHECK(error_of(j) == "auth.header: expected a string, got an integer");
    j["auth"] = {{"type", "jwt"}, {"public_key_path", json::array({"-----BEGIN PUBLIC KEY-----"})}};
    CHECK(error_of(j) == "auth.public_key_path: expected a string, got an array");
}

TEST_CASE("ack is set for the server and overridden per route", "[unit][webhook][config]") {
    auto j = minimal();
    j["server"]["ack"] = "publish";
    j["routes"].push_back({{"from", "/hooks/b"}, {"to", "/default/b"}, {"ack", "enqueue"}});
    const auto c = parse(j);
    CHECK(c.routes[0].ack == AckMode::publish);
    CHECK(c.routes[1].ack == AckMode::enqueue);
}

TEST_CASE("the JSON Schema accepts every key and refuses typos", "[unit][webhook][config]") {
    const auto all = json::parse(R"({
        "server": {"host": "127.0.0.1", "port": 8080, "timeout_seconds": 30, "max_body_size": 1024,
                   "tls_cert_path": "c", "tls_key_path": "k", "ack": "publish", "publish_timeout_ms": 100,
                   "queue_timeout_ms": 100, "queue_capacity": 10, "read_timeout_seconds": 5, "worker_threads": 4,
                   "trusted_proxies": ["10.0.0.1"], "client_ip_header": "X-Real-IP", "ready_max_unconfirmed_ms": 100},
        "auth": {"type": "hmac", "secret_env": "S", "header": "Stripe-Signature", "algorithm": "sha256",
                 "public_key_path": "p", "signature_style": "stripe", "tolerance_seconds": 60, "reject_replays": true,
                 "replay_window_seconds": 60},
        "rate_limit": {"requests_per_second": 1, "burst_size": 1, "per_ip_enabled": true,
                       "per_ip_requests_per_second": 1, "per_ip_burst_size": 1},
        "routes": [{"from": "/a", "to": "/d/a", "partitions": 2, "reliable_dispatch": true, "ack": "enqueue",
                    "rate_limit": {"requests_per_second": 1, "burst_size": 1}}]})");
    CHECK_FALSE(schema_error(all));
    auto bad = all;
    bad["server"]["hots"] = "x";
    REQUIRE(schema_error(bad));
    CHECK_THAT(*schema_error(bad), Catch::Contains("hots"));
    bad = all;
    bad["auth"]["type"] = "basic";
    CHECK(schema_error(bad));
    bad = all;
    bad.erase("auth");
    CHECK(schema_error(bad));
    bad = all;
    bad["routes"][0].erase("to");
    CHECK(schema_error(bad));
    bad = all;
    bad["rate_limit"].erase("burst_size");
    CHECK(schema_error(bad));
}

TEST_CASE("config.example.toml parses and passes the schema", "[unit][webhook][config]") {
    const json section = dcx::testing::plugin_section_of(DCX_IN_WEBHOOK_DIR "/config.example.toml");
    INFO(section.dump());
    CHECK_FALSE(schema_error(section));
    EnvScope env(Env{});
    const auto c = parse(section);
    CHECK(c.server.host == "127.0.0.1");
    CHECK(c.auth.type == AuthType::hmac);
    CHECK(c.auth.signature_style == SignatureStyle::github);
    REQUIRE(c.routes.size() >= 2);
    CHECK(c.routes[0].to == "/default/github-events");
    REQUIRE(c.rate_limit);
}
