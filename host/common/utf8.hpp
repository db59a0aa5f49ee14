// SPDX-License-Identifier: Apache-2.0
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dcx {

/// Decodes the code point at `pos` and advances `pos`; false (and `pos` unchanged) if malformed.
bool next_utf8_code_point(std::string_view text, size_t& pos, char32_t& code_point);

bool is_valid_utf8(std::string_view text);

/// `text` with every malformed sequence replaced by U+FFFD (one per byte that starts no valid
/// sequence); valid text comes back unchanged.
std::string to_valid_utf8(std::string_view text);

}  // namespace dcx
