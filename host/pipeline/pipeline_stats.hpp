// SPDX-License-Identifier: Apache-2.0
// Counters the pipeline keeps for /metrics and /status. Shared (shared_ptr) with the HTTP
// handlers so they stay valid while the pipeline shuts down. Labels come from configuration only
// (topic names), never from payloads or error texts.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/histogram.hpp"
#include "metrics/latency_buckets.hpp"
#include "plugin/owned_record.hpp"

namespace dcx::pipeline {

/// Per destination topic.
struct RouteStats {
    std::atomic<uint64_t> published{0};          // acknowledged on the topic
    std::atomic<uint64_t> failed_validate{0};    // invalid before serialization
    std::atomic<uint64_t> failed_serialize{0};   // could not be serialized for the schema type
    std::atomic<uint64_t> publish_rejected{0};   // Danube refused the record
    std::atomic<uint64_t> retried{0};            // resends after transient failures
    std::atomic<uint64_t> dead_lettered{0};      // records meant for this topic, now in the DLQ
};

struct PublisherStats {
    std::atomic<uint64_t> sent{0};
    std::atomic<uint64_t> acked{0};
    std::atomic<uint64_t> retried{0};
    std::atomic<uint64_t> rejected{0};
    std::atomic<uint64_t> producer_recreations{0};
    std::atomic<uint64_t> inflight_calls{0};
};

struct PipelineStats {
    std::atomic<uint64_t> records_polled{0};
    std::atomic<uint64_t> records_published{0};
    std::atomic<uint64_t> records_invalid{0};
    std::atomic<uint64_t> records_dead_lettered{0};
    std::atomic<uint64_t> records_skipped{0};
    std::atomic<uint64_t> polls{0};  // calls to the plugin's poll(), empty ones included
    std::atomic<uint64_t> polls_failed{0};
    std::atomic<uint64_t> source_data_skipped{0};
    std::atomic<uint64_t> inflight_records{0};
    std::atomic<uint64_t> inflight_bytes{0};
    std::atomic<uint64_t> commits{0};
    std::atomic<int64_t> last_commit_unix_ms{0};
    std::atomic<int64_t> paused_since_unix_ms{0};  // 0: not paused by backpressure
    std::atomic<bool> healthy{true};               // the plugin's health check
    std::atomic<uint32_t> health_failures{0};      // consecutive
    std::atomic<int64_t> heartbeat_unix_ms{0};     // the plugin thread's loop turns
    PublisherStats publisher;

    /// Poll-to-acknowledgement latency, seconds.
    metrics::Histogram latency{{metrics::kLatencyBucketsSeconds.begin(), metrics::kLatencyBucketsSeconds.end()}};
    /// Records per non-empty poll.
    metrics::Histogram batch_size{{1, 10, 50, 100, 500, 1000, 5000, 10000}};

    /// Committed positions (last commit), for /status. [thread-safe]
    void set_committed(std::vector<plugin::SourceOffset> offsets) {
        std::lock_guard lock(mu_);
        committed_ = std::move(offsets);
    }
    std::vector<plugin::SourceOffset> committed() const {
        std::lock_guard lock(mu_);
        return committed_;
    }
    void set_last_error(std::string message) {
        std::lock_guard lock(mu_);
        last_error_ = std::move(message);
    }
    std::string last_error() const {
        std::lock_guard lock(mu_);
        return last_error_;
    }

private:
    mutable std::mutex mu_;
    std::vector<plugin::SourceOffset> committed_;
    std::string last_error_;
};

}  // namespace dcx::pipeline
