// SPDX-License-Identifier: Apache-2.0
// Topic-name rules of the real broker (danube-broker/src/broker_service.rs validate_topic_format).
#include "topic_name.hpp"

#include "common/utf8.hpp"

#include <locale.h>
#include <wctype.h>

#include <cstdint>

namespace dcx::test_broker {
namespace {

// Rust's char::is_alphanumeric covers all of Unicode; glibc's C.UTF-8 classification does too.
bool is_unicode_alphanumeric(char32_t cp) {
    static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    if (cp < 0x80) {
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    }
    return utf8 != locale_t{} && iswalnum_l(static_cast<wint_t>(cp), utf8) != 0;
}

bool is_valid_part(std::string_view part) {
    size_t i = 0;
    while (i < part.size()) {
        char32_t cp = 0;
        if (!next_utf8_code_point(part, i, cp)) return false;
        if (!(cp == '_' || cp == '-' || is_unicode_alphanumeric(cp))) return false;
    }
    return true;
}

}  // namespace

bool is_valid_topic_syntax(std::string_view topic) {
    size_t parts = 0;
    size_t start = 0;
    while (true) {
        const size_t slash = topic.find('/', start);
        const auto part = topic.substr(start, slash == std::string_view::npos ? topic.npos : slash - start);
        if (++parts > 3 || !is_valid_part(part)) return false;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return parts == 3;
}

std::string invalid_topic_message(std::string_view topic) {
    return "The topic: " + std::string(topic) +
           " has an invalid format, should be: /namespace_name/topic_name";
}

std::string_view namespace_of(std::string_view topic) {
    const size_t first = topic.find('/');
    const size_t second = topic.find('/', first + 1);
    return topic.substr(first + 1, second - first - 1);
}

std::optional<std::string_view> partition_base(std::string_view topic) {
    const size_t at = topic.rfind("-part-");
    if (at == std::string_view::npos) return std::nullopt;
    return topic.substr(0, at);
}

}  // namespace dcx::test_broker
