// SPDX-License-Identifier: Apache-2.0
// Loading a connector TOML file: the reference runtime's keys and defaults (reference-runtime.md
// §1-3), the host's own keys, interpolation, environment overrides, and errors that name the
// file, the key and, for type errors, the line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "config/connector_config.hpp"
#include "temp_dir.hpp"

using namespace dcx::config;
using dcx::testing::TempDir;
using dcx::testing::write_file;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* const kMinimal = R"(danube_service_url = "http://127.0.0.1:6650"
connector_name = "test-conn"
plugin = "in_datagen"
)";

const char* const kSchemaJson = R"({"type":"object","properties":{"id":{"type":"integer"}}})";

// An environment that only has what the test gives it; records every name looked up.
struct FakeEnv {
    std::map<std::string, std::string> vars;
    std::vector<std::string> asked;
    EnvLookup lookup() {
        return [this](const std::string& name) -> std::optional<std::string> {
            asked.push_back(name);
            const auto it = vars.find(name);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
    }
};

struct Fixture {
    TempDir dir;
    FakeEnv env;
    fs::path file = dir / "connector.toml";

    ConnectorConfig load(const std::string& text) {
        write_file(file, text);
        return load_config(file, env.lookup());
    }
    // The ConfigError message that loading `text` gives; fails the test when it loads.
    std::string error(const std::string& text) {
        write_file(file, text);
        try {
            load_config(file, env.lookup());
        } catch (const ConfigError& e) {
            return e.what();
        }
        FAIL("the configuration loaded without an error:\n" << text);
        return {};
    }
};

bool has_warning(const ConnectorConfig& c, const std::string& text) {
    for (const auto& w : c.warnings) {
        if (w.find(text) != std::string::npos) return true;
    }
    return false;
}

std::string all_warnings(const ConnectorConfig& c) {
    std::string out;
    for (const auto& w : c.warnings) out += w + "\n";
    return out;
}

}  // namespace

TEST_CASE("a minimal file gets the reference runtime's defaults", "[unit][config]") {
    Fixture f;
    const auto c = f.load(kMinimal);
    CHECK(c.danube_service_url == "http://127.0.0.1:6650");
    CHECK(c.connector_name == "test-conn");
    CHECK(c.plugin == "in_datagen");
    CHECK(c.processing.batch_size == 1000);
    CHECK(c.processing.batch_timeout_ms == 1000);
    CHECK(c.processing.poll_interval_ms == 100);
    CHECK(c.processing.metrics_port == 9090);
    CHECK(c.processing.log_level == "info");
    CHECK(c.processing.health_check_interval_ms == 30000);
    CHECK(c.processing.health_check_failure_threshold == 3);
    CHECK(c.retry.max_retries == 3);
    CHECK(c.retry.retry_backoff_ms == 1000);
    CHECK(c.retry.max_backoff_ms == 30000);
    CHECK(c.schemas.empty());
    CHECK(c.plugin_config == json::object());
    CHECK(c.dead_letter.topic.empty());
    CHECK(c.dead_letter.on_invalid == InvalidRecordPolicy::skip);
    CHECK(c.delivery.ordering == Ordering::strict);
    CHECK(c.warnings.empty());
    CHECK(c.file == f.file);
}

TEST_CASE("a partial table keeps the defaults of the keys it leaves out", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "[processing]\nbatch_size = 50\n[retry]\nmax_backoff_ms = 5000\n");
    CHECK(c.processing.batch_size == 50);
    CHECK(c.processing.poll_interval_ms == 100);
    CHECK(c.processing.metrics_port == 9090);
    CHECK(c.retry.max_backoff_ms == 5000);
    CHECK(c.retry.max_retries == 3);
}

