// SPDX-License-Identifier: Apache-2.0
// The Rust plugin SDK end to end: danube-connectd loads in_file_tail_rs.so (Rust, cargo-built)
// and publishes a file's lines to the test broker; offsets (byte positions) survive a restart; a
// panic inside the plugin's poll becomes a clean Fatal stop; --check applies the plugin's schema.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <map>
#include <set>

#include "common/base64.hpp"
#include "connector_process.hpp"
#include "test_broker.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;

namespace {

std::string tail_config(const TestBroker& broker, const TempDir& dir, const std::string& file_tail,
                        const std::string& root = {}) {
    return "danube_service_url = \"" + broker.url() + "\"\nconnector_name = \"rust-tail\"\nplugin = \"" +
           DCX_FILE_TAIL_RS_PLUGIN + "\"\n" + root +
           "\n[processing]\nmetrics_port = 0\npoll_interval_ms = 20\nhealth_check_interval_ms = 500\n"
           "\n[http]\naddress = \"127.0.0.1\"\n"
           "\n[retry]\nretry_backoff_ms = 50\nmax_backoff_ms = 400\n"
           "\n[file_tail]\npath = \"" + (dir / "input.log").string() + "\"\n" + file_tail + "\n";
}

void append_lines(const std::filesystem::path& file, int first, int count, const std::string& prefix = "line-") {
    std::ofstream out(file, std::ios::app | std::ios::binary);
    for (int i = first; i < first + count; ++i) out << prefix << i << "\n";
}

void append_text(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::app | std::ios::binary);
    out << text;
}

std::vector<nlohmann::json> messages_on(const TestBroker& broker, const std::string& topic_prefix) {
    std::vector<nlohmann::json> out;
    for (auto& m : broker.journal()) {
        if (m.at("topic").get<std::string>().rfind(topic_prefix, 0) == 0) out.push_back(std::move(m));
    }
    return out;
}

std::string payload_of(const nlohmann::json& m) {
    const auto bytes = dcx::base64_decode(m.at("payload_b64").get<std::string>());
    REQUIRE(bytes.has_value());
    return *bytes;
}

bool arrived(const TestBroker& broker, const std::string& topic, size_t n, std::chrono::milliseconds timeout) {
    return wait_until([&] { return messages_on(broker, topic).size() >= n; }, timeout);
}

}  // namespace

TEST_CASE("the Rust file-tail plugin publishes every line and resumes at its committed byte after a restart",
          "[integration][rust]") {
    TestBroker broker;
    TempDir dir;
    const auto input = dir / "input.log";
    append_lines(input, 0, 50);
    const std::string toml = tail_config(broker, dir, "topic = \"/default/lines\"",
                                         "data_dir = \"" + (dir / "state").string() + "\"\n");
    {
        ConnectorProcess daemon(dir, "run1", toml);
        REQUIRE(arrived(broker, "/default/lines", 50, 30s));
        append_lines(input, 50, 25);  // appended while it runs: tailed
        REQUIRE(arrived(broker, "/default/lines", 75, 30s));
        daemon.process().signal(SIGTERM);
        REQUIRE(daemon.wait_for_exit(20s) == 0);
        CHECK_THAT(daemon.log(), Catch::Contains("loaded plugin in_file_tail_rs "));
        CHECK_THAT(daemon.log(), Catch::Contains("file_tail shut down after 75 lines (0 skipped)"));
    }
    const auto size_after_75 = std::filesystem::file_size(input);
    append_lines(input, 75, 25);  // written while the daemon is down
    {
        ConnectorProcess daemon(dir, "run2", toml);
        REQUIRE(arrived(broker, "/default/lines", 100, 30s));
        daemon.process().signal(SIGTERM);
        REQUIRE(daemon.wait_for_exit(20s) == 0);
        CHECK_THAT(daemon.log(), Catch::Contains("resuming " + input.string() + " at committed byte " +
                                                 std::to_string(size_after_75)));
        CHECK_THAT(daemon.log(), Catch::Contains("file_tail shut down after 25 lines"));
    }
    // Every line exactly once, in file order, with its byte position.
    const auto messages = messages_on(broker, "/default/lines");
    REQUIRE(messages.size() == 100);
    uint64_t at = 0;
    for (size_t i = 0; i < messages.size(); ++i) {
        INFO("message " << i);
        const std::string line = "line-" + std::to_string(i);
        CHECK(payload_of(messages[i]) == "\"" + line + "\"");  // a string record on a topic without schema: JSON text
        CHECK(messages[i]["attributes"]["file.offset"] == std::to_string(at));
        CHECK(messages[i]["attributes"]["file.path"] == input.string());
        at += line.size() + 1;
    }
}

