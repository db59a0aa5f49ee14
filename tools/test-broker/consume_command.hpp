// SPDX-License-Identifier: Apache-2.0
// `danube-test-broker consume`: prints messages the way `danube-cli consume` does, either live
// from a broker (ConsumerService) or from a journal file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace dcx::test_broker {

struct ConsumeOptions {
    std::string service_url = "http://127.0.0.1:6650";
    std::string topic;
    std::string subscription = "test-broker-consume";
    std::string consumer_name = "consumer_pubsub";
    std::optional<std::string> journal;  // read this file instead of a live broker
    uint64_t count = 0;                  // stop after this many messages (0: no limit)
    uint64_t timeout_ms = 0;             // live mode: stop after this long (0: no limit)
    bool json = false;                   // print journal lines / messages as JSON
};

/// Returns the process exit code.
int run_consume(const ConsumeOptions& opts);

}  // namespace dcx::test_broker
