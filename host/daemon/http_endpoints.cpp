// SPDX-License-Identifier: Apache-2.0
#include "daemon/http_endpoints.hpp"

#include <chrono>

#include "metrics/prometheus_writer.hpp"

namespace dcx::daemon {
namespace {

using metrics::Labels;

// A loop that has not turned for this long is stuck (a plugin ignoring its poll timeout).
constexpr int64_t kLivenessTimeoutMs = 60000;
// Backpressure that lasts this long makes the instance not ready (the broker is not keeping up).
constexpr int64_t kPausedNotReadyMs = 30000;

int64_t now_unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const char* phase_name(ConnectorState::Phase p) {
    switch (p) {
        case ConnectorState::Phase::starting: return "starting";
        case ConnectorState::Phase::running: return "running";
        case ConnectorState::Phase::draining: return "draining";
        case ConnectorState::Phase::stopped: return "stopped";
    }
    return "unknown";
}

double uptime_seconds(const ConnectorState& s) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started_at).count();
}

nlohmann::json readiness_reasons(const ConnectorState& s) {
    nlohmann::json reasons = nlohmann::json::array();
    const auto phase = s.phase.load();
    const auto& st = *s.stats;
    if (phase == ConnectorState::Phase::starting) reasons.push_back("starting: " + s.waiting_for());
    if (phase == ConnectorState::Phase::draining) reasons.push_back("draining: shutting down");
    if (phase == ConnectorState::Phase::stopped) reasons.push_back("stopped");
    if (!s.broker_up) reasons.push_back("broker " + s.broker_url + " is not reachable");
    if (!s.broker_auth_ok) reasons.push_back("broker " + s.broker_url + " rejects the credentials");
    if (st.health_failures > 0) {
        reasons.push_back("plugin health check failing (" + std::to_string(st.health_failures.load()) + " in a row)");
    }
    const int64_t paused = st.paused_since_unix_ms;
    if (paused > 0 && now_unix_ms() - paused > kPausedNotReadyMs) {
        reasons.push_back("backpressure: in-flight limits reached for " + std::to_string((now_unix_ms() - paused) / 1000) + " s");
    }
    return reasons;
}

}  // namespace

std::string render_metrics(const ConnectorState& s) {
    metrics::PrometheusWriter w;
    const Labels base{{"connector", s.connector_name}};
    const auto& st = *s.stats;
    for (const auto& [topic, r] : s.routes()) {
        const Labels l{{"connector", s.connector_name}, {"topic", topic}};
        w.counter("danube_connector_messages_processed_total", "Records acknowledged by Danube on their topic.", l, static_cast<double>(r->published));
        auto failed = [&](const char* type, uint64_t v) {
            Labels lt = l;
            lt.emplace_back("error_type", type);
            w.counter("danube_connector_messages_failed_total", "Records that could not be published, by stage.", lt, static_cast<double>(v));
        };
        failed("validate", r->failed_validate);
        failed("serialize", r->failed_serialize);
        failed("publish_rejected", r->publish_rejected);
        w.counter("danube_connector_messages_retried_total", "Sends retried after a transient broker failure.", l, static_cast<double>(r->retried));
        w.counter("danube_connector_records_dead_lettered_total", "Records meant for this topic written to the dead-letter topic.", l,
                  static_cast<double>(r->dead_lettered));
    }
    w.counter("danube_connector_records_polled_total", "Records received from the plugin.", base, static_cast<double>(st.records_polled));
    w.counter("danube_connector_polls_total", "Calls to the plugin's poll(), empty ones included.", base, static_cast<double>(st.polls));
    w.counter("danube_connector_records_skipped_total", "Invalid records skipped by policy (on_invalid = skip).", base,
              static_cast<double>(st.records_skipped));
    w.counter("danube_connector_source_data_skipped_total", "Source data the plugin could not turn into records.", base,
              static_cast<double>(st.source_data_skipped));
    w.counter("danube_connector_polls_failed_total", "Plugin polls that failed.", base, static_cast<double>(st.polls_failed));
    w.counter("danube_connector_producer_recreations_total", "Producers re-created after a broker restart or topic move.", base,
              static_cast<double>(st.publisher.producer_recreations));
    w.counter("danube_connector_commits_total", "Offset commits handed to the plugin.", base, static_cast<double>(st.commits));
    w.gauge("danube_connector_inflight_messages", "Records polled and not yet settled.", base, static_cast<double>(st.inflight_records));
    w.gauge("danube_connector_inflight_bytes", "Payload bytes of the records in flight.", base, static_cast<double>(st.inflight_bytes));
    w.gauge("danube_connector_paused", "1 while polling is paused by the in-flight limits.", base, st.paused_since_unix_ms > 0 ? 1 : 0);
    w.gauge("danube_connector_health", "1 while the plugin's health check passes.", base, st.healthy ? 1 : 0);
    w.gauge("danube_connector_broker_up", "1 while the broker answers.", base, s.broker_up ? 1 : 0);
    w.gauge("danube_connector_last_commit_timestamp_seconds", "Unix time of the last offset commit.", base,
            static_cast<double>(st.last_commit_unix_ms) / 1000.0);
    w.gauge("danube_connector_uptime_seconds", "Seconds since the daemon started.", base, uptime_seconds(s));
    w.histogram("danube_connector_processing_duration_seconds", "From poll to Danube's acknowledgement.", base, st.latency.snapshot());
    w.histogram("danube_connector_batch_size", "Records per non-empty poll.", base, st.batch_size.snapshot());
    return w.text();
}

