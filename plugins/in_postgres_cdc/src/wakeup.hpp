// SPDX-License-Identifier: Apache-2.0
// An eventfd that wakes a thread blocked in poll(2) on a socket: used to interrupt the session
// thread's waits on PostgreSQL (stop, or a commit to confirm).
#pragma once

namespace dcx::pgcdc {

class Wakeup {
public:
    Wakeup();
    ~Wakeup();
    Wakeup(const Wakeup&) = delete;
    Wakeup& operator=(const Wakeup&) = delete;

    /// Makes fd() readable. [thread-safe]
    void notify() noexcept;
    /// Makes fd() unreadable again. [thread-safe]
    void drain() noexcept;
    int fd() const noexcept { return fd_; }

private:
    int fd_ = -1;
};

/// Waits until `socket` is readable (and writable, with `want_write`), `wake` fires, or
/// `timeout_ms` passes (-1: no limit). Returns true when the socket is ready. EINTR counts as a
/// spurious wakeup (returns false).
bool wait_socket(int socket, bool want_read, bool want_write, const Wakeup& wake, int timeout_ms);

}  // namespace dcx::pgcdc
