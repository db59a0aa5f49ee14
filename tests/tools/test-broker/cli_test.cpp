// SPDX-License-Identifier: Apache-2.0
// danube-test-broker's command line: help, usage errors (exit 2), startup errors and signals.
#include <signal.h>

#include <vector>

#include <catch2/catch.hpp>

#include "contract_helpers.hpp"

using namespace dcx::contract;
using dcx::testing::ChildProcess;
using dcx::testing::TempDir;
using dcx::testing::write_file;
using Catch::Matchers::Contains;

namespace {

struct CliRun {
    int code = -1;
    std::string out;
    std::string err;
};

CliRun run_broker(const TempDir& dir, std::vector<std::string> args) {
    args.insert(args.begin(), DCX_TEST_BROKER_BIN);
    ChildProcess process(args, dir / "cli");
    const auto code = process.wait_for_exit(std::chrono::seconds(20));
    REQUIRE(code);
    return {*code, process.stdout_text(), process.stderr_text()};
}

}  // namespace

TEST_CASE("the --help flag exits 0 and lists every flag", "[integration][test-broker]") {
    TempDir dir;
    const auto run = run_broker(dir, {"--help"});
    CHECK(run.code == 0);
    for (const char* flag :
         {"--listen", "--advertised-url", "--port-file", "--data-dir", "--journal", "--namespace",
          "--no-auto-create-topics", "--fail-next", "--fail-ratio", "--fault-seed", "--latency-ms", "--stall", "--refuse-connections-ms",
          "--crash-after", "--tls-cert", "--tls-key", "--tls-client-ca", "--jwt-secret-file", "--log-level",
          "--version", "consume"}) {
        INFO(flag);
        CHECK_THAT(run.out, Contains(flag));
    }
}

TEST_CASE("the --version flag exits 0 naming the wire contract", "[integration][test-broker]") {
    TempDir dir;
    const auto run = run_broker(dir, {"--version"});
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Contains("danube-test-broker") && Contains("v0.15.1"));
}

TEST_CASE("an unknown flag exits 2 naming it", "[integration][test-broker]") {
    TempDir dir;
    const auto run = run_broker(dir, {"--listen", "127.0.0.1:0", "--frobnicate"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("--frobnicate"));
    CHECK_THAT(run.err, Contains("--help"));
}

TEST_CASE("a malformed --fail-next exits 2 with the reason", "[integration][test-broker]") {
    TempDir dir;
    auto run = run_broker(dir, {"--listen", "127.0.0.1:0", "--fail-next", "bogus"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("--fail-next") && Contains("expected N:CODE[:METHOD], got 'bogus'"));
    run = run_broker(dir, {"--listen", "127.0.0.1:0", "--fail-next", "2:SOMETIMES"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("unknown gRPC status code 'SOMETIMES'"));
    run = run_broker(dir, {"--listen", "127.0.0.1:0", "--fail-next", "x:UNAVAILABLE"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("count must be a number, got 'x'"));
}

TEST_CASE("a malformed --fail-ratio exits 2 with the reason", "[integration][test-broker]") {
    TempDir dir;
    auto run = run_broker(dir, {"--listen", "127.0.0.1:0", "--fail-ratio", "0.1"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("--fail-ratio") && Contains("expected RATIO:CODE[,CODE...][:METHOD], got '0.1'"));
    run = run_broker(dir, {"--listen", "127.0.0.1:0", "--fail-ratio", "1.5:UNAVAILABLE"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("ratio must be a number between 0 and 1, got '1.5'"));
    run = run_broker(dir, {"--listen", "127.0.0.1:0", "--fail-ratio", "0.1:UNAVAILABLE,SOMETIMES"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("unknown gRPC status code 'SOMETIMES'"));
}

TEST_CASE("a TLS certificate without its key exits 2", "[integration][test-broker]") {
    TempDir dir;
    write_file(dir / "cert.pem", "not really a certificate\n");
    auto run = run_broker(dir, {"--listen", "127.0.0.1:0", "--tls-cert", (dir / "cert.pem").string()});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("--tls-cert and --tls-key go together"));
    run = run_broker(dir, {"--listen", "127.0.0.1:0", "--tls-client-ca", (dir / "cert.pem").string()});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("--tls-client-ca needs --tls-cert and --tls-key"));
    run = run_broker(dir, {"--listen", "127.0.0.1:0", "--tls-cert", (dir / "missing.pem").string()});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("missing.pem"));
}

TEST_CASE("a bad --log-level exits 2", "[integration][test-broker]") {
    TempDir dir;
    const auto run = run_broker(dir, {"--listen", "127.0.0.1:0", "--log-level", "loud"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Contains("--log-level"));
}

TEST_CASE("listening on a port already in use fails with a clear message", "[integration][test-broker]") {
    TestBroker running;
    TempDir dir;
    const auto run = run_broker(dir, {"--listen", running.target(), "--port-file", (dir / "port").string()});
    CHECK(run.code != 0);
    CHECK_THAT(run.err, Contains("danube-test-broker: cannot listen on " + running.target()));
    CHECK_FALSE(std::filesystem::exists(dir / "port"));
    // The running broker is unaffected.
    CHECK(lookup(running, "/default/x").error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("SIGTERM and SIGINT stop the broker with exit code 0", "[integration][test-broker]") {
    TestBroker broker;
    producer_id(broker, "/default/t", "p");
    CHECK(broker.stop() == 0);
    broker.restart();
    broker.process().signal(SIGINT);
    CHECK(broker.process().wait_for_exit(std::chrono::seconds(10)) == 0);
}
