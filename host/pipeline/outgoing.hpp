// SPDX-License-Identifier: Apache-2.0
// A message on its way to Danube, and how its journey ended.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/support/status.h>

#include "DanubeApi.pb.h"
#include "plugin/owned_record.hpp"

namespace dcx::pipeline {

struct Outgoing {
    uint64_t seq = 0;        // the pipeline's record number: what settles in the offset tracker
    uint32_t partition = 0;  // index into the publisher's partition table
    /// Payload, attributes, schema id/version, routing key and publish time; the publisher fills
    /// request_id, msg_id and producer_name on every send (the producer id can change).
    danube::StreamMessage msg;
    uint64_t bytes = 0;        // counted against max_inflight_bytes until settled
    uint32_t attempts = 0;     // sends so far
    bool dead_letter = false;  // this is a write to the dead-letter topic
    std::string target_topic;  // where the record was meant to go
    int64_t polled_at_us = 0;  // steady clock, for the poll-to-ack latency
    std::optional<plugin::SourceOffset> source_offset;  // for dead-letter attributes
};

struct Settlement {
    enum class Kind {
        acked,     // Danube acknowledged it
        rejected,  // Danube will never take this record (the status says why)
        fatal,     // the pipeline cannot go on (out may be null)
    };
    Kind kind = Kind::acked;
    std::unique_ptr<Outgoing> out;
    grpc::Status status;
};

}  // namespace dcx::pipeline
