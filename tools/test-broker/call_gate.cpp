// SPDX-License-Identifier: Apache-2.0
#include "call_gate.hpp"

namespace dcx::test_broker {

CallGate::CallGate(FaultInjector& faults, const TokenAuth& auth)
    : faults_(faults), auth_(auth), timer_([this] { timer_loop(); }) {}

CallGate::~CallGate() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    timer_.join();
}

void CallGate::run(grpc::CallbackServerContext* ctx, grpc::ServerUnaryReactor* reactor, std::string_view method,
                   size_t request_bytes, const std::function<grpc::Status()>& handler) {
    if (request_bytes > kDecodeLimitBytes) {
        reactor->Finish({grpc::StatusCode::OUT_OF_RANGE,
                         "Error, decoded message length too large: found " + std::to_string(request_bytes) +
                             " bytes, the limit is: " + std::to_string(kDecodeLimitBytes) + " bytes"});
        return;
    }
    if (auto st = auth_.check(*ctx); !st.ok()) {
        reactor->Finish(st);
        return;
    }
    const CallDecision decision = faults_.on_call(method);
    switch (decision.kind) {
        case CallDecision::Kind::stall: {
            std::lock_guard lock(mu_);
            if (!closing_) {
                stalled_.push_back(reactor);
                return;
            }
            reactor->Finish({grpc::StatusCode::UNAVAILABLE, "danube-test-broker: stalled call released"});
            return;
        }
        case CallDecision::Kind::fail:
            finish_later(reactor, decision.status, decision.delay);
            return;
        case CallDecision::Kind::proceed:
            finish_later(reactor, handler(), decision.delay);
            return;
    }
}

void CallGate::finish_later(grpc::ServerUnaryReactor* reactor, grpc::Status status, std::chrono::milliseconds delay) {
    if (delay.count() <= 0) {
        reactor->Finish(status);
        return;
    }
    {
        std::lock_guard lock(mu_);
        if (!closing_) {
            delayed_.emplace(std::chrono::steady_clock::now() + delay, std::make_pair(reactor, std::move(status)));
            cv_.notify_all();
            return;
        }
    }
    reactor->Finish(status);
}

void CallGate::release_all(bool closing) {
    std::vector<grpc::ServerUnaryReactor*> stalled;
    decltype(delayed_) delayed;
    {
        std::lock_guard lock(mu_);
        closing_ = closing;
        stalled.swap(stalled_);
        delayed.swap(delayed_);
    }
    for (auto* r : stalled) r->Finish({grpc::StatusCode::UNAVAILABLE, "danube-test-broker: stalled call released"});
    for (auto& [_, entry] : delayed) entry.first->Finish(entry.second);
}

void CallGate::timer_loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
        if (delayed_.empty()) {
            cv_.wait(lock);
            continue;
        }
        const auto due = delayed_.begin()->first;
        if (std::chrono::steady_clock::now() < due) {
            cv_.wait_until(lock, due);
            continue;
        }
        auto [reactor, status] = delayed_.begin()->second;
        delayed_.erase(delayed_.begin());
        lock.unlock();
        reactor->Finish(status);
        lock.lock();
    }
}

}  // namespace dcx::test_broker
