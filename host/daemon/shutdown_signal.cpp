// SPDX-License-Identifier: Apache-2.0
#include "daemon/shutdown_signal.hpp"

#include <signal.h>
#include <unistd.h>

#include <optional>

#include <spdlog/spdlog.h>

#include "common/thread_name.hpp"

namespace dcx::daemon {
namespace {

sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

constexpr int kSecondSignalExit = 130;

}  // namespace

ShutdownSignal::ShutdownSignal() {
    const sigset_t set = handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ShutdownSignal::~ShutdownSignal() {
    if (thread_.joinable()) {
        stopping_thread_ = true;
        // Wake the sigwait thread with a signal addressed to it, then join.
        pthread_kill(thread_.native_handle(), SIGHUP);
        thread_.join();
    }
}

void ShutdownSignal::disarm() {
    std::lock_guard lock(callback_mu_);
    on_first_ = nullptr;
}

void ShutdownSignal::start(std::function<void()> on_first, std::chrono::milliseconds exit_after, int exit_code) {
    {
        std::lock_guard lock(callback_mu_);
        on_first_ = std::move(on_first);
        exit_after_ = exit_after;
        exit_code_ = exit_code;
    }
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
        name_this_thread("dcx-signals");
        const sigset_t set = handled_signals();
        std::optional<std::chrono::steady_clock::time_point> exit_at;  // set by the first signal
        while (true) {
            int sig = 0;
            if (exit_at) {
                const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    *exit_at - std::chrono::steady_clock::now());
                if (left.count() <= 0) {
                    std::lock_guard lock(callback_mu_);
                    spdlog::error("shutdown did not complete within {} ms of the signal (a plugin call does not "
                                  "return): exiting now with {}; records not committed will be delivered again",
                                  exit_after_.count(), exit_code_);
                    spdlog::default_logger()->flush();
                    _exit(exit_code_);
                }
                const timespec ts{static_cast<time_t>(left.count() / 1'000'000'000), static_cast<long>(left.count() % 1'000'000'000)};
                sig = sigtimedwait(&set, nullptr, &ts);
                if (sig < 0) continue;  // timed out (handled above) or interrupted
            } else if (sigwait(&set, &sig) != 0) {
                continue;
            }
            if (sig == SIGHUP) {
                // Logs go to stderr (journald, docker): there is no file to reopen. Documented
                // as ignored; also how the destructor ends this thread.
                if (stopping_thread_) return;
                continue;
            }
            if (requested_.exchange(true)) {
                spdlog::warn("second signal: exiting now without waiting for records in flight");
                spdlog::default_logger()->flush();
                _exit(kSecondSignalExit);
            }
            spdlog::info("{} received: draining (send it again to exit at once)", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            cv_.notify_all();
            std::lock_guard lock(callback_mu_);
            if (exit_after_.count() > 0) exit_at = std::chrono::steady_clock::now() + exit_after_;
            if (on_first_) on_first_();
        }
    });
}

bool ShutdownSignal::wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requested_.load(); });
}

}  // namespace dcx::daemon
