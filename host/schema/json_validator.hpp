// SPDX-License-Identifier: Apache-2.0
// A JSON Schema compiled once, checking records on one thread. Records are first tried against
// the schema's compiled checks (compiled_json_schema.hpp: straight from the text, ~0.15 of the
// instructions of a DOM plus valijson); valijson decides every record those do not accept and
// words its error. valijson keeps its regex cache in the Validator, so a Validator per record
// would cost 10x (measured-limits.md §2).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dcx::schema {

class JsonSchemaValidator {
public:
    /// Throws std::runtime_error naming the problem when `schema` is not a usable JSON Schema.
    explicit JsonSchemaValidator(const nlohmann::json& schema);
    ~JsonSchemaValidator();
    JsonSchemaValidator(const JsonSchemaValidator&) = delete;
    JsonSchemaValidator& operator=(const JsonSchemaValidator&) = delete;

    /// nullopt when `doc` is valid; otherwise the most specific error, e.g.
    /// "<root>[id]: Expected number greater than or equal to 1.000000". Never throws. Not thread-safe.
    std::optional<std::string> validate(const nlohmann::json& doc);

    /// True when the compiled checks alone show `json_text` to be a valid record. False means
    /// "parse it and ask validate()", which gives the verdict and the error. Never throws.
    /// `utf8_checked`: the caller has already checked that the text is valid UTF-8.
    bool accepts_text(std::string_view json_text, bool utf8_checked = false);

    /// Empty when records go through the compiled checks first; otherwise why every record is
    /// checked by valijson alone, e.g. "'anyOf' at /properties/a" (the startup log says it).
    const std::string& why_not_compiled() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// valijson's text for a key that `additionalProperties: false` refuses, "<root>[mqtt]: Object
/// contains a property that could not be validated using 'properties' or 'additionalProperties'
/// constraints: 'brokr_host'.", said the way configuration errors are: "<root>[mqtt][brokr_host]:
/// unknown key (did you mean \"broker_host\"?)", the suggestion taken from the properties `schema`
/// allows there (local $refs followed). Any other message is returned unchanged.
std::string explain_unknown_key(const nlohmann::json& schema, const std::string& message);

}  // namespace dcx::schema
