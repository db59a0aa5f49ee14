// SPDX-License-Identifier: Apache-2.0
// Operating danube-connectd: drain on SIGTERM, durable offsets across SIGKILL, a corrupt offset
// store, the health threshold, /metrics /healthz /readyz /status, TLS and JWT to the broker,
// JSON logs. Real processes on 127.0.0.1.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <openssl/evp.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "connector_process.hpp"
#include "pipeline_test_support.hpp"
#include "test_pki.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;

namespace {

// The HTTP port the daemon logged ("HTTP endpoints ... on 127.0.0.1:<port>").
int http_port(ConnectorProcess& daemon) {
    int port = 0;
    const std::regex re("HTTP endpoints .* on 127\\.0\\.0\\.1:([0-9]+)");
    REQUIRE(wait_until([&] {
        std::smatch m;
        const std::string log = daemon.log();
        if (!std::regex_search(log, m, re)) return false;
        port = std::stoi(m[1]);
        return true;
    }, 20s));
    return port;
}

struct Http {
    int status = 0;
    std::string body;
};

Http get(int port, const std::string& path) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(5, 0);
    auto res = client.Get(path.c_str());
    if (!res) return {};
    return {res->status, res->body};
}

// An offsets file with `body` sealed the way the daemon seals it (SHA-256 of the compact body).
std::string sealed_store(const nlohmann::json& body) {
    const std::string text = body.dump();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        static constexpr char kHex[] = "0123456789abcdef";
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xF];
    }
    return nlohmann::json{{"body", body}, {"sha256", hex}}.dump(2) + "\n";
}

uint64_t last_committed(const std::filesystem::path& commit_log) {
    std::ifstream in(commit_log);
    int64_t at = 0;
    std::string partition;
    uint64_t value = 0, last = 0;
    while (in >> at >> partition >> value) last = value;
    return last;
}

}  // namespace

TEST_CASE("SIGTERM publishes and commits every record polled before it, then exits 0", "[integration][operations]") {
    TestBroker broker({"--latency-ms", "5"});
    TempDir dir;
    const auto commits = dir / "commits.log";
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/drain\"\nrate = 3000\ncommit_log = \"" + commits.string() + "\"",
                                           "\n[delivery]\nordering = \"relaxed\"\nwindow_per_producer = 32\n",
                                           "data_dir = \"" + (dir / "state").string() + "\"\n"));
    REQUIRE(all_arrive(broker, "/default/drain", 300, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(30s) == 0);
    const auto log = daemon.log();
    const auto at = log.find("pipeline stopped: ");
    REQUIRE(at != std::string::npos);
    const uint64_t polled = std::stoull(log.substr(at + 18));
    CHECK(distinct(seqs_in(broker.journal(), "/default/drain")) == range(polled));
    CHECK(last_committed(commits) == polled - 1);  // the final commit covers everything
    const auto store = read_file(dir / "state/offsets/itest.json");
    CHECK_THAT(store, Catch::Contains("\"value\": " + std::to_string(polled - 1)));
}

TEST_CASE("after SIGKILL a restart resumes from the stored offsets with nothing missing", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    const std::string datagen = "topic = \"/default/resume\"\ncount = 3000\nrate = 2000\npartitions = 2";
    const std::string delivery = "\n[delivery]\nordering = \"relaxed\"\nwindow_per_producer = 16\nmax_inflight_records = 64\n"
                                 "commit_interval_ms = 50\n";
    const std::string root = "data_dir = \"" + (dir / "state").string() + "\"\n";
    {
        ConnectorProcess first(dir, "first", datagen_config(broker, datagen, delivery, root));
        REQUIRE(all_arrive(broker, "/default/resume", 800, 20s));
        first.process().kill_now();
    }
    const auto before = seqs_in(broker.journal(), "/default/resume");
    ConnectorProcess second(dir, "second", datagen_config(broker, datagen, delivery, root));
    REQUIRE(all_arrive(broker, "/default/resume", 3000, 60s));
    second.process().signal(SIGTERM);
    REQUIRE(second.wait_for_exit(20s) == 0);
    CHECK_THAT(second.log(), Catch::Contains("resuming after committed offset"));
    const auto all = seqs_in(broker.journal(), "/default/resume");
    CHECK(distinct(all) == range(3000));
    // Re-delivery is bounded by what was in flight plus what was acknowledged since the last
    // commit: max_inflight_records (64) + commit_interval (50 ms) at 2000 records/s (100).
    const size_t duplicates = all.size() - 3000;
    INFO("records before the kill: " << before.size() << ", duplicates: " << duplicates);
    CHECK(duplicates <= 64 + 100);
}

