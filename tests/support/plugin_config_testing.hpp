// SPDX-License-Identifier: Apache-2.0
// For the plugins' configuration tests: a plugin section as the daemon really hands it over, and
// a JSON Schema check with every error listed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/connector_config.hpp"

namespace dcx::testing {

/// The plugin's part of a connector file, through the host's own loader: the host's keys removed,
/// ${env:}/${file:} references resolved with `env` (none by default), dates as text.
nlohmann::json plugin_section_of(const std::filesystem::path& file, const config::EnvLookup& env = {});

/// nullopt when `doc` satisfies `schema`, else each error as "<context>: <description>" per line.
std::optional<std::string> schema_errors(const nlohmann::json& schema, const nlohmann::json& doc);

}  // namespace dcx::testing
