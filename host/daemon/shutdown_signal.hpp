// SPDX-License-Identifier: Apache-2.0
// SIGTERM/SIGINT handling: signals are blocked in every thread and taken by one thread with
// sigwait. The first asks for a graceful drain (`on_first`); a second exits at once, and so does
// a drain still running after its time limit (a plugin call that never returns).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace dcx::daemon {

class ShutdownSignal {
public:
    /// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (call before starting any thread).
    ShutdownSignal();
    ~ShutdownSignal();
    ShutdownSignal(const ShutdownSignal&) = delete;
    ShutdownSignal& operator=(const ShutdownSignal&) = delete;

    /// Starts the signal thread. `on_first` runs on it when the first SIGINT/SIGTERM arrives.
    /// With `exit_after` > 0, a process still running that long after the first signal exits
    /// at once with `exit_code`: the drain runs on the plugin thread, which a plugin blocked in
    /// poll or shutdown never gives back.
    void start(std::function<void()> on_first, std::chrono::milliseconds exit_after = {}, int exit_code = 0);
    /// After this returns, `on_first` is not running and will never run again.
    void disarm();
    bool requested() const { return requested_.load(); }
    /// Sleeps up to `timeout`; returns true early when a stop was requested.
    bool wait_for(std::chrono::milliseconds timeout);

private:
    std::atomic<bool> requested_{false};
    std::atomic<bool> stopping_thread_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;
    std::mutex callback_mu_;
    std::function<void()> on_first_;  // guarded by callback_mu_
    std::chrono::milliseconds exit_after_{0};  // guarded by callback_mu_
    int exit_code_ = 0;                        // guarded by callback_mu_
};

/// Disarms the signal callback when leaving a scope (declare it after what the callback uses).
struct SignalCallbackGuard {
    ShutdownSignal& signal;
    ~SignalCallbackGuard() { signal.disarm(); }
};

}  // namespace dcx::daemon
