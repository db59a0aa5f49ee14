// SPDX-License-Identifier: Apache-2.0
// in_datagen: generates records at a configurable rate and size, with keys and offsets, for the
// quickstart, tests and benchmarks. Pull-style: poll() emits what is due and waits (bounded by
// the poll timeout) for the next record otherwise. Resumes after the last committed offset.
// For fault tests it can also break on purpose: invalid records (invalid_every), a FATAL poll
// (fatal_after), storms of RETRYABLE polls (retryable_every/retryable_burst) and a poll that
// never returns (hang_after).
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "dcx/sdk/source_connector.hpp"

using namespace dcx::sdk;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kOffsetPartition = "datagen";

const char* kConfigSchema = R"({
  "type": "object",
  "required": ["datagen"],
  "properties": {
    "datagen": {
      "type": "object",
      "required": ["topic"],
      "additionalProperties": false,
      "properties": {
        "topic": {"type": "string"},
        "partitions": {"type": "integer", "minimum": 0, "maximum": 1024},
        "reliable": {"type": "boolean"},
        "count": {"type": "integer", "minimum": 0},
        "rate": {"type": "number", "minimum": 0},
        "payload_bytes": {"type": "integer", "minimum": 0, "maximum": 8388608},
        "keys": {"type": "integer", "minimum": 0},
        "kind": {"enum": ["json", "string", "bytes", "number"]},
        "with_offsets": {"type": "boolean"},
        "invalid_every": {"type": "integer", "minimum": 0},
        "fatal_after": {"type": "integer", "minimum": 0},
        "retryable_every": {"type": "integer", "minimum": 0},
        "retryable_burst": {"type": "integer", "minimum": 1},
        "hang_after": {"type": "integer", "minimum": 0},
        "commit_log": {"type": "string"},
        "healthy": {"type": "boolean"},
        "stamp_due_time": {"type": "boolean"}
      }
    }
  }
})";

}  // namespace

class DatagenSource final : public SourceConnector {
public:
    void initialize(const nlohmann::json& config, const CoreConfig& core) override {
        const auto& c = config.at("datagen");
        topic_ = c.at("topic").get<std::string>();
        partitions_ = c.value("partitions", 0u);
        reliable_ = c.value("reliable", true);
        count_ = c.value("count", uint64_t{0});
        rate_ = c.value("rate", 0.0);
        payload_bytes_ = c.value("payload_bytes", size_t{100});
        keys_ = c.value("keys", uint64_t{0});
        kind_ = c.value("kind", std::string("json"));
        with_offsets_ = c.value("with_offsets", true);
        invalid_every_ = c.value("invalid_every", uint64_t{0});
        fatal_after_ = c.value("fatal_after", uint64_t{0});
        retryable_every_ = c.value("retryable_every", uint64_t{0});
        retryable_burst_ = c.value("retryable_burst", uint64_t{1});
        hang_after_ = c.value("hang_after", uint64_t{0});
        healthy_ = c.value("healthy", true);
        stamp_due_time_ = c.value("stamp_due_time", false);
        if (c.contains("commit_log")) commit_log_.open(c["commit_log"].get<std::string>(), std::ios::app);
        for (const auto& o : core.committed_offsets()) {
            if (o.partition == kOffsetPartition) next_ = o.value + 1;
        }
        if (next_ > 0) log(LogLevel::info, "resuming after committed offset " + std::to_string(next_ - 1));
        started_ = Clock::now();
        first_ = next_;
        if (retryable_every_) next_storm_ = (next_ / retryable_every_ + 1) * retryable_every_;
        padding_.assign(payload_bytes_ > 60 ? payload_bytes_ - 60 : 0, 'x');
    }

    std::vector<ProducerConfig> producer_configs() override { return {{topic_, partitions_, reliable_}}; }

    std::vector<SourceRecord> poll() override {
        std::vector<SourceRecord> out;
        if (fatal_after_ && next_ >= fatal_after_) throw FatalError("datagen: fatal_after reached at record " + std::to_string(next_));
        if (hang_after_ && next_ >= hang_after_) hang();
        if (retryable_every_ && next_ >= next_storm_ && (!count_ || next_ < count_)) {
            // Every retryable_every records: retryable_burst failed polls in a row, then on.
            const uint64_t failure = ++storm_failures_;
            if (failure == retryable_burst_) {
                storm_failures_ = 0;
                next_storm_ += retryable_every_;
            }
            throw RetryableError("datagen: retryable_every storm at record " + std::to_string(next_) + ", failure " +
                                 std::to_string(failure) + " of " + std::to_string(retryable_burst_));
        }
        uint64_t due = due_now();
        if (due == 0) {
            if (count_ && next_ >= count_) return out;  // done: NO_DATA
            // Wait for the next record, up to the poll timeout. What falls due goes out at once:
            // returning empty would leave it to the host's next poll, and paced records would
            // arrive late and in bursts.
            const auto deadline = Clock::now() + poll_timeout();
            std::unique_lock lock(mu_);
            while (due == 0 && !stop_requested() && Clock::now() < deadline) {
                cv_.wait_until(lock, std::min(deadline, next_wake()), [&] { return stop_requested(); });
                due = stop_requested() ? 0 : due_now();
            }
            if (due == 0) return out;
        }
        const uint64_t n = std::min<uint64_t>(due, max_records());
        out.reserve(n);
        for (uint64_t i = 0; i < n; ++i) out.push_back(make(next_++));
        return out;
    }

