// SPDX-License-Identifier: Apache-2.0
// in_mqtt end to end: a real mosquitto broker on 127.0.0.1 (started here), danube-connectd with
// the plugin and the Danube test broker, all real processes. Records are counted in the test
// broker's journal; every wait is bounded.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <map>
#include <set>

#include "broker/key_router.hpp"
#include "common/base64.hpp"
#include "connector_process.hpp"
#include "mosquitto_server.hpp"
#include "mqtt_publisher.hpp"
#include "test_broker.hpp"
#include "test_pki.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Route {
    Route(std::string from_, std::string to_, std::string qos_ = "AtLeastOnce", std::string extra_ = {})
        : from(std::move(from_)), to(std::move(to_)), qos(std::move(qos_)), extra(std::move(extra_)) {}
    std::string from, to, qos;
    std::string extra;  // more keys of the route
};

MosquittoServer::Options without_persistence() {
    MosquittoServer::Options o;
    o.persistence = false;
    return o;
}

MosquittoServer::Options with_password(std::string user, std::string password) {
    MosquittoServer::Options o;
    o.username = std::move(user);
    o.password = std::move(password);
    return o;
}

MosquittoServer::Options with_tls() {
    MosquittoServer::Options o;
    o.tls = true;
    return o;
}

std::string routes_toml(const std::vector<Route>& routes) {
    std::string out;
    for (const auto& r : routes) {
        out += "\n[[mqtt.routes]]\nfrom = \"" + r.from + "\"\nto = \"" + r.to + "\"\nqos = \"" + r.qos + "\"\n" + r.extra;
    }
    return out;
}

// A daemon configuration for in_mqtt against `broker`; `mqtt` holds the [mqtt] keys beyond
// host, port and client id, `extra` more tables before [mqtt], `processing` more [processing] keys.
std::string mqtt_config(const TestBroker& broker, const std::string& name, int mqtt_port, const std::string& client_id,
                        const std::vector<Route>& routes, const std::string& mqtt = {}, const std::string& extra = {},
                        const std::string& processing = {}) {
    return "danube_service_url = \"" + broker.url() + "\"\nconnector_name = \"" + name + "\"\nplugin = \"in_mqtt\"\n" +
           "\n[http]\naddress = \"127.0.0.1\"\n"
           "\n[retry]\nretry_backoff_ms = 50\nmax_backoff_ms = 400\n" +
           extra + "\n[processing]\nhealth_check_interval_ms = 1000\nmetrics_port = 0\n" + processing +
           "\n[mqtt]\nbroker_host = \"127.0.0.1\"\nbroker_port = " + std::to_string(mqtt_port) +
           "\nclient_id = \"" + client_id + "\"\n" + mqtt + routes_toml(routes);
}

bool log_has(ConnectorProcess& daemon, const std::string& text) { return daemon.log().find(text) != std::string::npos; }

// Waits until the connector logged its initial subscriptions (it is then safe to publish).
void require_subscribed(ConnectorProcess& daemon) {
    const bool ok = wait_until([&] { return log_has(daemon, "subscribed to ") || !daemon.process().running(); }, 20s);
    INFO(daemon.log());
    REQUIRE(ok);
    REQUIRE(daemon.process().running());
}

void stop_daemon(ConnectorProcess& daemon) {
    daemon.process().signal(SIGTERM);
    const auto code = daemon.wait_for_exit(20s);
    INFO(daemon.log());
    REQUIRE(code == 0);
}

std::string payload_bytes(const json& m) { return *dcx::base64_decode(m.at("payload_b64").get<std::string>()); }

// The journal's message lines. Unlike TestBroker::journal(), a last line the broker is still
// writing (no newline yet) is skipped instead of failing to parse: tests read while it writes.
std::vector<json> journal_messages(const TestBroker& broker) {
    const std::string text = read_file(broker.journal_path());
    std::vector<json> out;
    size_t start = 0;
    for (size_t end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start)) {
        auto line = json::parse(text.substr(start, end - start), nullptr, false);
        if (line.is_object() && line.value("kind", "") == "message") out.push_back(std::move(line));
    }
    return out;
}

