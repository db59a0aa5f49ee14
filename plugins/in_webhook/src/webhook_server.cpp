// SPDX-License-Identifier: Apache-2.0
// The request pipeline over cpp-httplib; see webhook_server.hpp.
#include "webhook_server.hpp"

#include <httplib.h>
#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "dcx/sdk/error.hpp"
#include "record_builder.hpp"
#include "webhook_responses.hpp"

namespace dcx::webhook {
namespace {

using Clock = std::chrono::steady_clock;
using dcx::sdk::LogLevel;

// Bytes past max_body_size still read (and dropped) so a moderately oversized body can be
// answered with a clean 413; beyond this the connection is closed with the body unread.
constexpr uint64_t kDrainAllowance = 1024 * 1024;

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string timestamp_now() { return rfc3339_utc(std::chrono::system_clock::now()); }

bool is_chunked(const httplib::Request& req) {
    std::string te = req.get_header_value("Transfer-Encoding");
    std::transform(te.begin(), te.end(), te.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return te.find("chunked") != std::string::npos;
}

// Content-Length as digits only; nullopt when absent or malformed.
std::optional<uint64_t> content_length(const httplib::Request& req) {
    if (!req.has_header("Content-Length")) return std::nullopt;
    const std::string v = req.get_header_value("Content-Length");
    if (v.empty() || v.size() > 19 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::stoull(v);
}

// At most one log line per second per kind, with how many were folded into it.
class LogThrottle {
public:
    std::optional<uint64_t> allow() {
        std::lock_guard lock(mu_);
        const auto now = Clock::now();
        if (now - last_ < std::chrono::seconds(1)) {
            ++suppressed_;
            return std::nullopt;
        }
        last_ = now;
        return std::exchange(suppressed_, 0);
    }

private:
    std::mutex mu_;
    Clock::time_point last_{};
    uint64_t suppressed_ = 0;
};

}  // namespace

struct WebhookServer::Impl {
    enum class BodyStatus { ok, too_large, timed_out, broken };
    struct Body {
        BodyStatus status = BodyStatus::ok;
        std::string data;
        uint64_t size = 0;        // bytes seen (or declared, when refused before reading)
        bool fully_read = true;   // false: bytes are left on the connection
    };

    explicit Impl(Context c) : ctx(std::move(c)), cfg(*ctx.config) {
        for (const auto& r : cfg.routes) routes.emplace(r.from, &r);
    }

    void log(LogLevel level, const std::string& text) const {
        if (ctx.log) ctx.log(level, text);
    }

    void throttled(LogThrottle& t, LogLevel level, const std::string& text) {
        if (const auto folded = t.allow()) log(level, *folded ? text + " (" + std::to_string(*folded) + " more like it in the last second)" : text);
    }

    std::chrono::seconds read_timeout() const {
        return std::chrono::seconds(std::min(cfg.server.read_timeout_seconds, cfg.server.timeout_seconds));
    }

    void create() {
        const auto& s = cfg.server;
        if (!s.tls_cert_path.empty()) {
            auto ssl = std::make_unique<httplib::SSLServer>(s.tls_cert_path.c_str(), s.tls_key_path.c_str());
            if (!ssl->is_valid()) {
                throw dcx::sdk::ConfigError("server.tls_cert_path: cannot load the TLS certificate " + s.tls_cert_path +
                                            " with the key " + s.tls_key_path + " (PEM files, matching each other)");
            }
            http = std::move(ssl);
            is_tls = true;
        } else {
            http = std::make_unique<httplib::Server>();
        }
        const size_t threads = s.worker_threads;
        http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
        // A hard cap for httplib's own reading; the handler enforces max_body_size itself.
        http->set_payload_max_length(s.max_body_size + kDrainAllowance);
        http->set_read_timeout(read_timeout());
        http->set_write_timeout(read_timeout());
        http->set_keep_alive_timeout(static_cast<time_t>(std::min<uint64_t>(5, s.timeout_seconds)));
        http->set_keep_alive_max_count(100);  // httplib's default of 5 reconnects busy senders needlessly
        http->set_tcp_nodelay(true);
        // httplib sets SO_REUSEPORT on Linux, which lets a second daemon bind the same port and
        // silently take half the traffic. SO_REUSEADDR alone still allows a quick restart.
        http->set_socket_options([](socket_t sock) {
            int yes = 1;
            setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        });
        http->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            return pre_route(req, res) ? httplib::Server::HandlerResponse::Handled : httplib::Server::HandlerResponse::Unhandled;
        });
        // Every POST path reaches one handler that reads the body itself (exact-path lookup below).
        http->Post(".*", [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
            handle_post(req, res, reader);
        });
        http->set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
            // Tell a client that announced an oversized body before it sends it.
            const auto declared = content_length(req);
            if (req.method == "POST" && declared && *declared > cfg.server.max_body_size) {
                ++refused;
                send(res, reply::payload_too_large(*declared, cfg.server.max_body_size, timestamp_now()), true);
                return 413;
            }
            return 100;
        });
        http->set_exception_handler([this](const httplib::Request&, httplib::Response& res, const std::exception_ptr& ep) {
            std::string what = "unknown exception";
            try {
                if (ep) std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            throttled(errors_log, LogLevel::error, "webhook request failed: " + what);
            send(res, reply::internal_error("internal error"), true);
        });

        errno = 0;
        if (s.port == 0) {
            bound_port = http->bind_to_any_port(s.host);
        } else {
            bound_port = http->bind_to_port(s.host, s.port) ? s.port : -1;
        }
        if (bound_port <= 0) {
            const std::string why = errno ? std::strerror(errno) : "unknown reason";
            throw dcx::sdk::ConfigError("server: cannot listen on " + s.host + ":" + std::to_string(s.port) + " (" + why +
                                        "); is another process using the port, or is the host not an address of this machine?");
        }
    }

