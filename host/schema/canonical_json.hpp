// SPDX-License-Identifier: Apache-2.0
// JSON text byte-identical to serde_json's compact writer, which the reference runtime uses and
// downstream consumers compare (reference-runtime.md §7): keys sorted by bytes at every depth,
// no whitespace, integers as integers, other numbers in shortest round-trip form (23.5, 100.0,
// 1e+16, 1e-7: serde_json >= 1.0.147 writes the '+'), only `"`, `\` and control characters
// escaped, everything else raw UTF-8.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dcx::schema {

/// Appends the canonical text of `value` to `out`. Non-finite numbers become null, as serde does.
void append_canonical_json(const nlohmann::json& value, std::string& out);

inline std::string canonical_json(const nlohmann::json& value) {
    std::string out;
    append_canonical_json(value, out);
    return out;
}

/// True when `text` is exactly what append_canonical_json would write for the value it encodes,
/// i.e. valid JSON already in canonical form. One pass, no allocation: the fast path that lets a
/// record's bytes be sent as they are (the C++ SDK already emits sorted compact JSON).
bool is_canonical_json(std::string_view text);

/// A double in serde_json form (zmij layout, as serde_json 1.0.149 writes it).
void append_canonical_double(double value, std::string& out);

}  // namespace dcx::schema
