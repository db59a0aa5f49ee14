// SPDX-License-Identifier: Apache-2.0
// The hand-off between HTTP worker threads and the plugin thread. A request submits its record
// (bounded: a full queue refuses instead of blocking), poll() takes records on the plugin thread,
// and the host's per-record outcomes come back through settle(). A request waits on its ticket
// until the host took its record (ack = "enqueue") or Danube acknowledged it (ack = "publish"),
// bounded by deadlines. A record never taken by its deadline is withdrawn, so a refused request
// is never published behind the client's back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dcx/sdk/source_connector.hpp"

namespace dcx::webhook {

class IntakeQueue {
public:
    using Clock = std::chrono::steady_clock;

    enum class State {
        queued,         // waiting for the host to take it
        taken,          // the host has it; Danube has not acknowledged it yet
        delivered,      // Danube acknowledged it
        dead_lettered,  // the host found it invalid (dead-letter topic or skipped)
        not_delivered,  // the daemon stopped before Danube confirmed it
        withdrawn,      // never handed to the host (deadline or shutdown): it will not be published
    };

    struct Ticket {
        State state = State::queued;
        std::string reason;
    };

    enum class Submit { accepted, full, stopping };

    explicit IntakeQueue(size_t capacity = 1000) : capacity_(capacity) {}

    /// Sets the bound; used once, before the server starts.
    void set_capacity(size_t capacity);

    /// Queues `record` under a fresh token unless the queue is full or stopping. The caller must
    /// then call wait() with the token (which also releases the ticket). [thread-safe]
    Submit submit(dcx::sdk::SourceRecord record, uint64_t& token);

    /// Waits until the ticket leaves `queued` (until_settled = false) or reaches a final state
    /// (until_settled = true). A record still queued at `take_deadline` is withdrawn; a taken one
    /// still unconfirmed at `settle_deadline` is reported as `taken`. Releases the ticket. [thread-safe]
    Ticket wait(uint64_t token, bool until_settled, Clock::time_point take_deadline, Clock::time_point settle_deadline);

    /// Up to `max` records, oldest first, tagged with their tokens. [plugin-thread]
    std::vector<dcx::sdk::SourceRecord> take(size_t max);
    /// The host's verdict for `token`. [plugin-thread]
    void settle(uint64_t token, dcx::sdk::RecordOutcome outcome, std::string_view reason);

    /// Refuses new records and withdraws the queued ones (the host will not poll again). [thread-safe]
    void stop();
    /// stop(), then ends every wait: records still unconfirmed become not_delivered. [thread-safe]
    void close();

    struct Health {
        bool polled = false;     // the host polled at least once: the pipeline runs
        bool stopping = false;
        size_t queued = 0;
        size_t capacity = 0;
        size_t unconfirmed = 0;  // taken, not yet acknowledged by Danube
        std::chrono::milliseconds oldest_unconfirmed{0};
    };
    Health health(Clock::time_point now) const;

private:
    struct Waiter {
        Ticket ticket;
        std::condition_variable cv;
    };
    struct Entry {
        uint64_t token;
        dcx::sdk::SourceRecord record;
    };

    void finish(uint64_t token, State state, std::string_view reason);  // mu_ held

    // Everything below is guarded by mu_ (HTTP workers and the plugin thread share it).
    mutable std::mutex mu_;
    size_t capacity_;
    uint64_t next_token_ = 0;
    bool stopping_ = false;
    bool closed_ = false;
    bool polled_ = false;
    std::deque<Entry> queue_;
    std::unordered_map<uint64_t, std::shared_ptr<Waiter>> waiters_;
    std::map<uint64_t, Clock::time_point> unconfirmed_;  // token -> taken at; tokens grow, so begin() is the oldest
};

const char* to_string(IntakeQueue::State state);

}  // namespace dcx::webhook
