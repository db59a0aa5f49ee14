// SPDX-License-Identifier: Apache-2.0
// [[schemas]] at startup against a real registry: a changed local file becomes a new version
// (the reference runtime kept the stale one silently), an incompatible change is a clear startup
// error, auto_register = false needs the subject, and pinned/minimum versions are stamped.
#include <catch2/catch.hpp>

#include <signal.h>

#include "connector_process.hpp"
#include "pipeline_test_support.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;

namespace {

const char* kV1 = R"({"type":"object","required":["seq"],"properties":{"seq":{"type":"integer"}}})";
// Adds an optional property: backward compatible.
const char* kV2 = R"({"type":"object","required":["seq"],"properties":{"seq":{"type":"integer"},"data":{"type":"string"}}})";
// Requires a property the old schema did not: not backward compatible.
const char* kBreaking = R"({"type":"object","required":["seq","missing"],"properties":{"seq":{"type":"integer"}}})";

std::string config(const TestBroker& broker, const TempDir& dir, const std::string& strategy, bool auto_register = true) {
    return datagen_config(broker, "topic = \"/default/evolving\"\ncount = 5",
                          "\n[[schemas]]\ntopic = \"/default/evolving\"\nsubject = \"evolving\"\nschema_type = \"json_schema\"\n"
                          "schema_file = \"" + (dir / "schema.json").string() + "\"\nversion_strategy = " + strategy +
                              "\nauto_register = " + (auto_register ? "true" : "false") + "\n");
}

// Runs the daemon until its 5 records are in the journal, then stops it; returns the log.
std::string run_to_completion(const TestBroker& broker, const TempDir& dir, const std::string& name, const std::string& toml,
                              size_t expected_total) {
    ConnectorProcess daemon(dir, name, toml);
    REQUIRE(wait_until([&] { return broker.journal().size() >= expected_total; }, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    return daemon.log();
}

}  // namespace

TEST_CASE("a changed schema file is registered as a new version and stamped on messages", "[integration][schema]") {
    TestBroker broker;
    TempDir dir;
    write_file(dir / "schema.json", kV1);
    run_to_completion(broker, dir, "v1", config(broker, dir, "\"latest\""), 5);
    write_file(dir / "schema.json", kV2);
    const auto log = run_to_completion(broker, dir, "v2", config(broker, dir, "\"latest\""), 10);
    CHECK_THAT(log, Catch::Contains("the local schema file changed; registered it as version 2"));
    const auto journal = broker.journal();
    REQUIRE(journal.size() == 10);
    for (size_t i = 0; i < 10; ++i) {
        CHECK(journal[i]["schema_id"] == 1);  // one id per subject, every version
        CHECK(journal[i]["schema_version"] == (i < 5 ? 1 : 2));
    }
}

TEST_CASE("an incompatible schema change is a clear startup error", "[integration][schema]") {
    TestBroker broker;
    TempDir dir;
    write_file(dir / "schema.json", kV1);
    run_to_completion(broker, dir, "v1", config(broker, dir, "\"latest\""), 5);
    write_file(dir / "schema.json", kBreaking);
    ConnectorProcess daemon(dir, "breaking", config(broker, dir, "\"latest\""));
    REQUIRE(daemon.wait_for_exit(20s) == 78);
    CHECK_THAT(daemon.log(), Catch::Contains("the broker refused schema file"));
    CHECK_THAT(daemon.log(), Catch::Contains("not compatible"));
    CHECK(broker.journal().size() == 5);
}

TEST_CASE("auto_register = false needs the subject to exist", "[integration][schema]") {
    TestBroker broker;
    TempDir dir;
    write_file(dir / "schema.json", kV1);
    ConnectorProcess daemon(dir, "daemon", config(broker, dir, "\"latest\"", false));
    REQUIRE(daemon.wait_for_exit(20s) == 78);
    CHECK_THAT(daemon.log(), Catch::Contains("schema subject 'evolving' is not registered and auto_register = false"));
}

TEST_CASE("pinned and minimum version strategies resolve like danube-client", "[integration][schema]") {
    TestBroker broker;
    TempDir dir;
    write_file(dir / "schema.json", kV1);
    run_to_completion(broker, dir, "v1", config(broker, dir, "\"latest\""), 5);
    write_file(dir / "schema.json", kV2);
    run_to_completion(broker, dir, "v2", config(broker, dir, "\"latest\""), 10);
    // Pinned to 1 while 2 is the latest (auto_register = false keeps the registry as it is).
    run_to_completion(broker, dir, "pinned", config(broker, dir, "{ pinned = 1 }", false), 15);
    const auto journal = broker.journal();
    for (size_t i = 10; i < 15; ++i) CHECK(journal[i]["schema_version"] == 1);
    // A pinned version that does not exist, and a minimum that is not met, stop at startup.
    ConnectorProcess too_new(dir, "too-new", config(broker, dir, "{ pinned = 3 }", false));
    REQUIRE(too_new.wait_for_exit(20s) == 78);
    CHECK_THAT(too_new.log(), Catch::Contains("pinned version 3 of schema subject 'evolving' does not exist (latest is 2)"));
    ConnectorProcess too_old(dir, "too-old", config(broker, dir, "{ minimum = 5 }", false));
    REQUIRE(too_old.wait_for_exit(20s) == 78);
    CHECK_THAT(too_old.log(), Catch::Contains("does not meet minimum 5"));
}

TEST_CASE("a second signal during the drain exits at once", "[integration][operations]") {
    TestBroker broker({"--stall"});
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/stuck\"\nrate = 100",
                                           "\n[delivery]\nshutdown_timeout_ms = 60000\n"));
    REQUIRE(wait_until([&] { return broker.stats().calls_stalled() >= 1; }, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(wait_until([&] { return daemon.log().find("draining") != std::string::npos; }, 10s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(10s) == 130);  // not the 60 s drain timeout
    CHECK_THAT(daemon.log(), Catch::Contains("second signal"));
}
