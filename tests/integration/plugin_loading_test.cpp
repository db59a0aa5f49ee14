// SPDX-License-Identifier: Apache-2.0
// The daemon refuses what it cannot run, each failure with its own message and exit code,
// and `--check` validates without connecting.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "connector_process.hpp"
#include "pipeline_test_support.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;

namespace {

std::string config_with_plugin(const std::string& plugin) {
    return "danube_service_url = \"http://127.0.0.1:1\"\nconnector_name = \"itest\"\nplugin = \"" + plugin + "\"\n";
}

std::pair<int, std::string> check(const TempDir& dir, const std::string& toml, std::map<std::string, std::string> env = {}) {
    write_file(dir / "check.toml", toml);
    return run_connectd(dir, {"--check", "--config", (dir / "check.toml").string()}, std::move(env));
}

// A configuration that passes --check, plus `extra` at the end.
std::string valid_config(const std::string& extra = {}) {
    return config_with_plugin("in_datagen") + "\n[datagen]\ntopic = \"/default/x\"\n" + extra;
}

// Runs `toml` through --check for each case and expects `exit_code` and the message.
void expect_config_errors(const TempDir& dir, int exit_code, const std::vector<std::pair<std::string, std::string>>& cases) {
    for (const auto& [toml, text] : cases) {
        INFO(toml);
        const auto [code, out] = check(dir, toml);
        INFO(out);
        CHECK(code == exit_code);
        CHECK_THAT(out, Catch::Contains("configuration error: " + (dir / "check.toml").string()));
        CHECK_THAT(out, Catch::Contains(text));
    }
}

}  // namespace

TEST_CASE("the daemon exits with a distinct code for each plugin loading failure", "[integration][plugin]") {
    TempDir dir;
    const std::string plugins = DCX_TEST_PLUGIN_DIR;
    const std::vector<std::tuple<std::string, int, std::string>> cases = {
        {"/nonexistent/plugin.so", 80, "does not exist"},
        {"in_nothing_here", 80, "not found; looked for"},
        {plugins + "/broken_no_entry.so", 82, "does not export dcx_plugin_entry"},
        {plugins + "/broken_wrong_major.so", 83, "another ABI major"},
        {plugins + "/broken_refuses.so", 84, "this plugin refuses every host"},
        {plugins + "/broken_null_slot.so", 85, "required slot 'poll' is NULL"},
    };
    for (const auto& [plugin, code, text] : cases) {
        INFO(plugin);
        const auto [exit_code, out] = check(dir, config_with_plugin(plugin));
        CHECK(exit_code == code);
        CHECK_THAT(out, Catch::Contains(text));
    }
    write_file(dir / "fake.so", "not an ELF file");
    const auto [exit_code, out] = check(dir, config_with_plugin((dir / "fake.so").string()));
    CHECK(exit_code == 81);
    CHECK_THAT(out, Catch::Contains("is not a shared object"));
}

