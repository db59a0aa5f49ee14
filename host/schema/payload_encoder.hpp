// SPDX-License-Identifier: Apache-2.0
// Turns a plugin record into the payload bytes the reference runtime would send for the topic's
// schema type (reference-runtime.md §7), validating JSON Schema topics on the way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "plugin/owned_record.hpp"
#include "schema/json_validator.hpp"

namespace dcx::schema {

enum class SchemaType { none, json_schema, avro, string, number, bytes };

/// "json_schema", "json", "avro", "string", "number", "bytes"; anything else is none.
SchemaType parse_schema_type(std::string_view lowercased);
const char* to_string(SchemaType type);

/// Where a record failed: before serialization (its content) or during it (its type).
struct EncodeError {
    enum class Stage { validate, serialize };
    Stage stage;
    std::string message;
};

/// Reusable per-thread state: the JSON DOM is kept to avoid reallocating it per record.
/// (nlohmann::json's destructor may allocate for deep values: out of memory there terminates.)
class PayloadEncoder {  // NOLINT(bugprone-exception-escape)
public:
    /// Writes the payload bytes for `record` into `out`; `validator` checks json_schema topics.
    std::optional<EncodeError> encode(const plugin::OwnedRecord& record, SchemaType type,
                                      JsonSchemaValidator* validator, std::string& out);

private:
    std::optional<EncodeError> to_value(const plugin::OwnedRecord& record);
    nlohmann::json value_;
};

}  // namespace dcx::schema
