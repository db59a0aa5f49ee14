// SPDX-License-Identifier: Apache-2.0
// Column values to JSON; see type_mapping.hpp for the table.
#include "type_mapping.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "dcx/sdk/json_payload.hpp"

namespace dcx::pgcdc {
namespace {

using nlohmann::json;

json integer(std::string_view text) {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return utf8_text(text);
    return v;
}

json floating(std::string_view text) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    // NaN, Infinity and -Infinity have no JSON number: keep PostgreSQL's spelling.
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return utf8_text(text);
    return v;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// bytea_output = hex: "\x" then two hex digits per byte.
json bytea(std::string_view text) {
    if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) return utf8_text(text);
    std::string bytes;
    bytes.reserve((text.size() - 2) / 2);
    for (size_t i = 2; i < text.size(); i += 2) {
        const int hi = hex_digit(text[i]);
        const int lo = hex_digit(text[i + 1]);
        if (hi < 0 || lo < 0) return utf8_text(text);
        bytes.push_back(static_cast<char>((hi << 4) | lo));
    }
    return dcx::sdk::base64_encode(bytes);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "YYYY-MM-DD HH:MM:SS..." (DateStyle ISO): the date and time are separated by a space.
bool iso_date_time(std::string_view t) {
    return t.size() >= 19 && is_digit(t[0]) && t[4] == '-' && t[7] == '-' && t[10] == ' ' && t[13] == ':' && t[16] == ':';
}

json timestamp(std::string_view text) {
    // infinity, -infinity and BC dates keep their text form.
    if (!iso_date_time(text) || text.find(' ', 11) != std::string_view::npos) return utf8_text(text);
    std::string out = utf8_text(text);
    out[10] = 'T';
    return out;
}

json timestamptz(std::string_view text) {
    if (!iso_date_time(text) || text.find(' ', 11) != std::string_view::npos) return utf8_text(text);
    std::string out = utf8_text(text);
    out[10] = 'T';
    // The zone is the last "+hh", "-hh", "+hh:mm" or "+hh:mm:ss" after the time.
    const size_t sign = out.find_last_of("+-");
    if (sign == std::string::npos || sign < 19) return out;
    const std::string zone = out.substr(sign);
    if (zone == "+00" || zone == "-00" || zone == "+00:00") return out.substr(0, sign) + "Z";
    if (zone.size() == 3) return out + ":00";  // "+02" -> "+02:00" (RFC 3339)
    return out;
}

// Length of the valid UTF-8 sequence at `s[i]`, or 0 (RFC 3629: no overlongs, no surrogates).
size_t utf8_sequence(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    const uint8_t c = b(i);
    if (c < 0x80) return 1;
    size_t n = 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (size_t k = 2; k < n; ++k) {
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
    }
    return n;
}

}  // namespace

std::string utf8_text(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        const size_t n = utf8_sequence(text, i);
        if (n == 0) break;
        i += n;
    }
    if (i == text.size()) return std::string(text);
    std::string out(text.substr(0, i));
    while (i < text.size()) {
        const size_t n = utf8_sequence(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

bool is_mapped_type(uint32_t type_oid) {
    switch (type_oid) {
        case oid::kBool:
        case oid::kBytea:
        case oid::kChar:
        case oid::kName:
        case oid::kInt8:
        case oid::kInt2:
        case oid::kInt4:
        case oid::kText:
        case oid::kOid:
        case oid::kJson:
        case oid::kXml:
        case oid::kFloat4:
        case oid::kFloat8:
        case oid::kBpchar:
        case oid::kVarchar:
        case oid::kDate:
        case oid::kTime:
        case oid::kTimestamp:
        case oid::kTimestamptz:
        case oid::kInterval:
        case oid::kTimetz:
        case oid::kNumeric:
        case oid::kUuid:
        case oid::kJsonb: return true;
        default: return false;
    }
}

json text_value_to_json(uint32_t type_oid, std::string_view text) {
    switch (type_oid) {
        case oid::kBool:
            if (text == "t") return true;
            if (text == "f") return false;
            return utf8_text(text);
        case oid::kInt2:
        case oid::kInt4:
        case oid::kInt8:
        case oid::kOid: return integer(text);
        case oid::kFloat4:
        case oid::kFloat8: return floating(text);
        case oid::kJson:
        case oid::kJsonb:
            // The same rules as record payloads (depth limit, finite numbers): a value nlohmann
            // cannot take safely stays text rather than being dropped.
            if (auto v = dcx::sdk::parse_json_like_serde(text)) return std::move(*v);
            return utf8_text(text);
        case oid::kBytea: return bytea(text);
        case oid::kTimestamp: return timestamp(text);
        case oid::kTimestamptz: return timestamptz(text);
        default: return utf8_text(text);  // numeric, strings, and every type sent as text
    }
}

json binary_value_to_json(std::string_view bytes) { return dcx::sdk::base64_encode(bytes); }

}  // namespace dcx::pgcdc
