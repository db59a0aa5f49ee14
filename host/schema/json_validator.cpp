// SPDX-License-Identifier: Apache-2.0
#include "schema/json_validator.hpp"

#include "schema/compiled_json_schema.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

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
    std::unique_ptr<CompiledJsonSchema> compiled;  // null when the schema uses a keyword it lacks
    std::string why_not_compiled;
};

JsonSchemaValidator::JsonSchemaValidator(const nlohmann::json& schema) : impl_(std::make_unique<Impl>()) {
    try {
        valijson::SchemaParser parser;
        valijson::adapters::NlohmannJsonAdapter adapter(schema);
        parser.populateSchema(adapter, impl_->schema);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("not a usable JSON Schema: ") + e.what());
    }
    // Only a schema valijson accepted is compiled: the compiled checks never see one it refuses.
    impl_->compiled = CompiledJsonSchema::compile(schema, impl_->why_not_compiled);
}

bool JsonSchemaValidator::accepts_text(std::string_view json_text, bool utf8_checked) {
    using Utf8 = CompiledJsonSchema::Utf8;
    return impl_->compiled && impl_->compiled->accepts(json_text, utf8_checked ? Utf8::already_checked : Utf8::check);
}

const std::string& JsonSchemaValidator::why_not_compiled() const { return impl_->why_not_compiled; }

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

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Follows local "$ref"s ("#/definitions/route"); a bounded number, so a cycle cannot hang.
const nlohmann::json* resolve(const nlohmann::json& root, const nlohmann::json* node) {
    for (int hops = 0; node && node->is_object() && node->contains("$ref") && hops < 16; ++hops) {
        const auto& ref = (*node)["$ref"];
        if (!ref.is_string() || ref.get_ref<const std::string&>().rfind('#', 0) != 0) return nullptr;
        try {
            node = &root.at(nlohmann::json::json_pointer(ref.get<std::string>().substr(1)));
        } catch (const nlohmann::json::exception&) {
            return nullptr;
        }
    }
    return node;
}

}  // namespace

std::string explain_unknown_key(const nlohmann::json& schema, const std::string& message) {
    static const std::string kMarker =
        ": Object contains a property that could not be validated using 'properties' or 'additionalProperties' constraints: '";
    const size_t at = message.find(kMarker);
    const size_t key_at = at + kMarker.size();
    if (at == std::string::npos || message.size() < key_at + 2 || message.compare(message.size() - 2, 2, "'.") != 0) {
        return message;
    }
    const std::string where = message.substr(0, at);
    const std::string key = message.substr(key_at, message.size() - 2 - key_at);
    // Walk the schema along valijson's context: "<root>" then "[name]" (a property) or "[N]" (an item).
    const nlohmann::json* node = &schema;
    for (size_t i = where.find('['); node && i != std::string::npos; i = where.find('[', i + 1)) {
        const size_t end = where.find(']', i);
        if (end == std::string::npos) break;
        const std::string part = where.substr(i + 1, end - i - 1);
        node = resolve(schema, node);
        if (!node || !node->is_object()) break;
        const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        if (index && node->contains("items")) node = &(*node)["items"];
        else if (node->contains("properties") && (*node)["properties"].contains(part)) node = &(*node)["properties"][part];
        else node = nullptr;
    }
    std::string best;
    if (node) node = resolve(schema, node);
    if (node && node->is_object() && node->contains("properties") && (*node)["properties"].is_object()) {
        size_t best_distance = 3;  // farther than two edits is another word, not a typo
        for (const auto& [name, _] : (*node)["properties"].items()) {
            if (const size_t d = edit_distance(key, name); d < best_distance) best = name, best_distance = d;
        }
    }
    return where + "[" + key + "]: unknown key" + (best.empty() ? "" : " (did you mean \"" + best + "\"?)");
}

}  // namespace dcx::schema
