// SPDX-License-Identifier: Apache-2.0
// A fixed-bucket histogram with lock-free observe(), for Prometheus exposition.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace dcx::metrics {

class Histogram {
public:
    struct Snapshot {
        std::vector<double> bounds;        // upper bounds, ascending (+Inf implied)
        std::vector<uint64_t> cumulative;  // per bound, then +Inf
        double sum = 0;
        uint64_t count = 0;
    };

    explicit Histogram(std::vector<double> bounds)
        : bounds_(std::move(bounds)), buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

    /// [thread-safe]
    void observe(double value) {
        size_t i = 0;
        while (i < bounds_.size() && value > bounds_[i]) ++i;
        buckets_[i].fetch_add(1, std::memory_order_relaxed);
        count_.fetch_add(1, std::memory_order_relaxed);
        // Sum in micro-units: an atomic double add would need a CAS loop.
        sum_micros_.fetch_add(static_cast<uint64_t>(value * 1e6), std::memory_order_relaxed);
    }

    Snapshot snapshot() const {
        Snapshot s;
        s.bounds = bounds_;
        uint64_t running = 0;
        for (size_t i = 0; i <= bounds_.size(); ++i) {
            running += buckets_[i].load(std::memory_order_relaxed);
            s.cumulative.push_back(running);
        }
        s.count = running;
        s.sum = static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
        return s;
    }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
    std::atomic<uint64_t> count_{0};
    std::atomic<uint64_t> sum_micros_{0};
};

}  // namespace dcx::metrics
