// SPDX-License-Identifier: Apache-2.0
#include "pipeline/pipeline.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "broker/key_router.hpp"
#include "common/utf8.hpp"
#include "pipeline/message_reuse.hpp"

namespace dcx::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

int64_t now_unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
int64_t now_steady_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

const char* stage_name(int stage) {
    static constexpr const char* kNames[] = {"validate", "serialize", "publish"};
    return kNames[stage];
}

// Logs the first 10 occurrences, then every 1000th, with the running count.
bool should_log(uint64_t count) { return count <= 10 || count % 1000 == 0; }

std::string code_name(grpc::StatusCode code) {
    static constexpr const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                                             "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                             "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
                                             "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    const auto i = static_cast<size_t>(code);
    return i < std::size(kNames) ? kNames[i] : std::to_string(i);
}

}  // namespace

Pipeline::Pipeline(const config::ConnectorConfig& config, plugin::PluginInstance& plugin, broker::BrokerConnection& broker,
                   std::vector<Route> routes, std::vector<Publisher::PartitionSpec> partitions,
                   std::optional<uint32_t> dead_letter_partition, std::shared_ptr<PipelineStats> stats,
                   offsets::OffsetStore* store)
    : config_(config), plugin_(plugin), dead_letter_partition_(dead_letter_partition), stats_(std::move(stats)),
      store_(store) {
    for (auto& r : routes) {
        const std::string topic = r.topic;
        routes_.emplace(topic, std::move(r));
    }
    Publisher::Settings settings;
    settings.strict = config.delivery.ordering == config::Ordering::strict;
    settings.window = config.delivery.window_per_producer;
    settings.send_timeout = std::chrono::milliseconds(config.delivery.send_timeout_ms);
    settings.retry = config.retry;
    settings.latency = &stats_->latency;
    publisher_ = std::make_unique<Publisher>(broker, settings, std::move(partitions), stats_->publisher, [this](Settlement s) {
        bool wake = false;
        {
            std::lock_guard lock(mu_);
            settlements_.push_back(std::move(s));
            // Only when the waiter's threshold is reached: waking it at every ack to re-check
            // and sleep again cost a context switch per record.
            wake = waiting_ && settlements_.size() >= wake_at_settlements_;
        }
        if (wake) cv_.notify_one();
    });
}

Pipeline::~Pipeline() { publisher_->stop(); }

void Pipeline::request_stop() {
    int64_t unset = 0;
    stop_requested_at_us_.compare_exchange_strong(unset, now_steady_us());
    stop_requested_ = true;
    plugin_.request_stop();
    cv_.notify_one();
}

void Pipeline::wakeup() {
    {
        std::lock_guard lock(mu_);
        woken_ = true;
    }
    cv_.notify_one();
}

void Pipeline::set_fatal(const std::string& why) {
    if (fatal_.empty()) {
        fatal_ = why;
        stats_->set_last_error(why);
        spdlog::error("stopping: {}", why);
    }
}

void Pipeline::wait(Clock::time_point until, size_t min_settlements) {
    std::unique_lock lock(mu_);
    waiting_ = true;
    wake_at_settlements_ = std::max<size_t>(min_settlements, 1);
    cv_.wait_until(lock, until, [&] { return woken_ || settlements_.size() >= min_settlements || stop_requested_; });
    waiting_ = false;
    woken_ = false;
}

bool Pipeline::below_low_water() const {
    return stats_->inflight_records <= config_.delivery.max_inflight_records * 3 / 4 &&
           stats_->inflight_bytes <= config_.delivery.max_inflight_bytes * 3 / 4;
}

bool Pipeline::can_poll() const {
    return stats_->inflight_records < config_.delivery.max_inflight_records &&
           stats_->inflight_bytes < config_.delivery.max_inflight_bytes;
}