TEST_CASE("plugin files that are cut, too new, malformed or unsafe are refused with their own code",
          "[integration][plugin]") {
    TempDir dir;
    const std::string plugins = DCX_TEST_PLUGIN_DIR;
    const std::vector<std::tuple<std::string, int, std::string>> cases = {
        {plugins + "/broken_newer_minor.so", 83, "needs a newer host (plugin ABI 1.2, host implements 1.1); upgrade danube-connectd"},
        {plugins + "/broken_small_desc.so", 85, "descriptor struct_size 24 is smaller than the 1.0 layout"},
        {plugins + "/broken_null_create.so", 85, "descriptor slot 'create' is NULL"},
        {plugins + "/broken_create_null.so", 84, "create() returned NULL"},
    };
    for (const auto& [plugin, code, text] : cases) {
        INFO(plugin);
        const auto [exit_code, out] = check(dir, config_with_plugin(plugin));
        INFO(out);
        CHECK(exit_code == code);
        CHECK_THAT(out, Catch::Contains(text));
    }
    // A copy cut short (an interrupted deploy): dlopen's own reason.
    write_file(dir / "cut.so", read_file(plugins + "/c_counter.so").substr(0, 200));
    {
        const auto [exit_code, out] = check(dir, config_with_plugin((dir / "cut.so").string()));
        INFO(out);
        CHECK(exit_code == 81);
        CHECK_THAT(out, Catch::Contains("plugin not loadable: cannot load plugin " + (dir / "cut.so").string()));
    }
    // Writable by every user: anyone could swap the code the daemon runs.
    std::filesystem::copy_file(plugins + "/c_counter.so", dir / "open.so");
    ::chmod((dir / "open.so").c_str(), 0666);
    const auto [exit_code, out] = check(dir, config_with_plugin((dir / "open.so").string()));
    INFO(out);
    CHECK(exit_code == 86);
    CHECK_THAT(out, Catch::Contains("plugin file permissions unsafe: refusing plugin " + (dir / "open.so").string() +
                                    ": the file is writable by every user (chmod o-w)"));
}

TEST_CASE("a configuration file that is missing or not TOML exits 78 naming the file and line", "[integration][config]") {
    TempDir dir;
    const auto missing = (dir / "absent.toml").string();
    const auto [code, out] = run_connectd(dir, {"--check", "--config", missing});
    CHECK(code == 78);
    CHECK_THAT(out, Catch::Contains("configuration error: " + missing + ": configuration file does not exist"));
    const auto [code2, out2] = check(dir, "danube_service_url = \"http://x:1\"\nconnector_name = \"c\"\nplugin = \n");
    CHECK(code2 == 78);
    CHECK_THAT(out2, Catch::Contains("check.toml: TOML syntax error"));
    CHECK_THAT(out2, Catch::Contains("missing value after key-value separator '='"));
    CHECK_THAT(out2, Catch::Contains(" 3 | plugin ="));
    // A syntax error on a credential line: the line is quoted, its value is not.
    const auto [code3, out3] = check(dir, valid_config("[mqtt]\npassword = \"hunter2\n"));
    CHECK(code3 == 78);
    CHECK_THAT(out3, Catch::Contains("password = <redacted>"));
    CHECK_THAT(out3, !Catch::Contains("hunter2"));
}

TEST_CASE("wrong value types and out-of-range numbers exit 78 naming the key and line", "[integration][config]") {
    TempDir dir;
    const std::string head = config_with_plugin("in_datagen");  // 3 lines: the table header is line 4
    expect_config_errors(dir, 78, {
        {head + "[processing]\nbatch_size = \"x\"\n", "check.toml:5: [processing].batch_size: expected an integer, got string"},
        {head + "[processing]\nmetrics_port = 70000\n", "check.toml:5: [processing].metrics_port: must be between 0 and 65535, got 70000"},
        {head + "processing = 5\n", "check.toml:4: [processing]: expected a table"},
        {head + "[retry]\nmax_retries = 101\n", "check.toml: [retry].max_retries: too high (max 100)"},
        {head + "[delivery]\nordering = \"fifo\"\n", "check.toml:5: [delivery].ordering: expected \"strict\" or \"relaxed\", got \"fifo\""},
        {head + "[processing]\nlog_level = \"verbose\"\n",
         "[processing].log_level: expected \"trace\", \"debug\", \"info\", \"warn\", \"error\" or \"off\", got \"verbose\""},
    });
}

