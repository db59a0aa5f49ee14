// SPDX-License-Identifier: Apache-2.0
// What a SendMessage failure means for the host (broker-protocol.md §8, our classification).
#pragma once

#include <grpcpp/support/status.h>

namespace dcx::broker {

enum class SendFailure {
    transient,        // back off and resend; after N tries, look up and re-create the producer
    producer_lost,    // re-create the producer (broker restarted or topic moved), then resend
    record_rejected,  // this record can never be published: dead-letter it
    ambiguous,        // INTERNAL/UNKNOWN: resend a bounded number of times, then dead-letter
    fatal,            // credentials or topic configuration changed under us: stop with an error
};

SendFailure classify_send_failure(const grpc::Status& status);
const char* to_string(SendFailure failure);

}  // namespace dcx::broker