TEST_CASE("a corrupt offset store stops the daemon with a clear error", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    write_file(dir / "state/offsets/itest.json", "{\"body\": {\"format\": 1, \"connector\": \"itest\", \"offsets\": []}, \"sha256\": \"00\"}");
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/x\"\ncount = 1", "",
                                                         "data_dir = \"" + (dir / "state").string() + "\"\n"));
    REQUIRE(daemon.wait_for_exit(20s) == 65);
    CHECK_THAT(daemon.log(), Catch::Contains("is corrupt (checksum mismatch)"));
    CHECK_THAT(daemon.log(), Catch::Contains((dir / "state/offsets/itest.json").string()));

    write_file(dir / "state/offsets/itest.json", "{\"body\": {\"format\": 1, \"conn");  // torn write
    ConnectorProcess again(dir, "again", datagen_config(broker, "topic = \"/default/x\"\ncount = 1", "",
                                                       "data_dir = \"" + (dir / "state").string() + "\"\n"));
    REQUIRE(again.wait_for_exit(20s) == 65);
    CHECK_THAT(again.log(), Catch::Contains("is corrupt (not a complete offsets file)"));
}

TEST_CASE("an offset store of another connector, format or shape stops the daemon with exit 65", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    const auto store = dir / "state/offsets/itest.json";
    auto start = [&](const std::string& name) {
        auto daemon = std::make_unique<ConnectorProcess>(
            dir, name, datagen_config(broker, "topic = \"/default/x\"\ncount = 1", "", "data_dir = \"" + (dir / "state").string() + "\"\n"));
        const auto code = daemon->wait_for_exit(20s);
        INFO(daemon->log());
        CHECK(code == 65);
        return daemon->log();
    };
    // Copied from another connector's data_dir.
    write_file(store, sealed_store({{"format", 1}, {"connector", "orders-source"}, {"offsets", nlohmann::json::array()}}));
    CHECK_THAT(start("other"), Catch::Contains("belongs to connector 'orders-source', not 'itest'"));
    // Written by a newer version.
    write_file(store, sealed_store({{"format", 2}, {"connector", "itest"}, {"offsets", nlohmann::json::array()}}));
    CHECK_THAT(start("format"), Catch::Contains("has an unknown format; refusing to start"));
    // Sealed, but an entry of the wrong shape: named, not a JSON library error.
    write_file(store, sealed_store({{"format", 1},
                                    {"connector", "itest"},
                                    {"offsets", {{{"partition", "datagen"}, {"value", 5}}, {{"partition", 7}, {"value", "x"}}}}}));
    const auto log = start("shape");
    CHECK_THAT(log, Catch::Contains("is corrupt (offsets[1] is not {\"partition\": text, \"value\": unsigned integer})"));
    CHECK_THAT(log, Catch::Contains("move it aside to start from the source's beginning"));
    CHECK_THAT(log, !Catch::Contains("json.exception"));
    CHECK(broker.stats().producers_created() == 0);  // refused before anything was published
}

TEST_CASE("a data_dir that is not a directory stops the daemon naming it", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    write_file(dir / "state", "a file, not a directory\n");
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/x\"\ncount = 1", "",
                                                         "data_dir = \"" + (dir / "state").string() + "\"\n"));
    REQUIRE(daemon.wait_for_exit(20s) == 1);
    CHECK_THAT(daemon.log(), Catch::Contains("data_dir: cannot create " + (dir / "state/offsets").string()));
}

TEST_CASE("consecutive plugin health check failures stop the daemon with a non-zero exit", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/sick\"\nrate = 50\nhealthy = false") +
                                "\n");
    // health_check_interval_ms = 1000 in the builder; the default threshold is 3.
    const auto code = daemon.wait_for_exit(30s);
    REQUIRE(code.has_value());
    CHECK(*code == 1);
    CHECK_THAT(daemon.log(), Catch::Contains("plugin health check failed 3 consecutive times"));
    CHECK_THAT(daemon.log(), Catch::Contains("datagen shut down"));  // shutdown() ran, unlike the reference runtime
}

