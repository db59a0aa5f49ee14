// SPDX-License-Identifier: Apache-2.0
// Contract rule 12 (HealthCheck) and the consumer service used by end-to-end tests
// (broker-protocol.md §7 delivery, §10).
#include <map>
#include <memory>
#include <optional>

#include <catch2/catch.hpp>

#include "contract_helpers.hpp"

using namespace dcx::contract;

namespace {

grpc::Status health(TestBroker& broker, int client, uint64_t id, danube::HealthCheckResponse* resp) {
    danube::HealthCheckRequest req;
    req.set_request_id(5);
    req.set_client(static_cast<danube::HealthCheckRequest::ClientType>(client));
    req.set_id(id);
    return invoke(&danube::HealthCheck::Stub::HealthCheck, broker.health(), req, resp);
}

grpc::Status subscribe(TestBroker& broker, const std::string& topic, const std::string& name,
                       danube::ConsumerResponse* resp, const std::string& subscription = "sub") {
    danube::ConsumerRequest req;
    req.set_request_id(21);
    req.set_topic_name(topic);
    req.set_consumer_name(name);
    req.set_subscription(subscription);
    req.set_subscription_type(danube::ConsumerRequest::Shared);
    return invoke(&danube::ConsumerService::Stub::Subscribe, broker.consumer(), req, resp);
}

/// One ReceiveMessages stream with a deadline, so every Read is bounded.
class Stream {
public:
    Stream(TestBroker& broker, uint64_t consumer_id, std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
        ctx_.set_deadline(std::chrono::system_clock::now() + deadline);
        danube::ReceiveRequest req;
        req.set_request_id(3);
        req.set_consumer_id(consumer_id);
        reader_ = broker.consumer().ReceiveMessages(&ctx_, req);
    }
    ~Stream() {
        if (finished_) return;
        ctx_.TryCancel();
        reader_->Finish();
    }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    std::optional<danube::StreamMessage> read() {
        danube::StreamMessage msg;
        if (!reader_->Read(&msg)) return std::nullopt;
        return msg;
    }
    grpc::Status finish() {
        finished_ = true;
        return reader_->Finish();
    }

private:
    bool finished_ = false;
    grpc::ClientContext ctx_;
    std::unique_ptr<grpc::ClientReader<danube::StreamMessage>> reader_;
};

}  // namespace

TEST_CASE("HealthCheck is OK for a registered producer and CLOSE for an unknown id", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/hc", "p");
    danube::HealthCheckResponse resp;
    REQUIRE(health(broker, danube::HealthCheckRequest::Producer, id, &resp).ok());
    CHECK(resp.status() == danube::HealthCheckResponse::OK);

    REQUIRE(health(broker, danube::HealthCheckRequest::Producer, id + 1, &resp).ok());
    CHECK(resp.status() == danube::HealthCheckResponse::CLOSE);
    // A producer id is not a consumer id.
    REQUIRE(health(broker, danube::HealthCheckRequest::Consumer, id, &resp).ok());
    CHECK(resp.status() == danube::HealthCheckResponse::CLOSE);
}

TEST_CASE("HealthCheck with an unknown client type is INVALID_ARGUMENT", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/hc7", "p");
    danube::HealthCheckResponse resp;
    const auto st = health(broker, 7, id, &resp);
    CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(st.error_message() == "Invalid client type");
}

TEST_CASE("HealthCheck is OK for a subscribed consumer", "[integration][test-broker]") {
    TestBroker broker;
    producer_id(broker, "/default/hcc", "p");
    danube::ConsumerResponse sub;
    REQUIRE(subscribe(broker, "/default/hcc", "c", &sub).ok());
    danube::HealthCheckResponse resp;
    REQUIRE(health(broker, danube::HealthCheckRequest::Consumer, sub.consumer_id(), &resp).ok());
    CHECK(resp.status() == danube::HealthCheckResponse::OK);
}