TEST_CASE("unresolvable secret references exit 78 naming the variable or file, never a value", "[integration][config]") {
    TempDir dir;
    const std::string head = valid_config("[mqtt]\nuser = \"${env:DCX_TEST_SET_SECRET}\"\n");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"password = \"${env:DCX_TEST_UNSET_SECRET}\"\n", "mqtt.password: environment variable DCX_TEST_UNSET_SECRET is not set"},
        {"password = \"${file:/nonexistent/secret}\"\n", "mqtt.password: cannot read secret file /nonexistent/secret"},
        {"password = \"${vault:db/pass}\"\n", "mqtt.password: unknown reference ${vault:db/pass}: use ${env:NAME} or ${file:/path}"},
        {"password = \"${env:DCX_TEST_SET_SECRET\"\n", "mqtt.password: unterminated ${...} in string value"},
    };
    for (const auto& [line, text] : cases) {
        INFO(line);
        const auto [code, out] = check(dir, head + line, {{"DCX_TEST_SET_SECRET", "hunter2"}});
        INFO(out);
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains(text));
        CHECK_THAT(out, !Catch::Contains("hunter2"));
    }
}

TEST_CASE("the service URL and the plugin are checked before anything starts", "[integration][config]") {
    TempDir dir;
    expect_config_errors(dir, 78, {
        {"danube_service_url = \"\"\nconnector_name = \"c\"\nplugin = \"in_datagen\"\n",
         "danube_service_url: is required (or set DANUBE_SERVICE_URL)"},
        {"danube_service_url = \"127.0.0.1:6650\"\nconnector_name = \"c\"\nplugin = \"in_datagen\"\n",
         "danube_service_url: must start with http:// or https:// (e.g. http://127.0.0.1:6650)"},
        {"danube_service_url = \"http://x:1\"\nconnector_name = \"c\"\n",
         "plugin: is required: a plugin name (e.g. \"in_datagen\") or a path to a .so"},
    });
}

TEST_CASE("environment overrides and CONNECTOR_CONFIG_PATH are checked like the file", "[integration][config]") {
    TempDir dir;
    write_file(dir / "check.toml", valid_config());
    const std::string path = (dir / "check.toml").string();
    {
        const auto [code, out] = run_connectd(dir, {"--check"}, {{"CONNECTOR_CONFIG_PATH", path}, {"DANUBE_SERVICE_URL", "localhost:6650"}});
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("danube_service_url: must start with http:// or https://"));
    }
    {
        const auto [code, out] = run_connectd(dir, {"--check", "--config", path}, {{"CONNECTOR_NAME", ""}});
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("connector_name: is required (or set CONNECTOR_NAME)"));
    }
    {
        const auto [code, out] = run_connectd(dir, {"--check"}, {{"CONNECTOR_CONFIG_PATH", (dir / "nowhere.toml").string()}});
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("nowhere.toml: configuration file does not exist"));
    }
}

TEST_CASE("command-line mistakes exit 2 with what was wrong and where to look", "[integration][config]") {
    TempDir dir;
    const auto [code, out] = run_connectd(dir, {"--no-such-flag"});
    CHECK(code == 2);
    CHECK_THAT(out, Catch::Contains("danube-connectd: The following argument was not expected: --no-such-flag"));
    CHECK_THAT(out, Catch::Contains("Run 'danube-connectd --help' for usage."));
    const auto [code2, out2] = run_connectd(dir, {"--config"});
    CHECK(code2 == 2);
    CHECK_THAT(out2, Catch::Contains("danube-connectd: --config: 1 required TEXT missing"));
    const auto [code3, out3] = run_connectd(dir, {}, {{"CONNECTOR_CONFIG_PATH", ""}});
    CHECK(code3 == 2);
    CHECK_THAT(out3, Catch::Contains("danube-connectd: no configuration: pass --config PATH or set CONNECTOR_CONFIG_PATH"));
}

