// SPDX-License-Identifier: Apache-2.0
// Contract rule 15: plain mode ignores `authorization`; TLS mode with --jwt-secret-file requires
// `authorization: Bearer <HS256 JWT>` and answers UNAUTHENTICATED with the real broker's texts;
// --tls-client-ca requires a client certificate (broker-protocol.md §11).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "contract_helpers.hpp"
#include "test_pki.hpp"

using namespace dcx::contract;
using dcx::testing::ChildProcess;
using dcx::testing::read_file;
using dcx::testing::TempDir;
using dcx::testing::write_file;
using dcx::testing::make_jwt;
using dcx::testing::now_seconds;
using dcx::testing::pki;

namespace {

constexpr const char* kSecret = dcx::testing::kJwtSecret;

std::string good_token() { return make_jwt(kSecret, now_seconds() + 3600); }

std::vector<std::string> tls_args(bool jwt, bool mtls) {
    std::vector<std::string> args{"--tls-cert", pki().path("server.crt"), "--tls-key", pki().path("server.key")};
    if (jwt) args.insert(args.end(), {"--jwt-secret-file", pki().path("jwt.secret")});
    if (mtls) args.insert(args.end(), {"--tls-client-ca", pki().path("ca.crt")});
    return args;
}

std::shared_ptr<grpc::Channel> tls_channel(const TestBroker& broker, bool client_cert) {
    grpc::SslCredentialsOptions opts;
    opts.pem_root_certs = pki().ca_pem;
    if (client_cert) {
        opts.pem_cert_chain = pki().client_cert_pem;
        opts.pem_private_key = pki().client_key_pem;
    }
    return grpc::CreateChannel(broker.target(), grpc::SslCredentials(opts));
}

/// CreateProducer on /default/secure with `authorization` set to `authorization` when non-empty.
grpc::Status create_producer(const std::shared_ptr<grpc::Channel>& channel, const std::string& authorization,
                             uint64_t* id = nullptr) {
    auto stub = danube::ProducerService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    danube::ProducerRequest req;
    req.set_producer_name("p");
    req.set_topic_name("/default/secure");
    danube::ProducerResponse resp;
    const auto st = stub->CreateProducer(&ctx, req, &resp);
    if (id) *id = resp.producer_id();
    return st;
}

}  // namespace

TEST_CASE("plain mode ignores authorization metadata", "[integration][test-broker]") {
    TestBroker broker;
    CHECK(create_producer(broker.channel(), "Bearer not-a-jwt").ok());
    CHECK(create_producer(broker.channel(), "").ok());
}

TEST_CASE("with a JWT secret a call without authorization is UNAUTHENTICATED", "[integration][test-broker]") {
    TestBroker broker(tls_args(true, false));
    const auto st = create_producer(tls_channel(broker, false), "");
    CHECK(st.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(st.error_message() == "Authentication credentials are missing");
}

TEST_CASE("a bad, expired or malformed token is UNAUTHENTICATED Invalid token", "[integration][test-broker]") {
    TestBroker broker(tls_args(true, false));
    const auto channel = tls_channel(broker, false);
    const std::vector<std::string> bad{
        "Bearer " + make_jwt("some-other-secret", now_seconds() + 3600),
        "Bearer " + make_jwt(kSecret, now_seconds() - 60),
        "Bearer " + make_jwt(kSecret, now_seconds() + 3600, "none"),
        "Bearer not.a.jwt",
        "Bearer ",
        good_token(),  // without the "Bearer " scheme
        "Basic " + good_token(),
    };
    for (const auto& authorization : bad) {
        INFO(authorization);
        const auto st = create_producer(channel, authorization);
        CHECK(st.error_code() == grpc::StatusCode::UNAUTHENTICATED);
        CHECK(st.error_message() == "Invalid token");
    }
}

TEST_CASE("a valid token over TLS is accepted on every service", "[integration][test-broker]") {
    TestBroker broker(tls_args(true, false));
    const auto channel = tls_channel(broker, false);
    const std::string authorization = "Bearer " + good_token();
    uint64_t id = 0;
    REQUIRE(create_producer(channel, authorization, &id).ok());
    CHECK(id != 0);

    auto producer = danube::ProducerService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", authorization);
    danube::MessageResponse resp;
    REQUIRE(producer->SendMessage(&ctx, message(broker, id, "/default/secure", "secret", 5), &resp).ok());
    CHECK(resp.request_id() == 5);
    CHECK(broker.journal().size() == 1);

    auto schema = danube_schema::SchemaRegistry::NewStub(channel);
    grpc::ClientContext sctx;
    sctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    sctx.AddMetadata("authorization", authorization);
    danube_schema::RegisterSchemaRequest req;
    req.set_subject("s");
    req.set_schema_type("string");
    danube_schema::RegisterSchemaResponse reg;
    CHECK(schema->RegisterSchema(&sctx, req, &reg).ok());

    // The test-only control service needs no token.
    auto control = danube_test::BrokerControl::NewStub(channel);
    danube_test::StatsReply stats;
    CHECK(invoke(&danube_test::BrokerControl::Stub::Stats, *control, danube_test::Empty{}, &stats).ok());
    CHECK(stats.messages_accepted() == 1);
}

TEST_CASE("ReceiveMessages without a token is UNAUTHENTICATED", "[integration][test-broker]") {
    TestBroker broker(tls_args(true, false));
    auto consumer = danube::ConsumerService::NewStub(tls_channel(broker, false));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    danube::ReceiveRequest req;
    req.set_consumer_id(1);
    auto reader = consumer->ReceiveMessages(&ctx, req);
    danube::StreamMessage msg;
    CHECK_FALSE(reader->Read(&msg));
    const auto st = reader->Finish();
    CHECK(st.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(st.error_message() == "Authentication credentials are missing");
}

TEST_CASE("a plaintext client cannot talk to the TLS port", "[integration][test-broker]") {
    TestBroker broker(tls_args(false, false));
    // The fixture's own channel is plaintext.
    const auto st = lookup(broker, "/default/x");
    CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE);
    // TLS without a JWT secret needs no token.
    CHECK(create_producer(tls_channel(broker, false), "").ok());
}

TEST_CASE("with --tls-client-ca a client needs a certificate signed by that CA", "[integration][test-broker]") {
    TestBroker broker(tls_args(true, true));
    const std::string authorization = "Bearer " + good_token();
    const auto without = create_producer(tls_channel(broker, false), authorization);
    CHECK(without.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(create_producer(tls_channel(broker, true), authorization).ok());
}
