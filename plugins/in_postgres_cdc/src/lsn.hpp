// SPDX-License-Identifier: Apache-2.0
// WAL positions (LSNs) in PostgreSQL's text form "16/B374D848": two hexadecimal 32-bit halves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dcx::pgcdc {

/// "0/0" for 0; upper case hex, as pg_lsn prints it.
std::string format_lsn(uint64_t lsn);
/// The LSN of "X/Y" (1 to 8 hex digits each side); nullopt for anything else.
std::optional<uint64_t> parse_lsn(std::string_view text);

}  // namespace dcx::pgcdc
