// SPDX-License-Identifier: Apache-2.0
// Request to record; see record_builder.hpp.
#include "record_builder.hpp"

#include <cstdio>
#include <ctime>

#include "dcx/sdk/json_payload.hpp"

namespace dcx::webhook {

using nlohmann::json;

std::optional<json> parse_json_body(std::string_view body) { return dcx::sdk::parse_json_like_serde(body); }

json payload_of(std::string_view body) { return dcx::sdk::json_or_base64_wrapper(body); }

std::string rfc3339_utc(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ns_total = duration_cast<nanoseconds>(t.time_since_epoch()).count();
    int64_t secs = ns_total / 1000000000;
    int64_t ns = ns_total % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        --secs;
    }
    const std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string out = buf;
    // chrono's SecondsFormat::AutoSi: no fraction, or milli, micro or nanoseconds.
    if (ns != 0) {
        if (ns % 1000000 == 0) std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(ns / 1000000));
        else if (ns % 1000 == 0) std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(ns / 1000));
        else std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(ns));
        out += buf;
    }
    return out + "+00:00";
}

std::optional<std::string> printable_header(const std::optional<std::string>& value) {
    if (!value) return std::nullopt;
    for (const char c : *value) {
        const auto b = static_cast<unsigned char>(c);
        if (!(b == '\t' || (b >= 0x20 && b < 0x7f))) return std::nullopt;
    }
    return value;
}

dcx::sdk::SourceRecord build_record(const std::string& topic, const std::string& connector_name, const RequestInfo& info,
                                    const json& payload, std::chrono::system_clock::time_point received) {
    auto record = dcx::sdk::SourceRecord::from_json(topic, payload);
    record.with_attribute("webhook.source", connector_name)
        .with_attribute("webhook.endpoint", info.endpoint)
        .with_attribute("webhook.timestamp", rfc3339_utc(received));
    if (!info.client_ip.empty()) record.with_attribute("webhook.ip", info.client_ip);
    if (auto ua = printable_header(info.user_agent)) record.with_attribute("webhook.user_agent", *ua);
    if (auto ct = printable_header(info.content_type)) record.with_attribute("webhook.content_type", *ct);
    return record;
}

}  // namespace dcx::webhook
