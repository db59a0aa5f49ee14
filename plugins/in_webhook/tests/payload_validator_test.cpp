// SPDX-License-Identifier: Apache-2.0
// The early JSON Schema check of webhook bodies: the same verdicts as the host's, never an
// exception or a crash on hostile bodies.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "payload_validator.hpp"

using dcx::webhook::PayloadValidator;
using nlohmann::json;

namespace {

struct SchemaFile {
    std::filesystem::path path;
    explicit SchemaFile(const std::string& text)
        : path(std::filesystem::temp_directory_path() /
               ("dcx-webhook-schema-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++) + ".json")) {
        std::ofstream(path) << text;
    }
    ~SchemaFile() { std::filesystem::remove(path); }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

PayloadValidator validator_for(const SchemaFile& file, std::vector<std::string>& notes) {
    const json core = {{"schemas", json::array({{{"topic", "/default/events"},
                                                 {"schema_type", "json_schema"},
                                                 {"schema_file", file.path.string()},
                                                 {"version_strategy", "latest"}}})}};
    return PayloadValidator::from_core_config(core, {"/default/events"}, notes);
}

}  // namespace

TEST_CASE("bodies are checked against the topic's schema without recursion or exceptions",
          "[unit][webhook][schema]") {
    SchemaFile file(R"({"type": "object", "required": ["id"],
                        "properties": {"id": {"type": "string", "pattern": "^[a-z]+$"},
                                       "at": {"format": "date-time"}}})");
    std::vector<std::string> notes;
    const auto validator = validator_for(file, notes);
    REQUIRE(validator.covers("/default/events"));
    CHECK(notes.empty());

    CHECK_FALSE(validator.validate("/default/events", {{"id", "abc"}, {"at", "2026-11-29T01:02:03Z"}}).has_value());
    CHECK(validator.validate("/default/events", {{"id", "ABC"}}).has_value());
    CHECK(validator.validate("/default/events", json::object()).has_value());
    // A 1 MiB string against the pattern: linear with RE2 (std::regex overflowed the stack).
    CHECK_FALSE(validator.validate("/default/events", {{"id", std::string(1 << 20, 'z')}}).has_value());
    // valijson 1.0 throws on "format" meeting an object; that is a refusal, not an exception.
    const auto odd = validator.validate("/default/events", {{"id", "abc"}, {"at", {{"nested", 1}}}});
    REQUIRE(odd.has_value());
    CHECK_THAT(*odd, Catch::Contains("cannot be checked against the JSON Schema"));
    CHECK_FALSE(validator.validate("/other/topic", json::object()).has_value());
}

TEST_CASE("a schema with a pattern RE2 rejects is left to the host, with a note naming it",
          "[unit][webhook][schema]") {
    SchemaFile file(R"({"properties": {"id": {"pattern": "(?<=a)b"}}})");
    std::vector<std::string> notes;
    const auto validator = validator_for(file, notes);
    CHECK_FALSE(validator.covers("/default/events"));
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Catch::Contains("'pattern' \"(?<=a)b\" is not a regular expression RE2 accepts"));
}
