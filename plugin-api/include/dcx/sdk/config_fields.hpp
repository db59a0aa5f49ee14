// SPDX-License-Identifier: Apache-2.0
// Typed readers for a connector's configuration table (the JSON the host hands to initialize()).
// Every reader throws ConfigError("<path>: <what was expected>, got <what was found>"), so users
// see which key is wrong and why; the daemon then exits with code 78.
//
// Values are never echoed for type errors ("got an integer"), only their JSON type: a password
// typed as a number must not end up in a log. Enum errors echo the offending string (truncated),
// because "expected \"AtLeastOnce\", got \"AtLeastOnse\"" is what makes a typo obvious, and enum
// values are never secrets.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcx/sdk/error.hpp"

namespace dcx::sdk::config {

using nlohmann::json;

/// Reads an environment variable; nullopt when unset. Config parsers take one, so tests can pass
/// their own environment instead of the process's.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment.
inline std::optional<std::string> process_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
}

[[noreturn]] inline void fail(const std::string& path, const std::string& message) {
    throw ConfigError(path + ": " + message);
}

/// "a string", "an integer", ...: what a wrong value is, without its content.
inline std::string type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "nothing";
        case json::value_t::object: return "a table";
        case json::value_t::array: return "an array";
        case json::value_t::string: return "a string";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned: return "an integer";
        case json::value_t::number_float: return "a float";
        default: return "an unsupported value";
    }
}

/// The allowed keys of a table, for reject_unknown (transparent: lookups by string_view).
using KeySet = std::set<std::string, std::less<>>;

/// A short quoted rendering of a non-secret string, for enum errors. (Not named `quoted`: for a
/// std::string argument, argument-dependent lookup would find std::quoted.)
inline std::string quote_value(std::string_view s) {
    constexpr std::size_t kMax = 60;
    std::string out = json(std::string(s.substr(0, kMax))).dump();
    if (s.size() > kMax) out.insert(out.size() - 1, "...");
    return out;
}

inline std::string string(const json& v, const std::string& path) {
    if (!v.is_string()) fail(path, "expected a string, got " + type_name(v));
    return v.get<std::string>();
}

inline bool boolean(const json& v, const std::string& path) {
    if (!v.is_boolean()) fail(path, "expected true or false, got " + type_name(v));
    return v.get<bool>();
}

/// An integer in [min, max]. Out-of-range numbers are echoed: ports and sizes are not secrets.
inline std::uint64_t uint(const json& v, const std::string& path, std::uint64_t min,
                          std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
    const auto expected = "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (!v.is_number_integer()) fail(path, expected + ", got " + type_name(v));
    if (!v.is_number_unsigned() && v.get<std::int64_t>() < 0) {
        fail(path, expected + ", got " + std::to_string(v.get<std::int64_t>()));
    }
    const auto n = v.get<std::uint64_t>();
    if (n < min || n > max) fail(path, expected + ", got " + std::to_string(n));
    return n;
}

inline const json& table(const json& v, const std::string& path) {
    if (!v.is_object()) fail(path, "expected a table, got " + type_name(v));
    return v;
}

inline const json& array(const json& v, const std::string& path) {
    if (!v.is_array()) fail(path, "expected an array, got " + type_name(v));
    return v;
}

/// One of a fixed set of strings; returns its index in `allowed`.
inline std::size_t one_of(const json& v, const std::string& path, std::initializer_list<std::string_view> allowed) {
    std::string expected = "expected ";
    std::size_t i = 0;
    for (const auto a : allowed) {
        if (i > 0) expected += (i + 1 == allowed.size()) ? " or " : ", ";
        expected += quote_value(a);
        ++i;
    }
    if (!v.is_string()) fail(path, expected + ", got " + type_name(v));
    const auto& s = v.get_ref<const std::string&>();
    i = 0;
    for (const auto a : allowed) {
        if (s == a) return i;
        ++i;
    }
    fail(path, expected + ", got " + quote_value(s));
}

/// Edit distance, for "did you mean" hints on unknown keys.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// Fails on the first key of `object` not in `known`, suggesting the closest known key.
inline void reject_unknown(const json& object, const KeySet& known,
                           const std::string& path) {
    for (const auto& [key, _] : object.items()) {
        if (known.count(key)) continue;
        std::string best;
        std::size_t best_distance = 3;  // farther than two edits is a different word, not a typo
        for (const auto& k : known) {
            if (const auto d = edit_distance(key, k); d < best_distance) best = k, best_distance = d;
        }
        const std::string where = path.empty() ? key : path + "." + key;
        fail(where, best.empty() ? "unknown key" : "unknown key (did you mean \"" + best + "\"?)");
    }
}

}  // namespace dcx::sdk::config
