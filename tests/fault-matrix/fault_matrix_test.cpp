// SPDX-License-Identifier: Apache-2.0
// The fault matrix of issue #11 (docs/fault-matrix.md): one scenario per test case, each with a
// real danube-connectd, the in_datagen plugin and a real danube-test-broker on 127.0.0.1. Every
// generated seq must be in the broker journal (lost = 0), duplicates must stay within a bound
// computed from the configuration, and the time to recover is measured. Each scenario adds its
// row to the report (fault_matrix_support.hpp) before asserting, so a failing run still shows
// its numbers.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "connector_process.hpp"
#include "fault_matrix_support.hpp"
#include "pipeline_test_support.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// datagen_config's [retry]: the daemon's first backoff and its cap.
constexpr uint64_t kRetryBackoffMs = 50;
constexpr uint64_t kMaxBackoffMs = 400;
// How long after the drain deadline a daemon that cannot finish its drain exits anyway
// (docs/operations.md, "Startup, shutdown, signals").
constexpr uint64_t kDrainGraceMs = 2000;
// How long a loaded 2-core machine may leave a thread of the daemon unscheduled (CI runs ~390
// tests next to the matrix): what time-based bounds allow on top of the configured intervals.
constexpr uint64_t kSchedulingSlackMs = 250;
// After a broker outage, how long the daemon may take to send again: gRPC (1.51) connects again
// after its reconnect backoff (at most 2 s + 20 % jitter, host/broker/broker_connection.cpp) and,
// when no call polls the channel (the daemon's startup), sees how an attempt ended only at that
// deadline; on a starved CPU a slow HTTP/2 handshake can be cut there and cost a round more.
// Three such rounds, then the daemon's own retry backoff, plus a second of slack.
constexpr int64_t kReconnectRoundMs = 2400;
constexpr int64_t kRecoverAfterOutageMs = 3 * kReconnectRoundMs + static_cast<int64_t>(kMaxBackoffMs) + 1000;

int64_t since_ms(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

int sigterm_and_wait(ConnectorProcess& daemon) {
    daemon.process().signal(SIGTERM);
    const auto code = daemon.wait_for_exit(40s);
    REQUIRE(code.has_value());
    return *code;
}

// "pipeline stopped: N polled, ..." from the daemon's summary line.
uint64_t polled_in(const std::string& log) {
    const auto at = log.find("pipeline stopped: ");
    REQUIRE(at != std::string::npos);
    return std::stoull(log.substr(at + 18));
}

// The second half of the SIGTERM and SIGKILL scenarios: the daemon starts again on the same
// data_dir and must resume right after the stored offset `resume_after`. Fills in the recovery
// time (restart -> first journaled message) and the exit code of the second run.
void restart_to_the_end(const TempDir& dir, const Setup& setup, const TestBroker& broker, JournalTally& tally,
                        uint64_t resume_after, MatrixRow& row) {
    tally.update();
    const size_t next = tally.arrivals().size();
    const int64_t restarted = unix_ms();
    ConnectorProcess second(dir, "second", setup.toml(broker));
    // Bounds with room for sanitizer builds on a loaded machine (measured: 1-2 s normally).
    const auto recover = tally.ms_until_arrival(next, restarted, 60s);
    REQUIRE(recover.has_value());
    REQUIRE(tally.wait_for_distinct(row.records, 120s));
    row.recover_ms = recover;
    row.recover_what = "daemon restarted -> first message journaled";
    row.exit_code = sigterm_and_wait(second);
    CHECK_THAT(second.log(), Catch::Contains("resuming after committed offset " + std::to_string(resume_after)));
}

// Unix ms of the daemon's log lines that contain `what` and `also`, in order (the log's
// timestamps are UTC with milliseconds: "2026-11-28T23:21:10.941Z level [connector] message").
std::vector<int64_t> log_times(const std::string& log, const std::string& what, const std::string& also) {
    std::vector<int64_t> out;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.find(what) == std::string::npos || line.find(also) == std::string::npos) continue;
        std::tm tm{};
        int ms = 0;
        if (sscanf(line.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                   &tm.tm_sec, &ms) != 7) {
            continue;
        }
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        out.push_back(static_cast<int64_t>(timegm(&tm)) * 1000 + ms);
    }
    return out;
}

