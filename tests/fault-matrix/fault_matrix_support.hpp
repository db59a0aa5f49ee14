// SPDX-License-Identifier: Apache-2.0
// The fault matrix's instruments: an incremental reader of the broker journal (100k-line
// journals are polled while they grow), the daemon configuration with the in-flight window it
// implies, and the JSON report every scenario adds its row to.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_broker.hpp"

namespace dcx::testing {

/// Milliseconds since the Unix epoch: the clock of the journal's `received_at_ms`.
int64_t unix_ms();

/// Reads a broker journal as it grows: each update() parses only the complete lines added since
/// the previous one. Counts the `seq` attribute of messages on topics starting with a prefix.
class JournalTally {
public:
    struct Arrival {
        uint64_t seq;
        int64_t received_at_ms;
    };

    JournalTally(std::filesystem::path journal, std::string topic_prefix);

    void update();
    /// Waits (bounded, re-reading every 20 ms) until `n` distinct seqs are in.
    bool wait_for_distinct(uint64_t n, std::chrono::milliseconds timeout);
    /// Waits (bounded) until more than `index` messages are in: arrivals()[index] exists.
    bool wait_for_arrival(size_t index, std::chrono::milliseconds timeout);
    /// Waits (bounded) for arrivals()[index]; returns how long after `since_unix_ms` the broker
    /// journaled it (0 if before), nullopt on timeout. The recovery time of the matrix.
    std::optional<int64_t> ms_until_arrival(size_t index, int64_t since_unix_ms, std::chrono::milliseconds timeout);
    /// Waits (bounded) until no line was added for `quiet`; false if the journal kept growing.
    bool wait_until_quiet(std::chrono::milliseconds quiet, std::chrono::milliseconds timeout);

    /// Every message in journal order (across broker restarts: the journal is appended to).
    const std::vector<Arrival>& arrivals() const { return arrivals_; }
    uint64_t distinct() const { return counts_.size(); }
    /// Seqs in [0, n) that never arrived.
    uint64_t lost(uint64_t n) const;
    /// Messages beyond the first of each seq.
    uint64_t duplicates() const { return arrivals_.size() - counts_.size(); }

private:
    std::filesystem::path path_;
    std::string prefix_;
    uint64_t read_offset_ = 0;
    std::vector<Arrival> arrivals_;
    std::unordered_map<uint64_t, uint32_t> counts_;
};

/// The daemon side of a scenario: in_datagen on one topic and the [delivery] settings. The
/// duplicate bounds of the matrix are computed from these values, never typed in.
struct Setup {
    std::string topic;
    uint32_t partitions = 2;
    bool relaxed = true;
    uint32_t window = 16;
    uint64_t max_inflight_records = 10000;
    uint64_t commit_interval_ms = 1000;
    uint64_t send_timeout_ms = 10000;
    uint64_t shutdown_timeout_ms = 25000;
    std::string datagen;  // more [datagen] keys
    std::string root;     // top-level keys (data_dir)

    /// Sends that can be in flight at once: 1 per partition (strict) or the window (relaxed),
    /// never more than max_inflight_records. A failure after which the client cannot tell
    /// whether the broker kept the message (its answer was lost) happens to at most these, so
    /// each such event duplicates at most this many records.
    uint64_t in_flight_window() const;
    std::string toml(const TestBroker& broker) const;
};

/// One row of the matrix.
struct MatrixRow {
    int order = 0;  // position in the matrix
    std::string scenario;
    uint64_t records = 0;
    uint64_t lost = 0;
    uint64_t duplicates = 0;
    uint64_t bound = 0;
    std::optional<int64_t> recover_ms;  // what it measures: `recover_what`
    std::string recover_what;
    int exit_code = -1;
    nlohmann::json detail = nlohmann::json::object();
};

/// $DCX_FAULT_REPORT, else fault-matrix.json in the build directory.
std::filesystem::path report_path();
/// Adds `row` to the report (replacing the row of the same scenario), under a file lock: the
/// scenarios run as parallel processes.
void add_to_report(const MatrixRow& row);

/// The broker control service, REQUIRE-ing success.
void inject(TestBroker& broker, const danube_test::FaultRequest& fault);
void clear_faults(TestBroker& broker);

/// The committed position of `partition` in the daemon's offset store, nullopt if none.
std::optional<uint64_t> stored_offset(const std::filesystem::path& store, const std::string& partition);

/// Occurrences of `needle` in `text`.
size_t count_of(const std::string& text, const std::string& needle);

}  // namespace dcx::testing
