// SPDX-License-Identifier: Apache-2.0
// The HTTP(S) server (cpp-httplib): GET /health and /ready, exact-path POST routes, and the order
// of checks per request (source-plugins.md §2.2): header authentication, the body (read with its
// size limit and the request deadline), HMAC over the raw body, rate limits, the route, the
// payload, then the hand-off to the plugin thread and the wait for the record's fate. Runs on
// its own threads; httplib stays out of this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "client_ip.hpp"
#include "dcx/sdk/source_connector.hpp"
#include "intake_queue.hpp"
#include "payload_validator.hpp"
#include "rate_limiter.hpp"
#include "webhook_auth.hpp"
#include "webhook_config.hpp"

namespace dcx::webhook {

class WebhookServer {
public:
    /// Everything a request needs; owned by the caller and outliving the server.
    struct Context {
        const WebhookConfig* config = nullptr;
        std::string connector_name;
        Authenticator* auth = nullptr;
        RateLimiter* limiter = nullptr;
        const ClientIpResolver* client_ips = nullptr;
        const PayloadValidator* validator = nullptr;
        IntakeQueue* intake = nullptr;
        std::function<void()> wake_host;                                       // [thread-safe]
        std::function<void(dcx::sdk::LogLevel, const std::string&)> log;      // [thread-safe]
    };

    struct Counters {
        uint64_t accepted = 0;  // answered 200
        uint64_t refused = 0;   // answered 4xx/5xx on a POST route
    };

    /// Creates the server and binds its socket (port 0: a free port). Throws
    /// dcx::sdk::ConfigError when the TLS files are unusable or the address cannot be bound.
    explicit WebhookServer(Context context);
    /// Stops and joins.
    ~WebhookServer();
    WebhookServer(const WebhookServer&) = delete;
    WebhookServer& operator=(const WebhookServer&) = delete;

    int port() const;
    bool tls() const;
    /// Starts accepting on a listener thread.
    void start();
    /// Stops accepting, finishes the requests in progress (their waits end once the intake is
    /// closed) and joins every server thread. Idempotent.
    void stop();
    /// False when the listener ended without stop() (the socket failed).
    bool healthy() const;
    Counters counters() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dcx::webhook
