// SPDX-License-Identifier: Apache-2.0
// The daemon refuses what it cannot run, each failure with its own message and exit code,
// and `--check` validates without connecting.
#include <catch2/catch.hpp>

#include "connector_process.hpp"
#include "pipeline_test_support.hpp"

using namespace dcx::testing;

namespace {

std::string config_with_plugin(const std::string& plugin) {
    return "danube_service_url = \"http://127.0.0.1:1\"\nconnector_name = \"itest\"\nplugin = \"" + plugin + "\"\n";
}

std::pair<int, std::string> check(const TempDir& dir, const std::string& toml) {
    write_file(dir / "check.toml", toml);
    return run_connectd(dir, {"--check", "--config", (dir / "check.toml").string()});
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
    CHECK_THAT(out, Catch::Contains("datagen.count"));
    const auto [code2, out2] = check(dir, datagen_config(broker, "topik = \"/default/x\""));
    CHECK(code2 == 78);
    CHECK_THAT(out2, Catch::Contains("topik"));
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