std::vector<json> on_topic(const TestBroker& broker, const std::string& prefix) {
    std::vector<json> out;
    for (auto& m : journal_messages(broker)) {
        if (m.at("topic").get<std::string>().rfind(prefix, 0) == 0) out.push_back(std::move(m));
    }
    return out;
}

// Payload "seq" values of the records on topics starting with `prefix` (JSON payloads only).
std::multiset<int> seqs(const TestBroker& broker, const std::string& prefix) {
    std::multiset<int> out;
    for (const auto& m : on_topic(broker, prefix)) {
        const auto v = json::parse(payload_bytes(m), nullptr, false);
        if (v.is_object() && v.contains("seq")) out.insert(v["seq"].get<int>());
    }
    return out;
}

std::set<int> distinct(const std::multiset<int>& s) { return {s.begin(), s.end()}; }

std::set<int> range(int from, int to) {
    std::set<int> out;
    for (int i = from; i < to; ++i) out.insert(i);
    return out;
}

bool all_arrive(const TestBroker& broker, const std::string& prefix, const std::set<int>& expected,
                std::chrono::milliseconds timeout = 20s) {
    return wait_until(
        [&] {
            const auto got = distinct(seqs(broker, prefix));
            return std::includes(got.begin(), got.end(), expected.begin(), expected.end());
        },
        timeout);
}

// REQUIRE(all_arrive(...)) that shows what did arrive and the daemon's log when it fails.
void require_arrival(const TestBroker& broker, ConnectorProcess& daemon, const std::string& prefix,
                     const std::set<int>& expected, std::chrono::milliseconds timeout = 20s) {
    const bool ok = all_arrive(broker, prefix, expected, timeout);
    if (ok) return;
    std::string got;
    for (const int s : seqs(broker, prefix)) got += std::to_string(s) + " ";
    INFO("arrived on " + prefix + ": " + got);
    INFO("daemon log:\n" + daemon.log());
    FAIL("not every expected record arrived");
}

std::vector<std::pair<std::string, std::string>> numbered(const std::string& topic, int from, int to) {
    std::vector<std::pair<std::string, std::string>> out;
    for (int i = from; i < to; ++i) out.emplace_back(topic, "{\"seq\":" + std::to_string(i) + ",\"v\":1.50}");
    return out;
}

void inject(TestBroker& broker, const danube_test::FaultRequest& fault) {
    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::InjectFault, broker.control(), fault, &reply).ok());
}

void stall_sends(TestBroker& broker, bool enabled) {
    danube_test::FaultRequest stall;
    stall.mutable_stall()->set_enabled(enabled);
    stall.mutable_stall()->set_method("SendMessage");
    inject(broker, stall);
}

}  // namespace

TEST_CASE("QoS 0 1 and 2 messages arrive with the mqtt attributes and the topic as key",
          "[integration][mqtt]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            mqtt_config(broker, "qos", mosq.port(), "itest-qos",
                                        {{"q0/#", "/default/q0", "AtMostOnce"},
                                         {"q1/#", "/default/q1", "AtLeastOnce", "partitions = 3\n"},
                                         {"q2/#", "/default/q2", "ExactlyOnce"}}));
    require_subscribed(daemon);
    MqttPublisher pub(mosq.port());
    pub.publish_all(numbered("q0/dev", 0, 20), 0);
    std::vector<std::pair<std::string, std::string>> q1;
    for (int i = 0; i < 20; ++i) q1.emplace_back("q1/dev" + std::to_string(i % 4), "{\"seq\":" + std::to_string(i) + "}");
    pub.publish_all(q1, 1);
    pub.publish_all(numbered("q2/dev", 0, 20), 2);
    require_arrival(broker, daemon, "/default/q0", range(0, 20));
    require_arrival(broker, daemon, "/default/q1", range(0, 20));
    require_arrival(broker, daemon, "/default/q2", range(0, 20));
    stop_daemon(daemon);

    CHECK(journal_messages(broker).size() == 60);  // nothing twice
    for (const auto& m : journal_messages(broker)) {
        INFO(m.dump());
        const std::string topic = m["topic"];
        const auto& a = m["attributes"];
        const std::string qos = topic.substr(std::string("/default/q").size(), 1);
        CHECK(a["mqtt.qos"] == qos);
        CHECK(a["mqtt.retain"] == "false");
        CHECK(a["mqtt.dup"] == "false");
        CHECK(a["source"] == "mqtt");
        CHECK(m["routing_key"] == a["mqtt.topic"]);
        if (qos == "1") {
            // Keyed: one MQTT topic always lands on the same partition (FNV-1a, as send_with_key).
            const std::string key = a["mqtt.topic"];
            CHECK(topic == "/default/q1-part-" + std::to_string(dcx::broker::partition_for_key(key, 3)));
        } else {
            CHECK(a["mqtt.topic"] == "q" + qos + "/dev");
            // Payload: the JSON value re-serialized compactly with sorted keys (1.50 -> 1.5).
            const int seq = json::parse(payload_bytes(m))["seq"];
            CHECK(payload_bytes(m) == "{\"seq\":" + std::to_string(seq) + ",\"v\":1.5}");
        }
    }
    std::map<std::string, std::string> dispatch;
    for (const auto& p : broker.journal("producer")) dispatch[p["topic"]] = p["dispatch_strategy"];
    CHECK(dispatch["/default/q0"] == "non_reliable");  // derived from AtMostOnce
    CHECK(dispatch["/default/q1-part-0"] == "reliable");
    CHECK(dispatch["/default/q2"] == "reliable");
}

