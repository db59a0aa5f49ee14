// SPDX-License-Identifier: Apache-2.0
// in_webhook: an HTTP(S) server inside the plugin, receiving POSTs and publishing them to Danube,
// a drop-in for the Rust source-webhook connector (source-plugins.md §2). Push-style: server
// threads hand records to an IntakeQueue and wake the host; poll() only drains it and never
// blocks. Every record carries a token, so the host reports its fate (dcx.record-outcome/1):
// that is what lets ack = "publish" answer 200 only once Danube has the record.
#include <algorithm>
#include <set>

#include "client_ip.hpp"
#include "dcx/sdk/source_connector.hpp"
#include "intake_queue.hpp"
#include "payload_validator.hpp"
#include "rate_limiter.hpp"
#include "webhook_auth.hpp"
#include "webhook_config.hpp"
#include "webhook_server.hpp"

using namespace dcx::sdk;

namespace dcx::webhook {
namespace {

const char* auth_name(AuthType t) {
    switch (t) {
        case AuthType::none: return "none";
        case AuthType::apikey: return "apikey";
        case AuthType::hmac: return "hmac";
        case AuthType::jwt: return "jwt";
    }
    return "?";
}

}  // namespace

class WebhookSource final : public SourceConnector, public RecordOutcomes {
public:
    ~WebhookSource() override { stop_server(); }

    void initialize(const nlohmann::json& config, const CoreConfig& core) override {
        config_ = parse_config(config);
        for (const auto& w : config_.warnings) log(LogLevel::warn, w);
        // The Rust connector's channel held [processing] batch_size records (source-plugins.md §0).
        uint64_t capacity = 1000;
        if (const auto& p = core.json().value("processing", nlohmann::json::object()); p.contains("batch_size")) {
            capacity = p["batch_size"].get<uint64_t>();
        }
        intake_.set_capacity(config_.server.queue_capacity.value_or(capacity));

        auth_ = std::make_unique<Authenticator>(config_.auth, process_env);
        if (config_.auth.type != AuthType::none && config_.auth.secret_env && !process_env(*config_.auth.secret_env)) {
            log(LogLevel::warn, "auth.secret_env names " + *config_.auth.secret_env +
                                    ", which is not set: requests will get 500 until it is");
        }
        limiter_ = std::make_unique<RateLimiter>(config_.rate_limit, config_.routes);
        client_ips_ = std::make_unique<ClientIpResolver>(config_.server.trusted_proxies, config_.server.client_ip_header);
        std::set<std::string> topics;
        for (const auto& r : config_.routes) topics.insert(r.to);
        std::vector<std::string> notes;
        validator_ = PayloadValidator::from_core_config(core.json(), topics, notes);
        for (const auto& n : notes) log(LogLevel::info, n);

        WebhookServer::Context ctx;
        ctx.config = &config_;
        ctx.connector_name = core.connector_name();
        ctx.auth = auth_.get();
        ctx.limiter = limiter_.get();
        ctx.client_ips = client_ips_.get();
        ctx.validator = &validator_;
        ctx.intake = &intake_;
        ctx.wake_host = [this] { wake_host(); };
        ctx.log = [this](LogLevel level, const std::string& text) { log(level, text); };
        // Binding here makes a port in use a startup error (the Rust connector exited 0).
        server_ = std::make_unique<WebhookServer>(std::move(ctx));
        server_->start();

        size_t publish_routes = 0;
        for (const auto& r : config_.routes) publish_routes += r.ack == AckMode::publish;
        log(LogLevel::info, std::string("webhook server listening on ") + (server_->tls() ? "https" : "http") + "://" +
                                config_.server.host + ":" + std::to_string(server_->port()) + " (" +
                                std::to_string(config_.routes.size()) + " routes, " + std::to_string(publish_routes) +
                                " with ack = publish; auth " + auth_name(config_.auth.type) + "; rate limits " +
                                (limiter_->enabled() ? "on" : "off") + ")");
    }

    std::vector<ProducerConfig> producer_configs() override {
        // One producer per topic; when routes share a topic the last route's settings win, as in Rust.
        std::vector<ProducerConfig> out;
        for (const auto& r : config_.routes) {
            auto it = std::find_if(out.begin(), out.end(), [&](const ProducerConfig& p) { return p.topic == r.to; });
            if (it == out.end()) out.push_back({r.to, r.partitions, r.reliable_dispatch});
            else *it = {r.to, r.partitions, r.reliable_dispatch};
        }
        return out;
    }

    std::vector<SourceRecord> poll() override {
        // Never waits: the server wakes the host when a record arrives, and the host delivers
        // outcomes between polls, so a blocking poll would only delay acknowledgements.
        return intake_.take(max_records());
    }

    void on_record_outcome(uint64_t token, RecordOutcome outcome, std::string_view reason) override {
        intake_.settle(token, outcome, reason);
    }

    void on_stop_requested() override {
        // The host polls no more: refuse new requests and give back what it never took (503).
        intake_.stop();
    }

    void health_check() override {
        if (server_ && !server_->healthy()) throw FatalError("webhook server stopped accepting connections");
    }

    void shutdown() override {
        stop_server();
        if (server_) {
            const auto c = server_->counters();
            log(LogLevel::info, "webhook server stopped: " + std::to_string(c.accepted) + " requests accepted, " +
                                    std::to_string(c.refused) + " refused");
        }
    }

    std::optional<nlohmann::json> config_schema() const override { return dcx::webhook::config_schema(); }

private:
    void stop_server() {
        // Waits end first (unconfirmed records become not_delivered), then the threads are joined.
        intake_.close();
        if (server_) server_->stop();
    }

    WebhookConfig config_;
    IntakeQueue intake_;
    std::unique_ptr<Authenticator> auth_;
    std::unique_ptr<RateLimiter> limiter_;
    std::unique_ptr<ClientIpResolver> client_ips_;
    PayloadValidator validator_;
    std::unique_ptr<WebhookServer> server_;  // last: stopped before what its threads use
};

}  // namespace dcx::webhook

DCX_SOURCE_PLUGIN(dcx::webhook::WebhookSource, "in_webhook", "HTTP webhook source", "0.1.0",
                  "receives HTTP POSTs (API key, HMAC or JWT authenticated, rate limited) and publishes them")