    void commit(const std::vector<Offset>& offsets) override {
        if (!commit_log_) return;
        const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count();
        for (const auto& o : offsets) commit_log_ << now_ms << " " << o.partition << " " << o.value << "\n";
        commit_log_.flush();
    }

    void health_check() override {
        if (!healthy_) throw RetryableError("datagen: configured unhealthy (healthy = false)");
    }

    void shutdown() override { log(LogLevel::info, "datagen shut down after generating " + std::to_string(next_ - first_) + " records"); }

    std::optional<nlohmann::json> config_schema() const override { return nlohmann::json::parse(kConfigSchema); }

    void on_stop_requested() override {
        std::lock_guard lock(mu_);
        cv_.notify_all();
    }

private:
    uint64_t due_now() const {
        uint64_t limit = count_ ? count_ : UINT64_MAX;
        if (rate_ > 0) {
            const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
            limit = std::min<uint64_t>(limit, first_ + static_cast<uint64_t>(elapsed * rate_) + 1);
        }
        if (fatal_after_) limit = std::min(limit, fatal_after_);
        if (hang_after_) limit = std::min(limit, hang_after_);
        if (retryable_every_) limit = std::min(limit, next_storm_);
        return limit > next_ ? limit - next_ : 0;
    }

    // hang_after: a plugin stuck in a blocking call that ignores request_stop, for the host's
    // shutdown timeout to deal with. Never returns.
    [[noreturn]] void hang() {
        log(LogLevel::warn, "datagen: hang_after reached at record " + std::to_string(next_) +
                                ": poll blocks for good and ignores stop requests");
        while (true) std::this_thread::sleep_for(std::chrono::hours(1));
    }

    // When the next record falls due; above 1,000 records/s, on a 1 ms grid from the start instead,
    // so that records go out in batches at one wake-up a millisecond, as the bare benchmark client
    // paces them. (Waits rounded up to whole milliseconds from "now" made every record up to 1 ms
    // late at any rate: 0.53 ms at the median at 1,000 records/s.)
    Clock::time_point next_wake() const {
        if (rate_ <= 0) return Clock::now() + std::chrono::milliseconds(100);
        const auto due = due_at(next_);
        if (rate_ <= 1000) return due;
        return started_ + std::chrono::ceil<std::chrono::milliseconds>(due - started_);
    }

    Clock::time_point due_at(uint64_t seq) const {
        return started_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>((seq - first_) / rate_));
    }

    int64_t due_ns(uint64_t seq) const {
        const auto due = rate_ > 0 ? due_at(seq) : Clock::now();
        return std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch()).count();
    }

    SourceRecord make(uint64_t seq) {
        const std::string key = keys_ ? "key-" + std::to_string(seq % keys_) : std::string();
        const bool invalid = invalid_every_ && (seq + 1) % invalid_every_ == 0;
        SourceRecord r = [&] {
            if (kind_ == "string") return SourceRecord::from_string(topic_, "record " + std::to_string(seq) + " " + padding_);
            if (kind_ == "bytes") return SourceRecord::from_bytes(topic_, "\x01\x02" + std::to_string(seq) + padding_);
            if (kind_ == "number") return SourceRecord::from_number(topic_, seq);
            // Canonical JSON text (keys sorted, compact) written directly: a generator that builds a
            // DOM per record spends more on it than the host does (perf: 8% of the daemon's CPU).
            // The padding and the keys need no escaping.
            std::string text;
            text.reserve(padding_.size() + key.size() + 64);
            text.append(R"({"data":")").append(padding_).append("\"");
            if (!key.empty()) text.append(R"(,"key":")").append(key).append("\"");
            // "not-a-number" violates config/schemas/datagen-record.json
            text.append(R"(,"seq":)").append(invalid ? R"("not-a-number")" : std::to_string(seq));
            text.append(R"(,"ts":)").append(std::to_string(1700000000000 + seq)).append("}");
            return SourceRecord::from_json_text(topic_, std::move(text));
        }();
        r.with_attribute("source", "datagen").with_attribute("seq", std::to_string(seq));
        // For latency benchmarks: when the record fell due (the steady clock, CLOCK_MONOTONIC, in
        // ns), so a receiver on the same machine measures from there, waits in the source included.
        if (stamp_due_time_) r.with_attribute("bench.due_ns", std::to_string(due_ns(seq)));
        if (!key.empty()) r.with_key(key);
        if (with_offsets_) r.with_offset({kOffsetPartition, seq, std::nullopt});
        return r;
    }

    std::string topic_;
    uint32_t partitions_ = 0;
    bool reliable_ = true;
    uint64_t count_ = 0;
    double rate_ = 0;
    bool stamp_due_time_ = false;
    size_t payload_bytes_ = 100;
    uint64_t keys_ = 0;
    std::string kind_;
    bool with_offsets_ = true;
    uint64_t invalid_every_ = 0;
    uint64_t fatal_after_ = 0;
    uint64_t retryable_every_ = 0;
    uint64_t retryable_burst_ = 1;
    uint64_t hang_after_ = 0;
    uint64_t next_storm_ = 0;      // the record before which the next storm starts
    uint64_t storm_failures_ = 0;  // failures of the current storm so far
    bool healthy_ = true;
    std::ofstream commit_log_;
    std::string padding_;
    uint64_t next_ = 0;
    uint64_t first_ = 0;
    Clock::time_point started_;
    std::mutex mu_;
    std::condition_variable cv_;
};

DCX_SOURCE_PLUGIN(DatagenSource, "in_datagen", "Data generator", "0.1.0",
                  "generates keyed JSON/string/bytes/number records at a configurable rate")