TEST_CASE("every core and host key is read from its table", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + R"(
plugins_dir = "plugins"
data_dir = "/var/lib/dcx"
[retry]
max_retries = 7
retry_backoff_ms = 250
max_backoff_ms = 9000
[processing]
batch_size = 10
batch_timeout_ms = 20
poll_interval_ms = 30
metrics_port = 9100
log_level = "debug"
health_check_interval_ms = 4000
health_check_failure_threshold = 5
[delivery]
ordering = "relaxed"
window_per_producer = 8
max_inflight_records = 500
max_inflight_bytes = 1048576
max_record_bytes = 65536
send_timeout_ms = 2000
commit_interval_ms = 0
shutdown_timeout_ms = 1000
[dead_letter]
topic = "/default/dlq"
on_invalid = "fail"
)");
    CHECK(c.plugins_dir == f.dir.path() / "plugins");  // relative to the config file
    CHECK(c.data_dir == fs::path("/var/lib/dcx"));
    CHECK(c.retry.max_retries == 7);
    CHECK(c.retry.retry_backoff_ms == 250);
    CHECK(c.retry.max_backoff_ms == 9000);
    CHECK(c.processing.batch_size == 10);
    CHECK(c.processing.batch_timeout_ms == 20);
    CHECK(c.processing.poll_interval_ms == 30);
    CHECK(c.processing.metrics_port == 9100);
    CHECK(c.processing.log_level == "debug");
    CHECK(c.processing.health_check_interval_ms == 4000);
    CHECK(c.processing.health_check_failure_threshold == 5);
    CHECK(c.delivery.ordering == Ordering::relaxed);
    CHECK(c.delivery.window_per_producer == 8);
    CHECK(c.delivery.max_inflight_records == 500);
    CHECK(c.delivery.max_inflight_bytes == 1048576);
    CHECK(c.delivery.max_record_bytes == 65536);
    CHECK(c.delivery.send_timeout_ms == 2000);
    CHECK(c.delivery.commit_interval_ms == 0);
    CHECK(c.delivery.shutdown_timeout_ms == 1000);
    CHECK(c.dead_letter.topic == "/default/dlq");
    CHECK(c.dead_letter.on_invalid == InvalidRecordPolicy::fail);
    CHECK(c.warnings.empty());
}

TEST_CASE("a dead-letter topic without a policy dead-letters invalid records", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "[dead_letter]\ntopic = \"/default/dlq\"\n");
    CHECK(c.dead_letter.on_invalid == InvalidRecordPolicy::dead_letter);
}

// ---- [[schemas]] and version_strategy ----

TEST_CASE("a schema mapping reads its file and defaults to latest with auto_register", "[unit][config]") {
    Fixture f;
    write_file(f.dir / "schemas" / "event.json", kSchemaJson);
    const auto c = f.load(std::string(kMinimal) + R"(
[[schemas]]
topic = "/default/events"
subject = "events"
schema_type = "JSON_Schema"
schema_file = "schemas/event.json"
)");
    REQUIRE(c.schemas.size() == 1);
    const auto& s = c.schemas[0];
    CHECK(s.topic == "/default/events");
    CHECK(s.subject == "events");
    CHECK(s.schema_type == "json_schema");  // lowercased, as the reference runtime does
    CHECK(s.auto_register);
    CHECK(s.version.kind == VersionStrategy::Kind::latest);
    CHECK(s.definition == kSchemaJson);
    CHECK(s.schema_file == f.dir.path() / "schemas" / "event.json");
}

TEST_CASE("version_strategy accepts latest, pinned and minimum in the reference syntax", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + R"(
[[schemas]]
topic = "/default/a"
subject = "a"
schema_type = "string"
schema_file = ""
version_strategy = "latest"

[[schemas]]
topic = "/default/b"
subject = "b"
schema_type = "number"
schema_file = ""
version_strategy = { pinned = 2 }
auto_register = false

[[schemas]]
topic = "/default/c"
subject = "c"
schema_type = "bytes"
schema_file = ""
version_strategy = { minimum = 1 }
)");
    REQUIRE(c.schemas.size() == 3);
    CHECK(c.schemas[0].version.kind == VersionStrategy::Kind::latest);
    CHECK(c.schemas[1].version.kind == VersionStrategy::Kind::pinned);
    CHECK(c.schemas[1].version.version == 2);
    CHECK_FALSE(c.schemas[1].auto_register);
    CHECK(c.schemas[2].version.kind == VersionStrategy::Kind::minimum);
    CHECK(c.schemas[2].version.version == 1);
    CHECK(c.schemas[2].definition.empty());  // primitive types read no file
}

TEST_CASE("a bare pinned version_strategy is an error that shows the table form", "[unit][config]") {
    Fixture f;
    const auto message = f.error(std::string(kMinimal) + R"(
[[schemas]]
topic = "/default/a"
subject = "a"
schema_type = "string"
schema_file = ""
version_strategy = "pinned"
)");
    CHECK_THAT(message, Catch::Contains("version_strategy"));
    CHECK_THAT(message, Catch::Contains("{ pinned = 2 }"));
    CHECK_THAT(message, Catch::Contains(f.file.string()));
}