TEST_CASE("the metrics endpoint parses as Prometheus text and its counts match the journal", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/metered\"\ncount = 250\npartitions = 2\ninvalid_every = 10",
                                           schema_block("/default/metered") + "\n[dead_letter]\ntopic = \"/default/metered-dlq\"\n"));
    const int port = http_port(daemon);
    REQUIRE(all_arrive(broker, "/default/metered", 225, 20s));
    REQUIRE(all_arrive(broker, "/default/metered-dlq", 25, 20s));
    // The broker journals a message before it answers; the daemon counts it when the answer
    // arrives. Wait (bounded) until the last answers are counted, then parse that exposition.
    const auto counted_all = [](const std::string& body) {
        return body.find("danube_connector_messages_processed_total{connector=\"itest\",topic=\"/default/metered\"} 225\n") !=
                   std::string::npos &&
               body.find("danube_connector_processing_duration_seconds_count{connector=\"itest\"} 225\n") != std::string::npos;
    };
    auto metrics = get(port, "/metrics");
    for (int i = 0; i < 100 && metrics.status == 200 && !counted_all(metrics.body); ++i) {
        std::this_thread::sleep_for(100ms);
        metrics = get(port, "/metrics");
    }
    REQUIRE(metrics.status == 200);
    write_file(dir / "metrics.txt", metrics.body);
    // An independent parser: prometheus_client's, from Debian's python3-prometheus-client.
    write_file(dir / "parse.py", R"(
import sys
from prometheus_client.parser import text_string_to_metric_families
values = {}
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        key = s.name + "|" + ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
        values[key] = s.value
for key in sys.argv[2:]:
    print(key, values.get(key, "MISSING"))
)");
    const std::string processed = "danube_connector_messages_processed_total|connector=itest,topic=/default/metered";
    const std::string failed = "danube_connector_messages_failed_total|connector=itest,error_type=validate,topic=/default/metered";
    const std::string dlq = "danube_connector_records_dead_lettered_total|connector=itest,topic=/default/metered";
    const std::string polled = "danube_connector_records_polled_total|connector=itest";
    const std::string latency = "danube_connector_processing_duration_seconds_count|connector=itest";
    ChildProcess py({"/usr/bin/python3", (dir / "parse.py").string(), (dir / "metrics.txt").string(), processed, failed, dlq,
                     polled, latency},
                    dir / "python");
    REQUIRE(py.wait_for_exit(30s) == 0);
    const std::string out = py.stdout_text();
    INFO(out << py.stderr_text());
    CHECK_THAT(out, Catch::Contains(processed + " 225.0"));
    CHECK_THAT(out, Catch::Contains(failed + " 25.0"));
    CHECK_THAT(out, Catch::Contains(dlq + " 25.0"));
    CHECK_THAT(out, Catch::Contains(polled + " 250.0"));
    CHECK_THAT(out, Catch::Contains(latency + " 225.0"));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
}

namespace {

// Polls per second over about two seconds of an idle source, read from danube_connector_polls_total.
double idle_polls_per_second(const std::string& datagen) {
    TestBroker broker;
    TempDir dir;
    std::string config = datagen_config(broker, datagen);
    const std::string section = "[processing]\n";
    config.replace(config.find(section), section.size(), section + "poll_interval_ms = 50\n");
    ConnectorProcess daemon(dir, "daemon", config);
    const int port = http_port(daemon);
    REQUIRE(all_arrive(broker, "/default/idle", 1, 20s));  // the one record due at once
    const auto polls = [&] {
        const auto m = get(port, "/metrics");
        REQUIRE(m.status == 200);
        const std::regex re("danube_connector_polls_total\\{[^}]*\\} ([0-9]+)");
        std::smatch match;
        REQUIRE(std::regex_search(m.body, match, re));
        return std::stod(match[1]);
    };
    const double before = polls();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(2s);
    const double after = polls();
    return (after - before) / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("with nothing to read, polls come one poll interval apart, counted from the start of the last", "[integration][operations]") {
    // poll_interval_ms = 50: 20 polls a second. Waiting another interval after a plugin that
    // waited one out would halve that (and hold back what arrives in between); not waiting after a
    // plugin that returns at once would spin.
    SECTION("a plugin that waits the whole timeout is polled again at once") {
        // The next record is 1000 s away: in_datagen waits the full poll timeout and returns none.
        const double rate = idle_polls_per_second("topic = \"/default/idle\"\nrate = 0.001");
        CHECK(rate > 15);
        CHECK(rate < 30);
    }
    SECTION("a plugin that returns at once is polled once per interval, not in a spin") {
        // count reached: in_datagen returns at once with nothing.
        const double rate = idle_polls_per_second("topic = \"/default/idle\"\ncount = 1");
        CHECK(rate > 10);
        CHECK(rate < 30);
    }
}

TEST_CASE("readyz turns 503 when the broker goes away and 200 when it is back", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/ready\"\nrate = 20"));
    const int port = http_port(daemon);
    REQUIRE(wait_until([&] { return get(port, "/readyz").status == 200; }, 20s));
    CHECK(get(port, "/healthz").status == 200);
    broker.kill();
    REQUIRE(wait_until([&] { return get(port, "/readyz").status == 503; }, 20s));
    const auto body = nlohmann::json::parse(get(port, "/readyz").body);
    CHECK_FALSE(body["ready"].get<bool>());
    CHECK_THAT(body["reasons"].dump(), Catch::Contains("is not reachable"));
    CHECK(get(port, "/healthz").status == 200);  // liveness does not depend on the broker
    broker.restart();
    REQUIRE(wait_until([&] { return get(port, "/readyz").status == 200; }, 30s));
    const auto status = nlohmann::json::parse(get(port, "/status").body);
    CHECK(status["connector"] == "itest");
    CHECK(status["phase"] == "running");
    CHECK(status["plugin"]["id"] == "in_datagen");
    CHECK(status["plugin"]["abi"] == "1.1");
    CHECK(status["broker"]["reachable"] == true);
    CHECK(status["topics"].contains("/default/ready"));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
}