TEST_CASE("a panic in the Rust plugin's poll is a clean Fatal stop after publishing what came before",
          "[integration][rust]") {
    TestBroker broker;
    TempDir dir;
    const auto input = dir / "input.log";
    append_lines(input, 0, 30);
    ConnectorProcess daemon(dir, "daemon",
                            tail_config(broker, dir, "topic = \"/default/panic\"\npanic_on_line = \"PANIC NOW\""));
    REQUIRE(arrived(broker, "/default/panic", 30, 30s));
    const auto panic_at = std::filesystem::file_size(input);
    append_text(input, "PANIC NOW\nline-after\n");
    const auto code = daemon.wait_for_exit(30s);
    REQUIRE(code.has_value());
    CHECK(*code == 1);
    const auto log = daemon.log();
    // The SDK caught the panic at the C boundary and reported it as FATAL with message and location.
    CHECK_THAT(log, Catch::Contains("plugin poll returned FATAL: connector panicked in poll: file_tail: panic_on_line "
                                    "matched the line at byte " + std::to_string(panic_at) + " of " + input.string()));
    CHECK_THAT(log, Catch::Contains("(at src/lib.rs:"));
    // The host drained and then called shutdown on the plugin.
    CHECK_THAT(log, Catch::Contains("file_tail shut down after 30 lines"));
    // Nothing of Rust's default panic output leaked onto the daemon's log.
    CHECK_THAT(log, !Catch::Contains("RUST_BACKTRACE"));
    const auto messages = messages_on(broker, "/default/panic");
    CHECK(messages.size() == 30);
    for (const auto& m : messages) CHECK(payload_of(m) != "\"line-after\"");
}

TEST_CASE("json lines from the Rust plugin keep their key routing, and unreadable lines are skipped",
          "[integration][rust]") {
    TestBroker broker;
    TempDir dir;
    const auto input = dir / "input.log";
    {
        std::ofstream out(input, std::ios::binary);
        for (int i = 0; i < 40; ++i) {
            out << "{\"user\":\"u" << (i % 5) << "\",\"n\":" << i << "}\n";
            if (i == 20) out << "this is not json\n";
        }
    }
    ConnectorProcess daemon(dir, "daemon",
                            tail_config(broker, dir,
                                        "topic = \"/default/users\"\nformat = \"json\"\nkey_field = \"user\"\n"
                                        "partitions = 3"));
    REQUIRE(arrived(broker, "/default/users", 40, 30s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    CHECK_THAT(daemon.log(), Catch::Contains("skipped the line at byte"));
    CHECK_THAT(daemon.log(), Catch::Contains("not JSON"));
    const auto messages = messages_on(broker, "/default/users");
    REQUIRE(messages.size() == 40);
    std::map<std::string, std::set<std::string>> topics_of_key;
    std::set<int> seen;
    for (const auto& m : messages) {
        const auto value = nlohmann::json::parse(payload_of(m));
        REQUIRE(m.contains("routing_key"));
        CHECK(m["routing_key"] == value["user"]);
        topics_of_key[m["routing_key"]].insert(m["topic"].get<std::string>());
        seen.insert(value["n"].get<int>());
    }
    CHECK(seen.size() == 40);
    CHECK(topics_of_key.size() == 5);
    for (const auto& [key, topics] : topics_of_key) {
        INFO(key);
        CHECK(topics.size() == 1);  // one key, one partition
    }
}

TEST_CASE("check mode validates the Rust plugin's section against the schema it declares", "[integration][rust]") {
    TempDir dir;
    auto check = [&](const std::string& section) {
        write_file(dir / "check.toml", "danube_service_url = \"http://127.0.0.1:1\"\nconnector_name = \"c\"\nplugin = \"" +
                                           std::string(DCX_FILE_TAIL_RS_PLUGIN) + "\"\n\n[file_tail]\n" + section + "\n");
        return run_connectd(dir, {"--check", "--config", (dir / "check.toml").string()});
    };
    const auto [ok, ok_out] = check("path = \"/tmp/x.log\"\ntopic = \"/default/x\"");
    CHECK(ok == 0);
    CHECK_THAT(ok_out, Catch::Contains("configuration OK"));
    CHECK_THAT(ok_out, Catch::Contains("plugin in_file_tail_rs"));
    const auto [missing, missing_out] = check("path = \"/tmp/x.log\"");
    CHECK(missing == 78);
    CHECK_THAT(missing_out, Catch::Contains("topic"));
    const auto [typo, typo_out] = check("path = \"/tmp/x.log\"\ntopic = \"/default/x\"\nformatt = \"json\"");
    CHECK(typo == 78);
    CHECK_THAT(typo_out, Catch::Contains("formatt"));
    const auto [bad, bad_out] = check("path = \"/tmp/x.log\"\ntopic = \"/default/x\"\nformat = \"xml\"");
    CHECK(bad == 78);
    CHECK_THAT(bad_out, Catch::Contains("file_tail.format"));
}
