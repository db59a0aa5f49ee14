// SPDX-License-Identifier: Apache-2.0
// Every response the server sends, in one place: the Rust connector's JSON shapes and status
// codes (source-plugins.md §2.2, keys sorted as serde_json writes them), and the ones this plugin
// adds (400 invalid payload, 503 with Retry-After for backpressure and unconfirmed publishes).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dcx::webhook {

struct HttpReply {
    int status = 200;
    std::string body;  // JSON text, or empty
    std::vector<std::pair<std::string, std::string>> headers;
    bool close = false;  // end the connection after this reply (request body left unread)
};

namespace reply {

/// 200 {"endpoint":..,"status":"accepted","topic":..}
HttpReply accepted(const std::string& endpoint, const std::string& topic);
/// 401 or 500 {"error":"authentication_failed","message":..}
HttpReply auth_failed(int status, const std::string& message);
/// 404 {"error":"Endpoint not found: <path>","timestamp":..}
HttpReply not_found(const std::string& path, const std::string& timestamp);
/// 405, empty body.
HttpReply method_not_allowed();
/// 408, empty body: the request took longer than timeout_seconds.
HttpReply request_timeout();
/// 413 {"error":"Payload size <n> exceeds maximum <max>","timestamp":..}
HttpReply payload_too_large(uint64_t size, uint64_t max, const std::string& timestamp);
/// 429 {"error":"rate_limit_exceeded","message":..} with Retry-After.
HttpReply rate_limited(const std::string& message, uint64_t retry_after_s);
/// 400 {"error":"invalid_payload","message":..}: the body breaks the topic's schema.
HttpReply invalid_payload(const std::string& message);
/// 400 {"error":"bad_request","message":..}: the body could not be read (broken chunked encoding).
HttpReply bad_request(const std::string& message);
/// 503 {"error":<code>,"message":..} with Retry-After: try again later.
HttpReply unavailable(const std::string& code, const std::string& message, uint64_t retry_after_s);
/// 500 {"error":"Failed to queue webhook for processing","timestamp":..}: the intake is closed.
HttpReply queue_closed(const std::string& timestamp);
/// 500 {"error":"internal_error","message":..}
HttpReply internal_error(const std::string& message);
/// 200 {"status":"healthy","timestamp":..}
HttpReply health(const std::string& timestamp);
/// 200 {"status":"ready","timestamp":..} or 503 {"reason":..,"status":"not_ready","timestamp":..}
HttpReply ready(bool is_ready, const std::string& reason, const std::string& timestamp);

}  // namespace reply
}  // namespace dcx::webhook
