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

using namespace dcx::contract;
using dcx::testing::ChildProcess;
using dcx::testing::read_file;
using dcx::testing::TempDir;
using dcx::testing::write_file;

namespace {

constexpr const char* kSecret = "tls-contract-test-secret";

constexpr const char* kOpensslConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = dcx-test
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
)";

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made once per test run
/// with the openssl CLI, plus the JWT secret file.
struct Pki {
    TempDir dir;
    std::string ca_pem, client_cert_pem, client_key_pem;

    Pki() {
        write_file(dir / "openssl.cnf", kOpensslConfig);
        write_file(dir / "jwt.secret", std::string(kSecret) + "\n");  // a trailing newline is ignored
        const std::string cnf = (dir / "openssl.cnf").string();
        const std::vector<std::string> ec{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
        auto with = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
            head.insert(head.end(), tail.begin(), tail.end());
            return head;
        };
        openssl(with({"req", "-x509", "-config", cnf, "-extensions", "v3_ca", "-days", "2", "-subj", "/CN=dcx-test-ca",
                      "-keyout", path("ca.key"), "-out", path("ca.crt")},
                     ec));
        for (const std::string who : {"server", "client"}) {
            openssl(with({"req", "-new", "-config", cnf, "-subj", "/CN=" + who, "-keyout", path(who + ".key"), "-out",
                          path(who + ".csr")},
                         ec));
            openssl({"x509", "-req", "-in", path(who + ".csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                     "-set_serial", who == "server" ? "2" : "3", "-days", "2", "-extfile", cnf, "-extensions", who,
                     "-out", path(who + ".crt")});
        }
        ca_pem = read_file(dir / "ca.crt");
        client_cert_pem = read_file(dir / "client.crt");
        client_key_pem = read_file(dir / "client.key");
    }

    std::string path(const std::string& name) const { return (dir / name).string(); }

    void openssl(std::vector<std::string> args) const {
        args.insert(args.begin(), "/usr/bin/openssl");
        ChildProcess process(args, dir / "openssl");
        const auto code = process.wait_for_exit(std::chrono::seconds(30));
        if (code != 0) throw std::runtime_error("openssl failed: " + process.stderr_text());
    }
};

const Pki& pki() {
    static const Pki instance;
    return instance;
}

std::string base64url(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
    out.resize(static_cast<size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string make_jwt(const std::string& secret, int64_t exp, const std::string& alg = "HS256") {
    const nlohmann::json header{{"alg", alg}, {"typ", "JWT"}};
    const nlohmann::json claims{{"iss", "danube-contract-test"}, {"sub", "connectd"},         {"exp", exp},
                                {"principal_type", "service"},   {"principal_name", "connectd"}};
    const std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_len);
    return signing_input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

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
