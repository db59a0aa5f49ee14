// SPDX-License-Identifier: Apache-2.0
// Token-bucket rate limits that persist across requests (source-plugins.md §2.5 fix 2; the Rust
// connector built a new bucket per request, so it never limited anything). Scopes:
//   - a route with [routes.rate_limit] has its own bucket;
//   - every other route (and unknown paths) share the platform-wide [rate_limit] bucket;
//   - with per_ip_enabled, each client address also has a bucket within that scope.
// A request needs a token from every bucket that applies; none is taken when one is empty.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "webhook_config.hpp"

namespace dcx::webhook {

/// `rate` tokens per second, at most `burst` held; starts full.
class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    TokenBucket(double rate, double burst, Clock::time_point now) : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

    /// Adds the tokens earned since the last call.
    void refill(Clock::time_point now);
    bool has_token() const { return tokens_ >= 1.0; }
    void take() { tokens_ -= 1.0; }
    bool full() const { return tokens_ >= burst_; }
    /// Seconds until a token is available (0 when one is).
    double seconds_to_token() const { return tokens_ >= 1.0 ? 0.0 : (1.0 - tokens_) / rate_; }

private:
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_;
};

class RateLimiter {
public:
    using Clock = TokenBucket::Clock;

    struct Verdict {
        bool allowed = true;
        std::string message;           // "Rate limit exceeded for endpoint: /x" or "... for IP: 1.2.3.4"
        uint64_t retry_after_s = 0;    // for the Retry-After header, at least 1 when refused
    };

    /// `max_tracked_ips`: per-IP buckets kept per scope before idle (refilled) ones are dropped.
    RateLimiter(const std::optional<RateLimit>& platform, const std::vector<Route>& routes,
                size_t max_tracked_ips = 100000);

    bool enabled() const { return platform_.has_value() || !routes_.empty(); }

    /// Takes a token for a request to `path` (a route's `from`, or an unknown path) from
    /// `client_ip` at `now`, or says why not. [thread-safe]
    Verdict check(const std::string& path, const std::string& client_ip, Clock::time_point now);

    size_t tracked_ips_for_test() const;

private:
    struct Scope {
        RateLimit limits;
        std::optional<TokenBucket> bucket;  // created on first use
        std::unordered_map<std::string, TokenBucket> per_ip;
    };

    void prune(Scope& scope, Clock::time_point now);

    const size_t max_tracked_ips_;
    // The buckets below are guarded by mu_: every HTTP worker checks them.
    mutable std::mutex mu_;
    std::optional<Scope> platform_;
    std::map<std::string, Scope> routes_;  // routes with their own [routes.rate_limit]
};

}  // namespace dcx::webhook
