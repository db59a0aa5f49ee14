// SPDX-License-Identifier: Apache-2.0
// in_mqtt: subscribes to MQTT topic filters and turns each message into a record for the
// Danube topic of the first matching route, as the Rust source-mqtt connector does, with its
// gaps fixed (source-plugins.md §1.5). Push-style: libmosquitto's loop runs on the client's
// network thread, messages go through a bounded hand-off queue, and the host is woken when it
// turns non-empty; poll() only drains it.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "dcx/sdk/source_connector.hpp"
#include "handoff_queue.hpp"
#include "mosquitto_library.hpp"
#include "mqtt_client.hpp"
#include "mqtt_config.hpp"
#include "record_builder.hpp"
#include "route_table.hpp"

using namespace dcx::sdk;

namespace dcx::mqtt {
namespace {

using Clock = std::chrono::steady_clock;

// At most one line per interval for a per-message warning, with the running count.
class WarnEvery {
public:
    explicit WarnEvery(std::chrono::seconds interval) : interval_(interval) {}
    /// True when this occurrence should be logged; `count` is the total so far.
    bool due(uint64_t& count) {
        count = ++count_;
        const auto now = Clock::now();
        if (count_ > 1 && now - last_ < interval_) return false;
        last_ = now;
        return true;
    }
    uint64_t count() const { return count_; }

private:
    std::chrono::seconds interval_;
    Clock::time_point last_{};
    uint64_t count_ = 0;
};

const char* qos_name(int qos) {
    switch (qos) {
        case 0: return "AtMostOnce";
        case 1: return "AtLeastOnce";
        default: return "ExactlyOnce";
    }
}

}  // namespace

class MqttSource final : public SourceConnector, private MqttClient::Handler {
public:
    ~MqttSource() override { close(); }

    void initialize(const nlohmann::json& config, const CoreConfig& core) override {
        stop_client();  // the host retries initialize() after a RetryableError: start afresh
        config_ = parse_config(config);
        for (const auto& w : config_.warnings) log(LogLevel::warn, w);
        routes_ = RouteTable(config_.routes);
        warn_schemas_without_route(core);

        std::vector<MqttClient::Subscription> subscriptions;
        for (const auto& r : config_.routes) {
            int qos = r.qos;
            if (config_.ack_after_publish && qos == 2) {
                // libmosquitto 2.0 sends PUBREC for a QoS 2 message before the application sees
                // it, so its acknowledgement cannot wait for Danube; QoS 1 can (README).
                log(LogLevel::warn, r.path + ": ack_after_publish subscribes to '" + r.from +
                                        "' with QoS 1 (AtLeastOnce) instead of 2, so each message is acknowledged "
                                        "to the MQTT broker only after Danube has it");
                qos = 1;
            }
            subscriptions.push_back({r.from, qos});
        }

        const auto& processing = core.json().value("processing", nlohmann::json::object());
        const size_t capacity = processing.value("batch_size", size_t{1000});
        uint64_t first_offset = 1;
        for (const auto& o : core.committed_offsets()) {
            if (o.partition == HandoffQueue::kOffsetPartition) first_offset = o.value + 1;
        }
        queue_.configure(capacity, config_.ack_after_publish, first_offset);
        options_ = RecordOptions{config_.include_metadata, config_.key_routing};

        log(LogLevel::info, describe());
        for (const auto& r : config_.routes) {
            log(LogLevel::info, "route " + r.from + " -> " + r.to + " (" + qos_name(r.qos) + ", partitions " +
                                    std::to_string(r.partitions) + ", reliable_dispatch " +
                                    (r.reliable_dispatch ? "true" : "false") + ")");
        }
        MqttClient::Handler& handler = *this;  // private base: convert here, where it is accessible
        client_ = std::make_unique<MqttClient>(config_, std::move(subscriptions), handler,
                                               [this](LogLevel level, const std::string& m) { log(level, m); });
        try {
            client_->start([this] { return stop_requested(); });
        } catch (...) {
            stop_client();
            throw;
        }
    }

    std::vector<ProducerConfig> producer_configs() override {
        // One producer per Danube topic; when routes share a topic the later route's settings
        // win, as the second producer config did in the Rust runtime.
        std::vector<ProducerConfig> out;
        std::map<std::string, size_t> index;
        for (const auto& r : config_.routes) {
            const ProducerConfig pc{r.to, r.partitions, r.reliable_dispatch};
            const auto it = index.find(r.to);
            if (it == index.end()) {
                index.emplace(r.to, out.size());
                out.push_back(pc);
                continue;
            }
            ProducerConfig& prev = out[it->second];
            if (prev.partitions != pc.partitions || prev.reliable_dispatch != pc.reliable_dispatch) {
                log(LogLevel::warn, "routes to " + r.to + " disagree on partitions/reliable_dispatch; " + r.path +
                                        " (the later route) wins");
            }
            prev = pc;
        }
        return out;
    }