TEST_CASE("a bare minimum version_strategy is an error too", "[unit][config]") {
    Fixture f;
    const auto message = f.error(std::string(kMinimal) + R"(
[[schemas]]
topic = "/default/a"
subject = "a"
schema_type = "string"
schema_file = ""
version_strategy = "minimum"
)");
    CHECK_THAT(message, Catch::Contains("{ minimum = 2 }"));
}

TEST_CASE("a version_strategy table needs exactly one known strategy with a version of at least 1", "[unit][config]") {
    Fixture f;
    const std::string head = std::string(kMinimal) +
                             "[[schemas]]\ntopic = \"/default/a\"\nsubject = \"a\"\nschema_type = \"string\"\nschema_file = \"\"\n";
    CHECK_THAT(f.error(head + "version_strategy = { newest = 1 }\n"), Catch::Contains("unknown version strategy 'newest'"));
    CHECK_THAT(f.error(head + "version_strategy = { pinned = 0 }\n"), Catch::Contains("version_strategy.pinned"));
    CHECK_THAT(f.error(head + "version_strategy = { pinned = 1, minimum = 1 }\n"), Catch::Contains("version_strategy"));
    CHECK_THAT(f.error(head + "version_strategy = \"oldest\"\n"), Catch::Contains("\"oldest\""));
}

TEST_CASE("two mappings for one topic warn and the later one wins", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + R"(
[[schemas]]
topic = "/default/a"
subject = "first"
schema_type = "string"
schema_file = ""

[[schemas]]
topic = "/default/a"
subject = "second"
schema_type = "bytes"
schema_file = ""
)");
    REQUIRE(c.schemas.size() == 2);
    CHECK(has_warning(c, "two [[schemas]] entries for topic /default/a"));
    REQUIRE(c.schema_for("/default/a") != nullptr);
    CHECK(c.schema_for("/default/a")->subject == "second");
    CHECK(c.schema_for("/default/other") == nullptr);
}

TEST_CASE("core_json gives the plugin the core keys and schema mappings", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + R"(
[processing]
batch_size = 7
[[schemas]]
topic = "/default/b"
subject = "b"
schema_type = "number"
schema_file = ""
version_strategy = { pinned = 4 }
)");
    const json core = c.core_json();
    CHECK(core.at("danube_service_url") == "http://127.0.0.1:6650");
    CHECK(core.at("connector_name") == "test-conn");
    CHECK(core.at("processing").at("batch_size") == 7);
    CHECK(core.at("processing").at("metrics_port") == 9090);
    CHECK(core.at("schemas").at(0).at("version_strategy") == json{{"pinned", 4}});
    CHECK(core.at("schemas").at(0).at("schema_type") == "number");
    CHECK(core.at("offsets") == json::array());
}

// ---- environment ----

TEST_CASE("DANUBE_SERVICE_URL and CONNECTOR_NAME override the file", "[unit][config]") {
    Fixture f;
    f.env.vars = {{"DANUBE_SERVICE_URL", "https://broker.example:6651"}, {"CONNECTOR_NAME", "from-env"}};
    const auto c = f.load(kMinimal);
    CHECK(c.danube_service_url == "https://broker.example:6651");
    CHECK(c.connector_name == "from-env");
}

TEST_CASE("environment overrides can supply keys the file lacks", "[unit][config]") {
    Fixture f;
    f.env.vars = {{"DANUBE_SERVICE_URL", "http://b:6650"}, {"CONNECTOR_NAME", "n"}};
    const auto c = f.load("plugin = \"p\"\n");
    CHECK(c.danube_service_url == "http://b:6650");
    CHECK(c.connector_name == "n");
}

TEST_CASE("an override set to the empty string empties the value and fails validation", "[unit][config]") {
    Fixture f;
    f.env.vars = {{"CONNECTOR_NAME", ""}};
    CHECK_THAT(f.error(kMinimal), Catch::Contains("connector_name"));
}

TEST_CASE("only the two core variables override: other keys stay as written", "[unit][config]") {
    Fixture f;
    f.env.vars = {{"PLUGIN", "other"}, {"BATCH_SIZE", "5"}, {"METRICS_PORT", "1"}};
    const auto c = f.load(kMinimal);
    CHECK(c.plugin == "in_datagen");
    CHECK(c.processing.batch_size == 1000);
    CHECK(c.processing.metrics_port == 9090);
}

