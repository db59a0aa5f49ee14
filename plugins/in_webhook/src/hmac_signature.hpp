// SPDX-License-Identifier: Apache-2.0
// HMAC signatures over the raw request body, in the three styles webhook senders use
// (source-plugins.md §2.5 fix 1): GitHub's `sha256=<hex>`, plain `<hex>` (or `<algo>=<hex>`), and
// Stripe's `t=<unix>,v1=<hex>[,v1=<hex>...]` over `<t>.<body>` with a timestamp tolerance.
// Pure functions: no I/O, no clock (the caller passes the time), so they are fuzzed directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "webhook_config.hpp"

namespace dcx::webhook {

struct SignatureCheck {
    bool ok = false;
    std::string failure;     // the 401 reason when !ok (never contains the secret or the MAC)
    std::string replay_key;  // when ok: what a replay would repeat (the expected MAC, raw bytes)
    std::optional<int64_t> timestamp;  // Stripe's `t`, when ok
};

/// Verifies `header_value` against HMAC(secret, body) (Stripe: HMAC(secret, t + "." + body)),
/// comparing in constant time. `now_s` is the current Unix time, `tolerance_s` Stripe's accepted
/// clock difference either way.
SignatureCheck verify_signature(SignatureStyle style, HmacAlgorithm algorithm, std::string_view secret,
                                std::string_view header_value, std::string_view body, int64_t now_s,
                                uint64_t tolerance_s);

/// The header value a sender would compute (used by tests and the fuzz target).
std::string sign(SignatureStyle style, HmacAlgorithm algorithm, std::string_view secret, std::string_view body,
                 int64_t timestamp_s);

}  // namespace dcx::webhook