int Pipeline::run() {
    outcomes_ = plugin_.wants_record_outcomes();
    publisher_->start();
    const auto& proc = config_.processing;
    const auto poll_interval = std::chrono::milliseconds(std::max<uint64_t>(proc.poll_interval_ms, 1));
    const auto commit_interval = std::chrono::milliseconds(config_.delivery.commit_interval_ms);
    auto next_commit = Clock::now() + commit_interval;
    auto next_health = Clock::now() + std::chrono::milliseconds(proc.health_check_interval_ms);
    auto poll_not_before = Clock::now();
    uint32_t poll_failures = 0;

    while (true) {
        drain_settlements();
        stats_->heartbeat_unix_ms = now_unix_ms();
        if (!fatal_.empty() || stop_requested_) break;
        const auto now = Clock::now();
        if (now >= next_commit) {
            commit();
            next_commit = now + commit_interval;
        }
        if (proc.health_check_interval_ms > 0 && now >= next_health) {
            check_health(now);
            next_health = now + std::chrono::milliseconds(proc.health_check_interval_ms);
            if (!fatal_.empty()) break;
        }
        if (now < poll_not_before) {
            wait(std::min(poll_not_before, next_commit));
            continue;
        }
        if (!can_poll() || (stats_->paused_since_unix_ms != 0 && !below_low_water())) {
            // Backpressure: the plugin is not polled until acks free a quarter of the room.
            // Resuming at a low-water mark, not at every ack, keeps one ack from costing a
            // thread wakeup and a one-record poll (measured: 80-140 us of CPU per record).
            if (stats_->paused_since_unix_ms == 0) stats_->paused_since_unix_ms = now_unix_ms();
            const uint64_t low = config_.delivery.max_inflight_records * 3 / 4;
            const uint64_t inflight = stats_->inflight_records;
            wait(std::min(next_commit, now + poll_interval), inflight > low ? static_cast<size_t>(inflight - low) : 1);
            continue;
        }
        stats_->paused_since_unix_ms = 0;
        const uint64_t room = config_.delivery.max_inflight_records - stats_->inflight_records;
        const auto max_records = static_cast<uint32_t>(std::min<uint64_t>(proc.batch_size, room));
        batch_.clear();
        // Nothing to read: the next poll comes one interval after this one started. A blocking
        // plugin that already waited out the interval is polled again at once (waiting a second
        // interval would hold back whatever arrives meanwhile); one that returns at once is not
        // polled in a spin.
        const auto next_poll = Clock::now() + poll_interval;
        ++stats_->polls;
        const auto r = plugin_.poll(batch_, max_records, static_cast<uint32_t>(poll_interval.count()));
        if (!batch_.empty()) stats_->batch_size.observe(static_cast<double>(batch_.size()));
        for (auto& record : batch_) process(record);
        flush_to_publisher();
        switch (r.status) {
            case DCX_STATUS_OK:
            case DCX_STATUS_NO_DATA:
                poll_failures = 0;
                if (batch_.empty() && Clock::now() < next_poll) wait(std::min(next_commit, next_poll));
                break;
            case DCX_STATUS_INVALID_RECORD:
                if (should_log(++stats_->source_data_skipped)) {
                    spdlog::warn("plugin skipped source data it could not read ({} so far): {}",
                                 stats_->source_data_skipped.load(), r.message);
                }
                break;
            case DCX_STATUS_RETRYABLE: {
                ++stats_->polls_failed;
                ++poll_failures;
                const uint32_t shift = std::min<uint32_t>(poll_failures - 1, 20);
                const auto backoff = std::min<uint64_t>(config_.retry.retry_backoff_ms << shift, config_.retry.max_backoff_ms);
                spdlog::warn("plugin poll failed (retrying in {} ms): {}", backoff, r.message);
                stats_->set_last_error("plugin poll: " + r.message);
                poll_not_before = Clock::now() + std::chrono::milliseconds(backoff);
                break;
            }
            default:
                ++stats_->polls_failed;
                set_fatal(std::string("plugin poll returned ") + plugin::status_name(r.status) + ": " + r.message);
                break;
        }
    }

    // Drain: no more polls; wait for what is in flight (and its dead-letter writes), bounded,
    // from the stop request (the signal) when there was one: a slow last poll uses up the time.
    plugin_.request_stop();
    const int64_t asked_us = stop_requested_at_us_;
    const auto drain_from = asked_us ? Clock::time_point(std::chrono::microseconds(asked_us)) : Clock::now();
    const auto deadline = drain_from + std::chrono::milliseconds(config_.delivery.shutdown_timeout_ms);
    if (stats_->inflight_records > 0) {
        spdlog::info("draining {} records in flight (up to {} ms)", stats_->inflight_records.load(),
                     config_.delivery.shutdown_timeout_ms);
    }
    while (stats_->inflight_records > 0 && !publisher_fatal_ && Clock::now() < deadline) {
        wait(std::min(deadline, Clock::now() + std::chrono::milliseconds(100)));
        drain_settlements();
    }
    flush_to_publisher();
    publisher_->stop();
    drain_settlements();
    commit();
    const auto unsettled = tracker_.unsettled();
    const uint64_t left = stats_->inflight_records;
    if (left > 0) {
        std::string per;
        for (const auto& [partition, n] : unsettled) per += " " + partition + "=" + std::to_string(n);
        spdlog::warn("{} records were not confirmed by Danube before exit; they will be delivered again from "
                     "the last committed offsets (per source partition:{})",
                     left, per.empty() ? " none with offsets" : per);
    }
    for (const auto& [seq, token] : std::map<uint64_t, uint64_t>(tokens_.begin(), tokens_.end())) {
        report_outcome(seq, DCX_STATUS_FATAL, "not delivered: the daemon stopped before Danube confirmed it");
    }
    const auto sr = plugin_.shutdown();
    if (!sr.ok()) spdlog::warn("plugin shutdown reported {}: {}", plugin::status_name(sr.status), sr.message);
    spdlog::info("pipeline stopped: {} polled, {} published, {} dead-lettered, {} skipped, {} unsettled",
                 stats_->records_polled.load(), stats_->records_published.load(), stats_->records_dead_lettered.load(),
                 stats_->records_skipped.load(), left);
    if (!fatal_.empty()) return kExitFatal;
    return left > 0 ? kExitDrainTimeout : kExitOk;
}

