// SPDX-License-Identifier: Apache-2.0
#include "fault_injector.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace dcx::test_broker {
namespace {

std::string normalise_method(std::string method) { return method.empty() ? "SendMessage" : method; }

constexpr const char* kInjectedMessage = "injected failure (danube-test-broker)";

constexpr std::array<std::string_view, 17> kCodeNames = {
    "OK",       "CANCELLED",         "UNKNOWN",          "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",         "DATA_LOSS",
    "UNAUTHENTICATED"};

}  // namespace

std::optional<grpc::StatusCode> FaultInjector::parse_code(std::string_view text) {
    int number = -1;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc() && ptr == text.data() + text.size()) {
        if (number >= 1 && number <= 16) return static_cast<grpc::StatusCode>(number);
        return std::nullopt;
    }
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    for (size_t i = 1; i < kCodeNames.size(); ++i) {
        if (kCodeNames[i] == upper) return static_cast<grpc::StatusCode>(i);
    }
    return std::nullopt;
}

bool FaultInjector::matches(const std::string& rule_method, std::string_view method) {
    return rule_method == "*" || rule_method == method;
}

void FaultInjector::fail_next(uint32_t count, grpc::StatusCode code, std::string message, std::string method) {
    std::lock_guard lock(mu_);
    method = normalise_method(std::move(method));
    if (message.empty()) message = kInjectedMessage;
    fail_rules_.push_back({std::move(method), count, code, std::move(message)});
}

void FaultInjector::fail_ratio(double ratio, std::vector<grpc::StatusCode> codes, std::string method, uint64_t seed) {
    std::lock_guard lock(mu_);
    ratio_rule_.reset();
    if (ratio > 0 && !codes.empty()) {
        ratio_rule_ = RatioRule{normalise_method(std::move(method)), ratio, std::move(codes), std::mt19937_64(seed)};
    }
}

void FaultInjector::set_latency(std::chrono::milliseconds delay, std::string method) {
    std::lock_guard lock(mu_);
    method = normalise_method(std::move(method));
    std::erase_if(latencies_, [&](const auto& l) { return l.first == method; });
    if (delay.count() > 0) latencies_.emplace_back(std::move(method), delay);
}

void FaultInjector::set_stall(bool enabled, std::string method) {
    std::lock_guard lock(mu_);
    method = normalise_method(std::move(method));
    std::erase(stalled_methods_, method);
    if (enabled) stalled_methods_.push_back(std::move(method));
}

void FaultInjector::crash_after(uint64_t messages) {
    std::lock_guard lock(mu_);
    crash_countdown_ = messages;
}

void FaultInjector::clear() {
    std::lock_guard lock(mu_);
    fail_rules_.clear();
    ratio_rule_.reset();
    latencies_.clear();
    stalled_methods_.clear();
    crash_countdown_.reset();
}

CallDecision FaultInjector::on_call(std::string_view method) {
    std::lock_guard lock(mu_);
    CallDecision d;
    for (const auto& [m, delay] : latencies_) {
        if (matches(m, method)) d.delay = std::max(d.delay, delay);
    }
    for (const auto& m : stalled_methods_) {
        if (matches(m, method)) {
            ++calls_stalled_;
            d.kind = CallDecision::Kind::stall;
            return d;
        }
    }
    for (auto& rule : fail_rules_) {
        if (rule.remaining > 0 && matches(rule.method, method)) {
            --rule.remaining;
            ++calls_failed_;
            d.kind = CallDecision::Kind::fail;
            d.status = grpc::Status(rule.code, rule.message);
            break;
        }
    }
    std::erase_if(fail_rules_, [](const FailRule& r) { return r.remaining == 0; });
    if (d.kind == CallDecision::Kind::proceed && ratio_rule_ && matches(ratio_rule_->method, method)) {
        RatioRule& r = *ratio_rule_;
        // 53 random bits as a double in [0, 1), and a plain modulo for the code: the same on every
        // platform (std::uniform_*_distribution are not specified bit for bit).
        if (static_cast<double>(r.rng() >> 11) * 0x1.0p-53 < r.ratio) {
            ++calls_failed_;
            d.kind = CallDecision::Kind::fail;
            d.status = grpc::Status(r.codes[r.rng() % r.codes.size()], kInjectedMessage);
        }
    }
    return d;
}

bool FaultInjector::crash_due() {
    std::lock_guard lock(mu_);
    if (!crash_countdown_) return false;
    if (*crash_countdown_ > 0) --*crash_countdown_;
    return *crash_countdown_ == 0;
}

uint64_t FaultInjector::calls_failed() const {
    std::lock_guard lock(mu_);
    return calls_failed_;
}

uint64_t FaultInjector::calls_stalled() const {
    std::lock_guard lock(mu_);
    return calls_stalled_;
}

}  // namespace dcx::test_broker