TEST_CASE("[broker] TLS and token mistakes exit 78 before connecting", "[integration][config]") {
    TempDir dir;
    write_file(dir / "token", "s3cr3t-token\n");
    const std::string head = "danube_service_url = \"http://127.0.0.1:1\"\nconnector_name = \"c\"\nplugin = \"in_datagen\"\n";
    const std::string https = "danube_service_url = \"https://127.0.0.1:1\"\nconnector_name = \"c\"\nplugin = \"in_datagen\"\n";
    expect_config_errors(dir, 78, {
        {head + "[broker]\ntoken = \"s3cr3t-token\"\n",
         "[broker].token: a token is only sent over TLS: use an https:// danube_service_url or set tls_ca_file"},
        {https + "[broker]\ntoken = \"s3cr3t-token\"\ntoken_file = \"token\"\n", "[broker].token: set token or token_file, not both"},
        {https + "[broker]\ntls_ca_file = \"missing-ca.pem\"\n", "[broker]: file " + (dir / "missing-ca.pem").string() + " does not exist"},
        {https + "[broker]\ntls_cert_file = \"token\"\n", "[broker].tls_cert_file: tls_cert_file and tls_key_file go together (mTLS)"},
        {head + "[broker]\ntls_ca_file = \"token\"\n", "danube_service_url: TLS is configured in [broker]: the URL must start with https://"},
    });
    const auto [code, out] = check(dir, head + "[broker]\ntoken = \"s3cr3t-token\"\n");
    CHECK_THAT(out, !Catch::Contains("s3cr3t"));
}

TEST_CASE("dead-letter settings that cannot work exit 78", "[integration][config]") {
    TempDir dir;
    const std::string head = config_with_plugin("in_datagen");
    expect_config_errors(dir, 78, {
        {head + "[dead_letter]\non_invalid = \"dead_letter\"\n", "[dead_letter].on_invalid: \"dead_letter\" needs [dead_letter].topic"},
        {head + "[dead_letter]\non_invalid = \"retry\"\n",
         "[dead_letter].on_invalid: expected \"dead_letter\", \"skip\" or \"fail\", got \"retry\""},
        {head + "[dead_letter]\ntopic = \"orders-dlq\"\n", "[dead_letter].topic: 'orders-dlq' is not a topic of the form /namespace/name"},
    });
}

TEST_CASE("a dead-letter topic that is also a destination topic is refused at startup", "[integration][config]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/orders\"\ncount = 1",
                                                         "\n[dead_letter]\ntopic = \"/default/orders\"\n"));
    REQUIRE(daemon.wait_for_exit(20s) == 78);
    CHECK_THAT(daemon.log(), Catch::Contains("[dead_letter].topic: is also a destination topic of the plugin"));
    CHECK(broker.stats().producers_created() == 0);
}

TEST_CASE("[[schemas]] mistakes exit 78 naming the entry and the file", "[integration][schema]") {
    TempDir dir;
    write_file(dir / "broken.json", "{\"type\": ");
    write_file(dir / "unusable.json", "{\"type\": 42}");
    const std::string head = valid_config("[[schemas]]\ntopic = \"/default/x\"\nsubject = \"x\"\n");
    expect_config_errors(dir, 78, {
        {head + "schema_type = \"json_schema\"\nschema_file = \"missing.json\"\n",
         "[[schemas]][0].schema_file: cannot read schema file 'missing.json'"},
        {head + "schema_type = \"json_schema\"\nschema_file = \"broken.json\"\n",
         "[[schemas]][0].schema_file: schema file '" + (dir / "broken.json").string() + "' is not valid JSON"},
        {head + "schema_type = \"json_schema\"\nschema_file = \"unusable.json\"\n",
         "[[schemas]][0].schema_file: " + (dir / "unusable.json").string() + " is not a usable JSON Schema"},
        {head + "schema_type = \"json_schema\"\n", "[[schemas]][0].schema_file: is required for schema_type json_schema"},
        {head + "schema_type = \"protobuf\"\nschema_file = \"x.proto\"\n",
         "[[schemas]][0].schema_type: protobuf schemas are not supported yet (the reference runtime fails every record for them)"},
        {head + "schema_type = \"xml\"\n",
         "[[schemas]][0].schema_type: unknown schema type 'xml': use json_schema, avro, string, number or bytes"},
        {head + "schema_type = \"string\"\nversion_strategy = \"pinned\"\n",
         "[[schemas]][0].version_strategy: 'pinned' needs a version: write version_strategy = { pinned = 2 }"},
        {valid_config("[schemas]\ntopic = \"/default/x\"\n"), "schemas: expected [[schemas]] entries"},
    });
}

