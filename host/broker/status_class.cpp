// SPDX-License-Identifier: Apache-2.0
#include "broker/status_class.hpp"

namespace dcx::broker {

// One exhaustive switch with no default: a new status code is a compile warning (-Wswitch).
SendFailure classify_send_failure(const grpc::Status& status) {
    switch (status.error_code()) {
        case grpc::StatusCode::UNAVAILABLE:
        case grpc::StatusCode::DEADLINE_EXCEEDED:
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
        case grpc::StatusCode::CANCELLED:
        case grpc::StatusCode::ABORTED:
            return SendFailure::transient;
        case grpc::StatusCode::NOT_FOUND:
            return SendFailure::producer_lost;
        case grpc::StatusCode::PERMISSION_DENIED: {
            // Topic moves are coded as denied; recognise them by text (producer_handler.rs).
            const auto& m = status.error_message();
            if (m.find("not found in registry") != std::string::npos && m.find("Schema ID") == std::string::npos) {
                return SendFailure::producer_lost;
            }
            if (m.find("draining or closed") != std::string::npos) return SendFailure::producer_lost;
            return SendFailure::record_rejected;
        }
        case grpc::StatusCode::INVALID_ARGUMENT:
        case grpc::StatusCode::OUT_OF_RANGE:
        case grpc::StatusCode::ALREADY_EXISTS:
            return SendFailure::record_rejected;
        case grpc::StatusCode::INTERNAL:
        case grpc::StatusCode::UNKNOWN:
        case grpc::StatusCode::DATA_LOSS:
            return SendFailure::ambiguous;
        case grpc::StatusCode::UNAUTHENTICATED:
        case grpc::StatusCode::FAILED_PRECONDITION:
        case grpc::StatusCode::UNIMPLEMENTED:
            return SendFailure::fatal;
        case grpc::StatusCode::OK:
        case grpc::StatusCode::DO_NOT_USE:
            return SendFailure::transient;
    }
    return SendFailure::ambiguous;
}

const char* to_string(SendFailure failure) {
    switch (failure) {
        case SendFailure::transient: return "transient";
        case SendFailure::producer_lost: return "producer_lost";
        case SendFailure::record_rejected: return "record_rejected";
        case SendFailure::ambiguous: return "ambiguous";
        case SendFailure::fatal: return "fatal";
    }
    return "unknown";
}

}  // namespace dcx::broker