void Pipeline::process(plugin::OwnedRecord& rec) {
    const uint64_t seq = ++next_seq_;
    ++stats_->records_polled;
    if (rec.offset) tracker_.track(seq, *rec.offset);
    if (outcomes_ && rec.user_token != 0) tokens_.emplace(seq, rec.user_token);

    if (auto problem = plugin::check_record(rec, config_.delivery.max_record_bytes)) {
        return handle_invalid(seq, rec, Stage::validate, "INVALID_RECORD", *problem);
    }
    const auto it = routes_.find(rec.topic);
    if (it == routes_.end()) {
        return handle_invalid(seq, rec, Stage::validate, "UNKNOWN_TOPIC",
                              "topic '" + rec.topic + "' was not declared by the plugin's producer_configs");
    }
    Route& route = it->second;
    if (auto err = encoder_.encode(rec, route.type, route.validator.get(), scratch_)) {
        const Stage stage = err->stage == schema::EncodeError::Stage::validate ? Stage::validate : Stage::serialize;
        return handle_invalid(seq, rec, stage, stage == Stage::validate ? "INVALID_RECORD" : "SERIALIZATION", err->message);
    }

    auto out = take_outgoing();
    out->seq = seq;
    const uint32_t offset_in_route = rec.key ? broker::partition_for_key(*rec.key, route.partition_count)
                                             : static_cast<uint32_t>(route.round_robin++ % route.partition_count);
    out->partition = route.first_partition + offset_in_route;
    out->target_topic = route.topic;
    out->source_offset = rec.offset;
    out->polled_at_us = now_steady_us();
    danube::StreamMessage& m = out->msg;
    m.set_payload(scratch_);
    assign_attributes(*m.mutable_attributes(), rec.attributes);
    if (route.schema) {
        m.set_schema_id(route.schema->schema_id);
        m.set_schema_version(route.schema->version);
    }
    if (rec.key) m.set_routing_key(*rec.key);
    m.set_publish_time(static_cast<uint64_t>(rec.event_time_ms > 0 ? rec.event_time_ms : now_unix_ms()));
    m.set_subscription_name("");
    out->bytes = m.payload().size();
    // The broker refuses requests over 4 MiB; check the whole message, not just the payload.
    const size_t encoded = m.ByteSizeLong() + route.topic.size() + 64;
    if (encoded > config_.delivery.max_record_bytes) {
        return handle_invalid(seq, rec, Stage::serialize, "TOO_LARGE",
                              "encoded message is " + std::to_string(encoded) + " bytes, over max_record_bytes (" +
                                  std::to_string(config_.delivery.max_record_bytes) + ")");
    }
    submit_new(std::move(out));
}

