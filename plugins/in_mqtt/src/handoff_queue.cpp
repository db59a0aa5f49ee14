// SPDX-License-Identifier: Apache-2.0
// Bounded hand-off queue; see handoff_queue.hpp.
#include "handoff_queue.hpp"

#include <algorithm>

namespace dcx::mqtt {

void HandoffQueue::configure(size_t capacity, bool wait_for_ack, uint64_t first_offset) {
    std::lock_guard lock(mu_);
    queue_.clear();
    capacity_ = std::max<size_t>(capacity, 1);
    wait_for_ack_ = wait_for_ack;
    next_offset_ = std::max<uint64_t>(first_offset, 1);
    committed_ = next_offset_ - 1;
    closed_ = false;
}

HandoffQueue::Outcome HandoffQueue::push(dcx::sdk::SourceRecord record, bool track, const std::function<void()>& wake) {
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] { return closed_ || (accepting_ && queue_.size() < capacity_); });
    if (closed_) return Outcome::refused;
    track = track && wait_for_ack_;
    uint64_t offset = 0;
    if (track) {
        offset = next_offset_++;
        record.with_offset({kOffsetPartition, offset, std::nullopt});
    }
    const bool was_empty = queue_.empty();
    queue_.push_back(std::move(record));
    lock.unlock();
    if (was_empty && wake) wake();
    if (!track) return Outcome::taken;
    lock.lock();
    ack_cv_.wait(lock, [&] { return closed_ || committed_ >= offset; });
    return committed_ >= offset ? Outcome::taken : Outcome::refused;
}

std::vector<dcx::sdk::SourceRecord> HandoffQueue::take(size_t max) {
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
    if (!out.empty()) space_cv_.notify_all();
    return out;
}

void HandoffQueue::committed(uint64_t offset) {
    {
        std::lock_guard lock(mu_);
        if (offset <= committed_) return;
        committed_ = offset;
    }
    ack_cv_.notify_all();
}

void HandoffQueue::stop_accepting() {
    {
        std::lock_guard lock(mu_);
        accepting_ = false;
    }
    space_cv_.notify_all();
}

void HandoffQueue::close() {
    {
        std::lock_guard lock(mu_);
        closed_ = true;
    }
    space_cv_.notify_all();
    ack_cv_.notify_all();
}

size_t HandoffQueue::size() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

uint64_t HandoffQueue::next_offset() const {
    std::lock_guard lock(mu_);
    return next_offset_;
}

}  // namespace dcx::mqtt