// Fills in the journal counts, adds the row to the report, then checks the matrix's two rules.
void conclude(MatrixRow& row, JournalTally& tally) {
    tally.update();
    row.lost = tally.lost(row.records);
    row.duplicates = tally.duplicates();
    add_to_report(row);
    INFO(row.scenario << ": records " << row.records << ", lost " << row.lost << ", duplicates " << row.duplicates
                      << " (bound " << row.bound << "), exit " << row.exit_code << ", " << row.detail.dump());
    CHECK(row.lost == 0);
    CHECK(tally.distinct() == row.records);  // and nothing that was never generated
    CHECK(row.duplicates <= row.bound);
}

}  // namespace

TEST_CASE("fault matrix: broker restart x5 during 100k records", "[faults]") {
    constexpr uint64_t kRecords = 100000;
    constexpr uint64_t kRestarts = 5;
    Setup setup;
    setup.topic = "/default/fm-restarts";
    setup.partitions = 4;
    setup.datagen = "count = " + std::to_string(kRecords) + "\npayload_bytes = 0\n";
    TestBroker broker;
    TempDir dir;
    JournalTally tally(broker.journal_path(), setup.topic);
    const auto started = Clock::now();
    ConnectorProcess daemon(dir, "daemon", setup.toml(broker));
    std::vector<int64_t> recoveries;
    for (uint64_t i = 1; i <= kRestarts; ++i) {
        REQUIRE(tally.wait_for_distinct(kRecords * i / (kRestarts + 1), 60s));
        broker.kill();
        tally.update();  // everything the killed broker journaled
        const size_t next = tally.arrivals().size();
        broker.restart();  // returns once it listens again
        const auto recover = tally.ms_until_arrival(next, unix_ms(), 30s);
        REQUIRE(recover.has_value());
        recoveries.push_back(*recover);
    }
    REQUIRE(tally.wait_for_distinct(kRecords, 90s));
    const int64_t elapsed = since_ms(started);
    MatrixRow row;
    row.order = 1;
    row.scenario = "broker restart x5 during 100k records";
    row.records = kRecords;
    // Each SIGKILL can take with it the answers of the sends in flight, which the broker may have
    // journaled: they are sent again to the new broker.
    row.bound = kRestarts * setup.in_flight_window();
    row.recover_ms = *std::max_element(recoveries.begin(), recoveries.end());
    row.recover_what = "broker listening again -> first message journaled (worst of 5)";
    row.exit_code = sigterm_and_wait(daemon);
    row.detail = {{"recover_ms_each", recoveries},
                  {"elapsed_ms", elapsed},
                  {"records_per_s", kRecords * 1000 / static_cast<uint64_t>(std::max<int64_t>(elapsed, 1))},
                  {"in_flight_window", setup.in_flight_window()}};
    conclude(row, tally);
    CHECK(row.exit_code == 0);
    CHECK(count_of(daemon.log(), "re-created producer") >= kRestarts);
    for (const int64_t r : recoveries) CHECK(r <= kRecoverAfterOutageMs);
}

TEST_CASE("fault matrix: broker unavailable for 30 s at start", "[faults]") {
    constexpr uint64_t kRecords = 5000;
    Setup setup;
    setup.topic = "/default/fm-late";
    setup.relaxed = false;
    setup.datagen = "count = " + std::to_string(kRecords) + "\npayload_bytes = 0\n";
    TestBroker broker;  // only to own a port and a data dir: it is down until the daemon waited 30 s
    broker.kill();
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", setup.toml(broker));
    const auto down_since = Clock::now();
    for (int i = 0; i < 200 && Clock::now() - down_since < 30s; ++i) {
        REQUIRE(daemon.process().running());  // waits, does not give up
        std::this_thread::sleep_for(200ms);
    }
    REQUIRE(Clock::now() - down_since >= 30s);
    const size_t attempts = count_of(daemon.log(), "broker not reachable yet");
    const int64_t down_ms = since_ms(down_since);
    JournalTally tally(broker.journal_path(), setup.topic);
    broker.restart();
    const int64_t up = unix_ms();
    const auto recover = tally.ms_until_arrival(0, up, 30s);
    REQUIRE(recover.has_value());
    REQUIRE(tally.wait_for_distinct(kRecords, 60s));
    MatrixRow row;
    row.order = 2;
    row.scenario = "broker unavailable for 30 s at start";
    row.records = kRecords;
    row.bound = 0;  // nothing can be sent before the broker is up, and nothing fails after
    row.recover_ms = recover;
    row.recover_what = "broker listening -> first message journaled";
    row.exit_code = sigterm_and_wait(daemon);
    row.detail = {{"down_ms", down_ms}, {"startup_attempts_logged", attempts}};
    conclude(row, tally);
    CHECK(row.exit_code == 0);
    CHECK(attempts >= 10);  // it kept trying, every max_backoff_ms at most
    const std::string log = daemon.log();
    INFO("broker up at " << up << " (unix ms); the daemon's log ends with:\n"
                          << log.substr(log.size() - std::min<size_t>(log.size(), 3000)));
    CHECK(*recover <= kRecoverAfterOutageMs);
}

