// SPDX-License-Identifier: Apache-2.0
// Topic filter rules; see topic_filter.hpp.
#include "topic_filter.hpp"

namespace dcx::mqtt {
namespace {

constexpr std::string_view kSharePrefix = "$share/";

// Splits off the first level of `rest`: returns it and advances `rest` past the separator;
// `more` tells whether a separator followed (so "a/" has a second, empty level).
std::string_view next_level(std::string_view& rest, bool& more) {
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
        const std::string_view level = rest;
        rest = {};
        more = false;
        return level;
    }
    const std::string_view level = rest.substr(0, slash);
    rest.remove_prefix(slash + 1);
    more = true;
    return level;
}

std::optional<std::string> plain_filter_error(std::string_view filter) {
    if (filter.empty()) return "an MQTT topic filter cannot be empty";
    std::string_view rest = filter;
    bool more = true;
    while (more) {
        const std::string_view level = next_level(rest, more);
        const bool has_hash = level.find('#') != std::string_view::npos;
        const bool has_plus = level.find('+') != std::string_view::npos;
        if (has_hash && (level.size() != 1 || more)) {
            return "'#' must be a whole level and the last one (MQTT 3.1.1 §4.7.1.2), in '" + std::string(filter) + "'";
        }
        if (has_plus && level.size() != 1) {
            return "'+' must be a whole level (MQTT 3.1.1 §4.7.1.3), in '" + std::string(filter) + "'";
        }
    }
    if (filter.find('\0') != std::string_view::npos) return "an MQTT topic filter cannot contain U+0000";
    return std::nullopt;
}

}  // namespace

std::string_view share_group(std::string_view filter) {
    if (filter.substr(0, kSharePrefix.size()) != kSharePrefix) return {};
    std::string_view rest = filter.substr(kSharePrefix.size());
    const size_t slash = rest.find('/');
    return slash == std::string_view::npos ? rest : rest.substr(0, slash);
}

std::string_view matching_part(std::string_view filter) {
    if (filter.substr(0, kSharePrefix.size()) != kSharePrefix) return filter;
    std::string_view rest = filter.substr(kSharePrefix.size());
    const size_t slash = rest.find('/');
    return slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
}

std::optional<std::string> filter_error(std::string_view filter) {
    if (filter.substr(0, kSharePrefix.size()) == kSharePrefix) {
        // MQTT 5.0 §4.8.2: $share/{ShareName}/{filter}; ShareName has no '/', '+' or '#'.
        const std::string_view rest = filter.substr(kSharePrefix.size());
        const size_t slash = rest.find('/');
        const std::string_view group = rest.substr(0, slash);
        if (slash == std::string_view::npos || group.empty()) {
            return "a shared subscription must be $share/<group>/<filter>, got '" + std::string(filter) + "'";
        }
        if (group.find_first_of("+#") != std::string_view::npos) {
            return "the share group of '" + std::string(filter) + "' cannot contain '+' or '#'";
        }
        return plain_filter_error(rest.substr(slash + 1));
    }
    return plain_filter_error(filter);
}

bool topic_matches(std::string_view filter, std::string_view topic) {
    if (filter.empty() || topic.empty()) return false;
    // MQTT 3.1.1 §4.7.2: a filter starting with a wildcard never matches a '$' topic.
    if (topic.front() == '$' && (filter.front() == '#' || filter.front() == '+')) return false;
    std::string_view f = filter;
    std::string_view t = topic;
    bool f_more = true;
    bool t_more = true;
    while (f_more) {
        const std::string_view f_level = next_level(f, f_more);
        if (f_level == "#") return true;  // this level and everything below, including none
        if (!t_more) return false;        // the filter needs a level the topic does not have
        const std::string_view t_level = next_level(t, t_more);
        if (f_level != "+" && f_level != t_level) return false;
    }
    return !t_more;
}

}  // namespace dcx::mqtt
