// SPDX-License-Identifier: Apache-2.0
#include "broker/broker_connection.hpp"

#include <sys/stat.h>

#include <fstream>
#include <mutex>
#include <sstream>
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

namespace {

constexpr int kConnectAttemptMs = 1000;  // see the channel arguments below

std::string read_pem(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot read ") + what + " " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Adds `authorization: Bearer <token>` to every call; the value is never logged.
class BearerToken final : public grpc::MetadataCredentialsPlugin {
public:
    BearerToken(std::string token, std::string file) : token_(std::move(token)), file_(std::move(file)) {}

    grpc::Status GetMetadata(grpc::string_ref, grpc::string_ref, const grpc::AuthContext&,
                             std::multimap<grpc::string, grpc::string>* metadata) override {
        std::string token = current();
        if (token.empty()) return {grpc::StatusCode::UNAUTHENTICATED, "no token available (token_file empty or unreadable)"};
        metadata->insert({"authorization", "Bearer " + token});
        return grpc::Status::OK;
    }
    bool IsBlocking() const override { return false; }

private:
    std::string current() {
        if (file_.empty()) return token_;
        struct stat st {};
        std::lock_guard lock(mu_);
        if (::stat(file_.c_str(), &st) == 0 && (st.st_mtim.tv_sec != mtime_.tv_sec || st.st_mtim.tv_nsec != mtime_.tv_nsec)) {
            std::ifstream in(file_);
            std::string t((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
            token_ = t;
            mtime_ = st.st_mtim;
        }
        return token_;
    }

    std::mutex mu_;
    std::string token_;
    std::string file_;
    timespec mtime_{};
};

}  // namespace

BrokerConnection::BrokerConnection(std::string service_url, const ConnectionOptions& options)
    : url_(std::move(service_url)) {
    const std::string target = grpc_target(url_);
    broker_addr_ = (url_.rfind("https://", 0) == 0 ? "https://" : "http://") + target + "/";
    grpc::ChannelArguments args;
    // Come back quickly after a broker restart; the publisher has its own backoff on top.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    // gRPC takes this as the time one connection attempt (TCP, TLS, HTTP/2 settings) is given, and
    // while nothing polls the channel (startup) it learns how an attempt ended only then: short,
    // recovery after an outage is quick (gRPC's 20 s default: 5 s instead of 2 s, at its backup
    // poll); too short, a broker a few round trips away never connects (200 ms: 15 failed attempts
    // over 5 s under TSan). 1 s leaves room for three round trips of ~300 ms.
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kConnectAttemptMs);
    args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 16 << 20);
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (url_.rfind("https://", 0) == 0) {
        grpc::SslCredentialsOptions ssl;
        if (!options.tls_ca_file.empty()) ssl.pem_root_certs = read_pem(options.tls_ca_file, "[broker].tls_ca_file");
        if (!options.tls_cert_file.empty()) {
            ssl.pem_cert_chain = read_pem(options.tls_cert_file, "[broker].tls_cert_file");
            ssl.pem_private_key = read_pem(options.tls_key_file, "[broker].tls_key_file");
        }
        creds = grpc::SslCredentials(ssl);
        if (!options.tls_server_name.empty()) args.SetSslTargetNameOverride(options.tls_server_name);
        if (!options.token.empty() || !options.token_file.empty()) {
            creds = grpc::CompositeChannelCredentials(
                creds, grpc::MetadataCredentialsFromPlugin(std::make_unique<BearerToken>(options.token, options.token_file)));
        }
    }
    channel_ = grpc::CreateCustomChannel(target, creds, args);
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