TEST_CASE("env and file references are interpolated in string values", "[unit][config]") {
    Fixture f;
    write_file(f.dir / "secret.txt", "s3cret\n");
    f.env.vars = {{"BROKER", "http://10.1.2.3:6650"}, {"MQTT_PASS", "hunter2"}};
    const auto c = f.load("danube_service_url = \"${env:BROKER}\"\nconnector_name = \"c-${env:MQTT_PASS}-x\"\n"
                          "plugin = \"p\"\n[mqtt]\npassword = \"${file:" +
                          (f.dir / "secret.txt").string() + "}\"\nuser = \"${env:MQTT_PASS}\"\n");
    CHECK(c.danube_service_url == "http://10.1.2.3:6650");
    CHECK(c.connector_name == "c-hunter2-x");
    CHECK(c.plugin_config.at("mqtt").at("password") == "s3cret");  // one trailing newline dropped
    CHECK(c.plugin_config.at("mqtt").at("user") == "hunter2");
}

TEST_CASE("an interpolated value is not interpolated again", "[unit][config]") {
    Fixture f;
    f.env.vars = {{"TEMPLATE", "${env:SECRET}"}, {"SECRET", "hunter2"}};
    const auto c = f.load(std::string(kMinimal) + "[x]\na = \"${env:TEMPLATE}\"\n");
    CHECK(c.plugin_config.at("x").at("a") == "${env:SECRET}");
}

TEST_CASE("a missing environment variable is an error naming it and no value", "[unit][config]") {
    Fixture f;
    f.env.vars = {{"MQTT_PASS", "hunter2"}};
    const auto message = f.error(std::string(kMinimal) + "[mqtt]\nuser = \"${env:MQTT_PASS}\"\npassword = \"${env:MQTT_PASSWORD}\"\n");
    CHECK_THAT(message, Catch::Contains("MQTT_PASSWORD"));
    CHECK_THAT(message, Catch::Contains("not set"));
    CHECK_THAT(message, Catch::Contains("mqtt.password"));
    CHECK_THAT(message, !Catch::Contains("hunter2"));
}

TEST_CASE("a missing secret file is an error naming the file", "[unit][config]") {
    Fixture f;
    const auto missing = (f.dir / "no-such-secret").string();
    const auto message = f.error(std::string(kMinimal) + "[mqtt]\npassword = \"${file:" + missing + "}\"\n");
    CHECK_THAT(message, Catch::Contains(missing));
    CHECK_THAT(message, Catch::Contains("mqtt.password"));
}

TEST_CASE("a doubled dollar sign writes a literal reference", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "[tpl]\ntext = \"cost $5, $${env:HOME} and $${x}\"\n");
    CHECK(c.plugin_config.at("tpl").at("text") == "cost $5, ${env:HOME} and ${x}");
    CHECK_FALSE(f.env.asked.empty());  // the core overrides were looked up...
    for (const auto& name : f.env.asked) CHECK(name != "HOME");  // ...but not the escaped reference
}

TEST_CASE("an unknown or unterminated reference is an error", "[unit][config]") {
    Fixture f;
    CHECK_THAT(f.error(std::string(kMinimal) + "[x]\na = \"${vault:key}\"\n"), Catch::Contains("${env:NAME}"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[x]\na = \"${env:OPEN\"\n"), Catch::Contains("unterminated"));
}

// Found by fuzz/config_fuzz.cpp: such a value was accepted, then the plugin's section could not be
// written as JSON, so the daemon stopped with "fatal" (exit 1) and --print-config aborted.
TEST_CASE("a secret that is not UTF-8 is a configuration error naming the key and not the value", "[unit][config]") {
    Fixture f;
    write_file(f.dir / "key.bin", "\xff\xfe-s3cret");
    f.env.vars = {{"BINARY", "pass\xc3\x28word"}};
    const auto from_file = f.error(std::string(kMinimal) + "[mqtt]\npassword = \"${file:" + (f.dir / "key.bin").string() + "}\"\n");
    CHECK_THAT(from_file, Catch::Contains("mqtt.password: is not valid UTF-8"));
    CHECK_THAT(from_file, !Catch::Contains("s3cret"));
    const auto from_env = f.error(std::string(kMinimal) + "[broker]\ntoken = \"${env:BINARY}\"\n");
    CHECK_THAT(from_env, Catch::Contains("[broker].token: is not valid UTF-8"));
    CHECK_THAT(from_env, !Catch::Contains("word"));
}

// ---- warnings ----

TEST_CASE("a misspelt key in a host table warns with a suggestion", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "[processing]\nbatchsize = 5\n[delivery]\norderin = \"strict\"\n");
    INFO(all_warnings(c));
    CHECK(has_warning(c, "[processing].batchsize"));
    CHECK(has_warning(c, "did you mean 'batch_size'?"));
    CHECK(has_warning(c, "did you mean 'ordering'?"));
    CHECK(c.processing.batch_size == 1000);
}

