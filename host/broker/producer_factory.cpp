// SPDX-License-Identifier: Apache-2.0
#include "broker/producer_factory.hpp"

namespace dcx::broker {

grpc::Status create_producer(BrokerConnection& broker, const ProducerTarget& target, uint64_t request_id,
                             std::chrono::milliseconds timeout, uint64_t& producer_id) {
    {
        danube::TopicLookupRequest lookup;
        lookup.set_request_id(request_id);
        lookup.set_topic(target.topic);
        danube::TopicLookupResponse resp;
        auto ctx = broker.context(timeout);
        (void)broker.discovery().TopicLookup(ctx.get(), lookup, &resp);  // errors surface on CreateProducer
    }
    danube::ProducerRequest req;
    req.set_request_id(request_id);
    req.set_producer_name(target.name);
    req.set_topic_name(target.topic);
    req.set_producer_access_mode(danube::Shared);
    req.set_dispatch_strategy(target.reliable ? danube::Reliable : danube::NonReliable);
    if (target.schema_ref) *req.mutable_schema_ref() = *target.schema_ref;
    danube::ProducerResponse resp;
    auto ctx = broker.context(timeout);
    grpc::Status st = broker.producer().CreateProducer(ctx.get(), req, &resp);
    if (st.ok()) producer_id = resp.producer_id();
    return st;
}

std::optional<std::string> permanent_create_error(const ProducerTarget& t, const grpc::Status& st) {
    const std::string& m = st.error_message();
    const std::string what = "cannot create producer " + t.name + " on " + t.topic + ": ";
    switch (st.error_code()) {
        case grpc::StatusCode::UNAVAILABLE:
            // The broker codes a missing namespace as UNAVAILABLE; retrying never helps.
            if (m.find("Unable to find the namespace") != std::string::npos) {
                const std::string ns = t.topic.substr(1, t.topic.find('/', 1) - 1);
                return what + "namespace '" + ns + "' does not exist on the broker; create it first (danube-admin namespaces create " + ns + ")";
            }
            return std::nullopt;
        case grpc::StatusCode::DEADLINE_EXCEEDED:
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
        case grpc::StatusCode::CANCELLED:
        case grpc::StatusCode::ABORTED:
        case grpc::StatusCode::UNKNOWN:
        case grpc::StatusCode::INTERNAL:
            return std::nullopt;
        case grpc::StatusCode::FAILED_PRECONDITION:
            if (m.find("dispatch strategy") != std::string::npos) {
                return what + "the topic exists with the other dispatch strategy; reliable_dispatch = " +
                       (t.reliable ? "true" : "false") + " does not match it (" + m + ")";
            }
            return what + m;
        case grpc::StatusCode::ALREADY_EXISTS:
            return what + "the partition count does not match the existing topic (plain vs partitioned): " + m;
        case grpc::StatusCode::OK:
            return std::nullopt;
        default:
            return what + m;
    }
}

}  // namespace dcx::broker
