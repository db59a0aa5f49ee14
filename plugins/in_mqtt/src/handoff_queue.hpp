// SPDX-License-Identifier: Apache-2.0
// The bounded hand-off between the MQTT network thread (producer) and the host's plugin thread
// (consumer). A full queue blocks the producer, which is the backpressure: libmosquitto reads
// nothing more while its callback waits. With wait_for_ack, the producer also waits until the
// host committed the record's offset, so the MQTT acknowledgement follows the Danube one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "dcx/sdk/source_record.hpp"

namespace dcx::mqtt {

class HandoffQueue {
public:
    /// Source partition of the offsets given to records that wait for their Danube ack.
    static constexpr const char* kOffsetPartition = "mqtt";

    HandoffQueue() = default;
    HandoffQueue(const HandoffQueue&) = delete;
    HandoffQueue& operator=(const HandoffQueue&) = delete;

    /// Empties the queue and sets it up; call before any push. `first_offset` is the offset
    /// the first tracked record gets (> 0; offsets resume across restarts and must keep growing).
    /// Reopens a closed queue but keeps stop_accepting(): a stop requested before
    /// (re)initialisation still holds. [plugin-thread]
    void configure(size_t capacity, bool wait_for_ack, uint64_t first_offset);

    enum class Outcome {
        taken,    // the host has the record (and, if tracked, acknowledged it): acknowledge to MQTT
        refused,  // the record was not handed over or not confirmed: do not acknowledge to MQTT
    };

    /// Hands `record` over, blocking while the queue is full, and with `track` (QoS >= 1 and
    /// wait_for_ack) until its offset is committed. After stop_accepting() nothing is taken and
    /// the call blocks until close(). Calls `wake` (without the lock held) when the queue
    /// turns non-empty. [network-thread]
    Outcome push(dcx::sdk::SourceRecord record, bool track, const std::function<void()>& wake);

    /// Up to `max` records, oldest first; never blocks. [plugin-thread]
    std::vector<dcx::sdk::SourceRecord> take(size_t max);

    /// The host committed `offset` of kOffsetPartition: every tracked record up to it is in
    /// Danube (or in the dead-letter topic). [plugin-thread]
    void committed(uint64_t offset);

    /// The host stops polling: nothing more is taken from now on. [thread-safe]
    void stop_accepting();
    /// Releases every blocked push with `refused`; later pushes return `refused` at once. [thread-safe]
    void close();

    /// Records queued and not taken yet.
    size_t size() const;
    uint64_t next_offset() const;

private:
    mutable std::mutex mu_;
    size_t capacity_ = 1;
    bool wait_for_ack_ = false;
    std::condition_variable space_cv_;  // queue has room, or stop/close
    std::condition_variable ack_cv_;    // committed_ moved, or close
    std::deque<dcx::sdk::SourceRecord> queue_;
    uint64_t next_offset_ = 1;
    uint64_t committed_ = 0;  // highest committed offset (next_offset_ - 1 at start)
    bool accepting_ = true;
    bool closed_ = false;
};

}  // namespace dcx::mqtt