TEST_CASE("fault matrix: broker stalled", "[faults]") {
    constexpr uint64_t kRecords = 8000;
    Setup setup;
    setup.topic = "/default/fm-stall";
    setup.window = 8;
    setup.send_timeout_ms = 500;
    setup.datagen = "count = " + std::to_string(kRecords) + "\nrate = 4000\npayload_bytes = 0\n";
    TestBroker broker;
    TempDir dir;
    JournalTally tally(broker.journal_path(), setup.topic);
    ConnectorProcess daemon(dir, "daemon", setup.toml(broker));
    REQUIRE(tally.wait_for_distinct(1000, 30s));
    danube_test::FaultRequest stall;
    stall.mutable_stall()->set_enabled(true);
    inject(broker, stall);
    const auto stalled_at = Clock::now();
    // Held for 2 s and until every send in flight has hit its deadline and been sent again at
    // least once: the broker takes the calls and never answers.
    const uint64_t held_calls = 2 * setup.in_flight_window();
    REQUIRE(wait_until([&] { return broker.stats().calls_stalled() >= held_calls; }, 30s));
    std::this_thread::sleep_until(stalled_at + 2s);
    tally.update();
    const size_t next = tally.arrivals().size();
    const int64_t stalled_ms = since_ms(stalled_at);
    clear_faults(broker);
    const auto recover = tally.ms_until_arrival(next, unix_ms(), 30s);
    REQUIRE(recover.has_value());
    REQUIRE(tally.wait_for_distinct(kRecords, 60s));
    MatrixRow row;
    row.order = 3;
    row.scenario = "broker stalled";
    row.records = kRecords;
    // A stalled call never reaches the journal; only a send whose deadline expired while the
    // broker was accepting it, as the stall began, could be journaled and sent again.
    row.bound = setup.in_flight_window();
    row.recover_ms = recover;
    row.recover_what = "stall released -> first message journaled";
    row.exit_code = sigterm_and_wait(daemon);
    row.detail = {{"stalled_ms", stalled_ms}, {"calls_stalled", broker.stats().calls_stalled()},
                  {"send_timeout_ms", setup.send_timeout_ms}};
    conclude(row, tally);
    CHECK(row.exit_code == 0);
    CHECK(*recover <= static_cast<int64_t>(setup.send_timeout_ms + kMaxBackoffMs) + 2000);
}

TEST_CASE("fault matrix: 10% of sends fail UNAVAILABLE or RESOURCE_EXHAUSTED", "[faults]") {
    constexpr uint64_t kRecords = 6000;
    Setup setup;
    setup.topic = "/default/fm-flaky";
    setup.partitions = 4;
    setup.datagen = "count = " + std::to_string(kRecords) + "\npayload_bytes = 0\n";
    TestBroker broker({"--fail-ratio", "0.1:UNAVAILABLE,RESOURCE_EXHAUSTED", "--fault-seed", "11"});
    TempDir dir;
    JournalTally tally(broker.journal_path(), setup.topic);
    const auto started = Clock::now();
    ConnectorProcess daemon(dir, "daemon", setup.toml(broker));
    REQUIRE(tally.wait_for_distinct(kRecords * 2 / 3, 60s));
    const auto stats = broker.stats();
    const int64_t faulty_ms = since_ms(started);
    tally.update();
    const size_t next = tally.arrivals().size();
    const uint64_t during = tally.distinct();
    clear_faults(broker);
    const auto recover = tally.ms_until_arrival(next, unix_ms(), 30s);
    REQUIRE(recover.has_value());
    REQUIRE(tally.wait_for_distinct(kRecords, 60s));
    const double failed = static_cast<double>(stats.calls_failed_by_injection());
    const double share = failed / (failed + static_cast<double>(stats.messages_accepted()));
    MatrixRow row;
    row.order = 4;
    row.scenario = "10% of sends fail UNAVAILABLE/RESOURCE_EXHAUSTED";
    row.records = kRecords;
    row.bound = 0;  // an injected failure is decided before the broker journals anything
    row.recover_ms = recover;
    row.recover_what = "faults cleared -> first message journaled";
    row.exit_code = sigterm_and_wait(daemon);
    row.detail = {{"sends_failed", stats.calls_failed_by_injection()},
                  {"failed_share", share},
                  {"records_per_s_with_faults", during * 1000 / static_cast<uint64_t>(std::max<int64_t>(faulty_ms, 1))}};
    conclude(row, tally);
    CHECK(row.exit_code == 0);
    CHECK(share >= 0.07);  // seeded: the same calls fail on every run with the same call order
    CHECK(share <= 0.13);
}

