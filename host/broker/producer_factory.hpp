// SPDX-License-Identifier: Apache-2.0
// CreateProducer for one topic (or one partition topic), and what a failure means at startup.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "broker/broker_connection.hpp"

namespace dcx::broker {

struct ProducerTarget {
    std::string topic;  // the exact topic: "<topic>-part-<i>" for partition i
    std::string name;   // "<producer name>-<i>" for partition i
    bool reliable = false;
    std::optional<danube::SchemaReference> schema_ref;
};

/// TopicLookup (NOT_FOUND is normal for a new topic and ignored, as the Rust client does), then
/// CreateProducer. Returns the CreateProducer status; the id through `producer_id`.
grpc::Status create_producer(BrokerConnection& broker, const ProducerTarget& target, uint64_t request_id,
                             std::chrono::milliseconds timeout, uint64_t& producer_id);

/// nullopt when the failure is transient (the broker is not up yet: retry), otherwise a message
/// that tells the user what to change.
std::optional<std::string> permanent_create_error(const ProducerTarget& target, const grpc::Status& status);

}  // namespace dcx::broker
