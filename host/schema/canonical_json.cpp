// SPDX-License-Identifier: Apache-2.0
#include "schema/canonical_json.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "common/utf8.hpp"

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
    std::string_view exponent = sci.substr(e + 1);  // written by to_chars: a sign, then digits
    if (!exponent.empty() && exponent.front() == '+') exponent.remove_prefix(1);
    int exp10 = 0;
    std::from_chars(exponent.data(), exponent.data() + exponent.size(), exp10);
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

namespace {

// A decimal without exponent, like 1234.56 or 0.0012, with at most 15 significant digits is the
// shortest round-trip form of its double (DBL_DIG: two such decimals never share a double), so it
// is canonical exactly when it is laid out as append_canonical_double lays out that double. Saves
// the exact path's two conversions (about 1,000 instructions per number). `whole` has no sign and
// no leading zero; nullopt: not decided here.
std::optional<bool> plain_decimal_is_canonical(std::string_view whole, std::string_view fraction) {
    constexpr size_t kExactDigits = 15;
    if (whole != "0") {
        if (fraction == "0") return whole.size() <= kExactDigits ? std::optional(true) : std::nullopt;  // 1000.0
        if (fraction.back() == '0' || whole.size() + fraction.size() > kExactDigits) return std::nullopt;
        return true;  // 1234.56
    }
    // 0.000123: up to four zeros, then the digits. All zeros (npos) is more than four: zero is left
    // to the exact path.
    const size_t zeros = fraction.find_first_not_of('0');
    if (zeros > 4 || fraction.back() == '0' || fraction.size() - zeros > kExactDigits) {
        return std::nullopt;
    }
    return true;
}

// Recursive-descent checker for canonical JSON; `pos` advances over one value.
class CanonicalChecker {
public:
    explicit CanonicalChecker(std::string_view text) : t_(text) {}

    bool check() { return value(0) && pos_ == t_.size(); }

private:
    static constexpr int kMaxDepth = 127;  // serde_json's recursion limit: 128 nested arrays/objects fail

    bool value(int depth) {  // depth: the arrays and objects around this value
        if (pos_ >= t_.size()) return false;
        switch (t_[pos_]) {
            case '{': return depth < kMaxDepth && object(depth);
            case '[': return depth < kMaxDepth && array(depth);
            case '"': return string(nullptr);
            case 't': return literal("true");
            case 'f': return literal("false");
            case 'n': return literal("null");
            default: return number();
        }
    }