TEST_CASE("fault matrix: plugin retryable storm", "[faults]") {
    constexpr uint64_t kRecords = 8000;
    constexpr uint64_t kEvery = 2000;
    constexpr uint64_t kBurst = 4;
    Setup setup;
    setup.topic = "/default/fm-storm";
    setup.datagen = "count = " + std::to_string(kRecords) + "\nrate = 2000\npayload_bytes = 0\nretryable_every = " +
                    std::to_string(kEvery) + "\nretryable_burst = " + std::to_string(kBurst) + "\n";
    TestBroker broker;
    TempDir dir;
    JournalTally tally(broker.journal_path(), setup.topic);
    ConnectorProcess daemon(dir, "daemon", setup.toml(broker));
    REQUIRE(tally.wait_for_distinct(kRecords, 60s));
    const int exit_code = sigterm_and_wait(daemon);
    const std::string log = daemon.log();
    // The pipeline backs off after each failed poll: 50, 100, 200, 400 ms (capped), no jitter.
    uint64_t backoff_ms = 0;
    for (uint64_t k = 0; k < kBurst; ++k) backoff_ms += std::min<uint64_t>(kRetryBackoffMs << k, kMaxBackoffMs);
    // Per storm (before seq b): when its first and last failed polls were logged, and when the
    // broker journaled the first record generated after it.
    std::vector<int64_t> recoveries;
    std::vector<int64_t> storm_to_first_record;
    size_t failures = 0;
    for (uint64_t b = kEvery; b < kRecords; b += kEvery) {
        const auto failed = log_times(log, "plugin poll failed (retrying in", "storm at record " + std::to_string(b) + ",");
        failures += failed.size();
        REQUIRE(failed.size() == kBurst);
        int64_t first_after = INT64_MAX;
        for (const auto& a : tally.arrivals()) {
            if (a.seq >= b) first_after = std::min(first_after, a.received_at_ms);
        }
        recoveries.push_back(first_after - failed.back());
        storm_to_first_record.push_back(first_after - failed.front());
    }
    MatrixRow row;
    row.order = 5;
    row.scenario = "plugin retryable storm";
    row.records = kRecords;
    row.bound = 0;  // a failed poll hands over no records: nothing is sent twice
    row.recover_ms = *std::max_element(recoveries.begin(), recoveries.end());
    row.recover_what = "last of 4 failed polls -> first record after the storm journaled (worst of 3)";
    row.exit_code = exit_code;
    row.detail = {{"failed_polls", failures},
                  {"recover_ms_each", recoveries},
                  {"storm_ms_each", storm_to_first_record},
                  {"backoff_ms_per_storm", backoff_ms}};
    conclude(row, tally);
    CHECK(row.exit_code == 0);
    for (size_t i = 0; i < recoveries.size(); ++i) {
        // It backed off (it did not spin through the storm), and it polled again after the last
        // backoff: the log has millisecond timestamps.
        CHECK(storm_to_first_record[i] >= static_cast<int64_t>(backoff_ms) - 1);
        CHECK(recoveries[i] <= static_cast<int64_t>(kMaxBackoffMs) + 2000);
    }
}

