// SPDX-License-Identifier: Apache-2.0
// Extension dcx.record-outcome/1 end to end: a plugin that tags records with tokens hears, once
// per record, whether Danube took it, it was dead-lettered, or it was not delivered.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <map>

#include "connector_process.hpp"
#include "dcx/plugin_api.h"
#include "pipeline_test_support.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;

namespace {

// token -> (status, reason) from the plugin's outcome log; fails on a token reported twice.
std::map<uint64_t, std::pair<int, std::string>> outcomes(const std::filesystem::path& log) {
    std::map<uint64_t, std::pair<int, std::string>> out;
    std::ifstream in(log);
    uint64_t token = 0;
    int status = 0;
    std::string reason;
    while (in >> token >> status) {
        std::getline(in, reason);
        INFO("token " << token);
        CHECK(out.count(token) == 0);
        out[token] = {status, reason};
    }
    return out;
}

std::string sdk_config(const TestBroker& broker, const TempDir& dir, int count, const std::string& extra = {}) {
    return "danube_service_url = \"" + broker.url() + "\"\nconnector_name = \"outcomes\"\nplugin = \"" DCX_TEST_PLUGIN_DIR
           "/sdk_test.so\"\ntopic = \"/default/outcomes\"\nmode = \"tokens\"\ncount = " + std::to_string(count) +
           "\noutcome_log = \"" + (dir / "outcomes.log").string() + "\"\n\n[processing]\nmetrics_port = 0\n"
           "\n[http]\naddress = \"127.0.0.1\"\n\n[dead_letter]\ntopic = \"/default/outcome-dlq\"\n" + extra;
}

// The sdk_test plugin in `mode` (poll emits its bad records once) on /default/sdk-bad, with `extra`.
std::string sdk_mode_config(const TestBroker& broker, const std::string& mode, const std::string& extra) {
    return "danube_service_url = \"" + broker.url() + "\"\nconnector_name = \"itest\"\nplugin = \"" DCX_TEST_PLUGIN_DIR
           "/sdk_test.so\"\ntopic = \"/default/sdk-bad\"\nmode = \"" + mode + "\"\n\n[processing]\nmetrics_port = 0\n"
           "\n[http]\naddress = \"127.0.0.1\"\n\n[retry]\nretry_backoff_ms = 50\nmax_backoff_ms = 400\n" + extra;
}

std::vector<nlohmann::json> on_topic(const TestBroker& broker, const std::string& prefix) {
    std::vector<nlohmann::json> out;
    for (auto& m : broker.journal()) {
        if (m["topic"].get<std::string>().rfind(prefix, 0) == 0) out.push_back(std::move(m));
    }
    return out;
}

}  // namespace

TEST_CASE("records with text that is not UTF-8 are dead-lettered naming the part, and the rest flows",
          "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", sdk_mode_config(broker, "invalid_utf8", "\n[dead_letter]\ntopic = \"/default/utf8-dlq\"\n"));
    REQUIRE(wait_until([&] { return on_topic(broker, "/default/utf8-dlq").size() >= 3 && !on_topic(broker, "/default/sdk-bad").empty(); },
                       20s));
    daemon.process().signal(SIGTERM);
    const auto code = daemon.wait_for_exit(20s);
    INFO(daemon.log());
    REQUIRE(code == 0);
    const auto dlq = on_topic(broker, "/default/utf8-dlq");
    REQUIRE(dlq.size() == 3);
    std::vector<std::string> reasons;
    for (const auto& m : dlq) {
        INFO(m.dump());
        CHECK(m["attributes"]["dlq.stage"] == "validate");
        CHECK(m["attributes"]["dlq.error_code"] == "INVALID_RECORD");
        CHECK(m["attributes"]["dlq.target_topic"] == "/default/sdk-bad");
        reasons.push_back(m["attributes"]["dlq.error_message"]);
    }
    CHECK(reasons == std::vector<std::string>{"attribute 'bad' has a value that is not valid UTF-8",
                                              "payload of kind string is not valid UTF-8", "record key is not valid UTF-8"});
    // The dead-letter copy keeps what can be kept: bytes that are not UTF-8 become U+FFFD.
    CHECK(dlq[0]["attributes"]["bad"] == "\xEF\xBF\xBD(");
    CHECK(dlq[2]["routing_key"] == "key-\xEF\xBF\xBD");
    const auto published = on_topic(broker, "/default/sdk-bad");
    REQUIRE(published.size() == 1);
    CHECK(published[0]["payload_b64"] == "ImFsbCBmaW5lIg==");  // the JSON string "all fine" (no schema: JSON text)
    CHECK_THAT(daemon.log(), Catch::Contains("record for /default/sdk-bad is invalid at validate (record key is not valid UTF-8); "
                                             "writing it to /default/utf8-dlq"));
}

