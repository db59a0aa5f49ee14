// SPDX-License-Identifier: Apache-2.0
// Request to record; see record_builder.hpp.
#include "record_builder.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "crypto.hpp"

namespace dcx::webhook {
namespace {

using nlohmann::json;

// serde_json's default recursion limit: 128 nested arrays/objects fail, 127 parse.
constexpr size_t kMaxJsonDepth = 127;

// Scans brackets outside strings only: cheap, and it keeps nlohmann's recursive parser away
// from inputs nested deeper than serde_json accepts.
bool depth_within_limit(std::string_view text) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) --depth;
    }
    return true;
}

// serde_json refuses numbers that overflow a double ("number out of range"); nlohmann makes
// them infinite, so such documents are not JSON here either.
bool all_numbers_finite(const json& v) {
    switch (v.type()) {
        case json::value_t::number_float: return std::isfinite(v.get<double>());
        case json::value_t::array:
        case json::value_t::object:
            for (const auto& child : v) {
                if (!all_numbers_finite(child)) return false;
            }
            return true;
        default: return true;
    }
}

}  // namespace

std::optional<json> parse_json_body(std::string_view body) {
    // nlohmann skips a UTF-8 byte order mark; serde_json does not.
    if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") return std::nullopt;
    if (!depth_within_limit(body)) return std::nullopt;
    json v = json::parse(body.begin(), body.end(), nullptr, false);
    if (v.is_discarded() || !all_numbers_finite(v)) return std::nullopt;
    return v;
}

json base64_wrapper(std::string_view body) {
    return json{{"data", crypto::base64_encode(body)}, {"encoding", "base64"}, {"size", body.size()}};
}

json payload_of(std::string_view body) {
    if (auto v = parse_json_body(body)) return std::move(*v);
    return base64_wrapper(body);
}

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