    // GET /health, GET /ready, and 405 for every method but POST. True when answered.
    bool pre_route(const httplib::Request& req, httplib::Response& res) {
        const bool get = req.method == "GET" || req.method == "HEAD";
        const bool has_body = is_chunked(req) || content_length(req).value_or(0) > 0;
        if (req.path == "/health" || req.path == "/ready") {
            if (!get) {
                send(res, reply::method_not_allowed(), has_body);
            } else if (req.path == "/health") {
                send(res, reply::health(timestamp_now()), false);
            } else {
                send(res, readiness(), false);
            }
            return true;
        }
        if (req.method == "POST") return false;
        send(res, reply::method_not_allowed(), has_body);
        return true;
    }

    HttpReply readiness() const {
        const auto h = ctx.intake->health(Clock::now());
        const auto ts = timestamp_now();
        if (h.stopping) return reply::ready(false, "the connector is stopping", ts);
        if (!h.polled) return reply::ready(false, "the pipeline has not started", ts);
        if (h.queued >= h.capacity) return reply::ready(false, "the queue is full", ts);
        if (h.unconfirmed > 0 && h.oldest_unconfirmed >= std::chrono::milliseconds(cfg.server.ready_max_unconfirmed_ms)) {
            return reply::ready(false, "Danube has not acknowledged a record for " +
                                           std::to_string(h.oldest_unconfirmed.count()) + " ms", ts);
        }
        return reply::ready(true, {}, ts);
    }

    void send(httplib::Response& res, const HttpReply& r, bool close) const {
        res.status = r.status;
        for (const auto& [k, v] : r.headers) res.set_header(k, v);
        close = close || r.close;
        if (close) res.set_header("Connection", "close");
        if (r.body.empty()) return;
        if (!close) {
            res.set_content(r.body, "application/json");
            return;
        }
        // httplib keeps a connection open after a handler unless the client asked otherwise; a
        // content provider that reports failure after writing the body makes it close, so bytes
        // left unread are never parsed as the next request.
        auto body = std::make_shared<std::string>(r.body);
        res.set_content_provider(body->size(), "application/json", [body](size_t offset, size_t, httplib::DataSink& sink) {
            if (offset < body->size()) sink.write(body->data() + offset, body->size() - offset);
            return false;
        });
    }

