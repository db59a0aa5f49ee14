// SPDX-License-Identifier: Apache-2.0
// danube.Discovery, danube.ProducerService and danube.HealthCheck: thin adapters over BrokerCore.
#include "services.hpp"

namespace dcx::test_broker {

grpc::ServerUnaryReactor* DiscoveryService::TopicLookup(grpc::CallbackServerContext* ctx,
                                                        const danube::TopicLookupRequest* req,
                                                        danube::TopicLookupResponse* resp) {
    return serve(gate_, ctx, "TopicLookup", req, resp, [this](auto& q, auto& r) { return core_.lookup(q, r); });
}

grpc::ServerUnaryReactor* DiscoveryService::TopicPartitions(grpc::CallbackServerContext* ctx,
                                                            const danube::TopicLookupRequest* req,
                                                            danube::TopicPartitionsResponse* resp) {
    return serve(gate_, ctx, "TopicPartitions", req, resp, [this](auto& q, auto& r) { return core_.partitions(q, r); });
}

grpc::ServerUnaryReactor* ProducerService::CreateProducer(grpc::CallbackServerContext* ctx,
                                                          const danube::ProducerRequest* req,
                                                          danube::ProducerResponse* resp) {
    return serve(gate_, ctx, "CreateProducer", req, resp,
                 [this](auto& q, auto& r) { return core_.create_producer(q, r); });
}

grpc::ServerUnaryReactor* ProducerService::SendMessage(grpc::CallbackServerContext* ctx,
                                                       const danube::StreamMessage* req,
                                                       danube::MessageResponse* resp) {
    return serve(gate_, ctx, "SendMessage", req, resp, [this](auto& q, auto& r) { return core_.send_message(q, r); });
}

grpc::ServerUnaryReactor* HealthService::HealthCheck(grpc::CallbackServerContext* ctx,
                                                     const danube::HealthCheckRequest* req,
                                                     danube::HealthCheckResponse* resp) {
    return serve(gate_, ctx, "HealthCheck", req, resp, [this](auto& q, auto& r) { return core_.health(q, r); });
}

}  // namespace dcx::test_broker
