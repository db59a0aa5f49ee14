// SPDX-License-Identifier: Apache-2.0
// A JSON Schema compiled once (valijson), checking records on one thread. valijson keeps its
// regex cache in the Validator, so a Validator per record would cost 10x (measured-limits.md §2).
#pragma once

#include <memory>
#include <optional>
#include <string>

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

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dcx::schema