    // Reads the body within max_body_size (plus a bounded drain) and the request deadline.
    Body read_body(const httplib::Request& req, const httplib::ContentReader& reader, Clock::time_point started,
                   Clock::time_point deadline, bool keep) {
        Body b;
        const uint64_t max = cfg.server.max_body_size;
        const auto declared = content_length(req);
        const bool chunked = is_chunked(req);
        if (!chunked && !req.has_header("Content-Length")) return b;  // HTTP/1.1 §3.3.3: no body
        if (!chunked && !declared) {
            b.status = BodyStatus::broken;
            b.fully_read = false;
            return b;
        }
        if (!chunked && *declared > max + kDrainAllowance) {
            b.status = BodyStatus::too_large;
            b.size = *declared;
            b.fully_read = false;
            return b;
        }
        // httplib hands multipart bodies to its form parser instead of the receiver; a webhook
        // needs the raw bytes (they are what the sender signed), so hide the type while reading.
        // The Request is httplib's own non-const local, so changing it here is well-defined.
        auto& mutable_req = const_cast<httplib::Request&>(req);
        std::optional<std::string> content_type;
        if (req.is_multipart_form_data()) {
            content_type = req.get_header_value("Content-Type");
            mutable_req.headers.erase("Content-Type");
        }
        bool late = false;
        const bool ok = reader([&](const char* data, size_t n) {
            b.size += n;
            if (Clock::now() > deadline) {
                late = true;
                return false;
            }
            if (b.size > max) return b.size <= max + kDrainAllowance;  // drain, keep nothing
            if (keep) b.data.append(data, n);
            return true;
        });
        if (content_type) mutable_req.headers.emplace("Content-Type", *content_type);
        b.fully_read = ok;
        if (late) b.status = BodyStatus::timed_out;
        else if (b.size > max) b.status = BodyStatus::too_large;
        else if (!ok) {
            // A read that failed after the socket timeout is a slow client; anything sooner is a
            // broken body (bad chunk framing, the client went away).
            const auto waited = Clock::now() - started;
            b.status = waited + std::chrono::milliseconds(100) >= read_timeout() ? BodyStatus::timed_out : BodyStatus::broken;
        }
        if (b.status != BodyStatus::ok) b.data.clear();
        if (b.status == BodyStatus::too_large && declared) b.size = *declared;
        return b;
    }

    void handle_post(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        std::string replay_key;
        bool close = false;
        HttpReply r = process(req, reader, replay_key, close);
        if (r.status != 200) {
            ctx.auth->release(replay_key);  // not accepted: the same signature may be sent again
            ++refused;
        } else {
            ++accepted;
        }
        send(res, r, close);
    }