TEST_CASE("fault matrix: plugin Fatal", "[faults]") {
    constexpr uint64_t kRecords = 5000;
    TempDir dir;
    const auto commit_log = dir / "commits.log";
    Setup setup;
    setup.topic = "/default/fm-fatal";
    setup.commit_interval_ms = 100;
    setup.datagen = "fatal_after = " + std::to_string(kRecords) + "\npayload_bytes = 0\ncommit_log = \"" +
                    commit_log.string() + "\"\n";
    TestBroker broker({"--latency-ms", "5"});  // so that records are in flight when FATAL comes
    JournalTally tally(broker.journal_path(), setup.topic);
    ConnectorProcess daemon(dir, "daemon", setup.toml(broker));
    const auto code = daemon.wait_for_exit(60s);
    REQUIRE(code.has_value());
    std::ifstream commits(commit_log);
    int64_t at = 0;
    std::string partition;
    uint64_t value = 0;
    std::optional<uint64_t> last_commit;
    while (commits >> at >> partition >> value) last_commit = value;
    MatrixRow row;
    row.order = 6;
    row.scenario = "plugin Fatal";
    row.records = kRecords;
    row.bound = 0;  // the drain finishes what was polled; nothing is sent twice
    row.recover_what = "none: the daemon drains and exits 1 for its supervisor";
    row.exit_code = *code;
    row.detail = {{"last_commit", last_commit ? nlohmann::json(*last_commit) : nlohmann::json(nullptr)}};
    conclude(row, tally);
    CHECK(row.exit_code == 1);
    CHECK(last_commit == kRecords - 1);  // the final commit covers every record
    CHECK_THAT(daemon.log(), Catch::Contains("plugin poll returned FATAL: datagen: fatal_after reached at record 5000"));
    CHECK_THAT(daemon.log(), Catch::Contains("5000 polled, 5000 published"));
}

TEST_CASE("fault matrix: plugin hangs in poll", "[faults]") {
    constexpr uint64_t kRecords = 3000;
    Setup setup;
    setup.topic = "/default/fm-hang";
    setup.shutdown_timeout_ms = 2000;
    setup.datagen = "hang_after = " + std::to_string(kRecords) + "\npayload_bytes = 0\n";
    TestBroker broker;
    TempDir dir;
    JournalTally tally(broker.journal_path(), setup.topic);
    ConnectorProcess daemon(dir, "daemon", setup.toml(broker));
    REQUIRE(tally.wait_for_distinct(kRecords, 30s));
    REQUIRE(wait_until([&] { return daemon.log().find("hang_after reached") != std::string::npos; }, 10s));
    const auto term_at = Clock::now();
    daemon.process().signal(SIGTERM);
    const auto code = daemon.wait_for_exit(std::chrono::milliseconds(setup.shutdown_timeout_ms + kDrainGraceMs + 10000));
    const int64_t shutdown_ms = since_ms(term_at);
    MatrixRow row;
    row.order = 7;
    row.scenario = "plugin hangs in poll";
    row.records = kRecords;
    row.bound = 0;  // nothing is retried: the records before the hang were all acknowledged
    row.recover_ms = shutdown_ms;
    row.recover_what = "SIGTERM -> process exit (shutdown_timeout_ms 2000 + 2 s grace)";
    row.exit_code = code.value_or(-1);
    row.detail = {{"shutdown_timeout_ms", setup.shutdown_timeout_ms}};
    conclude(row, tally);
    REQUIRE(code.has_value());  // else the daemon hangs with its plugin
    CHECK(row.exit_code == 75);
    CHECK(shutdown_ms >= static_cast<int64_t>(setup.shutdown_timeout_ms));
    CHECK(shutdown_ms <= static_cast<int64_t>(setup.shutdown_timeout_ms + kDrainGraceMs) + 1500);
    CHECK_THAT(daemon.log(), Catch::Contains("shutdown did not complete"));
}

