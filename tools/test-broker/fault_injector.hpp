// SPDX-License-Identifier: Apache-2.0
// Test-only faults, set from flags or the control service: fail the next N calls, fail a share
// of the calls (seeded), add latency, stall (never answer), crash after N accepted messages.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/support/status.h>

namespace dcx::test_broker {

/// What the broker does with one incoming call.
struct CallDecision {
    enum class Kind { proceed, fail, stall };
    Kind kind = Kind::proceed;
    grpc::Status status;                       // for Kind::fail
    std::chrono::milliseconds delay{0};        // applied before the answer (any kind but stall)
};

class FaultInjector {
public:
    /// `method` "" means "SendMessage"; "*" matches every Danube RPC.
    void fail_next(uint32_t count, grpc::StatusCode code, std::string message, std::string method);
    /// Fails `ratio` (0..1) of the matching calls, each with one of `codes` picked uniformly.
    /// The decisions come from a generator seeded with `seed`: the same seed and order of calls
    /// give the same failures. Replaces an earlier ratio rule; ratio 0 removes it.
    void fail_ratio(double ratio, std::vector<grpc::StatusCode> codes, std::string method, uint64_t seed);
    void set_latency(std::chrono::milliseconds delay, std::string method);
    void set_stall(bool enabled, std::string method);
    /// Exit right after the broker journaled `messages` more accepted messages.
    void crash_after(uint64_t messages);
    void clear();

    CallDecision on_call(std::string_view method);
    /// Called once per accepted message; true when the broker must exit now.
    bool crash_due();

    uint64_t calls_failed() const;
    uint64_t calls_stalled() const;

    /// Parses a status code given as a name ("UNAVAILABLE", case-insensitive) or a number.
    static std::optional<grpc::StatusCode> parse_code(std::string_view text);

private:
    struct FailRule {
        std::string method;
        uint32_t remaining;
        grpc::StatusCode code;
        std::string message;
    };
    struct RatioRule {
        std::string method;
        double ratio;
        std::vector<grpc::StatusCode> codes;
        std::mt19937_64 rng;
    };
    static bool matches(const std::string& rule_method, std::string_view method);

    mutable std::mutex mu_;
    std::vector<FailRule> fail_rules_;
    std::optional<RatioRule> ratio_rule_;
    std::vector<std::pair<std::string, std::chrono::milliseconds>> latencies_;
    std::vector<std::string> stalled_methods_;
    std::optional<uint64_t> crash_countdown_;
    uint64_t calls_failed_ = 0;
    uint64_t calls_stalled_ = 0;
};

}  // namespace dcx::test_broker
