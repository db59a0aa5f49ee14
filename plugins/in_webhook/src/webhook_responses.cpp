// SPDX-License-Identifier: Apache-2.0
// Response shapes; see webhook_responses.hpp.
#include "webhook_responses.hpp"

#include <nlohmann/json.hpp>

namespace dcx::webhook::reply {
namespace {

// nlohmann's objects are ordered maps, so dump() writes sorted keys like serde_json's Value.
// Paths come URL-decoded and may hold any bytes: invalid UTF-8 is replaced, never thrown on.
HttpReply json_reply(int status, const nlohmann::json& body) {
    return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}, false};
}

HttpReply with_retry_after(HttpReply r, uint64_t seconds) {
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    return r;
}

}  // namespace

HttpReply accepted(const std::string& endpoint, const std::string& topic) {
    return json_reply(200, {{"status", "accepted"}, {"endpoint", endpoint}, {"topic", topic}});
}

HttpReply auth_failed(int status, const std::string& message) {
    return json_reply(status, {{"error", "authentication_failed"}, {"message", message}});
}

HttpReply not_found(const std::string& path, const std::string& timestamp) {
    return json_reply(404, {{"error", "Endpoint not found: " + path}, {"timestamp", timestamp}});
}

HttpReply method_not_allowed() { return {405, {}, {}, false}; }

HttpReply request_timeout() { return {408, {}, {}, true}; }

HttpReply payload_too_large(uint64_t size, uint64_t max, const std::string& timestamp) {
    return json_reply(413, {{"error", "Payload size " + std::to_string(size) + " exceeds maximum " + std::to_string(max)},
                            {"timestamp", timestamp}});
}

HttpReply rate_limited(const std::string& message, uint64_t retry_after_s) {
    return with_retry_after(json_reply(429, {{"error", "rate_limit_exceeded"}, {"message", message}}), retry_after_s);
}

HttpReply invalid_payload(const std::string& message) {
    return json_reply(400, {{"error", "invalid_payload"}, {"message", message}});
}

HttpReply bad_request(const std::string& message) {
    auto r = json_reply(400, {{"error", "bad_request"}, {"message", message}});
    r.close = true;
    return r;
}

HttpReply unavailable(const std::string& code, const std::string& message, uint64_t retry_after_s) {
    return with_retry_after(json_reply(503, {{"error", code}, {"message", message}}), retry_after_s);
}

HttpReply queue_closed(const std::string& timestamp) {
    return json_reply(500, {{"error", "Failed to queue webhook for processing"}, {"timestamp", timestamp}});
}

HttpReply internal_error(const std::string& message) {
    return json_reply(500, {{"error", "internal_error"}, {"message", message}});
}

HttpReply health(const std::string& timestamp) {
    return json_reply(200, {{"status", "healthy"}, {"timestamp", timestamp}});
}

HttpReply ready(bool is_ready, const std::string& reason, const std::string& timestamp) {
    if (is_ready) return json_reply(200, {{"status", "ready"}, {"timestamp", timestamp}});
    return json_reply(503, {{"status", "not_ready"}, {"reason", reason}, {"timestamp", timestamp}});
}

}  // namespace dcx::webhook::reply
