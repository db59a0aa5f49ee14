// SPDX-License-Identifier: Apache-2.0
// LSN text form; see lsn.hpp.
#include "lsn.hpp"

#include <cstdio>

namespace dcx::pgcdc {

std::string format_lsn(uint64_t lsn) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn & 0xFFFFFFFFu));
    return buf;
}

std::optional<uint64_t> parse_lsn(std::string_view text) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto half = [](std::string_view h) -> std::optional<uint64_t> {
        if (h.empty() || h.size() > 8) return std::nullopt;
        uint64_t v = 0;
        for (const char c : h) {
            int d = -1;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            if (d < 0) return std::nullopt;
            v = (v << 4) | static_cast<uint64_t>(d);
        }
        return v;
    };
    const auto hi = half(text.substr(0, slash));
    const auto lo = half(text.substr(slash + 1));
    if (!hi || !lo) return std::nullopt;
    return (*hi << 32) | *lo;
}

}  // namespace dcx::pgcdc