TEST_CASE("fault matrix: SIGTERM mid-stream then restart", "[faults]") {
    constexpr uint64_t kRecords = 12000;
    TempDir dir;
    Setup setup;
    setup.topic = "/default/fm-term";
    setup.root = "data_dir = \"" + (dir / "state").string() + "\"\n";
    setup.datagen = "count = " + std::to_string(kRecords) + "\nrate = 6000\npayload_bytes = 0\n";
    // Polling stays at most this far ahead of the acks, so the stream is still mid-way at the
    // signal even when a slow (sanitizer) build acknowledges far below the plugin's rate.
    setup.max_inflight_records = 1000;
    TestBroker broker({"--latency-ms", "3"});  // records in flight at the signal
    JournalTally tally(broker.journal_path(), setup.topic);
    uint64_t polled = 0;
    int64_t drain_ms = 0;
    {
        ConnectorProcess first(dir, "first", setup.toml(broker));
        REQUIRE(tally.wait_for_distinct(3000, 30s));
        const auto term_at = Clock::now();
        REQUIRE(sigterm_and_wait(first) == 0);
        drain_ms = since_ms(term_at);
        polled = polled_in(first.log());
    }
    REQUIRE(polled < kRecords);  // mid-stream: the restart has records left to deliver
    tally.update();
    CHECK(tally.lost(polled) == 0);  // the drain delivered everything polled
    CHECK(stored_offset(dir / "state/offsets/itest.json", "datagen") == polled - 1);  // and committed it
    MatrixRow row;
    row.order = 8;
    row.scenario = "SIGTERM mid-stream, then restart";
    row.records = kRecords;
    row.bound = 0;  // a completed drain commits everything acknowledged; the restart resumes after it
    restart_to_the_end(dir, setup, broker, tally, polled - 1, row);
    row.detail = {{"polled_before_sigterm", polled}, {"drain_ms", drain_ms}, {"first_exit_code", 0}};
    conclude(row, tally);
    CHECK(row.exit_code == 0);
}

TEST_CASE("fault matrix: SIGKILL mid-stream then restart", "[faults]") {
    constexpr uint64_t kRecords = 6000;
    constexpr uint64_t kRate = 2000;
    TempDir dir;
    Setup setup;
    setup.topic = "/default/fm-kill";
    setup.max_inflight_records = 64;
    setup.commit_interval_ms = 50;
    setup.root = "data_dir = \"" + (dir / "state").string() + "\"\n";
    const auto commit_log = dir / "commits.log";
    setup.datagen = "count = " + std::to_string(kRecords) + "\nrate = " + std::to_string(kRate) +
                    "\npayload_bytes = 0\ncommit_log = \"" + commit_log.string() + "\"\n";
    TestBroker broker;
    JournalTally tally(broker.journal_path(), setup.topic);
    int64_t killed_at = 0;
    {
        ConnectorProcess first(dir, "first", setup.toml(broker));
        REQUIRE(tally.wait_for_distinct(2000, 30s));
        first.process().kill_now();
        killed_at = unix_ms();
    }
    // How regularly the first run committed (the plugin is told after the store is written).
    std::vector<int64_t> commit_times;
    {
        std::ifstream commits(commit_log);
        int64_t at = 0;
        std::string partition;
        uint64_t value = 0;
        while (commits >> at >> partition >> value) commit_times.push_back(at);
    }
    REQUIRE(commit_times.size() >= 2);
    int64_t widest_gap = 0;
    for (size_t i = 1; i < commit_times.size(); ++i) widest_gap = std::max(widest_gap, commit_times[i] - commit_times[i - 1]);
    // Sends already on their way still reach the journal after the kill.
    REQUIRE(tally.wait_until_quiet(300ms, 10s));
    const auto committed = stored_offset(dir / "state/offsets/itest.json", "datagen");
    REQUIRE(committed.has_value());
    // Everything journaled beyond the durable offset will be sent again.
    const auto resent = static_cast<uint64_t>(std::count_if(tally.arrivals().begin(), tally.arrivals().end(),
                                                            [&](const auto& a) { return a.seq > *committed; }));
    MatrixRow row;
    row.order = 9;
    row.scenario = "SIGKILL mid-stream, then restart";
    row.records = kRecords;
    // Re-delivered: what was in flight (at most max_inflight_records) plus what was acknowledged
    // but not yet durably committed. A commit is stored every commit_interval_ms; a kill during
    // a store write falls back to the one before, so up to two intervals of records at `rate`,
    // plus the time a busy machine leaves the pipeline thread unscheduled.
    row.bound = setup.max_inflight_records + kRate * (2 * setup.commit_interval_ms + kSchedulingSlackMs) / 1000;
    restart_to_the_end(dir, setup, broker, tally, *committed, row);
    row.detail = {{"committed_at_kill", *committed},
                  {"journaled_beyond_commit", resent},
                  {"first_exit_code", 128 + SIGKILL},
                  {"widest_commit_gap_ms", widest_gap},
                  {"last_commit_before_kill_ms", killed_at - commit_times.back()}};
    conclude(row, tally);
    CHECK(row.exit_code == 0);
    CHECK(row.duplicates == resent);  // exactly the uncommitted tail, sent once more
}