void Pipeline::submit_new(std::unique_ptr<Outgoing> out) {
    ++stats_->inflight_records;
    stats_->inflight_bytes += out->bytes;
    to_publish_.push_back(std::move(out));
}

void Pipeline::flush_to_publisher() { publisher_->submit(to_publish_); }

namespace {
// Enough spares for a poll batch; the byte budget keeps large payloads from pinning memory.
constexpr size_t kMaxSpareOutgoing = 1024;
constexpr size_t kMaxSparePayloadBytes = 4 * 1024 * 1024;
}  // namespace

std::unique_ptr<Outgoing> Pipeline::take_outgoing() {
    if (spare_.empty()) return std::make_unique<Outgoing>();
    auto out = std::move(spare_.back());
    spare_.pop_back();
    spare_bytes_ -= out->msg.payload().capacity();
    return out;
}

void Pipeline::recycle(std::unique_ptr<Outgoing> out) {
    const size_t capacity = out->msg.payload().capacity();
    if (spare_.size() >= kMaxSpareOutgoing || spare_bytes_ + capacity > kMaxSparePayloadBytes) return;
    spare_bytes_ += capacity;
    // Every field process() relies on is reset here or assigned there (source_offset is assigned,
    // reusing its string; the attributes are overwritten in place when the names match).
    clear_for_reuse(out->msg);
    out->seq = 0;
    out->partition = 0;
    out->bytes = 0;
    out->attempts = 0;
    out->dead_letter = false;
    out->polled_at_us = 0;
    spare_.push_back(std::move(out));
}

void Pipeline::report_outcome(uint64_t seq, dcx_status_t status, const std::string& reason) {
    const auto it = tokens_.find(seq);
    if (it == tokens_.end()) return;
    const uint64_t token = it->second;
    tokens_.erase(it);
    plugin_.record_outcome(token, status, reason);
}

void Pipeline::finish(uint64_t seq, uint64_t bytes) {
    tracker_.settle(seq);
    --stats_->inflight_records;
    stats_->inflight_bytes -= bytes;
}

std::unique_ptr<Outgoing> Pipeline::dead_letter_message(
    uint64_t seq, const std::string& payload, const std::vector<std::pair<std::string, std::string>>& attributes,
    const std::optional<std::string>& key, const std::string& target, Stage stage, const std::string& code,
    const std::string& message, const std::optional<plugin::SourceOffset>& offset) {
    auto out = std::make_unique<Outgoing>();
    out->seq = seq;
    out->partition = *dead_letter_partition_;
    out->dead_letter = true;
    out->target_topic = target;
    out->polled_at_us = now_steady_us();
    danube::StreamMessage& m = out->msg;
    m.set_payload(payload);
    auto& attrs = *m.mutable_attributes();
    // The copy must be publishable, or the record would be lost: text that is not UTF-8 (a reason
    // to be here) becomes U+FFFD in the attributes and the key, which Danube reads as UTF-8.
    for (const auto& [k, v] : attributes) attrs[to_valid_utf8(k)] = to_valid_utf8(v);
    attrs["dlq.stage"] = stage_name(static_cast<int>(stage));
    attrs["dlq.error_code"] = code;
    attrs["dlq.error_message"] = message;
    attrs["dlq.target_topic"] = target;
    attrs["dlq.connector"] = config_.connector_name;
    attrs["dlq.failed_at"] = std::to_string(now_unix_ms());
    if (offset) {
        attrs["dlq.source_partition"] = offset->partition;
        attrs["dlq.source_position"] = std::to_string(offset->value);
    }
    if (key) m.set_routing_key(to_valid_utf8(*key));
    m.set_publish_time(static_cast<uint64_t>(now_unix_ms()));
    // A record too large to publish is too large to dead-letter whole: its payload is cut to fit
    // and the attribute says how large it was.
    const size_t limit = config_.delivery.max_record_bytes;
    const size_t size = m.ByteSizeLong() + config_.dead_letter.topic.size() + 64;
    if (size > limit) {
        const std::string original = std::to_string(payload.size());
        const size_t excess = size - limit + std::string_view("dlq.payload_truncated_from").size() + original.size() + 8;
        attrs["dlq.payload_truncated_from"] = original;
        m.set_payload(payload.substr(0, payload.size() > excess ? payload.size() - excess : 0));
    }
    out->bytes = m.payload().size();
    return out;
}

