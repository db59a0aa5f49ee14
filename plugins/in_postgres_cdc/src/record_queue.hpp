// SPDX-License-Identifier: Apache-2.0
// The bounded hand-off between the replication session thread (producer) and the host's plugin
// thread (consumer). A full queue makes the producer wait, with a deadline so it can keep the
// replication connection alive meanwhile: that wait is the backpressure on PostgreSQL.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "dcx/sdk/source_record.hpp"

namespace dcx::pgcdc {

class RecordQueue {
public:
    RecordQueue() = default;
    RecordQueue(const RecordQueue&) = delete;
    RecordQueue& operator=(const RecordQueue&) = delete;

    /// Empties and reopens the queue with room for `capacity` records. [plugin-thread]
    void configure(size_t capacity);

    enum class Push { pushed, timed_out, closed };
    /// Appends `record` (moved from only when pushed), waiting for room until `deadline`. Calls
    /// `wake` (without the lock) when the queue turns non-empty. [session-thread]
    Push push(dcx::sdk::SourceRecord& record, std::chrono::steady_clock::time_point deadline,
              const std::function<void()>& wake);

    /// Up to `max` records, oldest first; never waits. [plugin-thread]
    std::vector<dcx::sdk::SourceRecord> take(size_t max);

    /// Releases a waiting push with `closed`; later pushes return `closed`. [thread-safe]
    void close();
    size_t size() const;

private:
    mutable std::mutex mu_;
    std::condition_variable room_cv_;
    std::deque<dcx::sdk::SourceRecord> queue_;
    size_t capacity_ = 1;
    bool closed_ = false;
};

}  // namespace dcx::pgcdc