TEST_CASE("an unknown key with no near match warns without a suggestion", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "[processing]\nfrobnicate = true\n");
    INFO(all_warnings(c));
    CHECK(has_warning(c, "unknown key [processing].frobnicate is ignored"));
    CHECK_FALSE(has_warning(c, "did you mean"));
}

TEST_CASE("dead keys seen in real configs warn that nothing reads them", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "metrics_port = 9100\n[retry]\ninitial_interval_ms = 100\n");
    INFO(all_warnings(c));
    CHECK(has_warning(c, "[retry].initial_interval_ms is not used"));
    CHECK(has_warning(c, "root key metrics_port is ignored"));
    CHECK(c.processing.metrics_port == 9090);
    CHECK_FALSE(c.plugin_config.contains("metrics_port"));
}

TEST_CASE("a root table close to a host table name warns and still goes to the plugin", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "[procesing]\nbatch_size = 5\n");
    INFO(all_warnings(c));
    CHECK(has_warning(c, "did you mean 'processing'?"));
    CHECK(c.plugin_config.at("procesing").at("batch_size") == 5);
}

// ---- the plugin's section ----

TEST_CASE("root keys that are not the host's go to the plugin as JSON", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + R"(
[mqtt]
host = "localhost"
port = 1883
keep_alive = 2.5
use_tls = false
topics = ["a/#", "b/+"]
qos = [0, 1]
[mqtt.auth]
user = "u"
[[routes]]
from = "a/#"
to = "/default/a"
partitions = 4
[[routes]]
from = "b/+"
to = "/default/b"
reliable = true
)");
    const json expected = json::parse(R"({
        "mqtt": {"host": "localhost", "port": 1883, "keep_alive": 2.5, "use_tls": false,
                 "topics": ["a/#", "b/+"], "qos": [0, 1], "auth": {"user": "u"}},
        "routes": [{"from": "a/#", "to": "/default/a", "partitions": 4},
                   {"from": "b/+", "to": "/default/b", "reliable": true}]})");
    CHECK(c.plugin_config == expected);
    CHECK(c.plugin_config.at("mqtt").at("port").is_number_integer());
    CHECK(c.plugin_config.at("mqtt").at("keep_alive").is_number_float());
    CHECK(c.warnings.empty());
}

TEST_CASE("plain root values that are not the host's go to the plugin too", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "rate = 20\nname = \"x\"\nratio = 0.5\nenabled = true\n");
    CHECK(c.plugin_config == json{{"rate", 20}, {"name", "x"}, {"ratio", 0.5}, {"enabled", true}});
}

TEST_CASE("TOML dates and times reach the plugin as text", "[unit][config]") {
    Fixture f;
    const auto c = f.load(std::string(kMinimal) + "[replay]\nsince = 1979-05-27T07:32:00Z\nday = 1979-05-27\n");
    CHECK(c.plugin_config.at("replay").at("since").is_string());
    CHECK_THAT(c.plugin_config.at("replay").at("since").get<std::string>(), Catch::StartsWith("1979-05-27T07:32:00"));
    CHECK(c.plugin_config.at("replay").at("day") == "1979-05-27");
}

TEST_CASE("host_root_keys lists the keys that never reach the plugin", "[unit][config]") {
    const auto& keys = host_root_keys();
    for (const char* k : {"danube_service_url", "connector_name", "plugin", "retry", "processing", "delivery",
                          "dead_letter", "schemas"}) {
        INFO(k);
        CHECK(std::find(keys.begin(), keys.end(), k) != keys.end());
    }
}

// ---- errors: file, key path, line ----

TEST_CASE("a wrong value type names the file, the key path and the line", "[unit][config]") {
    Fixture f;
    const auto message = f.error(std::string(kMinimal) + "\n[processing]\npoll_interval_ms = 5\nbatch_size = \"x\"\n");
    // kMinimal has 3 lines, then a blank line, the table header, poll_interval_ms: batch_size is line 7.
    CHECK_THAT(message, Catch::StartsWith(f.file.string() + ":7: "));
    CHECK_THAT(message, Catch::Contains("[processing].batch_size"));
    CHECK_THAT(message, Catch::Contains("expected an integer"));
}