TEST_CASE("wildcards route to the first matching route and hash matches the parent level",
          "[integration][mqtt]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            mqtt_config(broker, "wild", mosq.port(), "itest-wild",
                                        {{"sensors/+/zone1", "/default/zone1"}, {"sensors/#", "/default/sensors"}}));
    require_subscribed(daemon);
    MqttPublisher pub(mosq.port());
    pub.publish("sensors/t1/zone1", R"({"seq":1})", 1);      // both match: the first route wins
    pub.publish("sensors/t2/zone2", R"({"seq":2})", 1);      // '#' below
    pub.publish("sensors", R"({"seq":3})", 1);               // '#' matches the parent level
    pub.publish("sensors/a/b/c/zone1", R"({"seq":4})", 1);   // '+' is one level only
    pub.publish("other/zone1", R"({"seq":5})", 1);           // no subscription at all
    require_arrival(broker, daemon, "/default/", {1, 2, 3, 4});
    stop_daemon(daemon);
    CHECK(seqs(broker, "/default/zone1") == std::multiset<int>{1});
    CHECK(seqs(broker, "/default/sensors") == std::multiset<int>{2, 3, 4});
    for (const auto& m : on_topic(broker, "/default/sensors")) {
        if (json::parse(payload_bytes(m))["seq"] == 3) CHECK(m["attributes"]["mqtt.topic"] == "sensors");
    }
}

TEST_CASE("non-JSON payloads arrive as the base64 wrapper object", "[integration][mqtt]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", mqtt_config(broker, "raw", mosq.port(), "itest-raw", {{"raw/#", "/default/raw"}}));
    require_subscribed(daemon);
    const std::string binary("\x00\x01\xfe\xff", 4);
    write_file(dir / "binary.bin", binary);
    mosquitto_pub(mosq.port(), {"-t", "raw/text", "-q", "1", "-m", "hello"});
    mosquitto_pub(mosq.port(), {"-t", "raw/bin", "-q", "1", "-f", (dir / "binary.bin").string()});
    REQUIRE(wait_until([&] { return on_topic(broker, "/default/raw").size() >= 2; }, 20s));
    stop_daemon(daemon);
    std::map<std::string, std::string> by_topic;
    for (const auto& m : on_topic(broker, "/default/raw")) by_topic[m["attributes"]["mqtt.topic"]] = payload_bytes(m);
    CHECK(by_topic["raw/text"] == R"({"data":"aGVsbG8=","encoding":"base64","size":5})");
    CHECK(by_topic["raw/bin"] == R"({"data":"AAH+/w==","encoding":"base64","size":4})");
}

TEST_CASE("include_metadata false sends no attributes and no key", "[integration][mqtt]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            mqtt_config(broker, "bare", mosq.port(), "itest-bare", {{"bare/#", "/default/bare"}},
                                        "include_metadata = false\n"));
    require_subscribed(daemon);
    MqttPublisher(mosq.port()).publish("bare/x", R"({"seq":1})", 1);
    require_arrival(broker, daemon, "/default/bare", {1});
    stop_daemon(daemon);
    const auto m = on_topic(broker, "/default/bare").at(0);
    INFO(m.dump());
    CHECK(m["attributes"].empty());
    CHECK((!m.contains("routing_key") || m["routing_key"] == ""));
}

