// SPDX-License-Identifier: Apache-2.0
// Owns one generation of the gRPC server on the broker port. stop() + start() on the same port
// is how the broker "refuses connections for a period" while keeping all its state.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "broker_core.hpp"
#include "call_gate.hpp"
#include "services.hpp"

namespace dcx::test_broker {

struct TlsFiles {
    std::string cert_pem;
    std::string key_pem;
    std::string client_ca_pem;  // non-empty: clients must present a certificate signed by it (mTLS)
};

class BrokerServer {
public:
    BrokerServer(BrokerCore& core, SchemaRegistry& registry, FaultInjector& faults, CallGate& gate,
                 const TokenAuth& auth, std::optional<TlsFiles> tls, ControlService::RefuseFn refuse);
    ~BrokerServer();
    BrokerServer(const BrokerServer&) = delete;
    BrokerServer& operator=(const BrokerServer&) = delete;

    /// Binds `address` ("host:port", port 0 picks one) and serves; returns the bound port.
    /// Throws std::runtime_error when the address cannot be bound.
    int start(const std::string& address);
    /// Answers stalled and delayed calls, then shuts the listener and every connection down.
    void stop();

private:
    BrokerCore& core_;
    SchemaRegistry& registry_;
    FaultInjector& faults_;
    CallGate& gate_;
    const TokenAuth& auth_;
    std::optional<TlsFiles> tls_;
    ControlService::RefuseFn refuse_;

    std::unique_ptr<DiscoveryService> discovery_;
    std::unique_ptr<ProducerService> producer_;
    std::unique_ptr<HealthService> health_;
    std::unique_ptr<ConsumerService> consumer_;
    std::unique_ptr<SchemaRegistryService> schema_;
    std::unique_ptr<ControlService> control_;
    std::unique_ptr<grpc::Server> server_;
};

}  // namespace dcx::test_broker
