// SPDX-License-Identifier: Apache-2.0
// Local JSON Schema checks; see payload_validator.hpp.
#include "payload_validator.hpp"

#include <fstream>
#include <sstream>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#if !VALIJSON_USE_EXCEPTIONS
#error "link the valijson CMake target: without VALIJSON_USE_EXCEPTIONS a bad schema aborts (build-notes.md P2)"
#endif

namespace dcx::webhook {

struct PayloadValidator::Compiled {
    valijson::Schema schema;  // neither copyable nor movable; read-only once parsed
};

PayloadValidator::PayloadValidator() = default;
PayloadValidator::~PayloadValidator() = default;
PayloadValidator::PayloadValidator(PayloadValidator&&) noexcept = default;
PayloadValidator& PayloadValidator::operator=(PayloadValidator&&) noexcept = default;

PayloadValidator PayloadValidator::from_core_config(const nlohmann::json& core, const std::set<std::string>& topics,
                                                    std::vector<std::string>& notes) {
    PayloadValidator out;
    if (!core.contains("schemas") || !core["schemas"].is_array()) return out;
    for (const auto& s : core["schemas"]) {
        const std::string topic = s.value("topic", "");
        if (!topics.count(topic) || s.value("schema_type", "") != "json_schema") continue;
        const std::string file = s.value("schema_file", "");
        const bool latest = s.contains("version_strategy") && s["version_strategy"] == "latest";
        if (!latest || !s.value("auto_register", true) || file.empty()) {
            out.schemas_.erase(topic);  // the later [[schemas]] entry wins, as in the host
            notes.push_back("topic " + topic + ": its JSON Schema is checked by the host only (version_strategy is not "
                            "\"latest\" with auto_register, so the registry may hold another version than " + file + ")");
            continue;
        }
        try {
            std::ifstream in(file);
            if (!in) throw std::runtime_error("cannot read " + file);
            std::stringstream text;
            text << in.rdbuf();
            const auto doc = nlohmann::json::parse(text.str());
            auto compiled = std::make_unique<Compiled>();
            valijson::SchemaParser parser;
            valijson::adapters::NlohmannJsonAdapter adapter(doc);
            parser.populateSchema(adapter, compiled->schema);
            out.schemas_[topic] = std::move(compiled);
        } catch (const std::exception& e) {
            out.schemas_.erase(topic);
            notes.push_back("topic " + topic + ": JSON Schema " + file + " is not usable here (" + e.what() +
                            "); bodies are checked by the host only");
        }
    }
    return out;
}

std::optional<std::string> PayloadValidator::validate(const std::string& topic, const nlohmann::json& payload) const {
    const auto it = schemas_.find(topic);
    if (it == schemas_.end()) return std::nullopt;
    // A Validator per call: valijson's keeps a regex cache, so one shared instance is not thread-safe.
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter adapter(payload);
    try {
        if (validator.validate(it->second->schema, adapter, &results)) return std::nullopt;
    } catch (const std::exception& e) {
        // valijson 1.0 throws where it cannot check a value (e.g. "format" meeting an object); the
        // body cannot be shown valid, so it is refused like an invalid one, as the host does.
        return std::string("<root>: cannot be checked against the JSON Schema: ") + e.what();
    }
    // Errors come as a leaf plus its parents; the deepest context is the useful one.
    std::string best;
    size_t best_depth = 0;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
        if (best.empty() || e.context.size() > best_depth) {
            std::string where;
            for (const auto& c : e.context) where += c;
            best = where + ": " + e.description;
            best_depth = e.context.size();
        }
    }
    return best.empty() ? std::string("the body does not match the topic's JSON Schema") : best;
}

}  // namespace dcx::webhook
