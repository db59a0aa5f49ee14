// SPDX-License-Identifier: Apache-2.0
// Upper bounds (seconds) of the poll-to-ack latency histogram: fine steps below 10 ms with an edge
// at 2 ms (the loopback target), so the share of records acked within it is read off one bucket
// where interpolating between 2.5 and 5 ms buckets could place a p99 anywhere in that range.
// Shared with bench/bare_client.cpp, which reports through the same buckets.
#pragma once

#include <array>

namespace dcx::metrics {

inline constexpr std::array<double, 21> kLatencyBucketsSeconds = {
    0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075,
    0.01,   0.025,   0.05,   0.1,     0.25,  0.5,    1,     2.5,   5,     10};

}  // namespace dcx::metrics
