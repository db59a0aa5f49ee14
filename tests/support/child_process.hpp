// SPDX-License-Identifier: Apache-2.0
// A real child process for integration tests: stdout/stderr captured to files, killed and
// reaped when the owner goes away, every wait bounded by a timeout.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dcx::testing {

class ChildProcess {
public:
    /// Starts `argv[0]` with `argv`; `env` entries are added to (or replace in) this process's
    /// environment. Output goes to `<log_prefix>.stdout` and `<log_prefix>.stderr`.
    ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log_prefix,
                 const std::map<std::string, std::string>& env = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    void signal(int sig) const;
    /// Waits for the exit; returns the exit code (128 + signal if killed), nullopt on timeout.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
    /// SIGKILL and reap (no-op when already gone).
    void kill_now();

    std::string stdout_text() const;
    std::string stderr_text() const;

private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    std::filesystem::path stdout_path_;
    std::filesystem::path stderr_path_;
};

/// Polls `predicate` every 10 ms until it holds or `timeout` passes; returns its last value.
template <class Predicate>
bool wait_until(Predicate&& predicate, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (predicate()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        struct timespec ts{0, 10'000'000};
        nanosleep(&ts, nullptr);
    }
}

}  // namespace dcx::testing