TEST_CASE("an oversized record is dead-lettered cut to size with its original size, and the rest flows",
          "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", sdk_mode_config(broker, "oversize", "\n[dead_letter]\ntopic = \"/default/big-dlq\"\n"));
    REQUIRE(wait_until([&] { return !on_topic(broker, "/default/big-dlq").empty() && !on_topic(broker, "/default/sdk-bad").empty(); },
                       20s));
    daemon.process().signal(SIGTERM);
    const auto code = daemon.wait_for_exit(20s);
    INFO(daemon.log());
    REQUIRE(code == 0);
    const auto dlq = on_topic(broker, "/default/big-dlq");
    REQUIRE(dlq.size() == 1);
    const auto& a = dlq[0]["attributes"];
    CHECK(a["dlq.error_message"] == "record is 5242896 bytes, over the limit of 4128768 bytes (max_record_bytes)");
    CHECK(a["dlq.error_code"] == "INVALID_RECORD");
    CHECK(a["dlq.payload_truncated_from"] == "5242880");
    CHECK(on_topic(broker, "/default/sdk-bad").size() == 1);
}

TEST_CASE("on_invalid fail stops the daemon at the first invalid record with exit 1", "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", sdk_mode_config(broker, "invalid_utf8", "\n[dead_letter]\non_invalid = \"fail\"\n"));
    const auto code = daemon.wait_for_exit(20s);
    INFO(daemon.log());
    REQUIRE(code == 1);
    CHECK_THAT(daemon.log(), Catch::Contains("stopping: invalid record for /default/sdk-bad at validate: attribute 'bad' has a value "
                                             "that is not valid UTF-8 ([dead_letter] on_invalid = \"fail\")"));
}

TEST_CASE("without a dead-letter topic invalid records are skipped and logged", "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", sdk_mode_config(broker, "invalid_utf8", ""));
    REQUIRE(wait_until([&] { return !on_topic(broker, "/default/sdk-bad").empty(); }, 20s));
    REQUIRE(wait_until([&] { return daemon.log().find("(3 invalid so far)") != std::string::npos; }, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    CHECK_THAT(daemon.log(), Catch::Contains("skipping invalid record for /default/sdk-bad at validate: payload of kind string "
                                             "is not valid UTF-8 (2 invalid so far)"));
    CHECK_THAT(daemon.log(), Catch::Contains("1 published, 0 dead-lettered, 3 skipped"));
}

TEST_CASE("every tokened record is reported once as delivered or dead-lettered", "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", sdk_config(broker, dir, 40));
    REQUIRE(wait_until([&] { return outcomes(dir / "outcomes.log").size() == 40; }, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    const auto got = outcomes(dir / "outcomes.log");
    for (uint64_t token = 1; token <= 40; ++token) {
        INFO("token " << token);
        REQUIRE(got.count(token));
        if ((token - 1) % 4 == 3) {
            CHECK(got.at(token).first == DCX_STATUS_INVALID_RECORD);
            CHECK_THAT(got.at(token).second, Catch::Contains("was not declared by the plugin's producer_configs"));
        } else {
            CHECK(got.at(token).first == DCX_STATUS_OK);
        }
    }
    CHECK(seqs_in(broker.journal(), "/default/outcomes").size() == 30);
    CHECK(seqs_in(broker.journal(), "/default/outcome-dlq").size() == 10);
}

TEST_CASE("records still in flight at the drain timeout are reported not delivered", "[integration][pipeline]") {
    TestBroker broker({"--stall"});
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            sdk_config(broker, dir, 8, "\n[delivery]\nshutdown_timeout_ms = 500\nsend_timeout_ms = 200\n"));
    REQUIRE(wait_until([&] { return broker.stats().calls_stalled() >= 2; }, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 75);  // records left unsettled
    const auto got = outcomes(dir / "outcomes.log");
    size_t not_delivered = 0;
    for (const auto& [token, o] : got) {
        if (o.first == DCX_STATUS_FATAL) {
            ++not_delivered;
            CHECK_THAT(o.second, Catch::Contains("not delivered"));
        }
    }
    CHECK(not_delivered >= 6);  // the 6 valid records never got an acknowledgement
    CHECK(got.size() == 8);
}
