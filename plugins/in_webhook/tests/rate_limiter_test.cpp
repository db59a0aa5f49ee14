// SPDX-License-Identifier: Apache-2.0
// Token buckets that persist across requests: platform-wide, per route, per client address,
// with Retry-After, on a fake clock.
#include <catch2/catch.hpp>

#include "rate_limiter.hpp"

using namespace dcx::webhook;
using namespace std::chrono_literals;

namespace {

RateLimit limit(uint32_t rps, uint32_t burst, bool per_ip = false, std::optional<uint32_t> ip_rps = std::nullopt,
                std::optional<uint32_t> ip_burst = std::nullopt) {
    RateLimit r;
    r.requests_per_second = rps;
    r.burst_size = burst;
    r.per_ip_enabled = per_ip;
    r.per_ip_requests_per_second = ip_rps;
    r.per_ip_burst_size = ip_burst;
    return r;
}

Route route(const std::string& from, std::optional<RateLimit> rl = std::nullopt) {
    Route r;
    r.from = from;
    r.to = "/default" + from;
    r.rate_limit = rl;
    return r;
}

int allowed(RateLimiter& l, const std::string& path, const std::string& ip, RateLimiter::Clock::time_point t, int n) {
    int ok = 0;
    for (int i = 0; i < n; ++i) ok += l.check(path, ip, t).allowed;
    return ok;
}

}  // namespace

TEST_CASE("a burst is served, then 429 with Retry-After, then tokens come back", "[unit][webhook][ratelimit]") {
    RateLimiter l(std::nullopt, {route("/a", limit(2, 5))});
    const auto t0 = RateLimiter::Clock::now();
    CHECK(allowed(l, "/a", "10.0.0.1", t0, 5) == 5);
    const auto v = l.check("/a", "10.0.0.1", t0);
    CHECK_FALSE(v.allowed);
    CHECK(v.message == "Rate limit exceeded for endpoint: /a");
    CHECK(v.retry_after_s == 1);
    CHECK(allowed(l, "/a", "10.0.0.1", t0 + 500ms, 2) == 1);  // 2 per second: one token after 0.5 s
    CHECK(allowed(l, "/a", "10.0.0.1", t0 + 3s, 10) == 5);    // refilled to the burst, not beyond
}

TEST_CASE("routes have their own buckets and the others share the platform one", "[unit][webhook][ratelimit]") {
    RateLimiter l(limit(1, 3), {route("/own", limit(1, 2)), route("/b"), route("/c")});
    const auto t0 = RateLimiter::Clock::now();
    CHECK(allowed(l, "/own", "1.1.1.1", t0, 5) == 2);
    CHECK(allowed(l, "/b", "1.1.1.1", t0, 2) == 2);
    CHECK(allowed(l, "/c", "1.1.1.1", t0, 2) == 1);     // /b and /c share 3
    CHECK(allowed(l, "/unknown", "1.1.1.1", t0, 1) == 0);  // unknown paths count as platform traffic
    RateLimiter none(std::nullopt, {route("/b")});
    CHECK_FALSE(none.enabled());
    CHECK(allowed(none, "/b", "1.1.1.1", t0, 100) == 100);
}

TEST_CASE("per-IP buckets limit each client within the scope", "[unit][webhook][ratelimit]") {
    RateLimiter l(limit(1000, 1000, true, 1, 2), {route("/a")});
    const auto t0 = RateLimiter::Clock::now();
    CHECK(allowed(l, "/a", "10.0.0.1", t0, 5) == 2);
    const auto v = l.check("/a", "10.0.0.1", t0);
    CHECK_FALSE(v.allowed);
    CHECK(v.message == "Rate limit exceeded for IP: 10.0.0.1");
    CHECK(allowed(l, "/a", "10.0.0.2", t0, 5) == 2);
    CHECK(allowed(l, "/a", "10.0.0.1", t0 + 1s, 5) == 1);
    // Refused requests take no token from the shared bucket: 1000 - 5 served.
    RateLimiter shared(limit(1, 3, true, 10, 10), {route("/a")});
    CHECK(allowed(shared, "/a", "10.0.0.1", t0, 2) == 2);
    CHECK(allowed(shared, "/a", "10.0.0.2", t0, 2) == 1);
}

TEST_CASE("per-IP state stays bounded", "[unit][webhook][ratelimit]") {
    RateLimiter l(limit(1000000, 1000000, true, 1, 1), {route("/a")}, 100);
    const auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 1000; ++i) l.check("/a", "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250), t0);
    CHECK(l.tracked_ips_for_test() <= 100);
    // Buckets that refilled are dropped first.
    for (int i = 0; i < 150; ++i) l.check("/a", "10.9.0." + std::to_string(i), t0 + 10s);
    CHECK(l.tracked_ips_for_test() <= 100);
}