    HttpReply process(const httplib::Request& req, const httplib::ContentReader& reader, std::string& replay_key, bool& close) {
        const auto started = Clock::now();
        const auto deadline = started + std::chrono::seconds(cfg.server.timeout_seconds);
        const int64_t now_s = unix_now();
        const auto received = std::chrono::system_clock::now();
        const HeaderLookup headers = [&req](const std::string& name) -> std::optional<std::string> {
            if (!req.has_header(name)) return std::nullopt;
            return req.get_header_value(name);
        };
        // Answers after reading what is left of the body, so the client sees the reply rather
        // than a reset connection.
        auto after_drain = [&](HttpReply r) {
            const Body b = read_body(req, reader, started, deadline, false);
            close = !b.fully_read;
            return r;
        };

        if (ctx.intake->health(started).stopping) {
            return after_drain(reply::unavailable("shutting_down", "The connector is stopping; retry later", 5));
        }
        // 1. Authentication on headers (the Rust order: before rate limits and the route lookup).
        const AuthResult head = ctx.auth->check_headers(headers, now_s);
        replay_key = head.replay_key;
        if (!head.ok()) {
            throttled(auth_log, LogLevel::warn, "webhook authentication failed for " + req.path + ": " + head.message);
            return after_drain(reply::auth_failed(head.status, head.message));
        }
        // 2. The body, within its size limit and the request deadline.
        const Body body = read_body(req, reader, started, deadline, true);
        close = !body.fully_read;
        switch (body.status) {
            case BodyStatus::ok: break;
            case BodyStatus::too_large:
                return reply::payload_too_large(body.size, cfg.server.max_body_size, timestamp_now());
            case BodyStatus::timed_out:
                throttled(slow_log, LogLevel::warn, "webhook request to " + req.path + " from " + req.remote_addr +
                                                        " exceeded timeout_seconds while sending its body: 408");
                close = true;
                return reply::request_timeout();
            case BodyStatus::broken:
                close = true;
                return reply::bad_request("the request body could not be read (bad framing or the client went away)");
        }
        // 3. HMAC over the raw body.
        const AuthResult signed_body = ctx.auth->check_body(headers, body.data, now_s);
        if (!signed_body.replay_key.empty()) replay_key = signed_body.replay_key;
        if (!signed_body.ok()) {
            throttled(auth_log, LogLevel::warn, "webhook authentication failed for " + req.path + ": " + signed_body.message);
            return reply::auth_failed(signed_body.status, signed_body.message);
        }
        // 4. Rate limits, keyed on the client address (the socket peer unless a trusted proxy says).
        std::optional<std::string> forwarded;
        if (ctx.client_ips->has_trusted_proxies()) forwarded = headers(ctx.client_ips->header());
        const std::string client_ip = ctx.client_ips->resolve(req.remote_addr, forwarded);
        const auto verdict = ctx.limiter->check(req.path, client_ip, Clock::now());
        if (!verdict.allowed) {
            throttled(rate_log, LogLevel::warn, "webhook rate limit: " + verdict.message);
            return reply::rate_limited(verdict.message, verdict.retry_after_s);
        }
        // 5. The route: exact path (case-sensitive, trailing slash significant, no query string).
        const auto it = routes.find(req.path);
        if (it == routes.end()) return reply::not_found(req.path, timestamp_now());
        const Route& route = *it->second;
        const auto content_type = headers("Content-Type");
        if (content_type && content_type->find("application/json") == std::string::npos) {
            throttled(content_type_log, LogLevel::warn, "webhook " + route.from + " received Content-Type '" +
                                                            printable_header(content_type).value_or("?") +
                                                            "' (not application/json); accepted");
        }
        // 6. The payload, checked against the topic's JSON Schema when one is known locally.
        const nlohmann::json payload = payload_of(body.data);
        if (auto why = ctx.validator->validate(route.to, payload)) return reply::invalid_payload(*why);
        RequestInfo info{route.from, client_ip, headers("User-Agent"), content_type};
        auto record = build_record(route.to, ctx.connector_name, info, payload, received);

        // 7. Hand-off, then wait for the host (enqueue) or for Danube (publish).
        uint64_t token = 0;
        switch (ctx.intake->submit(std::move(record), token)) {
            case IntakeQueue::Submit::accepted: break;
            case IntakeQueue::Submit::full:
                throttled(full_log, LogLevel::warn, "webhook queue is full: answering 503 (the pipeline is behind)");
                return reply::unavailable("queue_full", "The webhook queue is full; retry later", 1);
            case IntakeQueue::Submit::stopping:
                return reply::unavailable("shutting_down", "The connector is stopping; retry later", 5);
        }
        if (ctx.wake_host) ctx.wake_host();
        const bool publish = route.ack == AckMode::publish;
        const auto now = Clock::now();
        const auto take_deadline = std::min(deadline, now + std::chrono::milliseconds(cfg.server.queue_timeout_ms));
        const auto settle_deadline = std::min(deadline, now + std::chrono::milliseconds(cfg.server.publish_timeout_ms));
        const auto ticket = ctx.intake->wait(token, publish, take_deadline, settle_deadline);
        switch (ticket.state) {
            case IntakeQueue::State::queued:
            case IntakeQueue::State::withdrawn:
                if (ctx.intake->health(Clock::now()).stopping) {
                    return reply::unavailable("shutting_down", "The connector is stopping; retry later", 5);
                }
                throttled(full_log, LogLevel::warn, "webhook record for " + route.to + " was not taken by the pipeline within "
                                                        "queue_timeout_ms: answering 503");
                return reply::unavailable("queue_timeout", "The pipeline did not take the webhook in time; retry later", 1);
            case IntakeQueue::State::taken:
                if (!publish) return reply::accepted(route.from, route.to);
                throttled(publish_log, LogLevel::warn, "webhook record for " + route.to + " not acknowledged by Danube within " +
                                                           std::to_string(cfg.server.publish_timeout_ms) + " ms: answering 503");
                return reply::unavailable("publish_timeout",
                                          "Danube did not acknowledge the webhook in time; it may still be published", 5);
            case IntakeQueue::State::delivered: return reply::accepted(route.from, route.to);
            case IntakeQueue::State::dead_lettered:
                if (!publish) return reply::accepted(route.from, route.to);
                return reply::invalid_payload(ticket.reason);
            case IntakeQueue::State::not_delivered:
                if (!publish) return reply::accepted(route.from, route.to);
                return reply::unavailable("publish_failed", ticket.reason, 5);
        }
        return reply::internal_error("unexpected state");
    }