void Pipeline::handle_invalid(uint64_t seq, const plugin::OwnedRecord& rec, Stage stage, const std::string& code,
                              const std::string& message) {
    const uint64_t n = ++stats_->records_invalid;
    if (const auto it = routes_.find(rec.topic); it != routes_.end()) {
        ++(stage == Stage::serialize ? it->second.stats->failed_serialize : it->second.stats->failed_validate);
    }
    if (should_log(n)) stats_->set_last_error("invalid record for " + rec.topic + ": " + message);
    const std::string where = rec.offset ? " (source " + rec.offset->partition + "@" + std::to_string(rec.offset->value) + ")" : "";
    switch (config_.dead_letter.on_invalid) {
        case config::InvalidRecordPolicy::dead_letter:
            if (should_log(n)) {
                spdlog::warn("record for {}{} is invalid at {} ({}); writing it to {} ({} invalid so far)", rec.topic,
                             where, stage_name(static_cast<int>(stage)), message, config_.dead_letter.topic, n);
            }
            submit_new(dead_letter_message(seq, rec.payload, rec.attributes, rec.key, rec.topic, stage, code, message, rec.offset));
            return;
        case config::InvalidRecordPolicy::skip:
            if (should_log(n)) {
                spdlog::warn("skipping invalid record for {}{} at {}: {} ({} invalid so far)", rec.topic, where,
                             stage_name(static_cast<int>(stage)), message, n);
            }
            ++stats_->records_skipped;
            tracker_.settle(seq);
            report_outcome(seq, DCX_STATUS_INVALID_RECORD, "skipped: " + message);
            return;
        case config::InvalidRecordPolicy::fail:
            set_fatal("invalid record for " + rec.topic + where + " at " + stage_name(static_cast<int>(stage)) + ": " +
                      message + " ([dead_letter] on_invalid = \"fail\")");
            return;
    }
}

void Pipeline::drain_settlements() {
    settling_.clear();  // keeps its capacity, which the publisher's queue gets back below
    {
        std::lock_guard lock(mu_);
        settling_.swap(settlements_);
    }
    for (auto& s : settling_) handle_settlement(std::move(s));
}

