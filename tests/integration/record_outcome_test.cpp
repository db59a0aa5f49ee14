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

}  // namespace

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
