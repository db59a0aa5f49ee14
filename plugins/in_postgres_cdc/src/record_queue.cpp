// SPDX-License-Identifier: Apache-2.0
// Bounded hand-off queue; see record_queue.hpp.
#include "record_queue.hpp"

#include <algorithm>

namespace dcx::pgcdc {

void RecordQueue::configure(size_t capacity) {
    std::lock_guard lock(mu_);
    queue_.clear();
    capacity_ = std::max<size_t>(capacity, 1);
    closed_ = false;
}

RecordQueue::Push RecordQueue::push(dcx::sdk::SourceRecord& record, std::chrono::steady_clock::time_point deadline,
                                    const std::function<void()>& wake) {
    std::unique_lock lock(mu_);
    if (!room_cv_.wait_until(lock, deadline, [&] { return closed_ || queue_.size() < capacity_; })) {
        return Push::timed_out;
    }
    if (closed_) return Push::closed;
    const bool was_empty = queue_.empty();
    queue_.push_back(std::move(record));
    lock.unlock();
    if (was_empty && wake) wake();
    return Push::pushed;
}

std::vector<dcx::sdk::SourceRecord> RecordQueue::take(size_t max) {
    std::vector<dcx::sdk::SourceRecord> out;
    {
        std::lock_guard lock(mu_);
        const size_t n = std::min(max, queue_.size());
        out.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            out.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
    }
    if (!out.empty()) room_cv_.notify_all();
    return out;
}

void RecordQueue::close() {
    {
        std::lock_guard lock(mu_);
        closed_ = true;
    }
    room_cv_.notify_all();
}

size_t RecordQueue::size() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

}  // namespace dcx::pgcdc