void Pipeline::handle_settlement(Settlement s) {
    switch (s.kind) {
        case Settlement::Kind::acked: {
            const auto route = routes_.find(s.out->target_topic);
            if (s.out->dead_letter) {
                ++stats_->records_dead_lettered;
                if (route != routes_.end()) ++route->second.stats->dead_lettered;
                const auto& a = s.out->msg.attributes();
                const auto why = a.find("dlq.error_message");
                report_outcome(s.out->seq, DCX_STATUS_INVALID_RECORD,
                               "dead-lettered: " + (why != a.end() ? why->second : std::string("invalid record")));
            } else {
                report_outcome(s.out->seq, DCX_STATUS_OK, "");
                ++stats_->records_published;
                if (route != routes_.end()) ++route->second.stats->published;
            }
            finish(s.out->seq, s.out->bytes);
            recycle(std::move(s.out));
            return;
        }
        case Settlement::Kind::rejected: {
            Outgoing& o = *s.out;
            const std::string code = code_name(s.status.error_code());
            if (o.dead_letter) {
                publisher_fatal_ = true;
                set_fatal("the dead-letter topic " + config_.dead_letter.topic + " rejected a record (" + code + ": " +
                          s.status.error_message() + ")");
                return;
            }
            const uint64_t n = ++stats_->records_invalid;
            if (const auto route = routes_.find(o.target_topic); route != routes_.end()) ++route->second.stats->publish_rejected;
            stats_->set_last_error("Danube rejected a record for " + o.target_topic + " (" + code + ")");
            switch (config_.dead_letter.on_invalid) {
                case config::InvalidRecordPolicy::dead_letter: {
                    if (should_log(n)) {
                        spdlog::warn("Danube rejected a record for {} ({}: {}); writing it to {}", o.target_topic, code,
                                     s.status.error_message(), config_.dead_letter.topic);
                    }
                    std::vector<std::pair<std::string, std::string>> attrs(o.msg.attributes().begin(), o.msg.attributes().end());
                    std::optional<std::string> key;
                    if (o.msg.has_routing_key()) key = o.msg.routing_key();
                    auto dlq = dead_letter_message(o.seq, o.msg.payload(), attrs, key, o.target_topic, Stage::publish,
                                                   code, s.status.error_message(), o.source_offset);
                    // Same record, same in-flight slot: account for the size change only.
                    stats_->inflight_bytes -= o.bytes;
                    stats_->inflight_bytes += dlq->bytes;
                    publisher_->submit(std::move(dlq));
                    return;
                }
                case config::InvalidRecordPolicy::skip:
                    if (should_log(n)) {
                        spdlog::warn("Danube rejected a record for {} ({}: {}); skipping it", o.target_topic, code,
                                     s.status.error_message());
                    }
                    ++stats_->records_skipped;
                    finish(o.seq, o.bytes);
                    report_outcome(o.seq, DCX_STATUS_INVALID_RECORD, "skipped: Danube rejected it (" + code + ")");
                    return;
                case config::InvalidRecordPolicy::fail:
                    set_fatal("Danube rejected a record for " + o.target_topic + " (" + code + ": " +
                              s.status.error_message() + ")");
                    return;
            }
            return;
        }
        case Settlement::Kind::fatal:
            // During shutdown the publisher hands back what it could not send: it stays unsettled.
            if (s.status.error_code() == grpc::StatusCode::CANCELLED) return;
            publisher_fatal_ = true;
            set_fatal("publishing failed: " + s.status.error_message() + " (" + code_name(s.status.error_code()) + ")");
            return;
    }
}

void Pipeline::commit() {
    for (auto& o : tracker_.take_committable()) pending_commit_[o.partition] = std::move(o);
    if (pending_commit_.empty()) return;
    std::vector<plugin::SourceOffset> offsets;
    for (const auto& [_, o] : pending_commit_) offsets.push_back(o);
    if (store_) {
        // Durable first: on a restart the plugin resumes from what the store says.
        try {
            store_->save(offsets);
        } catch (const std::exception& e) {
            spdlog::error("cannot save committed offsets to {}: {} (a restart would deliver more again)",
                          store_->path().string(), e.what());
        }
    }
    stats_->set_committed(tracker_.committable_positions());
    const auto r = plugin_.commit(offsets);
    if (r.ok()) {
        pending_commit_.clear();
        ++stats_->commits;
        stats_->last_commit_unix_ms = now_unix_ms();
        return;
    }
    if (r.status == DCX_STATUS_RETRYABLE) {
        spdlog::warn("plugin commit failed, will retry: {}", r.message);
        return;
    }
    set_fatal(std::string("plugin commit returned ") + plugin::status_name(r.status) + ": " + r.message);
}

void Pipeline::check_health(Clock::time_point) {
    const auto r = plugin_.health_check();
    if (r.ok()) {
        health_failures_ = 0;
        stats_->health_failures = 0;
        stats_->healthy = true;
        return;
    }
    ++health_failures_;
    stats_->health_failures = health_failures_;
    stats_->set_last_error("plugin health check: " + r.message);
    if (health_failures_ >= config_.processing.health_check_failure_threshold) stats_->healthy = false;
    spdlog::warn("plugin health check failed ({} of {} allowed in a row): {}", health_failures_,
                 config_.processing.health_check_failure_threshold, r.message);
    if (r.status == DCX_STATUS_FATAL || health_failures_ >= config_.processing.health_check_failure_threshold) {
        set_fatal("plugin health check failed " + std::to_string(health_failures_) + " consecutive times: " + r.message);
    }
}

}  // namespace dcx::pipeline
