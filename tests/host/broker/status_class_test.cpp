// SPDX-License-Identifier: Apache-2.0
// What each SendMessage status means for the host: the table of broker-protocol.md §8, with the
// PERMISSION_DENIED texts of §7 that actually mean "the topic moved".
#include <catch2/catch.hpp>

#include <string>

#include "broker/status_class.hpp"

using dcx::broker::classify_send_failure;
using dcx::broker::SendFailure;
using grpc::StatusCode;

namespace {

SendFailure classify(StatusCode code, const std::string& message = "") {
    return classify_send_failure(grpc::Status(code, message));
}

}  // namespace

TEST_CASE("unavailable, deadline exceeded and resource exhausted are transient", "[unit][broker]") {
    CHECK(classify(StatusCode::UNAVAILABLE, "connection refused") == SendFailure::transient);
    CHECK(classify(StatusCode::DEADLINE_EXCEEDED) == SendFailure::transient);
    CHECK(classify(StatusCode::RESOURCE_EXHAUSTED) == SendFailure::transient);
}

TEST_CASE("an unknown producer id means the producer is lost", "[unit][broker]") {
    CHECK(classify(StatusCode::NOT_FOUND, "The producer with id 42 does not exist") == SendFailure::producer_lost);
}

TEST_CASE("permission denied for a topic missing from the registry means the producer is lost", "[unit][broker]") {
    CHECK(classify(StatusCode::PERMISSION_DENIED,
                   "Unable to publish the message: Topic /default/events not found in registry") ==
          SendFailure::producer_lost);
    CHECK(classify(StatusCode::PERMISSION_DENIED, "Topic X not found in registry") == SendFailure::producer_lost);
}

TEST_CASE("permission denied for a draining or closed topic means the producer is lost", "[unit][broker]") {
    CHECK(classify(StatusCode::PERMISSION_DENIED,
                   "Unable to publish the message: Topic /default/events is draining or closed; retry lookup/moved") ==
          SendFailure::producer_lost);
    CHECK(classify(StatusCode::PERMISSION_DENIED, "draining or closed") == SendFailure::producer_lost);
}

TEST_CASE("permission denied for an unknown schema id rejects the record", "[unit][broker]") {
    CHECK(classify(StatusCode::PERMISSION_DENIED, "Schema ID 5 not found in registry") == SendFailure::record_rejected);
    CHECK(classify(StatusCode::PERMISSION_DENIED, "Unable to publish the message: Schema ID 5 not found in registry") ==
          SendFailure::record_rejected);
}

TEST_CASE("permission denied by schema rules or anything else rejects the record", "[unit][broker]") {
    for (const std::string m : {"Unable to publish the message: Topic /default/t requires schema but none is configured",
                                "Unable to publish the message: Message missing schema_id for topic /default/t "
                                "(expected subject: s)",
                                "Unable to publish the message: Schema subject mismatch for topic /default/t: message "
                                "schema_id=3 belongs to subject 'a', but topic requires 'b'",
                                "Unable to publish the message: Payload validation failed: not a number",
                                "Unable to publish the message: the producer with id 9 is not attached to topic name: /x/y",
                                ""}) {
        INFO(m);
        CHECK(classify(StatusCode::PERMISSION_DENIED, m) == SendFailure::record_rejected);
    }
}

TEST_CASE("size and decode limits reject the record", "[unit][broker]") {
    CHECK(classify(StatusCode::INVALID_ARGUMENT, "Message size 2000 exceeds maximum allowed 1000 for topic /a/b") ==
          SendFailure::record_rejected);
    CHECK(classify(StatusCode::OUT_OF_RANGE,
                   "Error, decoded message length too large: found 5000000 bytes, the limit is: 4194304 bytes") ==
          SendFailure::record_rejected);
}

TEST_CASE("unauthenticated and failed precondition are fatal", "[unit][broker]") {
    CHECK(classify(StatusCode::UNAUTHENTICATED, "Invalid token") == SendFailure::fatal);
    CHECK(classify(StatusCode::FAILED_PRECONDITION, "JWT support is not enabled") == SendFailure::fatal);
}

TEST_CASE("internal and unknown are ambiguous", "[unit][broker]") {
    CHECK(classify(StatusCode::INTERNAL) == SendFailure::ambiguous);
    CHECK(classify(StatusCode::UNKNOWN) == SendFailure::ambiguous);
}

// Codes the §8 table does not list: the classes the host chose for them (status_class.cpp).
TEST_CASE("codes the protocol table does not list get the host's own classes", "[unit][broker]") {
    CHECK(classify(StatusCode::CANCELLED) == SendFailure::transient);
    CHECK(classify(StatusCode::ABORTED) == SendFailure::transient);
    CHECK(classify(StatusCode::ALREADY_EXISTS) == SendFailure::record_rejected);
    CHECK(classify(StatusCode::DATA_LOSS) == SendFailure::ambiguous);
    CHECK(classify(StatusCode::UNIMPLEMENTED) == SendFailure::fatal);
}

TEST_CASE("failure classes have printable names", "[unit][broker]") {
    CHECK(std::string(to_string(SendFailure::transient)) == "transient");
    CHECK(std::string(to_string(SendFailure::producer_lost)) == "producer_lost");
    CHECK(std::string(to_string(SendFailure::record_rejected)) == "record_rejected");
    CHECK(std::string(to_string(SendFailure::ambiguous)) == "ambiguous");
    CHECK(std::string(to_string(SendFailure::fatal)) == "fatal");
}