TEST_CASE("retained messages arrive on subscribe with mqtt.retain true", "[integration][mqtt]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    mosquitto_pub(mosq.port(), {"-t", "state/door", "-q", "1", "-r", "-m", R"({"seq":1,"open":true})"});
    ConnectorProcess daemon(dir, "daemon", mqtt_config(broker, "retained", mosq.port(), "itest-retained", {{"state/#", "/default/state"}}));
    require_subscribed(daemon);
    require_arrival(broker, daemon, "/default/state", {1});
    MqttPublisher(mosq.port()).publish("state/door", R"({"seq":2,"open":false})", 1);
    require_arrival(broker, daemon, "/default/state", {1, 2});
    stop_daemon(daemon);
    for (const auto& m : on_topic(broker, "/default/state")) {
        const int seq = json::parse(payload_bytes(m))["seq"];
        CHECK(m["attributes"]["mqtt.retain"] == (seq == 1 ? "true" : "false"));
    }
}

TEST_CASE("a shared subscription splits the messages between two connectors", "[integration][mqtt]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    const std::vector<Route> routes{{"$share/workers/jobs/#", "/default/jobs"}};
    ConnectorProcess a(dir, "a", mqtt_config(broker, "share-a", mosq.port(), "itest-share-a", routes));
    ConnectorProcess b(dir, "b", mqtt_config(broker, "share-b", mosq.port(), "itest-share-b", routes));
    require_subscribed(a);
    require_subscribed(b);
    std::vector<std::pair<std::string, std::string>> jobs;
    for (int i = 0; i < 40; ++i) jobs.emplace_back("jobs/" + std::to_string(i % 5), "{\"seq\":" + std::to_string(i) + "}");
    MqttPublisher(mosq.port()).publish_all(jobs, 1);
    require_arrival(broker, a, "/default/jobs", range(0, 40));
    stop_daemon(a);
    stop_daemon(b);
    CHECK(seqs(broker, "/default/jobs").size() == 40);  // each message once: the group shares them
    std::map<std::string, int> per_connector;
    for (const auto& m : on_topic(broker, "/default/jobs")) {
        ++per_connector[m["producer_name"]];
        CHECK(m["attributes"]["mqtt.topic"].get<std::string>().rfind("jobs/", 0) == 0);  // the real topic
    }
    CHECK(per_connector["share-a--default-jobs"] > 0);
    CHECK(per_connector["share-b--default-jobs"] > 0);
}

TEST_CASE("a mosquitto restart mid-stream loses no QoS 1 message with a persistent session",
          "[integration][mqtt][faults]") {
    const std::string protocol = GENERATE(as<std::string>{}, "3.1.1", "5");  // MQTT 5 needs a session expiry
    INFO("MQTT " + protocol);
    MosquittoServer mosq;  // persistence on: the session survives the restart
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            mqtt_config(broker, "restart", mosq.port(), "itest-restart", {{"plant/#", "/default/plant"}},
                                        "clean_session = false\nprotocol_version = \"" + protocol + "\"\n"));
    require_subscribed(daemon);
    {
        MqttPublisher pub(mosq.port());
        pub.publish_all(numbered("plant/line1", 0, 50), 1);
    }
    require_arrival(broker, daemon, "/default/plant", range(0, 50));
    mosq.stop();
    REQUIRE(wait_until([&] { return log_has(daemon, "lost the connection to MQTT broker"); }, 20s));
    mosq.start();
    {
        // Published while the connector may still be reconnecting: the broker queues them for
        // the session and sends them once it is back.
        MqttPublisher pub(mosq.port());
        pub.publish_all(numbered("plant/line1", 50, 100), 1);
    }
    require_arrival(broker, daemon, "/default/plant", range(0, 100), 30s);
    stop_daemon(daemon);
    CHECK(distinct(seqs(broker, "/default/plant")) == range(0, 100));
    CHECK_THAT(daemon.log(), Catch::Contains("the broker kept the session and its subscriptions"));
}