TEST_CASE("an unknown key is a warning with a suggestion and the configuration still passes", "[integration][config]") {
    TempDir dir;
    const auto [code, out] = check(dir, valid_config("[processing]\nbatchsize = 5\n[delivery]\nfrobnicate = 1\n"));
    INFO(out);
    CHECK(code == 0);
    CHECK_THAT(out, Catch::Contains("warning: " + (dir / "check.toml").string() +
                                    ": unknown key [processing].batchsize is ignored; did you mean 'batch_size'?"));
    CHECK_THAT(out, Catch::Contains("unknown key [delivery].frobnicate is ignored"));
    CHECK_THAT(out, Catch::Contains("configuration OK"));
}

TEST_CASE("a DANUBE_LOG that is not a level is ignored with a warning", "[integration][config]") {
    TempDir dir;
    write_file(dir / "run.toml", config_with_plugin("in_nothing_here") + "[processing]\nmetrics_port = 0\n[http]\naddress = \"127.0.0.1\"\n");
    const auto [code, out] = run_connectd(dir, {"--config", (dir / "run.toml").string()}, {{"DANUBE_LOG", "verbose"}});
    INFO(out);
    CHECK(code == 80);  // it went on, logging at the configured level, to the next problem
    CHECK_THAT(out, Catch::Contains("DANUBE_LOG=\"verbose\" is not a log level (trace, debug, info, warn, error or off); "
                                    "ignored, logging at info"));
    CHECK_THAT(out, Catch::Contains("plugin not found"));
}

TEST_CASE("check mode accepts a valid configuration without any broker", "[integration][plugin]") {
    TempDir dir;
    TestBroker broker;  // only for its URL in the builder; --check never connects
    const auto [code, out] = check(dir, datagen_config(broker, "topic = \"/default/x\"", schema_block("/default/x")));
    CHECK(code == 0);
    CHECK_THAT(out, Catch::Contains("configuration OK"));
    CHECK(broker.stats().producers_created() == 0);
}

TEST_CASE("check mode reports the plugin's own section against its JSON Schema with the key path",
          "[integration][plugin]") {
    TempDir dir;
    TestBroker broker;
    const auto [code, out] = check(dir, datagen_config(broker, "topic = \"/default/x\"\ncount = \"many\""));
    CHECK(code == 78);
    CHECK_THAT(out, Catch::Contains("plugin in_datagen configuration: datagen.count: Value type not permitted by 'type' constraint."));
    const auto [code2, out2] = check(dir, datagen_config(broker, "topik = \"/default/x\""));
    CHECK(code2 == 78);
    CHECK_THAT(out2, Catch::Contains("plugin in_datagen configuration: datagen.topik: unknown key (did you mean \"topic\"?)"));
}

TEST_CASE("configuration errors exit 78 and name the file and key", "[integration][plugin]") {
    TempDir dir;
    const auto [code, out] = check(dir, "danube_service_url = \"http://x:1\"\nconnector_name = \"\"\nplugin = \"in_datagen\"\n");
    CHECK(code == 78);
    CHECK_THAT(out, Catch::Contains("check.toml: connector_name: is required"));
    const auto [code2, out2] = run_connectd(dir, {});
    CHECK(code2 == 2);
    CHECK_THAT(out2, Catch::Contains("CONNECTOR_CONFIG_PATH"));
    const auto [code3, out3] = run_connectd(dir, {"--no-such-flag"});
    CHECK(code3 == 2);
}
