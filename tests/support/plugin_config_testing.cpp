// SPDX-License-Identifier: Apache-2.0
#include "plugin_config_testing.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace dcx::testing {

nlohmann::json plugin_section_of(const std::filesystem::path& file, const config::EnvLookup& env) {
    const config::EnvLookup none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    return config::load_config(file, env ? env : none).plugin_config;
}

std::optional<std::string> schema_errors(const nlohmann::json& schema, const nlohmann::json& doc) {
    valijson::Schema parsed;
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter schema_adapter(schema);
    parser.populateSchema(schema_adapter, parsed);
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter doc_adapter(doc);
    if (validator.validate(parsed, doc_adapter, &results)) return std::nullopt;
    std::string all;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
        for (const auto& c : e.context) all += c;
        all += ": " + e.description + "\n";
    }
    return all;
}

}  // namespace dcx::testing
