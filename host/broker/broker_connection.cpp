// SPDX-License-Identifier: Apache-2.0
#include "broker/broker_connection.hpp"

#include <stdexcept>

namespace dcx::broker {

std::string grpc_target(std::string_view url) {
    std::string_view rest = url;
    if (rest.rfind("http://", 0) == 0) rest.remove_prefix(7);
    else if (rest.rfind("https://", 0) == 0) rest.remove_prefix(8);
    else throw std::invalid_argument("broker URL must start with http:// or https://: " + std::string(url));
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty() || rest.find('/') != std::string_view::npos) {
        throw std::invalid_argument("broker URL must be scheme://host:port: " + std::string(url));
    }
    return std::string(rest);
}

BrokerConnection::BrokerConnection(std::string service_url) : url_(std::move(service_url)) {
    const std::string target = grpc_target(url_);
    broker_addr_ = (url_.rfind("https://", 0) == 0 ? "https://" : "http://") + target + "/";
    grpc::ChannelArguments args;
    // Come back quickly after a broker restart; the publisher has its own backoff on top.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 16 << 20);
    channel_ = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    discovery_ = danube::Discovery::NewStub(channel_);
    producer_ = danube::ProducerService::NewStub(channel_);
    health_ = danube::HealthCheck::NewStub(channel_);
    schema_ = danube_schema::SchemaRegistry::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> BrokerConnection::context(std::chrono::milliseconds timeout) const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + timeout);
    return ctx;
}

}  // namespace dcx::broker