    std::vector<SourceRecord> poll() override {
        // Never waits: the network thread wakes the host when messages arrive.
        auto records = queue_.take(max_records());
        taken_ += records.size();
        return records;
    }

    void commit(const std::vector<Offset>& offsets) override {
        for (const auto& o : offsets) {
            if (o.partition == HandoffQueue::kOffsetPartition) queue_.committed(o.value);
        }
    }

    void health_check() override {
        // A broker outage is not unhealthy: the client reconnects by itself and the host would
        // otherwise stop the daemon after a few failed checks. Only a dead network thread is.
        if (client_ && !client_->thread_alive()) throw FatalError("the MQTT network thread stopped");
    }

    void on_stop_requested() override { queue_.stop_accepting(); }

    void shutdown() override { close(); }

    std::optional<nlohmann::json> config_schema() const override { return dcx::mqtt::config_schema(); }

private:
    bool on_message(const InboundMessage& m) override {
        const Route* route = routes_.match(m.topic);
        if (!route) {
            uint64_t n = 0;
            if (unmatched_.due(n)) {
                log(LogLevel::warn, "No Danube topic mapping found for MQTT topic: " + std::string(m.topic) + " (" +
                                        std::to_string(n) + " unmatched message(s) so far, dropped)");
            }
            return true;
        }
        // Under MQTT 5 the broker already holds back larger packets (CONNECT's maximum packet size).
        if (m.payload.size() + m.topic.size() > config_.max_packet_size) {
            uint64_t n = 0;
            if (oversize_.due(n)) {
                log(LogLevel::warn, "message on " + std::string(m.topic) + " (" + std::to_string(m.payload.size()) +
                                        " bytes) exceeds max_packet_size " + std::to_string(config_.max_packet_size) +
                                        "; dropped (" + std::to_string(n) + " so far)");
            }
            return true;
        }
        ++received_;
        const auto outcome = queue_.push(build_record(m, route->to, options_), m.qos >= 1, [this] { wake_host(); });
        return outcome == HandoffQueue::Outcome::taken;
    }

    // Releases a blocked on_message first, so the network thread can end, then stops it.
    void stop_client() {
        queue_.close();
        if (client_) client_->stop();
        client_.reset();
    }

    void close() {
        queue_.close();
        if (!client_) return;
        client_->stop();
        const size_t left = queue_.size();
        log(LogLevel::info, "MQTT source stopped: " + std::to_string(received_.load()) + " message(s) received, " +
                                std::to_string(taken_) + " handed to the host, " +
                                std::to_string(client_->reconnects()) + " reconnect attempt(s)");
        if (left > 0) {
            log(LogLevel::warn, std::to_string(left) +
                                    " message(s) received after the host's last poll were not published (already "
                                    "acknowledged to the MQTT broker unless ack_after_publish is on)");
        }
        client_.reset();
    }

    std::string describe() const {
        const auto& c = config_;
        return std::string("MQTT source: broker ") + c.broker_host + ":" + std::to_string(c.broker_port) +
               (c.use_tls ? " over TLS" : "") + ", client_id " + c.client_id + ", MQTT " +
               (c.protocol_version == ProtocolVersion::v5 ? "5" : "3.1.1") + ", clean_session " +
               (c.clean_session ? "true" : "false") + ", keep_alive " + std::to_string(c.keep_alive_secs) + " s, " +
               (c.username ? "username set" : "no username") + (c.password ? ", password set" : "") +
               ", ack_after_publish " + (c.ack_after_publish ? "true" : "false") + ", libmosquitto " +
               MosquittoLibrary::version() + ", " + std::to_string(c.routes.size()) + " route(s)";
    }

    void warn_schemas_without_route(const CoreConfig& core) {
        std::set<std::string> targets;
        for (const auto& r : config_.routes) targets.insert(r.to);
        const auto schemas = core.json().value("schemas", nlohmann::json::array());
        for (const auto& s : schemas) {
            const std::string topic = s.value("topic", "");
            if (!topic.empty() && !targets.count(topic)) {
                log(LogLevel::warn, "Schema configured for topic '" + topic + "' but no route exists for it");
            }
        }
    }

    MqttConfig config_;
    RouteTable routes_;
    RecordOptions options_;
    HandoffQueue queue_;
    std::unique_ptr<MqttClient> client_;  // after queue_: destroyed first, while the queue exists
    std::atomic<uint64_t> received_{0};
    uint64_t taken_ = 0;
    WarnEvery unmatched_{std::chrono::seconds(5)};  // network thread only
    WarnEvery oversize_{std::chrono::seconds(5)};   // network thread only
};

}  // namespace dcx::mqtt

DCX_SOURCE_PLUGIN(dcx::mqtt::MqttSource, "in_mqtt", "MQTT source", "0.1.0",
                  "subscribes to MQTT topic filters (libmosquitto) and publishes each message to the routed Danube topic")
