// SPDX-License-Identifier: Apache-2.0
// Keeps ConnectorState::broker_up current for /readyz and /metrics. The broker has no standard
// health service, so a TopicLookup is the probe: any answer, NOT_FOUND included, means it is
// serving (broker-protocol.md §1). Runs on its own thread so a down broker never blocks the pipeline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "broker/broker_connection.hpp"
#include "daemon/connector_state.hpp"

namespace dcx::daemon {

class BrokerProbe {
public:
    BrokerProbe(broker::BrokerConnection& broker, ConnectorState& state,
                std::chrono::milliseconds interval = std::chrono::seconds(2));
    ~BrokerProbe();
    BrokerProbe(const BrokerProbe&) = delete;
    BrokerProbe& operator=(const BrokerProbe&) = delete;

private:
    void run();

    broker::BrokerConnection& broker_;
    ConnectorState& state_;
    const std::chrono::milliseconds interval_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace dcx::daemon
