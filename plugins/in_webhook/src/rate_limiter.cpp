// SPDX-License-Identifier: Apache-2.0
// Token buckets; see rate_limiter.hpp.
#include "rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace dcx::webhook {

void TokenBucket::refill(Clock::time_point now) {
    if (now <= last_) return;
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
}

RateLimiter::RateLimiter(const std::optional<RateLimit>& platform, const std::vector<Route>& routes, size_t max_tracked_ips)
    : max_tracked_ips_(max_tracked_ips) {
    if (platform) platform_ = Scope{*platform, std::nullopt, {}};
    for (const auto& r : routes) {
        if (r.rate_limit) routes_[r.from] = Scope{*r.rate_limit, std::nullopt, {}};
    }
}

RateLimiter::Verdict RateLimiter::check(const std::string& path, const std::string& client_ip, Clock::time_point now) {
    std::lock_guard lock(mu_);
    Scope* scope = nullptr;
    if (const auto it = routes_.find(path); it != routes_.end()) scope = &it->second;
    else if (platform_) scope = &*platform_;
    if (!scope) return {};

    const RateLimit& l = scope->limits;
    if (!scope->bucket) scope->bucket.emplace(l.requests_per_second, l.burst_size, now);
    TokenBucket& shared = *scope->bucket;
    shared.refill(now);
    TokenBucket* per_ip = nullptr;
    if (l.per_ip_enabled) {
        auto it = scope->per_ip.find(client_ip);
        if (it == scope->per_ip.end()) {
            if (scope->per_ip.size() >= max_tracked_ips_) prune(*scope, now);
            const double rate = l.per_ip_requests_per_second.value_or(l.requests_per_second);
            const double burst = l.per_ip_burst_size.value_or(l.burst_size);
            it = scope->per_ip.emplace(client_ip, TokenBucket(rate, burst, now)).first;
        }
        per_ip = &it->second;
        per_ip->refill(now);
    }

    auto refused = [](std::string message, double wait_s) {
        return Verdict{false, std::move(message), static_cast<uint64_t>(std::max(1.0, std::ceil(wait_s)))};
    };
    if (!shared.has_token()) return refused("Rate limit exceeded for endpoint: " + path, shared.seconds_to_token());
    if (per_ip && !per_ip->has_token()) return refused("Rate limit exceeded for IP: " + client_ip, per_ip->seconds_to_token());
    shared.take();
    if (per_ip) per_ip->take();
    return {};
}

void RateLimiter::prune(Scope& scope, Clock::time_point now) {
    // A bucket that refilled completely behaves exactly like a new one: dropping it loses nothing.
    for (auto it = scope.per_ip.begin(); it != scope.per_ip.end();) {
        it->second.refill(now);
        it = it->second.full() ? scope.per_ip.erase(it) : std::next(it);
    }
    // Still full of active clients: forget them all rather than grow without bound (they start
    // again with a full burst, which errs on the side of serving).
    if (scope.per_ip.size() >= max_tracked_ips_) scope.per_ip.clear();
}

size_t RateLimiter::tracked_ips_for_test() const {
    std::lock_guard lock(mu_);
    size_t n = platform_ ? platform_->per_ip.size() : 0;
    for (const auto& [_, s] : routes_) n += s.per_ip.size();
    return n;
}

}  // namespace dcx::webhook
