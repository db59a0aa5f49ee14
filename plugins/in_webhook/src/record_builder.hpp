// SPDX-License-Identifier: Apache-2.0
// One HTTP request to one record, as the Rust connector builds it (source-plugins.md §2.4): the
// body as JSON when it parses (by serde_json's rules), else the wrapper
// {"data":"<base64>","encoding":"base64","size":n}; webhook.* attributes; no key.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dcx/sdk/source_record.hpp"

namespace dcx::webhook {

/// What the record carries from the request.
struct RequestInfo {
    std::string endpoint;                     // the route's path
    std::string client_ip;                    // resolved client address
    std::optional<std::string> user_agent;    // User-Agent
    std::optional<std::string> content_type;  // Content-Type
};

/// The body as a JSON value when serde_json would parse it (UTF-8, no BOM, nesting up to 127,
/// finite numbers); nullopt otherwise.
std::optional<nlohmann::json> parse_json_body(std::string_view body);
/// parse_json_body(), or else {"data":"<standard base64>","encoding":"base64","size":<bytes>}.
nlohmann::json payload_of(std::string_view body);

/// RFC 3339 in UTC as chrono's to_rfc3339(): `+00:00`, and 0, 3, 6 or 9 fractional digits,
/// as few as represent the time exactly (nanoseconds).
std::string rfc3339_utc(std::chrono::system_clock::time_point t);

/// A header value fit for an attribute: what http::HeaderValue::to_str accepts (visible ASCII,
/// space and tab); nullopt otherwise, so the attribute is left out as Rust does.
std::optional<std::string> printable_header(const std::optional<std::string>& value);

/// The record for `topic` with attributes webhook.source (connector name), webhook.endpoint,
/// webhook.timestamp (receive time), webhook.ip, and webhook.user_agent / webhook.content_type
/// when present.
dcx::sdk::SourceRecord build_record(const std::string& topic, const std::string& connector_name, const RequestInfo& info,
                                    const nlohmann::json& payload, std::chrono::system_clock::time_point received);

}  // namespace dcx::webhook