TEST_CASE("wrong types of other keys are reported the same way", "[unit][config]") {
    Fixture f;
    CHECK_THAT(f.error("danube_service_url = 6650\nconnector_name = \"c\"\nplugin = \"p\"\n"),
               Catch::StartsWith(f.file.string() + ":1: danube_service_url: expected a string"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[processing]\nbatch_size = 1.5\n"),
               Catch::StartsWith(f.file.string() + ":5: [processing].batch_size"));
    CHECK_THAT(f.error(std::string(kMinimal) + "processing = 5\n"), Catch::Contains("[processing]: expected a table"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[processing]\nmetrics_port = 70000\n"),
               Catch::Contains("between 0 and 65535, got 70000"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[retry]\nmax_backoff_ms = -1\n"),
               Catch::Contains("[retry].max_backoff_ms"));
}

TEST_CASE("a TOML syntax error reports the file and the line", "[unit][config]") {
    Fixture f;
    const auto message = f.error("danube_service_url = \"http://x:1\"\nconnector_name = \"c\"\nplugin = \n");
    CHECK_THAT(message, Catch::Contains(f.file.string()));
    CHECK_THAT(message, Catch::Contains("TOML syntax error"));
    CHECK_THAT(message, Catch::Contains(" 3 | plugin ="));  // toml11 quotes the numbered line
}

TEST_CASE("a TOML syntax error on a credential line quotes the line without its value", "[unit][config]") {
    Fixture f;
    const auto unterminated = f.error(std::string(kMinimal) + "[mqtt]\nuser = \"u\"\npassword = \"hunter2\n");
    CHECK_THAT(unterminated, Catch::Contains("TOML syntax error"));
    CHECK_THAT(unterminated, Catch::Contains(" 6 | password = <redacted>"));
    CHECK_THAT(unterminated, !Catch::Contains("hunter2"));
    const auto twice = f.error(std::string(kMinimal) + "[broker]\ntoken = \"s3cr3t-1\"\ntoken = \"s3cr3t-2\"\n");
    CHECK_THAT(twice, Catch::Contains("already exists"));
    CHECK_THAT(twice, !Catch::Contains("s3cr3t"));
    const auto inline_table = f.error(std::string(kMinimal) + "auth = { user = \"u\", api_key = \"k3y\" \n");
    CHECK_THAT(inline_table, !Catch::Contains("k3y"));
    // Other keys keep their quoted line: it is what shows the typo.
    CHECK_THAT(f.error(std::string(kMinimal) + "[mqtt]\nbroker_host = \"h\" \"x\"\n"), Catch::Contains(" 5 | broker_host = \"h\" \"x\""));
}

// Found with the config fuzz target's harness: the redaction of quoted lines ran std::regex over
// the whole line, which recursed once per character and overflowed the stack (SIGSEGV at startup).
TEST_CASE("a TOML syntax error on a very long line is reported, cut, without a crash", "[unit][config]") {
    Fixture f;
    const std::string value(1 << 20, 'a');
    const auto message = f.error(std::string(kMinimal) + "comment = \"" + value + "\" junk\n");
    CHECK_THAT(message, Catch::Contains("TOML syntax error"));
    CHECK_THAT(message, Catch::Contains(" 4 | comment = \"aaa"));
    CHECK(message.size() < 4096);
    const auto secret = f.error(std::string(kMinimal) + "password = \"" + value + "\" junk\n");
    CHECK_THAT(secret, Catch::Contains(" 4 | password = <redacted>"));
    CHECK_THAT(secret, !Catch::Contains("aaa"));
}

// Found by the config fuzz target: toml11 read out of bounds (ASan heap-buffer-overflow) on a
// literal string holding an invalid UTF-8 sequence, in the error path meant to report it.
TEST_CASE("a file that is not UTF-8 is refused before parsing, naming the line", "[unit][config]") {
    Fixture f;
    CHECK(f.error(std::string(kMinimal) + "'\xdb" "du'buda\n") ==
          f.file.string() + ":4: not valid UTF-8 (a TOML file is UTF-8 text)");
    CHECK(f.error(std::string(kMinimal) + "[p]\nname = \"caf\xc3\"\n") ==
          f.file.string() + ":5: not valid UTF-8 (a TOML file is UTF-8 text)");
    CHECK(f.load(std::string(kMinimal) + "[p]\nname = 'caf\xc3\xa9'\n").plugin_config.at("p").at("name") == "caf\xc3\xa9");
}

TEST_CASE("log_level must be a level name, in any case", "[unit][config]") {
    Fixture f;
    CHECK(f.load(std::string(kMinimal) + "[processing]\nlog_level = \"DEBUG\"\n").processing.log_level == "debug");
    CHECK(f.load(std::string(kMinimal) + "[processing]\nlog_level = \"Warn\"\n").processing.log_level == "warn");
    // spdlog reads any other text as "off": every log line, errors included, would vanish.
    CHECK(f.error(std::string(kMinimal) + "[processing]\nlog_level = \"verbose\"\n") ==
          f.file.string() + ":5: [processing].log_level: expected \"trace\", \"debug\", \"info\", \"warn\", \"error\" or \"off\", got \"verbose\"");
}

TEST_CASE("a missing configuration file is an error naming it", "[unit][config]") {
    TempDir dir;
    FakeEnv env;
    const auto missing = dir / "absent.toml";
    CHECK_THROWS_WITH(load_config(missing, env.lookup()),
                      Catch::Contains(missing.string()) && Catch::Contains("does not exist"));
}

// ---- validation ----

TEST_CASE("the core validation rules of the reference runtime apply", "[unit][config]") {
    Fixture f;
    CHECK_THAT(f.error("danube_service_url = \"\"\nconnector_name = \"c\"\nplugin = \"p\"\n"),
               Catch::Contains("danube_service_url: is required"));
    CHECK_THAT(f.error("connector_name = \"c\"\nplugin = \"p\"\n"), Catch::Contains("danube_service_url: is required"));
    CHECK_THAT(f.error("danube_service_url = \"http://x:1\"\nconnector_name = \"\"\nplugin = \"p\"\n"),
               Catch::Contains("connector_name: is required"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[retry]\nmax_retries = 101\n"),
               Catch::Contains("[retry].max_retries: too high (max 100)"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[processing]\nbatch_size = 0\n"),
               Catch::Contains("[processing].batch_size: must be > 0"));
}

TEST_CASE("max_retries of exactly 100 is accepted", "[unit][config]") {
    Fixture f;
    CHECK(f.load(std::string(kMinimal) + "[retry]\nmax_retries = 100\n").retry.max_retries == 100);
}

TEST_CASE("the service URL must be http or https", "[unit][config]") {
    Fixture f;
    for (const char* url : {"127.0.0.1:6650", "grpc://127.0.0.1:6650", "HTTP//x", "localhost"}) {
        INFO(url);
        const auto message = f.error(std::string("danube_service_url = \"") + url + "\"\nconnector_name = \"c\"\nplugin = \"p\"\n");
        CHECK_THAT(message, Catch::Contains("danube_service_url: must start with http:// or https://"));
        CHECK_THAT(message, Catch::Contains(f.file.string()));
    }
    CHECK(f.load("danube_service_url = \"https://b:6651\"\nconnector_name = \"c\"\nplugin = \"p\"\n").danube_service_url ==
          "https://b:6651");
}

TEST_CASE("a configuration without a plugin is refused", "[unit][config]") {
    Fixture f;
    CHECK_THAT(f.error("danube_service_url = \"http://x:1\"\nconnector_name = \"c\"\n"), Catch::Contains("plugin: is required"));
}

TEST_CASE("topics that are not /namespace/name are refused", "[unit][config]") {
    Fixture f;
    for (const char* topic : {"events", "/events", "/default/", "//events", "/default/a b", "/default/a/b", "default/events"}) {
        INFO(topic);
        CHECK_THAT(f.error(std::string(kMinimal) + "[[schemas]]\ntopic = \"" + topic +
                           "\"\nsubject = \"s\"\nschema_type = \"string\"\nschema_file = \"\"\n"),
                   Catch::Contains("[[schemas]][0].topic") && Catch::Contains("not a topic of the form /namespace/name"));
        CHECK_THAT(f.error(std::string(kMinimal) + "[dead_letter]\ntopic = \"" + topic + "\"\n"),
                   Catch::Contains("[dead_letter].topic") && Catch::Contains("not a topic of the form"));
    }
}

TEST_CASE("a schema mapping needs a topic, a subject and a schema type", "[unit][config]") {
    Fixture f;
    CHECK_THAT(f.error(std::string(kMinimal) + "[[schemas]]\nsubject = \"s\"\nschema_type = \"string\"\n"),
               Catch::Contains("[[schemas]][0].topic: is required"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[[schemas]]\ntopic = \"/a/b\"\nschema_type = \"string\"\n"),
               Catch::Contains("[[schemas]][0].subject: is required"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[[schemas]]\ntopic = \"/a/b\"\nsubject = \"s\"\n"),
               Catch::Contains("[[schemas]][0].schema_type: is required"));
}

TEST_CASE("schemas written as a single table instead of an array of tables are refused", "[unit][config]") {
    Fixture f;
    CHECK_THAT(f.error(std::string(kMinimal) + "[schemas]\ntopic = \"/a/b\"\n"), Catch::Contains("expected [[schemas]] entries"));
}

TEST_CASE("an unknown schema type is refused with the list of known ones", "[unit][config]") {
    Fixture f;
    const auto message = f.error(std::string(kMinimal) +
                                 "[[schemas]]\ntopic = \"/a/b\"\nsubject = \"s\"\nschema_type = \"xml\"\nschema_file = \"\"\n");
    CHECK_THAT(message, Catch::Contains("unknown schema type 'xml'"));
    CHECK_THAT(message, Catch::Contains("json_schema, avro, string, number or bytes"));
}

TEST_CASE("protobuf schemas are refused with a clear message", "[unit][config]") {
    Fixture f;
    write_file(f.dir / "s.proto", "syntax = \"proto3\";\n");
    const auto message = f.error(std::string(kMinimal) +
                                 "[[schemas]]\ntopic = \"/a/b\"\nsubject = \"s\"\nschema_type = \"Protobuf\"\nschema_file = \"s.proto\"\n");
    CHECK_THAT(message, Catch::Contains("[[schemas]][0].schema_type"));
    CHECK_THAT(message, Catch::Contains("protobuf schemas are not supported"));
}

TEST_CASE("a json_schema or avro mapping needs a readable JSON schema file", "[unit][config]") {
    Fixture f;
    const std::string head = std::string(kMinimal) + "[[schemas]]\ntopic = \"/a/b\"\nsubject = \"s\"\n";
    CHECK_THAT(f.error(head + "schema_type = \"json_schema\"\n"),
               Catch::Contains("[[schemas]][0].schema_file: is required for schema_type json_schema"));
    CHECK_THAT(f.error(head + "schema_type = \"avro\"\nschema_file = \"\"\n"),
               Catch::Contains("is required for schema_type avro"));

    const auto unreadable = f.error(head + "schema_type = \"json\"\nschema_file = \"missing.json\"\n");
    CHECK_THAT(unreadable, Catch::Contains("cannot read schema file 'missing.json'"));
    CHECK_THAT(unreadable, Catch::StartsWith(f.file.string() + ":"));

    write_file(f.dir / "broken.json", "{\"type\": ");
    const auto not_json = f.error(head + "schema_type = \"json_schema\"\nschema_file = \"broken.json\"\n");
    CHECK_THAT(not_json, Catch::Contains("is not valid JSON"));
    CHECK_THAT(not_json, Catch::Contains("broken.json"));
}

TEST_CASE("an absolute schema_file path is used as given", "[unit][config]") {
    Fixture f;
    TempDir elsewhere;
    write_file(elsewhere / "s.avsc", R"({"type":"record","name":"r","fields":[]})");
    const auto c = f.load(std::string(kMinimal) + "[[schemas]]\ntopic = \"/a/b\"\nsubject = \"s\"\nschema_type = \"avro\"\n"
                                                  "schema_file = \"" + (elsewhere / "s.avsc").string() + "\"\n");
    REQUIRE(c.schemas.size() == 1);
    CHECK(c.schemas[0].schema_file == elsewhere / "s.avsc");
    CHECK(c.schemas[0].definition == R"({"type":"record","name":"r","fields":[]})");
}

TEST_CASE("on_invalid dead_letter without a dead-letter topic is refused", "[unit][config]") {
    Fixture f;
    CHECK_THAT(f.error(std::string(kMinimal) + "[dead_letter]\non_invalid = \"dead_letter\"\n"),
               Catch::Contains("[dead_letter].on_invalid") && Catch::Contains("needs [dead_letter].topic"));
    CHECK_THAT(f.error(std::string(kMinimal) + "[dead_letter]\non_invalid = \"retry\"\n"),
               Catch::Contains("expected \"dead_letter\", \"skip\" or \"fail\""));
}

TEST_CASE("ordering must be strict or relaxed", "[unit][config]") {
    Fixture f;
    const auto message = f.error(std::string(kMinimal) + "[delivery]\nordering = \"fifo\"\n");
    CHECK_THAT(message, Catch::Contains("[delivery].ordering"));
    CHECK_THAT(message, Catch::Contains("expected \"strict\" or \"relaxed\""));
    CHECK_THAT(message, Catch::StartsWith(f.file.string() + ":5: "));
}