TEST_CASE("the daemon's threads are named for their work, and the main thread keeps the process name", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/named\"\nrate = 20"));
    http_port(daemon);
    const auto task_dir = std::filesystem::path("/proc") / std::to_string(daemon.process().pid()) / "task";
    auto comm = [](const std::filesystem::path& task) {
        std::string name;
        std::getline(std::ifstream(task / "comm"), name);
        return name;
    };
    std::set<std::string> names;
    const bool all_named = wait_until([&] {
        names.clear();
        for (const auto& entry : std::filesystem::directory_iterator(task_dir)) names.insert(comm(entry.path()));
        return names.count("dcx-publisher") && names.count("dcx-http") && names.count("dcx-signals") &&
               names.count("dcx-probe");
    }, 20s);
    INFO("thread names: " << nlohmann::json(names).dump());
    CHECK(all_named);
    CHECK(comm(task_dir.parent_path()) == "danube-connectd");  // what pidof and pkill match
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
}

TEST_CASE("the daemon publishes over TLS with a JWT and mTLS, and a bad token stops it", "[integration][operations][tls]") {
    const auto& p = pki();
    TestBroker broker({"--tls-cert", p.path("server.crt"), "--tls-key", p.path("server.key"), "--tls-client-ca",
                       p.path("ca.crt"), "--jwt-secret-file", p.path("jwt.secret")});
    TempDir dir;
    const std::string token = make_jwt(kJwtSecret, now_seconds() + 3600);
    write_file(dir / "token", token + "\n");
    auto config = [&](const std::string& token_line) {
        std::string toml = datagen_config(broker, "topic = \"/default/secure\"\ncount = 40");
        toml.replace(toml.find("http://"), 7, "https://");
        return toml + "\n[broker]\ntls_ca_file = \"" + p.path("ca.crt") + "\"\ntls_cert_file = \"" + p.path("client.crt") +
               "\"\ntls_key_file = \"" + p.path("client.key") + "\"\n" + token_line + "\n";
    };
    {
        ConnectorProcess daemon(dir, "good", config("token = \"${env:DCX_TEST_TOKEN}\""), {{"DCX_TEST_TOKEN", token}});
        const bool arrived = all_arrive(broker, "/default/secure", 40, 30s);
        INFO("daemon log:\n" << daemon.log());
        REQUIRE(arrived);
        daemon.process().signal(SIGTERM);
        REQUIRE(daemon.wait_for_exit(20s) == 0);
        CHECK(daemon.log().find(token) == std::string::npos);  // never logged
    }
    {
        ConnectorProcess daemon(dir, "file", config("token_file = \"" + (dir / "token").string() + "\""));
        const bool created = wait_until([&] { return broker.journal("producer").size() >= 2; }, 30s);
        INFO("daemon log:\n" << daemon.log());
        REQUIRE(created);
        daemon.process().signal(SIGTERM);
        REQUIRE(daemon.wait_for_exit(20s) == 0);
    }
    {
        const std::string bad = make_jwt("wrong-secret", now_seconds() + 3600);
        ConnectorProcess daemon(dir, "bad", config("token = \"" + bad + "\""));
        const auto code = daemon.wait_for_exit(30s);
        INFO("daemon log:\n" << daemon.log());
        REQUIRE(code.has_value());
        CHECK(*code == 78);
        CHECK_THAT(daemon.log(), Catch::Contains("Invalid token"));
        CHECK(daemon.log().find(bad) == std::string::npos);
    }
}

TEST_CASE("log format json writes one JSON object per line", "[integration][operations]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/jsonlog\"\ncount = 5", "\n[log]\nformat = \"json\"\n"));
    REQUIRE(all_arrive(broker, "/default/jsonlog", 5, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    std::istringstream lines(daemon.log());
    std::string line;
    size_t n = 0;
    while (std::getline(lines, line)) {
        INFO(line);
        const auto j = nlohmann::json::parse(line, nullptr, false);
        REQUIRE_FALSE(j.is_discarded());
        CHECK(j["connector"] == "itest");
        CHECK(j.contains("level"));
        ++n;
    }
    CHECK(n >= 5);
}
