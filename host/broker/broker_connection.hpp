// SPDX-License-Identifier: Apache-2.0
// The gRPC channel to the Danube service URL and its stubs. Every call gets a deadline, so a hung
// broker becomes DEADLINE_EXCEEDED instead of a stuck pipeline (broker-protocol.md §8).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "DanubeApi.grpc.pb.h"
#include "SchemaRegistry.grpc.pb.h"

namespace dcx::broker {

/// "http://host:port/" -> "host:port". Throws std::invalid_argument for anything else.
std::string grpc_target(std::string_view url);

class BrokerConnection {
public:
    explicit BrokerConnection(std::string service_url);

    const std::string& url() const { return url_; }
    /// The URL as the Rust client puts it in MsgID.broker_addr (URI display form, trailing '/').
    const std::string& broker_addr() const { return broker_addr_; }

    danube::Discovery::Stub& discovery() { return *discovery_; }
    danube::ProducerService::Stub& producer() { return *producer_; }
    danube::HealthCheck::Stub& health() { return *health_; }
    danube_schema::SchemaRegistry::Stub& schema() { return *schema_; }

    /// A context with a deadline `timeout` from now (and, later, auth metadata).
    std::unique_ptr<grpc::ClientContext> context(std::chrono::milliseconds timeout) const;

private:
    std::string url_;
    std::string broker_addr_;
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<danube::Discovery::Stub> discovery_;
    std::unique_ptr<danube::ProducerService::Stub> producer_;
    std::unique_ptr<danube::HealthCheck::Stub> health_;
    std::unique_ptr<danube_schema::SchemaRegistry::Stub> schema_;
};

}  // namespace dcx::broker
