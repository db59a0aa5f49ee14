// SPDX-License-Identifier: Apache-2.0
// in_loadavg: an out-of-tree example source for danube-connectd, built with the installed C++ SDK
// (find_package(DanubeConnect)). Every `interval_ms` it reads /proc/loadavg and emits one JSON
// record keyed by the host name:
//   {"host":"web-1","seq":41,"load1":0.12,"load5":0.3,"load15":0.25,"runnable":1,"entities":312,"ts_ms":...}
// The sequence number is the record's source offset: the host commits it once Danube acknowledged
// the record (and every earlier one), and hands it back on the next start, so a restart resumes
// the sequence instead of starting over.
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>

#include "dcx/sdk/source_connector.hpp"

using namespace dcx::sdk;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kOffsetPartition = "loadavg";

// Checked by the host before initialize() and by `danube-connectd --check`.
constexpr const char* kConfigSchema = R"({
  "type": "object",
  "required": ["loadavg"],
  "properties": {
    "loadavg": {
      "type": "object",
      "required": ["topic"],
      "additionalProperties": false,
      "properties": {
        "topic": {"type": "string", "pattern": "^/[^/]+/[^/]+$"},
        "interval_ms": {"type": "integer", "minimum": 1, "maximum": 86400000},
        "max_records": {"type": "integer", "minimum": 0},
        "path": {"type": "string"},
        "host": {"type": "string", "minLength": 1}
      }
    }
  }
})";

struct LoadSample {
    double load1 = 0, load5 = 0, load15 = 0;
    uint64_t runnable = 0, entities = 0;
};

std::string local_hostname() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown";
    return buf;
}

}  // namespace

class LoadavgSource final : public SourceConnector {
public:
    void initialize(const nlohmann::json& config, const CoreConfig& core) override {
        const auto& c = config.at("loadavg");
        topic_ = c.at("topic").get<std::string>();
        interval_ = std::chrono::milliseconds(c.value("interval_ms", uint64_t{1000}));
        limit_ = c.value("max_records", uint64_t{0});
        path_ = c.value("path", std::string("/proc/loadavg"));
        hostname_ = c.value("host", local_hostname());
        for (const auto& o : core.committed_offsets()) {
            if (o.partition == kOffsetPartition) next_seq_ = o.value + 1;
        }
        try {
            (void)read_sample();  // an unreadable path is a configuration error, found at startup
        } catch (const RetryableError& e) {
            throw ConfigError(std::string("loadavg.path: ") + e.what());
        }
        log(LogLevel::info, "reading " + path_ + " every " + std::to_string(interval_.count()) + " ms into " + topic_ +
                                ", starting at seq " + std::to_string(next_seq_));
        next_due_ = Clock::now();
    }

    std::vector<ProducerConfig> producer_configs() override { return {{topic_, /*partitions*/ 0, /*reliable*/ true}}; }

    std::vector<SourceRecord> poll() override {
        if (limit_ && emitted_ >= limit_) return {};  // done: no data from now on
        const auto now = Clock::now();
        if (now < next_due_) {
            // Wait for the next sample, at most the host's poll timeout, and wake on stop.
            std::unique_lock lock(mu_);
            cv_.wait_for(lock, std::min<Clock::duration>(poll_timeout(), next_due_ - now),
                         [&] { return stop_requested(); });
            return {};
        }
        next_due_ += interval_;
        if (next_due_ < now) next_due_ = now + interval_;  // fell behind: skip, do not burst

        const LoadSample s = read_sample();
        const uint64_t seq = next_seq_++;
        ++emitted_;
        const auto ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
        nlohmann::json v{{"host", hostname_},         {"seq", seq},          {"load1", s.load1},
                         {"load5", s.load5},      {"load15", s.load15},  {"runnable", s.runnable},
                         {"entities", s.entities}, {"ts_ms", ts_ms}};
        std::vector<SourceRecord> out;
        out.push_back(SourceRecord::from_json(topic_, v)
                          .with_key(hostname_)  // one host's samples stay in order on a partitioned topic
                          .with_attribute("source", "loadavg")
                          .with_attribute("host", hostname_)
                          .with_offset({kOffsetPartition, seq, std::nullopt}));
        return out;
    }

    void commit(const std::vector<Offset>& offsets) override {
        // Nothing to acknowledge upstream: /proc/loadavg cannot be replayed. The host persists the
        // offsets in data_dir and hands them back to initialize().
        for (const auto& o : offsets) last_committed_ = o.value;
    }

    void health_check() override {
        std::ifstream in(path_);
        if (!in) throw RetryableError("cannot read " + path_);
    }

    void shutdown() override {
        log(LogLevel::info, "loadavg: emitted " + std::to_string(emitted_) + " records, last committed seq " +
                                (last_committed_ ? std::to_string(*last_committed_) : std::string("none")));
    }

    std::optional<nlohmann::json> config_schema() const override { return nlohmann::json::parse(kConfigSchema); }

    void on_stop_requested() override {
        std::lock_guard lock(mu_);
        cv_.notify_all();
    }

private:
    LoadSample read_sample() const {
        std::ifstream in(path_);
        LoadSample s;
        char slash = 0;
        if (!(in >> s.load1 >> s.load5 >> s.load15 >> s.runnable >> slash >> s.entities) || slash != '/') {
            throw RetryableError("cannot parse " + path_ + " (expected '<1m> <5m> <15m> <runnable>/<entities> ...')");
        }
        return s;
    }

    std::string topic_;
    std::string path_;
    std::string hostname_;
    std::chrono::milliseconds interval_{1000};
    uint64_t limit_ = 0;
    uint64_t emitted_ = 0;
    uint64_t next_seq_ = 0;
    std::optional<uint64_t> last_committed_;
    Clock::time_point next_due_;
    std::mutex mu_;
    std::condition_variable cv_;
};

DCX_SOURCE_PLUGIN(LoadavgSource, "in_loadavg", "Load average", "1.0.0",
                  "the host's /proc/loadavg as keyed JSON records (out-of-tree example)")