TEST_CASE("after a restart that lost the session the connector subscribes again", "[integration][mqtt][faults]") {
    MosquittoServer mosq(without_persistence());  // no persistence: every session is lost
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", mqtt_config(broker, "resub", mosq.port(), "itest-resub", {{"live/#", "/default/live"}}));
    require_subscribed(daemon);
    MqttPublisher(mosq.port()).publish("live/a", R"({"seq":1})", 1);
    require_arrival(broker, daemon, "/default/live", {1});
    mosq.stop();
    mosq.start();
    // The Rust connector never subscribes again here and silently receives nothing (rumqtt#250).
    REQUIRE(wait_until([&] { return log_has(daemon, "re-subscribed after reconnect"); }, 30s));
    MqttPublisher(mosq.port()).publish("live/a", R"({"seq":2})", 1);
    require_arrival(broker, daemon, "/default/live", {1, 2});
    stop_daemon(daemon);
}

TEST_CASE("username and password from the environment authenticate and are never logged", "[integration][mqtt]") {
    const std::string secret = "pw-Very-Secret-4711";
    MosquittoServer mosq(with_password("connector", secret));
    TestBroker broker;
    TempDir dir;
    const std::string toml = mqtt_config(broker, "auth", mosq.port(), "itest-auth", {{"auth/#", "/default/auth"}});
    ConnectorProcess daemon(dir, "daemon", toml, {{"MQTT_USERNAME", "connector"}, {"MQTT_PASSWORD", secret}});
    require_subscribed(daemon);
    mosquitto_pub(mosq.port(), {"-u", "connector", "-P", secret, "-t", "auth/x", "-q", "1", "-m", R"({"seq":1})"});
    require_arrival(broker, daemon, "/default/auth", {1});
    stop_daemon(daemon);
    CHECK_THAT(daemon.log() + daemon.output(), !Catch::Contains(secret));
    CHECK_THAT(daemon.log(), Catch::Contains("password set"));

    // A wrong password is a configuration error: exit 78, with the broker's reason.
    ConnectorProcess wrong(dir, "wrong", toml, {{"MQTT_USERNAME", "connector"}, {"MQTT_PASSWORD", "not-" + secret}});
    const auto code = wrong.wait_for_exit(30s);
    INFO(wrong.log());
    CHECK(code == 78);
    CHECK_THAT(wrong.log(), Catch::Contains("refused the connection"));
    CHECK_THAT(wrong.log(), !Catch::Contains(secret));
}

TEST_CASE("TLS with a CA and a client certificate made by the test", "[integration][mqtt][tls]") {
    MosquittoServer mosq(with_tls());
    TestBroker broker;
    TempDir dir;
    const auto& p = pki();
    const std::string tls = "use_tls = true\nca_cert_path = \"" + p.path("ca.crt") + "\"\nclient_cert_path = \"" +
                            p.path("client.crt") + "\"\nclient_key_path = \"" + p.path("client.key") + "\"\n";
    ConnectorProcess daemon(dir, "daemon", mqtt_config(broker, "tls", mosq.tls_port(), "itest-tls", {{"secure/#", "/default/secure"}}, tls));
    require_subscribed(daemon);
    MqttPublisher(mosq.port()).publish("secure/x", R"({"seq":1})", 1);  // the publisher uses the plain listener
    require_arrival(broker, daemon, "/default/secure", {1});
    stop_daemon(daemon);
    CHECK_THAT(daemon.log(), Catch::Contains("over TLS"));

    // A CA that did not sign the server certificate: no connection, the reason in the log.
    const std::string wrong_ca = "use_tls = true\nca_cert_path = \"" + p.path("server.crt") + "\"\nclient_cert_path = \"" +
                                 p.path("client.crt") + "\"\nclient_key_path = \"" + p.path("client.key") + "\"\n";
    ConnectorProcess refused(dir, "refused",
                             mqtt_config(broker, "tls-bad", mosq.tls_port(), "itest-tls-bad", {{"secure/#", "/default/secure"}},
                                         wrong_ca + "connection_timeout_secs = 2\n"));
    const bool reported = wait_until([&] { return log_has(refused, "certificate verify failed"); }, 20s);
    INFO(refused.log());
    CHECK(reported);
    CHECK_FALSE(log_has(refused, "subscribed to "));
    stop_daemon(refused);
}