TEST_CASE("Subscribe to an unknown topic is NOT_FOUND and a repeat returns the same consumer",
          "[integration][test-broker]") {
    TestBroker broker;
    danube::ConsumerResponse resp;
    auto st = subscribe(broker, "/default/absent", "c", &resp);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Unable to find the topic: /default/absent");
    st = subscribe(broker, "/default/a.b", "c", &resp);
    CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);

    producer_id(broker, "/default/present", "p");
    REQUIRE(subscribe(broker, "/default/present", "c", &resp).ok());
    CHECK(resp.request_id() == 21);
    CHECK(resp.consumer_name() == "c");
    CHECK(resp.consumer_id() != 0);
    danube::ConsumerResponse again;
    REQUIRE(subscribe(broker, "/default/present", "c", &again).ok());
    CHECK(again.consumer_id() == resp.consumer_id());
    REQUIRE(subscribe(broker, "/default/present", "d", &again).ok());
    CHECK(again.consumer_id() != resp.consumer_id());
}

TEST_CASE("ReceiveMessages streams messages sent after subscribing with offsets and attributes intact",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/stream", "p");
    // Sent before any subscription: a non-reliable topic drops it.
    REQUIRE(send(broker, message(broker, id, "/default/stream", "before", 1)).ok());

    danube::ConsumerResponse sub;
    REQUIRE(subscribe(broker, "/default/stream", "c", &sub).ok());
    Stream stream(broker, sub.consumer_id());

    auto first = message(broker, id, "/default/stream", "one", 2);
    (*first.mutable_attributes())["source"] = "sensor-7";
    (*first.mutable_attributes())["unit"] = "C";
    first.set_routing_key("zone1");
    REQUIRE(send(broker, first).ok());
    auto second = message(broker, id, "/default/stream", std::string("t\0o", 3), 3);
    second.set_schema_id(5);
    second.set_schema_version(2);
    REQUIRE(send(broker, second).ok());

    const auto got1 = stream.read();
    REQUIRE(got1);
    CHECK(got1->payload() == "one");
    CHECK(got1->msg_id().topic_offset() == 1);
    CHECK(got1->msg_id().topic_name() == "/default/stream");
    CHECK(got1->msg_id().producer_id() == id);
    CHECK(got1->request_id() == 2);
    CHECK(got1->producer_name() == "contract-producer");
    CHECK(got1->publish_time() == 1700000000123);
    CHECK(std::map<std::string, std::string>(got1->attributes().begin(), got1->attributes().end()) ==
          std::map<std::string, std::string>{{"source", "sensor-7"}, {"unit", "C"}});
    REQUIRE(got1->has_routing_key());
    CHECK(got1->routing_key() == "zone1");
    CHECK_FALSE(got1->has_schema_id());

    const auto got2 = stream.read();
    REQUIRE(got2);
    CHECK(got2->payload() == std::string("t\0o", 3));
    CHECK(got2->msg_id().topic_offset() == 2);
    CHECK(got2->attributes().empty());
    CHECK(got2->schema_id() == 5);
    CHECK(got2->schema_version() == 2);
    CHECK_FALSE(got2->has_routing_key());
}

TEST_CASE("messages sent between Subscribe and ReceiveMessages are delivered when the stream starts",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/early", "p");
    danube::ConsumerResponse sub;
    REQUIRE(subscribe(broker, "/default/early", "c", &sub).ok());
    REQUIRE(send(broker, message(broker, id, "/default/early", "m0")).ok());
    REQUIRE(send(broker, message(broker, id, "/default/early", "m1")).ok());

    Stream stream(broker, sub.consumer_id());
    REQUIRE(send(broker, message(broker, id, "/default/early", "m2")).ok());
    for (const std::string expected : {"m0", "m1", "m2"}) {
        const auto got = stream.read();
        REQUIRE(got);
        CHECK(got->payload() == expected);
    }
}

TEST_CASE("ReceiveMessages for an unknown consumer id is NOT_FOUND", "[integration][test-broker]") {
    TestBroker broker;
    Stream stream(broker, 999);
    CHECK_FALSE(stream.read());
    const auto st = stream.finish();
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "The consumer with the id 999 does not exist");
}
