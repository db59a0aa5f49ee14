// SPDX-License-Identifier: Apache-2.0
#include "broker_server.hpp"

#include <stdexcept>

namespace dcx::test_broker {

BrokerServer::BrokerServer(BrokerCore& core, SchemaRegistry& registry, FaultInjector& faults, CallGate& gate,
                           const TokenAuth& auth, std::optional<TlsFiles> tls, ControlService::RefuseFn refuse)
    : core_(core), registry_(registry), faults_(faults), gate_(gate), auth_(auth), tls_(std::move(tls)),
      refuse_(std::move(refuse)) {}

BrokerServer::~BrokerServer() { stop(); }

int BrokerServer::start(const std::string& address) {
    // A service object belongs to one server for life, so each generation gets fresh adapters.
    discovery_ = std::make_unique<DiscoveryService>(core_, gate_);
    producer_ = std::make_unique<ProducerService>(core_, gate_);
    health_ = std::make_unique<HealthService>(core_, gate_);
    consumer_ = std::make_unique<ConsumerService>(core_, gate_, auth_);
    schema_ = std::make_unique<SchemaRegistryService>(core_, registry_, gate_);
    control_ = std::make_unique<ControlService>(core_, faults_, gate_, refuse_);

    std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
    if (tls_) {
        grpc::SslServerCredentialsOptions opts(
            tls_->client_ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                        : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
        opts.pem_root_certs = tls_->client_ca_pem;
        opts.pem_key_cert_pairs.push_back({tls_->key_pem, tls_->cert_pem});
        creds = grpc::SslServerCredentials(opts);
    }
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, creds, &port);
    // Oversized requests must reach CallGate, which answers like tonic (OUT_OF_RANGE).
    builder.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    // gRPC sets SO_REUSEPORT by default, which lets a second broker bind a port that is in use
    // and silently share its connections; an occupied port must be a startup error instead.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.RegisterService(discovery_.get());
    builder.RegisterService(producer_.get());
    builder.RegisterService(health_.get());
    builder.RegisterService(consumer_.get());
    builder.RegisterService(schema_.get());
    builder.RegisterService(control_.get());
    server_ = builder.BuildAndStart();
    if (!server_ || port == 0) {
        server_.reset();
        throw std::runtime_error("cannot listen on " + address + " (address in use or invalid?)");
    }
    gate_.release_all(false);
    return port;
}

void BrokerServer::stop() {
    if (!server_) return;
    gate_.release_all(true);
    // Handlers never block (stalled and delayed calls were just answered), so the grace period
    // only ever waits for idle client connections and endless ReceiveMessages streams; a long
    // one made every SIGTERM and every refuse-connections period 2 s longer than asked.
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    server_->Wait();
    server_.reset();
}

}  // namespace dcx::test_broker
