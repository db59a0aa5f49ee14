// SPDX-License-Identifier: Apache-2.0
#include "daemon/shutdown_signal.hpp"

#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

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

void ShutdownSignal::start(std::function<void()> on_first) {
    {
        std::lock_guard lock(callback_mu_);
        on_first_ = std::move(on_first);
    }
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
        const sigset_t set = handled_signals();
        while (true) {
            int sig = 0;
            if (sigwait(&set, &sig) != 0) continue;
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
            if (on_first_) on_first_();
        }
    });
}

bool ShutdownSignal::wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requested_.load(); });
}

}  // namespace dcx::daemon
