// SPDX-License-Identifier: Apache-2.0
// The delivery pipeline, run on the plugin thread: poll -> validate -> serialize -> route ->
// publish (Publisher) -> settle -> commit the acked prefix. Nothing accepted from the plugin is
// dropped: every record is acknowledged by Danube, written to the dead-letter topic, skipped by
// the configured policy (counted), or still unsettled at exit (reported, never committed).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/connector_config.hpp"
#include "offsets/offset_store.hpp"
#include "pipeline/offset_tracker.hpp"
#include "pipeline/pipeline_stats.hpp"
#include "pipeline/publisher.hpp"
#include "plugin/plugin_instance.hpp"
#include "schema/payload_encoder.hpp"
#include "schema/schema_resolver.hpp"

namespace dcx::pipeline {

/// Exit codes of a pipeline run (docs/operations.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFatal = 1;
inline constexpr int kExitDrainTimeout = 75;  // EX_TEMPFAIL: records left unsettled at shutdown

/// One destination topic declared by the plugin, with its schema and publisher partitions.
struct Route {
    std::string topic;
    uint32_t first_partition = 0;  // index into the publisher's partition table
    uint32_t partition_count = 1;  // max(1, declared partitions)
    uint64_t round_robin = 0;      // keyless records: counter % partition_count
    schema::SchemaType type = schema::SchemaType::none;
    std::optional<schema::ResolvedSchema> schema;
    std::unique_ptr<schema::JsonSchemaValidator> validator;  // json_schema topics
    std::shared_ptr<RouteStats> stats = std::make_shared<RouteStats>();
};

class Pipeline {
public:
    /// `partitions` holds every route's producers (see Route::first_partition), then the
    /// dead-letter producer if `dead_letter_partition` is set.
    /// `store` (may be null) receives every committed position before the plugin does.
    Pipeline(const config::ConnectorConfig& config, plugin::PluginInstance& plugin, broker::BrokerConnection& broker,
             std::vector<Route> routes, std::vector<Publisher::PartitionSpec> partitions,
             std::optional<uint32_t> dead_letter_partition, std::shared_ptr<PipelineStats> stats,
             offsets::OffsetStore* store);
    ~Pipeline();

    /// Runs until stopped or a fatal error; drains, commits, shuts the plugin down. Returns
    /// the exit code. Call on the plugin thread.
    int run();
    /// Starts the drain. [thread-safe]
    void request_stop();
    /// The plugin has data. [thread-safe]
    void wakeup();

    const PipelineStats& stats() const { return *stats_; }

private:
    enum class Stage { validate, serialize, publish };

    void process(plugin::OwnedRecord& record);
    void handle_invalid(uint64_t seq, const plugin::OwnedRecord& record, Stage stage, const std::string& code,
                        const std::string& message);
    void handle_settlement(Settlement s);
    void drain_settlements();
    void finish(uint64_t seq, uint64_t bytes);
    void submit_new(std::unique_ptr<Outgoing> out);
    /// An Outgoing from the spares (cleared, its strings' capacity kept) or a new one.
    std::unique_ptr<Outgoing> take_outgoing();
    /// Keeps a settled Outgoing for reuse: in steady state a record then costs no allocation for
    /// its message, payload, topic and message-id strings.
    void recycle(std::unique_ptr<Outgoing> out);
    /// Hands what submit_new collected to the publisher: one lock and one wake-up per poll batch
    /// instead of one per record (the thread hand-off was the daemon's largest overhead).
    void flush_to_publisher();
    std::unique_ptr<Outgoing> dead_letter_message(uint64_t seq, const std::string& payload,
                                                  const std::vector<std::pair<std::string, std::string>>& attributes,
                                                  const std::optional<std::string>& key, const std::string& target,
                                                  Stage stage, const std::string& code, const std::string& message,
                                                  const std::optional<plugin::SourceOffset>& offset);
    void report_outcome(uint64_t seq, dcx_status_t status, const std::string& reason);
    void commit();
    void check_health(std::chrono::steady_clock::time_point now);
    /// Sleeps until `until`, a wakeup, a stop, or `min_settlements` settlements are waiting.
    void wait(std::chrono::steady_clock::time_point until, size_t min_settlements = 1);
    void set_fatal(const std::string& why);
    bool can_poll() const;
    bool below_low_water() const;

    const config::ConnectorConfig& config_;
    plugin::PluginInstance& plugin_;
    std::map<std::string, Route> routes_;
    std::optional<uint32_t> dead_letter_partition_;
    std::shared_ptr<PipelineStats> stats_;
    offsets::OffsetStore* store_;
    std::unique_ptr<Publisher> publisher_;

    OffsetTracker tracker_;
    std::map<std::string, plugin::SourceOffset> pending_commit_;
    schema::PayloadEncoder encoder_;
    plugin::RecordBatch batch_;
    std::string scratch_;
    std::vector<std::unique_ptr<Outgoing>> to_publish_;  // this batch's messages, in order
    std::vector<std::unique_ptr<Outgoing>> spare_;       // settled, for reuse (bounded)
    size_t spare_bytes_ = 0;                             // their payloads' capacity
    uint64_t next_seq_ = 0;
    bool outcomes_ = false;                           // the plugin wants per-record outcomes
    std::unordered_map<uint64_t, uint64_t> tokens_;  // seq -> user_token, tracked records in flight
    uint32_t health_failures_ = 0;
    std::string fatal_;
    bool publisher_fatal_ = false;

    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Settlement> settlements_;  // from the publisher thread
    std::vector<Settlement> settling_;      // being handled (pipeline thread only; not guarded)
    bool woken_ = false;
    bool waiting_ = false;                // the plugin thread is in wait()
    size_t wake_at_settlements_ = 1;      // ... and wants waking when this many are queued
    std::atomic<bool> stop_requested_{false};
    std::atomic<int64_t> stop_requested_at_us_{0};  // steady clock; the drain is measured from it
};

}  // namespace dcx::pipeline