std::map<std::string, metrics::HttpServer::Handler> make_http_endpoints(std::shared_ptr<const ConnectorState> state) {
    std::map<std::string, metrics::HttpServer::Handler> routes;
    routes["/metrics"] = [state] {
        return metrics::HttpResponse{200, metrics::PrometheusWriter::kContentType, render_metrics(*state)};
    };
    routes["/healthz"] = [state] {
        const int64_t beat = state->stats->heartbeat_unix_ms;
        const bool starting = state->phase == ConnectorState::Phase::starting;
        const bool alive = starting || beat == 0 || now_unix_ms() - beat < kLivenessTimeoutMs;
        nlohmann::json body{{"status", alive ? "alive" : "stuck"}, {"uptime_seconds", uptime_seconds(*state)}};
        if (!alive) body["reason"] = "the pipeline loop has not turned for " + std::to_string((now_unix_ms() - beat) / 1000) + " s";
        return metrics::HttpResponse{alive ? 200 : 503, "application/json", body.dump()};
    };
    routes["/readyz"] = [state] {
        const auto reasons = readiness_reasons(*state);
        const bool ready = reasons.empty();
        nlohmann::json body{{"ready", ready}};
        if (!ready) body["reasons"] = reasons;
        return metrics::HttpResponse{ready ? 200 : 503, "application/json", body.dump()};
    };
    routes["/status"] = [state] {
        const auto& st = *state->stats;
        nlohmann::json topics = nlohmann::json::object();
        for (const auto& [topic, r] : state->routes()) {
            topics[topic] = {{"published", r->published.load()},       {"failed_validate", r->failed_validate.load()},
                             {"failed_serialize", r->failed_serialize.load()}, {"publish_rejected", r->publish_rejected.load()},
                             {"retried", r->retried.load()},           {"dead_lettered", r->dead_lettered.load()}};
        }
        nlohmann::json offsets = nlohmann::json::array();
        for (const auto& o : st.committed()) offsets.push_back({{"partition", o.partition}, {"value", o.value}});
        nlohmann::json body{
            {"connector", state->connector_name},
            {"phase", phase_name(state->phase)},
            {"uptime_seconds", uptime_seconds(*state)},
            {"plugin", state->plugin()},
            {"broker", {{"url", state->broker_url}, {"reachable", state->broker_up.load()}}},
            {"records",
             {{"polled", st.records_polled.load()},
              {"published", st.records_published.load()},
              {"invalid", st.records_invalid.load()},
              {"dead_lettered", st.records_dead_lettered.load()},
              {"skipped", st.records_skipped.load()},
              {"in_flight", st.inflight_records.load()},
              {"in_flight_bytes", st.inflight_bytes.load()}}},
            {"topics", topics},
            {"committed_offsets", offsets},
            {"last_commit_unix_ms", st.last_commit_unix_ms.load()},
            {"health", {{"healthy", st.healthy.load()}, {"consecutive_failures", st.health_failures.load()}}},
            {"ready", readiness_reasons(*state).empty()},
            {"last_error", st.last_error()},
        };
        return metrics::HttpResponse{200, "application/json", body.dump(2)};
    };
    return routes;
}

}  // namespace dcx::daemon
