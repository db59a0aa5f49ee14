// SPDX-License-Identifier: Apache-2.0
// Standard base64 (RFC 4648 §4, with padding), the alphabet the reference runtime uses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dcx {

std::string base64_encode(std::string_view bytes);

/// Strict decoding: standard alphabet, padding required, no whitespace. nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace dcx
