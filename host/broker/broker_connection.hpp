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

/// TLS, mTLS and bearer token, as danube-client offers them. Paths are read at construction,
/// except `token_file`, which is re-read whenever it changes (rotated credentials).
struct ConnectionOptions {
    std::string tls_ca_file;
    std::string tls_cert_file;
    std::string tls_key_file;
    std::string tls_server_name;
    std::string token;
    std::string token_file;
};

class BrokerConnection {
public:
    /// Throws std::runtime_error when a TLS file cannot be read.
    explicit BrokerConnection(std::string service_url, const ConnectionOptions& options = {});

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
