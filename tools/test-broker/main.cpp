// SPDX-License-Identifier: Apache-2.0
// danube-test-broker: a faithful stand-in for a Danube v0.15.1 standalone broker, for tests,
// benchmarks and the quickstart. Flags, signals, and the refuse-connections cycle live here.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "broker_server.hpp"
#include "common/lock_order_checks.hpp"
#include "consume_command.hpp"

namespace fs = std::filesystem;
using namespace dcx::test_broker;

namespace {

constexpr int kUsageExit = 2;

struct ServeOptions {
    std::string listen = "127.0.0.1:6650";
    std::string advertised_url;
    std::string port_file;
    std::string data_dir;
    std::string journal;
    std::vector<std::string> namespaces;
    bool no_auto_create = false;
    std::vector<std::string> fail_next;
    std::string fail_ratio;
    uint64_t fault_seed = 0;
    uint32_t latency_ms = 0;
    bool stall = false;
    uint32_t refuse_ms = 0;
    int64_t crash_after = -1;
    std::string tls_cert, tls_key, tls_client_ca, jwt_secret_file;
    std::string log_level = "info";
};

std::string read_file(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot read ") + what + " " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_port_file(const std::string& path, int port) {
    const std::string tmp = path + ".tmp";
    std::ofstream(tmp) << port << "\n";
    fs::rename(tmp, path);  // readers never see a half-written file
}

// Parses "N:CODE[:METHOD]".
void apply_fail_next(FaultInjector& faults, const std::string& spec) {
    const auto c1 = spec.find(':');
    if (c1 == std::string::npos) throw CLI::ValidationError("--fail-next", "expected N:CODE[:METHOD], got '" + spec + "'");
    const auto c2 = spec.find(':', c1 + 1);
    const std::string count = spec.substr(0, c1);
    const std::string code = spec.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    const std::string method = c2 == std::string::npos ? "" : spec.substr(c2 + 1);
    const auto parsed = FaultInjector::parse_code(code);
    if (!parsed) throw CLI::ValidationError("--fail-next", "unknown gRPC status code '" + code + "'");
    if (count.empty() || count.find_first_not_of("0123456789") != std::string::npos) {
        throw CLI::ValidationError("--fail-next", "count must be a number, got '" + count + "'");
    }
    faults.fail_next(static_cast<uint32_t>(std::stoul(count)), *parsed, "", method);
}

// Parses "RATIO:CODE[,CODE...][:METHOD]".
void apply_fail_ratio(FaultInjector& faults, const std::string& spec, uint64_t seed) {
    const auto bad = [&](const std::string& why) { return CLI::ValidationError("--fail-ratio", why); };
    const auto c1 = spec.find(':');
    if (c1 == std::string::npos) throw bad("expected RATIO:CODE[,CODE...][:METHOD], got '" + spec + "'");
    const auto c2 = spec.find(':', c1 + 1);
    const std::string ratio_text = spec.substr(0, c1);
    const std::string code_list = spec.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    const std::string method = c2 == std::string::npos ? "" : spec.substr(c2 + 1);
    size_t used = 0;
    double ratio = -1;
    try {
        ratio = std::stod(ratio_text, &used);
    } catch (const std::exception&) {
    }
    if (ratio_text.empty() || used != ratio_text.size() || !(ratio >= 0 && ratio <= 1)) {
        throw bad("ratio must be a number between 0 and 1, got '" + ratio_text + "'");
    }
    std::vector<grpc::StatusCode> codes;
    std::istringstream names(code_list);
    for (std::string name; std::getline(names, name, ',');) {
        const auto parsed = FaultInjector::parse_code(name);
        if (!parsed) throw bad("unknown gRPC status code '" + name + "'");
        codes.push_back(*parsed);
    }
    if (codes.empty()) throw bad("expected at least one gRPC status code after the ratio");
    faults.fail_ratio(ratio, std::move(codes), method, seed);
}

// Waits for SIGINT/SIGTERM up to `ms`; returns true when a signal arrived.
bool wait_for_signal(const sigset_t& set, long ms) {
    timespec ts{ms / 1000, (ms % 1000) * 1000000};
    return sigtimedwait(&set, nullptr, &ts) > 0;
}

int serve(const ServeOptions& o) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("test-broker"));
    spdlog::set_level(spdlog::level::from_str(o.log_level));

    // Signals are taken synchronously by the main thread; block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    BrokerCore::Settings settings;
    settings.auto_create_topics = !o.no_auto_create;
    settings.extra_namespaces = o.namespaces;
    std::optional<fs::path> journal_path;
    if (!o.journal.empty()) journal_path = o.journal;
    if (!o.data_dir.empty()) {
        fs::create_directories(o.data_dir);
        settings.state_file = fs::path(o.data_dir) / "state.json";
        if (!journal_path) journal_path = fs::path(o.data_dir) / "journal.jsonl";
    }

    FaultInjector faults;
    for (const auto& spec : o.fail_next) apply_fail_next(faults, spec);
    if (!o.fail_ratio.empty()) apply_fail_ratio(faults, o.fail_ratio, o.fault_seed);
    if (o.latency_ms) faults.set_latency(std::chrono::milliseconds(o.latency_ms), "*");
    if (o.stall) faults.set_stall(true, "SendMessage");
    if (o.crash_after >= 0) faults.crash_after(static_cast<uint64_t>(o.crash_after));

    SchemaRegistry registry;
    Journal journal = journal_path ? Journal(*journal_path) : Journal();
    BrokerCore core(settings, registry, journal, faults);
    core.load_state(journal_path);

    std::optional<TlsFiles> tls;
    if (!o.tls_cert.empty()) {
        tls = TlsFiles{read_file(o.tls_cert, "--tls-cert"), read_file(o.tls_key, "--tls-key"),
                       o.tls_client_ca.empty() ? "" : read_file(o.tls_client_ca, "--tls-client-ca")};
    }
    std::string secret;
    if (!o.jwt_secret_file.empty()) {
        secret = read_file(o.jwt_secret_file, "--jwt-secret-file");
        while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    }
    const TokenAuth auth(secret);
    CallGate gate(faults, auth);

    std::atomic<uint32_t> refuse_request{0};
    BrokerServer server(core, registry, faults, gate, auth, tls, [&](uint32_t ms) { refuse_request = ms == 0 ? 1 : ms; });

    if (o.refuse_ms && wait_for_signal(signals, o.refuse_ms)) return 0;
    const int port = server.start(o.listen);
    const std::string host = o.listen.substr(0, o.listen.rfind(':'));
    const std::string bound = host + ":" + std::to_string(port);
    core.set_advertised_url(o.advertised_url.empty() ? (tls ? "https://" : "http://") + bound : o.advertised_url);
    if (!o.port_file.empty()) write_port_file(o.port_file, port);
    spdlog::info("danube-test-broker listening on {} ({}{}), journal: {}, data dir: {}", bound, tls ? "TLS" : "plaintext",
                 auth.enabled() ? " + JWT" : "", journal_path ? journal_path->string() : "off",
                 o.data_dir.empty() ? "none (state is lost on exit)" : o.data_dir);

    while (!wait_for_signal(signals, 50)) {
        if (const uint32_t ms = refuse_request.exchange(0)) {
            spdlog::warn("refusing connections for {} ms", ms);
            server.stop();
            if (wait_for_signal(signals, ms)) return 0;
            server.start(bound);
            spdlog::info("accepting connections again on {}", bound);
        }
    }
    spdlog::info("signal received, shutting down");
    server.stop();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    dcx::turn_off_lock_order_checks();
    CLI::App app{"danube-test-broker: a faithful Danube v0.15.1 standalone broker for tests.\n"
                 "Serves danube.Discovery, ProducerService, ConsumerService, HealthCheck and\n"
                 "danube_schema.SchemaRegistry on one plaintext (or TLS) HTTP/2 port, plus the\n"
                 "test-only danube_test.BrokerControl service for fault injection.",
                 "danube-test-broker"};
    ServeOptions o;
    app.add_option("--listen", o.listen, "host:port to serve on; port 0 picks a free one")->capture_default_str();
    app.add_option("--advertised-url", o.advertised_url, "URL returned by TopicLookup (default http://<listen>)");
    app.add_option("--port-file", o.port_file, "write the bound port to this file once serving");
    app.add_option("--data-dir", o.data_dir,
                   "keep namespaces, topics, schemas and the journal here across restarts (producers are forgotten)");
    app.add_option("--journal", o.journal, "JSON-lines journal of accepted messages (default <data-dir>/journal.jsonl)");
    app.add_option("--namespace", o.namespaces, "create this namespace besides 'default' and 'system' (repeatable)");
    app.add_flag("--no-auto-create-topics", o.no_auto_create, "CreateProducer on an unknown topic answers NOT_FOUND");
    app.add_option("--fail-next", o.fail_next, "fail the next N calls: N:CODE[:METHOD], e.g. 3:UNAVAILABLE (repeatable)");
    app.add_option("--fail-ratio", o.fail_ratio,
                   "fail this share of calls with one of the codes: RATIO:CODE[,CODE...][:METHOD], e.g. "
                   "0.1:UNAVAILABLE,RESOURCE_EXHAUSTED");
    app.add_option("--fault-seed", o.fault_seed, "seed for --fail-ratio (same seed, same failures)")->capture_default_str();
    app.add_option("--latency-ms", o.latency_ms, "delay every answer by this many milliseconds");
    app.add_flag("--stall", o.stall, "never answer SendMessage (until cleared through the control service)");
    app.add_option("--refuse-connections-ms", o.refuse_ms, "do not listen for this long after start");
    app.add_option("--crash-after", o.crash_after, "exit with code 86 after journaling this many messages, without acking the last");
    app.add_option("--tls-cert", o.tls_cert, "serve TLS with this PEM certificate chain")->check(CLI::ExistingFile);
    app.add_option("--tls-key", o.tls_key, "PEM private key for --tls-cert")->check(CLI::ExistingFile);
    app.add_option("--tls-client-ca", o.tls_client_ca, "require client certificates signed by this CA (mTLS)")
        ->check(CLI::ExistingFile);
    app.add_option("--jwt-secret-file", o.jwt_secret_file, "require 'authorization: Bearer <HS256 JWT>' signed with this secret")
        ->check(CLI::ExistingFile);
    app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
    app.set_version_flag("--version", "danube-test-broker 0.1.0 (Danube wire contract v0.15.1)");

    ConsumeOptions c;
    auto* consume = app.add_subcommand("consume", "print messages like `danube-cli consume`");
    consume->add_option("-s,--service-addr", c.service_url, "broker URL")->capture_default_str();
    consume->add_option("-t,--topic", c.topic, "topic to read (all topics of the journal when omitted)");
    consume->add_option("-m,--subscription", c.subscription, "subscription name")->capture_default_str();
    consume->add_option("-n,--consumer", c.consumer_name, "consumer name")->capture_default_str();
    consume->add_option("--journal", c.journal, "read a journal file instead of a live broker")->check(CLI::ExistingFile);
    consume->add_option("--count", c.count, "exit after this many messages");
    consume->add_option("--timeout-ms", c.timeout_ms, "live mode: exit after this long");
    consume->add_flag("--json", c.json, "one JSON object per message");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::CallForVersion&) {
        std::cout << app.version() << "\n";
        return 0;
    } catch (const CLI::ParseError& e) {
        std::cerr << "danube-test-broker: " << e.what() << "\nRun 'danube-test-broker --help' for usage.\n";
        return kUsageExit;
    }
    if (o.tls_cert.empty() != o.tls_key.empty()) {
        std::cerr << "danube-test-broker: --tls-cert and --tls-key go together\n";
        return kUsageExit;
    }
    if (!o.tls_client_ca.empty() && o.tls_cert.empty()) {
        std::cerr << "danube-test-broker: --tls-client-ca needs --tls-cert and --tls-key\n";
        return kUsageExit;
    }
    try {
        if (consume->parsed()) return run_consume(c);
        return serve(o);
    } catch (const CLI::ValidationError& e) {
        std::cerr << "danube-test-broker: " << e.what() << "\n";
        return kUsageExit;
    } catch (const std::exception& e) {
        std::cerr << "danube-test-broker: " << e.what() << "\n";
        return 1;
    }
}
