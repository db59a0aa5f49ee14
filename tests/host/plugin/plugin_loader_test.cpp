// SPDX-License-Identifier: Apache-2.0
// Loading real plugin files: each way a plugin can be wrong gives its own error kind, exit code
// and a message naming the file and the problem; nothing crashes the host.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "plugin/plugin_error.hpp"
#include "plugin/plugin_instance.hpp"
#include "plugin/plugin_loader.hpp"
#include "temp_dir.hpp"

using namespace dcx::plugin;
namespace fs = std::filesystem;

namespace {

fs::path plugin_file(const std::string& name) { return fs::path(DCX_TEST_PLUGIN_DIR) / (name + ".so"); }

// Loads and creates an instance; returns the failure (or nullopt when everything worked).
std::optional<PluginLoadError> load_error(const fs::path& path) {
    try {
        auto loaded = std::make_shared<LoadedPlugin>(load_plugin(path));
        PluginInstance instance(loaded, "test", {});
        return std::nullopt;
    } catch (const PluginLoadError& e) {
        return e;
    }
}

void check_failure(const std::string& plugin, LoadFailure kind, int code, const std::string& text) {
    const auto err = load_error(plugin_file(plugin));
    REQUIRE(err.has_value());
    CHECK(err->failure() == kind);
    CHECK(exit_code(err->failure()) == code);
    CHECK_THAT(err->what(), Catch::Contains(text));
    CHECK_THAT(err->what(), Catch::Contains(plugin_file(plugin).string()));
}

}  // namespace

TEST_CASE("a plain C plugin loads, with its descriptor and ABI version", "[unit][plugin]") {
    const auto p = load_plugin(plugin_file("c_counter"));
    CHECK(p.id == "c_counter");
    CHECK(p.name == "C counter");
    CHECK(p.version == "1.0.0");
    CHECK(p.abi_major == 1);
    CHECK(p.abi_minor == DCX_ABI_VERSION_MINOR);
}

TEST_CASE("a plugin built against the older 1.0 header loads in this 1.1 host", "[unit][plugin]") {
    const auto p = load_plugin(plugin_file("c_counter_v1_0"));
    CHECK(p.id == "c_counter_v1_0");
    CHECK(p.abi_major == 1);
    CHECK(p.abi_minor == 0);
}

TEST_CASE("a C++ SDK plugin loads", "[unit][plugin]") {
    const auto p = load_plugin(plugin_file("sdk_test"));
    CHECK(p.id == "sdk_test");
    CHECK(p.abi_minor == DCX_ABI_VERSION_MINOR);
}

TEST_CASE("a missing plugin is not_found, naming every place looked", "[unit][plugin]") {
    dcx::testing::TempDir dir;
    try {
        (void)resolve_plugin_path("in_nothing", dir.path());
        FAIL("resolved a missing plugin");
    } catch (const PluginLoadError& e) {
        CHECK(e.failure() == LoadFailure::not_found);
        CHECK(exit_code(e.failure()) == 80);
        CHECK_THAT(e.what(), Catch::Contains((dir / "in_nothing.so").string()));
        CHECK_THAT(e.what(), Catch::Contains((dir / "libin_nothing.so").string()));
    }
    CHECK_THROWS_AS(resolve_plugin_path("/no/such/plugin.so", dir.path()), PluginLoadError);
}

TEST_CASE("a plugin name resolves in the plugins directory as <name>.so", "[unit][plugin]") {
    CHECK(resolve_plugin_path("c_counter", DCX_TEST_PLUGIN_DIR) == plugin_file("c_counter"));
    CHECK(resolve_plugin_path(plugin_file("c_counter").string(), "/nonexistent") == plugin_file("c_counter"));
}

TEST_CASE("a file that is not a shared object is not_loadable", "[unit][plugin]") {
    dcx::testing::TempDir dir;
    dcx::testing::write_file(dir / "fake.so", "this is text, not ELF\n");
    const auto err = load_error(dir / "fake.so");
    REQUIRE(err.has_value());
    CHECK(err->failure() == LoadFailure::not_loadable);
    CHECK(exit_code(err->failure()) == 81);
    CHECK_THAT(err->what(), Catch::Contains("is not a shared object"));
}

TEST_CASE("a truncated ELF file is not_loadable with dlopen's reason", "[unit][plugin]") {
    dcx::testing::TempDir dir;
    dcx::testing::write_file(dir / "cut.so", dcx::testing::read_file(plugin_file("c_counter")).substr(0, 200));
    const auto err = load_error(dir / "cut.so");
    REQUIRE(err.has_value());
    CHECK(err->failure() == LoadFailure::not_loadable);
    CHECK_THAT(err->what(), Catch::Contains("cannot load plugin"));
}

TEST_CASE("a world-writable plugin file is refused", "[unit][plugin]") {
    dcx::testing::TempDir dir;
    fs::copy_file(plugin_file("c_counter"), dir / "c.so");
    ::chmod((dir / "c.so").c_str(), 0666);
    const auto err = load_error(dir / "c.so");
    REQUIRE(err.has_value());
    CHECK(err->failure() == LoadFailure::unsafe_permissions);
    CHECK(exit_code(err->failure()) == 86);
    CHECK_THAT(err->what(), Catch::Contains("writable by every user"));
}

TEST_CASE("broken plugins are refused, each with its own error", "[unit][plugin]") {
    check_failure("broken_no_entry", LoadFailure::entry_missing, 82, "does not export dcx_plugin_entry");
    check_failure("broken_wrong_major", LoadFailure::abi_mismatch, 83, "plugin ABI 2.0, host implements 1.");
    check_failure("broken_newer_minor", LoadFailure::abi_mismatch, 83, "needs a newer host");
    check_failure("broken_refuses", LoadFailure::refused, 84, "this plugin refuses every host");
    check_failure("broken_small_desc", LoadFailure::malformed, 85, "descriptor struct_size 24 is smaller than the 1.0 layout");
    check_failure("broken_null_create", LoadFailure::malformed, 85, "descriptor slot 'create' is NULL");
    check_failure("broken_create_null", LoadFailure::refused, 84, "create() returned NULL");
    check_failure("broken_null_slot", LoadFailure::malformed, 85, "required slot 'poll' is NULL");
    check_failure("broken_small_source", LoadFailure::malformed, 85, "instance struct_size 16 is smaller than the 1.0 layout");
}