    Context ctx;
    const WebhookConfig& cfg;
    std::unordered_map<std::string, const Route*> routes;
    std::unique_ptr<httplib::Server> http;
    std::thread listener;
    std::atomic<bool> listening{false};
    std::atomic<bool> stopping{false};
    std::atomic<bool> listen_failed{false};
    bool is_tls = false;
    int bound_port = -1;
    std::atomic<uint64_t> accepted{0};
    std::atomic<uint64_t> refused{0};
    LogThrottle auth_log, rate_log, slow_log, full_log, publish_log, content_type_log, errors_log;
};

WebhookServer::WebhookServer(Context context) : impl_(std::make_unique<Impl>(std::move(context))) { impl_->create(); }

WebhookServer::~WebhookServer() { stop(); }

int WebhookServer::port() const { return impl_->bound_port; }
bool WebhookServer::tls() const { return impl_->is_tls; }

void WebhookServer::start() {
    Impl& i = *impl_;
    if (i.listener.joinable()) return;
    i.listening = true;
    i.listener = std::thread([&i] {
        pthread_setname_np(pthread_self(), "webhook-http");  // its request threads inherit it
        const bool ok = i.http->listen_after_bind();
        if (!ok && !i.stopping) {
            i.listen_failed = true;
            i.log(LogLevel::error, "webhook server stopped accepting connections (listen failed)");
        }
        i.listening = false;
    });
    // httplib's stop() only acts once the accept loop runs: wait for it (bounded), so a stop()
    // right after start() cannot leave the listener running.
    const auto until = Clock::now() + std::chrono::seconds(5);
    while (!i.http->is_running() && i.listening && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void WebhookServer::stop() {
    Impl& i = *impl_;
    if (i.stopping.exchange(true)) return;
    if (i.http) i.http->stop();
    if (i.listener.joinable()) i.listener.join();
}

bool WebhookServer::healthy() const { return !impl_->listen_failed; }

WebhookServer::Counters WebhookServer::counters() const { return {impl_->accepted.load(), impl_->refused.load()}; }

}  // namespace dcx::webhook
