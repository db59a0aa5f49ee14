// SPDX-License-Identifier: Apache-2.0
#include "schema/canonical_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace dcx::schema {
namespace {

void append_string(const std::string& s, std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

}  // namespace

// serde_json's float writer, fed with the shortest round-trip digits that std::to_chars produces.
// Layout as ryu's pretty printer (ryu crate src/pretty/mod.rs, format64); since serde_json 1.0.147
// the writer is zmij, which lays out digits the same way but writes positive exponents with '+'
// (1e+16). The shipped connectors lock serde_json 1.0.149, so their bytes carry the '+'.
void append_canonical_double(double value, std::string& out) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    if (value == 0) {
        out += std::signbit(value) ? "-0.0" : "0.0";
        return;
    }
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // e.g. "-1.2345e+03"
    size_t i = 0;
    if (sci[0] == '-') {
        out += '-';
        i = 1;
    }
    const size_t e = sci.find('e');
    std::string digits;
    for (size_t j = i; j < e; ++j) {
        if (sci[j] != '.') digits += sci[j];
    }
    const int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
    const int length = static_cast<int>(digits.size());
    const int k = exp10 - (length - 1);  // value = digits * 10^k
    const int kk = length + k;           // 10^(kk-1) <= |value| < 10^kk
    if (0 <= k && kk <= 16) {
        out += digits;
        out.append(static_cast<size_t>(k), '0');
        out += ".0";
    } else if (0 < kk && kk <= 16) {
        out.append(digits, 0, static_cast<size_t>(kk));
        out += '.';
        out.append(digits, static_cast<size_t>(kk), std::string::npos);
    } else if (-5 < kk && kk <= 0) {
        out += "0.";
        out.append(static_cast<size_t>(-kk), '0');
        out += digits;
    } else {
        out += digits[0];
        if (length > 1) {
            out += '.';
            out.append(digits, 1, std::string::npos);
        }
        out += kk - 1 >= 0 ? "e+" : "e";  // the '-' of a negative exponent comes from to_string
        out += std::to_string(kk - 1);
    }
}

void append_canonical_json(const nlohmann::json& v, std::string& out) {
    switch (v.type()) {
        case nlohmann::json::value_t::null: out += "null"; break;
        case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; break;
        case nlohmann::json::value_t::number_integer: {
            char buf[24];
            const auto r = std::to_chars(buf, buf + sizeof buf, v.get<int64_t>());
            out.append(buf, r.ptr);
            break;
        }
        case nlohmann::json::value_t::number_unsigned: {
            char buf[24];
            const auto r = std::to_chars(buf, buf + sizeof buf, v.get<uint64_t>());
            out.append(buf, r.ptr);
            break;
        }
        case nlohmann::json::value_t::number_float: append_canonical_double(v.get<double>(), out); break;
        case nlohmann::json::value_t::string: append_string(v.get_ref<const std::string&>(), out); break;
        case nlohmann::json::value_t::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v) {
                if (!first) out += ',';
                first = false;
                append_canonical_json(e, out);
            }
            out += ']';
            break;
        }
        case nlohmann::json::value_t::object: {
            // nlohmann's object_t is a std::map: iteration is already in byte order of the keys.
            out += '{';
            bool first = true;
            for (const auto& [k, e] : v.items()) {
                if (!first) out += ',';
                first = false;
                append_string(k, out);
                out += ':';
                append_canonical_json(e, out);
            }
            out += '}';
            break;
        }
        case nlohmann::json::value_t::binary:
        case nlohmann::json::value_t::discarded: out += "null"; break;
    }
}

}  // namespace dcx::schema