TEST_CASE("MQTT 5 user properties become mqtt.user attributes", "[integration][mqtt]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            mqtt_config(broker, "v5", mosq.port(), "itest-v5", {{"v5/#", "/default/v5"}},
                                        "protocol_version = \"5\"\nclean_session = false\n"));
    require_subscribed(daemon);
    mosquitto_pub(mosq.port(), {"-V", "mqttv5", "-t", "v5/dev", "-q", "1", "-m", R"({"seq":1})", "-D", "publish",
                                "user-property", "device", "d1", "-D", "publish", "user-property", "site", "north"});
    require_arrival(broker, daemon, "/default/v5", {1});
    stop_daemon(daemon);
    const auto a = on_topic(broker, "/default/v5").at(0)["attributes"];
    INFO(a.dump());
    CHECK(a["mqtt.user.device"] == "d1");
    CHECK(a["mqtt.user.site"] == "north");
    CHECK(a["mqtt.topic"] == "v5/dev");
    CHECK(a["source"] == "mqtt");
}

TEST_CASE("malformed configuration keys exit 78 naming the key", "[integration][mqtt][config]") {
    TempDir dir;
    auto run = [&](const std::string& mqtt_section) {
        write_file(dir / "bad.toml", "danube_service_url = \"http://127.0.0.1:1\"\nconnector_name = \"bad\"\n"
                                     "plugin = \"in_mqtt\"\n\n[http]\naddress = \"127.0.0.1\"\nport = 0\n\n[mqtt]\n" + mqtt_section);
        return run_connectd(dir, {"--config", (dir / "bad.toml").string()});
    };
    const std::string base = "broker_host = \"127.0.0.1\"\nclient_id = \"c\"\n";
    const std::string route = "[[mqtt.routes]]\nfrom = \"a/#\"\nto = \"/default/a\"\n";
    {
        const auto [code, out] = run("brokr_host = \"x\"\n" + base + route);
        INFO(out);
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("plugin in_mqtt configuration: mqtt.brokr_host: unknown key (did you mean \"broker_host\"?)"));
    }
    {
        const auto [code, out] = run(base + route + "partition = 4\n");
        INFO(out);
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("mqtt.routes[0].partition: unknown key (did you mean \"partitions\"?)"));
    }
    {
        const auto [code, out] = run(base + route + "qos = \"Once\"\n");
        INFO(out);
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("qos"));
    }
    {
        const auto [code, out] = run(base + "[[mqtt.routes]]\nfrom = \"a/#/b\"\nto = \"/default/a\"\n");
        INFO(out);
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("mqtt.routes[0].from: '#' must be a whole level and the last one (MQTT 3.1.1 §4.7.1.2), "
                                        "in 'a/#/b'"));
    }
    {
        const auto [code, out] = run(base);
        INFO(out);
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("At least one route is required"));
    }
}

TEST_CASE("password mistakes exit 78 naming mqtt.password and never the value", "[integration][mqtt][config]") {
    TempDir dir;
    auto run = [&](const std::string& credentials, std::vector<std::string> args) {
        write_file(dir / "bad.toml", "danube_service_url = \"http://127.0.0.1:1\"\nconnector_name = \"bad\"\nplugin = \"in_mqtt\"\n"
                                     "\n[processing]\nmetrics_port = 0\n\n[http]\naddress = \"127.0.0.1\"\n"
                                     "\n[mqtt]\nbroker_host = \"127.0.0.1\"\nclient_id = \"c\"\n" + credentials +
                                     "[[mqtt.routes]]\nfrom = \"a/#\"\nto = \"/default/a\"\n");
        args.push_back("--config");
        args.push_back((dir / "bad.toml").string());
        return run_connectd(dir, args);
    };
    // Typed as a number: the section's JSON Schema refuses it, in --check and at startup alike.
    for (const auto& args : {std::vector<std::string>{"--check"}, std::vector<std::string>{}}) {
        const auto [code, out] = run("username = \"connector\"\npassword = 12345\n", args);
        INFO(out);
        CHECK(code == 78);
        CHECK_THAT(out, Catch::Contains("plugin in_mqtt configuration: mqtt.password"));
        CHECK_THAT(out, !Catch::Contains("12345"));
    }
    // A password without a user name (MQTT 3.1.1 has no place for it).
    const auto [code, out] = run("password = \"hunter2\"\n", {});
    INFO(out);
    CHECK(code == 78);
    CHECK_THAT(out, Catch::Contains("mqtt.password: a password needs a username with MQTT 3.1.1 (set username or MQTT_USERNAME)"));
    CHECK_THAT(out, !Catch::Contains("hunter2"));
}

