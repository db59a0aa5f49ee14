// SPDX-License-Identifier: Apache-2.0
// A plugin written with the C++ SDK, whose behaviour the test picks through its configuration:
// {"topic": "/default/sdk", "count": N, "mode": "<mode>"}; see the modes in poll()/initialize().
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "dcx/sdk/source_connector.hpp"

using namespace dcx::sdk;

class SdkTestSource final : public SourceConnector, public RecordOutcomes {
public:
    void initialize(const nlohmann::json& config, const CoreConfig& core) override {
        mode_ = config.value("mode", "normal");
        if (mode_ == "throw_std_in_initialize") throw std::runtime_error("boom in initialize");
        if (mode_ == "config_error") throw ConfigError("'count' must be positive");
        topic_ = config.at("topic").get<std::string>();  // a missing key throws: FATAL with the JSON message
        count_ = config.value("count", 0);
        resumed_from_ = core.committed_offsets();
        if (config.contains("outcome_log")) outcome_log_.open(config["outcome_log"].get<std::string>(), std::ios::app);
        log(LogLevel::info, "sdk plugin initialized for connector " + core.connector_name());
    }

    std::vector<ProducerConfig> producer_configs() override { return {{topic_, 4, true}}; }

    std::vector<SourceRecord> poll() override {
        if (mode_ == "throw_retryable_in_poll") throw RetryableError("source busy, try later");
        if (mode_ == "throw_int_in_poll") throw 42;
        if (mode_ == "blocking_poll") {
            std::unique_lock lock(mu_);
            cv_.wait_for(lock, std::chrono::seconds(30), [&] { return stop_requested(); });
            return {};
        }
        std::vector<SourceRecord> out;
        if (mode_ == "invalid_utf8") {  // once
            if (emitted_++ > 0) return out;
            out.push_back(SourceRecord::from_string(topic_, "ok").with_attribute("bad", "\xC3\x28"));
            out.push_back(SourceRecord::from_string(topic_, "bad \xFF text"));
            out.push_back(SourceRecord::from_string(topic_, "bad key").with_key("key-\xFF"));
            out.push_back(SourceRecord::from_string(topic_, "all fine"));
            return out;
        }
        if (mode_ == "tokens") {  // every 4th record goes to a topic producer_configs never declared
            for (; emitted_ < count_; ++emitted_) {
                const bool bad = emitted_ % 4 == 3;
                out.push_back(SourceRecord::from_json(bad ? "/default/undeclared" : topic_, {{"i", emitted_}})
                                  .with_attribute("seq", std::to_string(emitted_))
                                  .with_token(static_cast<uint64_t>(emitted_) + 1));
            }
            return out;
        }
        if (mode_ == "oversize") {  // once, then one record that fits
            if (emitted_++ > 1) return out;
            if (emitted_ == 2) {
                out.push_back(SourceRecord::from_string(topic_, "after the oversized one"));
                return out;
            }
            out.push_back(SourceRecord::from_bytes(topic_, std::string(5 * 1024 * 1024, 'x')));
            return out;
        }
        if (emitted_ >= count_) return out;
        for (; emitted_ < count_; ++emitted_) {  // more than max_records: the SDK keeps the rest
            out.push_back(SourceRecord::from_json(topic_, {{"i", emitted_}, {"b", true}})
                              .with_attribute("origin", "sdk")
                              .with_key("key-" + std::to_string(emitted_ % 2))
                              .with_offset({"p0", static_cast<uint64_t>(emitted_), "meta"})
                              .with_event_time_ms(1700000000000 + emitted_));
        }
        out.push_back(SourceRecord::from_string(topic_, "plain text"));
        out.push_back(SourceRecord::from_number(topic_, 23.5));
        out.push_back(SourceRecord::from_bytes(topic_, std::string("\x00\x01\xFF", 3)));
        return out;
    }

    void commit(const std::vector<Offset>& offsets) override {
        if (mode_ == "throw_in_commit") throw FatalError("commit store is gone");
        committed_ = offsets;
    }

    void health_check() override {
        if (mode_ == "unhealthy") throw RetryableError("source connection lost");
    }

    void shutdown() override { log(LogLevel::info, "sdk plugin shut down"); }

    std::optional<nlohmann::json> config_schema() const override {
        return nlohmann::json{{"type", "object"},
                              {"required", {"topic"}},
                              {"properties", {{"topic", {{"type", "string"}}}, {"count", {{"type", "integer"}}}}}};
    }

    void on_record_outcome(uint64_t token, RecordOutcome outcome, std::string_view reason) override {
        outcome_log_ << token << " " << static_cast<int>(outcome) << " " << reason << "\n";
        outcome_log_.flush();
    }

    void on_stop_requested() override {
        std::lock_guard lock(mu_);
        cv_.notify_all();
    }

private:
    std::string mode_;
    std::string topic_;
    int count_ = 0;
    int emitted_ = 0;
    std::vector<Offset> resumed_from_;
    std::vector<Offset> committed_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::ofstream outcome_log_;
};

DCX_SOURCE_PLUGIN(SdkTestSource, "sdk_test", "SDK test source", "1.0.0", "exercises every SDK path")
