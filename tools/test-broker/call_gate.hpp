// SPDX-License-Identifier: Apache-2.0
// Every Danube call passes this gate: the 4 MiB decode limit, auth, then injected faults
// (failure, latency, stall), then the handler; the gate finishes the gRPC reactor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "fault_injector.hpp"
#include "token_auth.hpp"

namespace dcx::test_broker {

/// tonic's default server decode limit, which is what the real broker enforces.
inline constexpr size_t kDecodeLimitBytes = 4 * 1024 * 1024;

class CallGate {
public:
    CallGate(FaultInjector& faults, const TokenAuth& auth);
    ~CallGate();
    CallGate(const CallGate&) = delete;
    CallGate& operator=(const CallGate&) = delete;

    /// Admits one unary call of `method` whose request encodes to `request_bytes`, runs
    /// `handler` (which fills the response and returns the status) and finishes `reactor`.
    void run(grpc::CallbackServerContext* ctx, grpc::ServerUnaryReactor* reactor, std::string_view method,
             size_t request_bytes, const std::function<grpc::Status()>& handler);

    /// Answers every stalled call with UNAVAILABLE and every delayed answer at once; while
    /// `closing`, new stalls are answered immediately too (needed before a server shutdown).
    void release_all(bool closing);

private:
    void finish_later(grpc::ServerUnaryReactor* reactor, grpc::Status status, std::chrono::milliseconds delay);
    void timer_loop();

    FaultInjector& faults_;
    const TokenAuth& auth_;

    std::mutex mu_;
    std::condition_variable cv_;
    bool closing_ = false;
    bool stop_ = false;
    std::vector<grpc::ServerUnaryReactor*> stalled_;
    std::multimap<std::chrono::steady_clock::time_point, std::pair<grpc::ServerUnaryReactor*, grpc::Status>> delayed_;
    std::thread timer_;
};

}  // namespace dcx::test_broker
