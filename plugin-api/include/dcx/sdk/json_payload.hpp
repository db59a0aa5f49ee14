// SPDX-License-Identifier: Apache-2.0
// Turning raw source bytes into a record payload the way Danube's Rust connectors do: the JSON
// value when the bytes are one JSON document as serde_json reads it, otherwise the wrapper
// {"data":"<base64>","encoding":"base64","size":<bytes>} (reference-runtime.md §7).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dcx::sdk {

/// Standard base64 with padding (RFC 4648 §4), as Rust's base64 STANDARD engine writes it.
inline std::string base64_encode(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                           static_cast<uint8_t>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                           (rest == 2 ? static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8 : 0u);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

namespace detail {

// serde_json's default recursion limit: 128 nested arrays/objects fail, 127 parse.
inline constexpr size_t kMaxJsonDepth = 127;

// Scans brackets outside strings only: cheap, never recurses, and keeps nlohmann's recursive
// parser away from inputs nested deeper than serde_json accepts.
inline bool json_depth_within_limit(std::string_view text) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) --depth;
    }
    return true;
}

// serde_json refuses numbers that overflow a double ("number out of range"); nlohmann makes them
// infinite, so such documents count as not JSON.
inline bool json_numbers_finite(const nlohmann::json& v) {
    switch (v.type()) {
        case nlohmann::json::value_t::number_float: return std::isfinite(v.get<double>());
        case nlohmann::json::value_t::array:
        case nlohmann::json::value_t::object:
            for (const auto& child : v) {
                if (!json_numbers_finite(child)) return false;
            }
            return true;
        default: return true;
    }
}

}  // namespace detail

/// The JSON value of `text` when serde_json would parse it (one document, UTF-8, no byte order
/// mark, at most 127 levels deep, finite numbers); nullopt otherwise.
inline std::optional<nlohmann::json> parse_json_like_serde(std::string_view text) {
    // nlohmann skips a UTF-8 byte order mark; serde_json does not accept one.
    if (text.substr(0, 3) == "\xEF\xBB\xBF") return std::nullopt;
    if (!detail::json_depth_within_limit(text)) return std::nullopt;
    nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !detail::json_numbers_finite(value)) return std::nullopt;
    return value;
}

/// The Rust connectors' wrapper for bytes that are not JSON.
inline nlohmann::json base64_wrapper(std::string_view bytes) {
    return nlohmann::json{{"data", base64_encode(bytes)}, {"encoding", "base64"}, {"size", bytes.size()}};
}

/// parse_json_like_serde(bytes), or else base64_wrapper(bytes).
inline nlohmann::json json_or_base64_wrapper(std::string_view bytes) {
    if (auto value = parse_json_like_serde(bytes)) return std::move(*value);
    return base64_wrapper(bytes);
}

}  // namespace dcx::sdk