TEST_CASE("an MQTT message larger than max_packet_size is dropped with a warning and the rest flows",
          "[integration][mqtt]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", mqtt_config(broker, "big", mosq.port(), "itest-big", {{"big/#", "/default/big"}},
                                                       "max_packet_size = 100\n"));
    require_subscribed(daemon);
    MqttPublisher pub(mosq.port());
    pub.publish("big/x", "{\"seq\":1,\"pad\":\"" + std::string(200, 'x') + "\"}", 1);
    pub.publish("big/x", R"({"seq":2})", 1);
    require_arrival(broker, daemon, "/default/big", {2});
    REQUIRE(wait_until([&] { return log_has(daemon, "exceeds max_packet_size 100; dropped (1 so far)"); }, 10s));
    stop_daemon(daemon);
    CHECK_THAT(daemon.log(), Catch::Contains("message on big/x (218 bytes) exceeds max_packet_size 100; dropped (1 so far)"));
    CHECK(seqs(broker, "/default/big") == std::multiset<int>{2});
}

TEST_CASE("config.example.toml passes --check and runs against mosquitto", "[integration][mqtt][config]") {
    TempDir dir;
    const std::string example = DCX_IN_MQTT_DIR "/config.example.toml";
    const auto [code, out] = run_connectd(dir, {"--check", "--config", example});
    INFO(out);
    CHECK(code == 0);

    MosquittoServer mosq;
    TestBroker broker;
    // The example unchanged, except that the metrics endpoint takes a free port on a shared machine.
    ConnectorProcess daemon(dir, "example", read_file(example) + "\n[http]\naddress = \"127.0.0.1\"\nport = 0\n",
                            {{"DANUBE_SERVICE_URL", broker.url()},
                             {"MQTT_BROKER_PORT", std::to_string(mosq.port())},
                             {"MQTT_CLIENT_ID", "itest-example"}});
    require_subscribed(daemon);
    MqttPublisher pub(mosq.port());
    pub.publish("sensors/t1/zone1", R"({"seq":1,"celsius":21.5})", 1);
    pub.publish("devices/d1/status", R"({"seq":2})", 0);
    require_arrival(broker, daemon, "/default/sensors_zone1-part-", {1});
    require_arrival(broker, daemon, "/default/devices", {2});
    stop_daemon(daemon);
}

TEST_CASE("connection_timeout_secs bounds a connection the broker never answers", "[integration][mqtt]") {
    // A listener that never accepts: TCP connects (the kernel's backlog), no CONNACK ever comes.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    const int port = ntohs(a.sin_port);

    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", mqtt_config(broker, "timeout", port, "itest-timeout", {{"t/#", "/default/t"}},
                                                       "connection_timeout_secs = 1\n"));
    const bool reported = wait_until([&] { return log_has(daemon, "no CONNACK within connection_timeout_secs (1 s)"); }, 15s);
    INFO(daemon.log());
    CHECK(reported);
    stop_daemon(daemon);
    ::close(fd);
}

