// SPDX-License-Identifier: Apache-2.0
// gRPC adapters: each service forwards to BrokerCore / SchemaRegistry through the CallGate.
#pragma once

#include <functional>

#include "DanubeApi.grpc.pb.h"
#include "SchemaRegistry.grpc.pb.h"
#include "broker_core.hpp"
#include "call_gate.hpp"
#include "control.grpc.pb.h"

namespace dcx::test_broker {

/// One unary call through the gate: `fn(request, response)` returns the status.
template <class Req, class Resp, class Fn>
grpc::ServerUnaryReactor* serve(CallGate& gate, grpc::CallbackServerContext* ctx, std::string_view method,
                                const Req* req, Resp* resp, Fn&& fn) {
    auto* reactor = ctx->DefaultReactor();
    gate.run(ctx, reactor, method, req->ByteSizeLong(), [&] { return fn(*req, *resp); });
    return reactor;
}

class DiscoveryService final : public danube::Discovery::CallbackService {
public:
    DiscoveryService(BrokerCore& core, CallGate& gate) : core_(core), gate_(gate) {}
    grpc::ServerUnaryReactor* TopicLookup(grpc::CallbackServerContext* ctx, const danube::TopicLookupRequest* req,
                                          danube::TopicLookupResponse* resp) override;
    grpc::ServerUnaryReactor* TopicPartitions(grpc::CallbackServerContext* ctx, const danube::TopicLookupRequest* req,
                                              danube::TopicPartitionsResponse* resp) override;

private:
    BrokerCore& core_;
    CallGate& gate_;
};

class ProducerService final : public danube::ProducerService::CallbackService {
public:
    ProducerService(BrokerCore& core, CallGate& gate) : core_(core), gate_(gate) {}
    grpc::ServerUnaryReactor* CreateProducer(grpc::CallbackServerContext* ctx, const danube::ProducerRequest* req,
                                             danube::ProducerResponse* resp) override;
    grpc::ServerUnaryReactor* SendMessage(grpc::CallbackServerContext* ctx, const danube::StreamMessage* req,
                                          danube::MessageResponse* resp) override;

private:
    BrokerCore& core_;
    CallGate& gate_;
};

class HealthService final : public danube::HealthCheck::CallbackService {
public:
    HealthService(BrokerCore& core, CallGate& gate) : core_(core), gate_(gate) {}
    grpc::ServerUnaryReactor* HealthCheck(grpc::CallbackServerContext* ctx, const danube::HealthCheckRequest* req,
                                          danube::HealthCheckResponse* resp) override;

private:
    BrokerCore& core_;
    CallGate& gate_;
};

class ConsumerService final : public danube::ConsumerService::CallbackService {
public:
    ConsumerService(BrokerCore& core, CallGate& gate, const TokenAuth& auth) : core_(core), gate_(gate), auth_(auth) {}
    grpc::ServerUnaryReactor* Subscribe(grpc::CallbackServerContext* ctx, const danube::ConsumerRequest* req,
                                        danube::ConsumerResponse* resp) override;
    grpc::ServerWriteReactor<danube::StreamMessage>* ReceiveMessages(grpc::CallbackServerContext* ctx,
                                                                    const danube::ReceiveRequest* req) override;
    grpc::ServerUnaryReactor* Ack(grpc::CallbackServerContext* ctx, const danube::AckRequest* req,
                                  danube::AckResponse* resp) override;
    grpc::ServerUnaryReactor* Nack(grpc::CallbackServerContext* ctx, const danube::NackRequest* req,
                                   danube::NackResponse* resp) override;

private:
    BrokerCore& core_;
    CallGate& gate_;
    const TokenAuth& auth_;
};

class SchemaRegistryService final : public danube_schema::SchemaRegistry::CallbackService {
public:
    SchemaRegistryService(BrokerCore& core, SchemaRegistry& registry, CallGate& gate)
        : core_(core), registry_(registry), gate_(gate) {}
    grpc::ServerUnaryReactor* RegisterSchema(grpc::CallbackServerContext* ctx,
                                             const danube_schema::RegisterSchemaRequest* req,
                                             danube_schema::RegisterSchemaResponse* resp) override;
    grpc::ServerUnaryReactor* GetSchema(grpc::CallbackServerContext* ctx, const danube_schema::GetSchemaRequest* req,
                                        danube_schema::GetSchemaResponse* resp) override;
    grpc::ServerUnaryReactor* GetLatestSchema(grpc::CallbackServerContext* ctx,
                                              const danube_schema::GetLatestSchemaRequest* req,
                                              danube_schema::GetSchemaResponse* resp) override;
    grpc::ServerUnaryReactor* ListVersions(grpc::CallbackServerContext* ctx,
                                           const danube_schema::ListVersionsRequest* req,
                                           danube_schema::ListVersionsResponse* resp) override;
    grpc::ServerUnaryReactor* CheckCompatibility(grpc::CallbackServerContext* ctx,
                                                 const danube_schema::CheckCompatibilityRequest* req,
                                                 danube_schema::CheckCompatibilityResponse* resp) override;
    grpc::ServerUnaryReactor* DeleteSchemaVersion(grpc::CallbackServerContext* ctx,
                                                  const danube_schema::DeleteSchemaVersionRequest* req,
                                                  danube_schema::DeleteSchemaVersionResponse* resp) override;
    grpc::ServerUnaryReactor* SetCompatibilityMode(grpc::CallbackServerContext* ctx,
                                                   const danube_schema::SetCompatibilityModeRequest* req,
                                                   danube_schema::SetCompatibilityModeResponse* resp) override;
    grpc::ServerUnaryReactor* ConfigureTopicSchema(grpc::CallbackServerContext* ctx,
                                                   const danube_schema::ConfigureTopicSchemaRequest* req,
                                                   danube_schema::ConfigureTopicSchemaResponse* resp) override;
    grpc::ServerUnaryReactor* UpdateTopicValidationPolicy(
        grpc::CallbackServerContext* ctx, const danube_schema::UpdateTopicValidationPolicyRequest* req,
        danube_schema::UpdateTopicValidationPolicyResponse* resp) override;
    grpc::ServerUnaryReactor* GetTopicSchemaConfig(grpc::CallbackServerContext* ctx,
                                                   const danube_schema::GetTopicSchemaConfigRequest* req,
                                                   danube_schema::GetTopicSchemaConfigResponse* resp) override;
    grpc::ServerUnaryReactor* ListSubjects(grpc::CallbackServerContext* ctx,
                                           const danube_schema::ListSubjectsRequest* req,
                                           danube_schema::ListSubjectsResponse* resp) override;

private:
    BrokerCore& core_;
    SchemaRegistry& registry_;
    CallGate& gate_;
};

class ControlService final : public danube_test::BrokerControl::CallbackService {
public:
    using RefuseFn = std::function<void(uint32_t millis)>;
    ControlService(BrokerCore& core, FaultInjector& faults, CallGate& gate, RefuseFn refuse)
        : core_(core), faults_(faults), gate_(gate), refuse_(std::move(refuse)) {}
    grpc::ServerUnaryReactor* InjectFault(grpc::CallbackServerContext* ctx, const danube_test::FaultRequest* req,
                                          danube_test::ControlReply* resp) override;
    grpc::ServerUnaryReactor* ClearFaults(grpc::CallbackServerContext* ctx, const danube_test::Empty* req,
                                          danube_test::ControlReply* resp) override;
    grpc::ServerUnaryReactor* ForgetProducers(grpc::CallbackServerContext* ctx, const danube_test::Empty* req,
                                              danube_test::ControlReply* resp) override;
    grpc::ServerUnaryReactor* CreateNamespace(grpc::CallbackServerContext* ctx,
                                              const danube_test::NamespaceRequest* req,
                                              danube_test::ControlReply* resp) override;
    grpc::ServerUnaryReactor* Stats(grpc::CallbackServerContext* ctx, const danube_test::Empty* req,
                                    danube_test::StatsReply* resp) override;

private:
    BrokerCore& core_;
    FaultInjector& faults_;
    CallGate& gate_;
    RefuseFn refuse_;
};

}  // namespace dcx::test_broker
