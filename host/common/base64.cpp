// SPDX-License-Identifier: Apache-2.0
// Base64 on top of OpenSSL's EVP block coders (no hand-written tables to get wrong).
#include "common/base64.hpp"

#include <openssl/evp.h>

namespace dcx {

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                           c == '+' || c == '/';
        // '=' only in the last two positions, and nothing but '=' after the first one.
        const bool pad = c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '=');
        if (!alpha && !pad) return std::nullopt;
    }
    // The bits of the last symbol that padding leaves unused must be zero ("aGk=" is "hi", "aGl="
    // is rejected): Rust's base64 STANDARD engine, which the reference runtime decodes with,
    // refuses them ("Invalid last symbol"), and accepting them would let two texts mean one value.
    if (!text.empty() && text.back() == '=') {
        const bool two = text[text.size() - 2] == '=';
        const char last = text[text.size() - (two ? 3 : 2)];
        const int value = last >= 'A' && last <= 'Z'   ? last - 'A'
                          : last >= 'a' && last <= 'z' ? last - 'a' + 26
                          : last >= '0' && last <= '9' ? last - '0' + 52
                          : last == '+'                ? 62
                                                       : 63;
        if ((value & (two ? 0xF : 0x3)) != 0) return std::nullopt;
    }
    std::string out(3 * (text.size() / 4), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    size_t padding = 0;
    if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
    out.resize(static_cast<size_t>(n) - padding);  // EVP_DecodeBlock counts padding as zero bytes
    return out;
}

}  // namespace dcx
