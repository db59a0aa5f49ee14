// SPDX-License-Identifier: Apache-2.0
#include "schema/json_validator.hpp"

#include <stdexcept>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#if !VALIJSON_USE_EXCEPTIONS
#error "link the valijson CMake target: without VALIJSON_USE_EXCEPTIONS a bad schema aborts (build-notes.md P2)"
#endif

namespace dcx::schema {

struct JsonSchemaValidator::Impl {
    valijson::Schema schema;  // neither copyable nor movable
    valijson::Validator validator;
};

JsonSchemaValidator::JsonSchemaValidator(const nlohmann::json& schema) : impl_(std::make_unique<Impl>()) {
    try {
        valijson::SchemaParser parser;
        valijson::adapters::NlohmannJsonAdapter adapter(schema);
        parser.populateSchema(adapter, impl_->schema);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("not a usable JSON Schema: ") + e.what());
    }
}

JsonSchemaValidator::~JsonSchemaValidator() = default;

std::optional<std::string> JsonSchemaValidator::validate(const nlohmann::json& doc) {
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    valijson::ValidationResults results;
    try {
        if (impl_->validator.validate(impl_->schema, adapter, &results)) return std::nullopt;
    } catch (const std::exception& e) {
        // valijson 1.0 throws where it cannot check a value, e.g. "format" meeting an array or an
        // object (valijson#181, fixed after 1.0): the record cannot be shown valid, so it is refused
        // (dead-lettered) instead of ending the pipeline.
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
    return best.empty() ? std::optional<std::string>("record does not match the JSON Schema") : best;
}

}  // namespace dcx::schema
