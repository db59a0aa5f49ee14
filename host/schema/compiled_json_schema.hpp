// SPDX-License-Identifier: Apache-2.0
// The common JSON Schema keywords compiled into plain checks that run over a record's JSON text in
// one SAX pass: no DOM, no allocation per record once warm. It is the fast path of json_schema
// topics (delivery-and-operations.md §14: host JSON work <= 6 us per 1 KiB record, where a nlohmann
// DOM plus valijson costs ~25-50 us). It only ever answers "valid" where valijson would: a record it
// does not accept goes to valijson, which decides and words the error. Schemas using a keyword it
// does not model are not compiled at all, and every record of theirs goes to valijson.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dcx::schema {

class CompiledJsonSchema {
public:
    /// The compiled checks of `schema` (draft-07, as valijson reads it), or nullptr when it uses a
    /// keyword or a keyword form not modelled here; `why_not` then names it and where, e.g.
    /// "'anyOf' at /properties/a". Compiled: type, enum, const, properties, required,
    /// additionalProperties, maxProperties, items (one schema), minItems, maxItems, minimum, maximum,
    /// exclusiveMinimum, exclusiveMaximum, minLength, maxLength, pattern (RE2, as the patched
    /// valijson matches), boolean schemas and local "$ref"s, plus annotations (title, ...).
    static std::unique_ptr<CompiledJsonSchema> compile(const nlohmann::json& schema, std::string& why_not);

    ~CompiledJsonSchema();
    CompiledJsonSchema(const CompiledJsonSchema&) = delete;
    CompiledJsonSchema& operator=(const CompiledJsonSchema&) = delete;

    /// Whether accepts() checks that strings are valid UTF-8, or the caller already has (the
    /// canonical-JSON check does, in its own pass; checking twice costs ~30% of the run).
    enum class Utf8 { check, already_checked };

    /// True only when `json_text` is a single JSON value, at most 127 levels deep, that the schema
    /// accepts. False when it is not, or when this cannot tell (then ask valijson). Never throws.
    /// Not thread-safe: the parse state is reused from record to record.
    bool accepts(std::string_view json_text, Utf8 utf8 = Utf8::check);

    struct Program;  // the compiled nodes and the reusable parse state

private:
    explicit CompiledJsonSchema(std::unique_ptr<Program> program);
    std::unique_ptr<Program> program_;
};

}  // namespace dcx::schema
