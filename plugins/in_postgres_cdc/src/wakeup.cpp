// SPDX-License-Identifier: Apache-2.0
// eventfd wakeups and socket waits; see wakeup.hpp.
#include "wakeup.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace dcx::pgcdc {

Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error(std::string("eventfd failed: ") + std::strerror(errno));
}

Wakeup::~Wakeup() {
    if (fd_ >= 0) ::close(fd_);
}

void Wakeup::notify() noexcept {
    const uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);  // EAGAIN: already readable
}

void Wakeup::drain() noexcept {
    uint64_t value = 0;
    [[maybe_unused]] const auto n = ::read(fd_, &value, sizeof value);  // EAGAIN: nothing pending
}

bool wait_socket(int socket, bool want_read, bool want_write, const Wakeup& wake, int timeout_ms) {
    pollfd fds[2] = {};
    fds[0].fd = socket;
    fds[0].events = static_cast<short>((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0));
    fds[1].fd = wake.fd();
    fds[1].events = POLLIN;
    const int n = ::poll(fds, 2, timeout_ms);
    if (n <= 0) return false;
    // Errors and hang-ups count as ready: the next libpq call reports them.
    return (fds[0].revents & (POLLIN | POLLOUT | POLLERR | POLLHUP | POLLNVAL)) != 0;
}

}  // namespace dcx::pgcdc