    bool literal(std::string_view word) {
        if (t_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    bool object(int depth) {
        ++pos_;  // '{'
        if (pos_ < t_.size() && t_[pos_] == '}') return ++pos_, true;
        std::string_view previous_key;
        bool first = true;
        while (true) {
            std::string_view key;
            if (pos_ >= t_.size() || t_[pos_] != '"' || !string(&key)) return false;
            // Keys strictly increasing by bytes: sorted and without duplicates (serde keeps the last).
            if (!first && !(previous_key < key)) return false;
            first = false;
            previous_key = key;
            if (pos_ >= t_.size() || t_[pos_++] != ':') return false;
            if (!value(depth + 1)) return false;
            if (pos_ >= t_.size()) return false;
            if (t_[pos_] == '}') return ++pos_, true;
            if (t_[pos_++] != ',') return false;
        }
    }

    bool array(int depth) {
        ++pos_;  // '['
        if (pos_ < t_.size() && t_[pos_] == ']') return ++pos_, true;
        while (true) {
            if (!value(depth + 1)) return false;
            if (pos_ >= t_.size()) return false;
            if (t_[pos_] == ']') return ++pos_, true;
            if (t_[pos_++] != ',') return false;
        }
    }

    // Moves to the next byte that needs attention (below 0x20, '"', '\\' or non-ASCII), eight bytes
    // at a time: most of a record's text is plain string content. In each word the lowest flagged
    // byte is exact (a false flag can only sit above a true one), which is the one taken.
    void skip_plain_ascii() {
        if constexpr (std::endian::native == std::endian::little) {
            constexpr uint64_t kOnes = 0x0101010101010101u, kHigh = 0x8080808080808080u;
            const auto zero_bytes = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
            while (pos_ + 8 <= t_.size()) {
                uint64_t w = 0;
                std::memcpy(&w, t_.data() + pos_, 8);
                const uint64_t special = ((w - kOnes * 0x20) & ~w & kHigh) | (w & kHigh) | zero_bytes(w ^ (kOnes * '"')) |
                                         zero_bytes(w ^ (kOnes * '\\'));
                if (special != 0) {
                    pos_ += static_cast<size_t>(std::countr_zero(special)) / 8;
                    return;
                }
                pos_ += 8;
            }
        }
    }

    // Escapes exactly as serde writes them; raw UTF-8 otherwise. Keys are compared on their raw
    // (escaped) text, which orders like the decoded keys only without escapes: keys with escapes
    // are rare, so they take the slow path.
    bool string(std::string_view* raw) {
        const size_t start = ++pos_;
        bool escaped = false;
        while (pos_ < t_.size()) {
            skip_plain_ascii();
            if (pos_ >= t_.size()) break;
            const auto c = static_cast<unsigned char>(t_[pos_]);
            if (c == '"') {
                if (raw) {
                    if (escaped) return false;
                    *raw = t_.substr(start, pos_ - start);
                }
                ++pos_;
                return true;
            }
            if (c < 0x20) return false;  // raw control characters are not JSON
            if (c == '\\') {
                escaped = true;
                if (pos_ + 1 >= t_.size()) return false;
                const char e = t_[pos_ + 1];
                if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                    pos_ += 2;
                    continue;
                }
                // \u00XX, lowercase hex, only for the control characters without a short form.
                if (e != 'u' || pos_ + 5 >= t_.size() || t_[pos_ + 2] != '0' || t_[pos_ + 3] != '0') return false;
                const auto hex = [](char h) { return (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : -1; };
                const int hi = hex(t_[pos_ + 4]), lo = hex(t_[pos_ + 5]);
                if (hi < 0 || lo < 0) return false;
                const int code = hi * 16 + lo;
                if (code >= 0x20 || code == '\b' || code == '\f' || code == '\n' || code == '\r' || code == '\t') return false;
                pos_ += 6;
                continue;
            }
            if (c < 0x80) {
                ++pos_;
                continue;
            }
            char32_t cp = 0;
            if (!next_utf8_code_point(t_, pos_, cp)) return false;
        }
        return false;
    }

    bool number() {
        const size_t start = pos_;
        if (pos_ < t_.size() && t_[pos_] == '-') ++pos_;
        if (pos_ >= t_.size() || t_[pos_] < '0' || t_[pos_] > '9') return false;
        if (t_[pos_] == '0' && pos_ + 1 < t_.size() && t_[pos_ + 1] >= '0' && t_[pos_ + 1] <= '9') return false;
        const size_t whole = pos_;
        while (pos_ < t_.size() && t_[pos_] >= '0' && t_[pos_] <= '9') ++pos_;
        bool integer = true;
        std::string_view whole_digits = t_.substr(whole, pos_ - whole), fraction;
        if (pos_ < t_.size() && t_[pos_] == '.') {
            integer = false;
            ++pos_;
            const size_t digits = pos_;
            while (pos_ < t_.size() && t_[pos_] >= '0' && t_[pos_] <= '9') ++pos_;
            if (pos_ == digits) return false;
            fraction = t_.substr(digits, pos_ - digits);
        }
        if (pos_ < t_.size() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
            fraction = {};  // not a plain decimal
            integer = false;
            ++pos_;
            if (pos_ < t_.size() && (t_[pos_] == '+' || t_[pos_] == '-')) ++pos_;
            const size_t digits = pos_;
            while (pos_ < t_.size() && t_[pos_] >= '0' && t_[pos_] <= '9') ++pos_;
            if (pos_ == digits) return false;
        }
        const std::string_view token = t_.substr(start, pos_ - start);
        if (integer) {
            if (token == "-0") return false;  // serde prints it as 0
            // Integers that fit i64/u64 print as they are; larger ones become doubles.
            if (token[0] == '-') {
                int64_t v = 0;
                const auto r = std::from_chars(token.data(), token.data() + token.size(), v);
                return r.ec == std::errc() && r.ptr == token.data() + token.size();
            }
            uint64_t v = 0;
            const auto r = std::from_chars(token.data(), token.data() + token.size(), v);
            return r.ec == std::errc() && r.ptr == token.data() + token.size();
        }
        if (!fraction.empty()) {
            if (const auto canonical = plain_decimal_is_canonical(whole_digits, fraction)) return *canonical;
        }
        double d = 0;
        const auto r = std::from_chars(token.data(), token.data() + token.size(), d);
        if (r.ec != std::errc() || r.ptr != token.data() + token.size()) return false;
        std::string formatted;  // usually within the small-string buffer: no allocation
        append_canonical_double(d, formatted);
        return formatted == token;
    }

    std::string_view t_;
    size_t pos_ = 0;
};

}  // namespace

bool is_canonical_json(std::string_view text) { return CanonicalChecker(text).check(); }

}  // namespace dcx::schema