TEST_CASE("a stalled Danube broker holds MQTT messages back without losing any", "[integration][mqtt][faults]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            mqtt_config(broker, "pressure", mosq.port(), "itest-pressure", {{"flow/#", "/default/flow"}},
                                        "clean_session = false\n",
                                        "\n[delivery]\nmax_inflight_records = 4\nsend_timeout_ms = 300\n",
                                        "batch_size = 10\n"));  // the plugin's queue holds 10 messages
    require_subscribed(daemon);
    MqttPublisher pub(mosq.port());
    pub.publish_all(numbered("flow/a", 0, 5), 1);
    require_arrival(broker, daemon, "/default/flow", range(0, 5));
    stall_sends(broker, true);
    // Far more than the host (4 in flight) and the plugin's queue (10) take while stalled: the
    // rest waits in mosquitto, because the plugin's callback blocks on the full queue.
    pub.publish_all(numbered("flow/a", 5, 300), 1);
    REQUIRE(wait_until([&] { return broker.stats().calls_stalled() >= 2; }, 20s));
    stall_sends(broker, false);
    require_arrival(broker, daemon, "/default/flow", range(0, 300), 60s);
    stop_daemon(daemon);
    // One MQTT topic, one publisher, strict ordering: the order is kept.
    std::vector<int> order;
    std::set<int> seen;
    for (const auto& m : on_topic(broker, "/default/flow")) {
        const int seq = json::parse(payload_bytes(m))["seq"];
        if (seen.insert(seq).second) order.push_back(seq);
    }
    CHECK(std::is_sorted(order.begin(), order.end()));
}

TEST_CASE("ack_after_publish holds the PUBACK until Danube has the record so a crash loses nothing",
          "[integration][mqtt][faults]") {
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    const std::vector<Route> routes{{"orders/#", "/default/orders"}, {"ledger/#", "/default/ledger", "ExactlyOnce"}};
    const std::string mqtt = "clean_session = false\nack_after_publish = true\n";
    const std::string fast_commits = "\n[delivery]\ncommit_interval_ms = 20\nsend_timeout_ms = 300\n";
    auto first = std::make_unique<ConnectorProcess>(
        dir, "first", mqtt_config(broker, "acks", mosq.port(), "itest-acks", routes, mqtt, fast_commits));
    require_subscribed(*first);
    // libmosquitto answers QoS 2 with PUBREC before the application sees the message.
    CHECK_THAT(first->log(), Catch::Contains("subscribes to 'ledger/#' with QoS 1 (AtLeastOnce) instead of 2"));
    MqttPublisher pub(mosq.port());
    pub.publish("orders/1", R"({"seq":0})", 1);
    require_arrival(broker, *first, "/default/orders", {0});
    stall_sends(broker, true);
    pub.publish_all(numbered("orders/1", 1, 6), 1);
    REQUIRE(wait_until([&] { return broker.stats().calls_stalled() >= 1; }, 20s));
    first->process().kill_now();  // a crash: nothing is drained
    stall_sends(broker, false);
    ConnectorProcess second(dir, "second", mqtt_config(broker, "acks", mosq.port(), "itest-acks", routes, mqtt, fast_commits));
    require_arrival(broker, second, "/default/orders", range(0, 6), 30s);
    stop_daemon(second);
    bool redelivered = false;
    for (const auto& m : on_topic(broker, "/default/orders")) redelivered |= m["attributes"]["mqtt.dup"] == "true";
    CHECK(redelivered);  // the broker sent the unacknowledged messages again, flagged DUP
}

TEST_CASE("without ack_after_publish a crash loses what the host had not published", "[integration][mqtt][faults]") {
    // The documented limit of acknowledging on receipt (README, "Delivery guarantees").
    MosquittoServer mosq;
    TestBroker broker;
    TempDir dir;
    const std::vector<Route> routes{{"orders/#", "/default/orders"}};
    auto first = std::make_unique<ConnectorProcess>(
        dir, "first", mqtt_config(broker, "noacks", mosq.port(), "itest-noacks", routes, "clean_session = false\n"));
    require_subscribed(*first);
    MqttPublisher pub(mosq.port());
    stall_sends(broker, true);
    pub.publish_all(numbered("orders/1", 1, 6), 1);
    REQUIRE(wait_until([&] { return broker.stats().calls_stalled() >= 1; }, 20s));
    first->process().kill_now();
    stall_sends(broker, false);
    ConnectorProcess second(dir, "second", mqtt_config(broker, "noacks", mosq.port(), "itest-noacks", routes, "clean_session = false\n"));
    require_subscribed(second);
    pub.publish("orders/1", R"({"seq":100})", 1);
    require_arrival(broker, second, "/default/orders", {100});
    stop_daemon(second);
    CHECK(seqs(broker, "/default/orders") == std::multiset<int>{100});
}
