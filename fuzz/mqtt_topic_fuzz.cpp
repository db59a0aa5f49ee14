// SPDX-License-Identifier: Apache-2.0
// Fuzz target: MQTT topic filters of the in_mqtt plugin (validation, $share prefixes, matching),
// against a small reference written from the spec (MQTT 3.1.1 §4.7, MQTT 5.0 §4.8.2): level
// lists and a recursive matcher, nothing shared with the product's single-pass code.
//
// Input: "<filter>\0<topic>" (without a NUL, the whole input is the filter and the topic).
// Properties: filter_error agrees with the reference rules; share_group/matching_part split a
// $share filter as the spec says; for a valid filter and a non-empty topic, topic_matches agrees
// with the reference matcher; a literal topic matches itself, with any of its levels replaced by
// '+', and under '#'.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "topic_filter.hpp"

namespace {

using dcx::fuzz::expect;
using dcx::fuzz::FuzzInput;

std::vector<std::string_view> levels(std::string_view s) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == '/') {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

bool reference_plain_valid(std::string_view f) {
    if (f.empty() || f.find('\0') != std::string_view::npos) return false;
    const auto l = levels(f);
    for (size_t i = 0; i < l.size(); ++i) {
        if (l[i].find('#') != std::string_view::npos && (l[i] != "#" || i + 1 != l.size())) return false;
        if (l[i].find('+') != std::string_view::npos && l[i] != "+") return false;
    }
    return true;
}

bool is_shared(std::string_view f) { return f.size() >= 7 && f.substr(0, 7) == "$share/"; }

bool reference_valid(std::string_view f) {
    if (!is_shared(f)) return reference_plain_valid(f);
    const auto l = levels(f.substr(7));
    if (l.size() < 2 || l[0].empty() || l[0].find_first_of("+#") != std::string_view::npos) return false;
    return reference_plain_valid(f.substr(7 + l[0].size() + 1));
}

bool match_levels(const std::vector<std::string_view>& f, size_t i, const std::vector<std::string_view>& t, size_t j) {
    if (i == f.size()) return j == t.size();
    if (f[i] == "#") return true;  // the parent level and anything below
    if (j == t.size()) return false;
    return (f[i] == "+" || f[i] == t[j]) && match_levels(f, i + 1, t, j + 1);
}

bool reference_match(std::string_view filter, std::string_view topic) {
    if (topic.empty()) return false;
    if (topic[0] == '$' && (filter[0] == '+' || filter[0] == '#')) return false;
    return match_levels(levels(filter), 0, levels(topic), 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace dcx::mqtt;
    if (size > 4096) return -1;  // level lists and recursion are quadratic at worst; long inputs add nothing
    FuzzInput in(data, size);
    const std::string_view filter = in.until('\0');
    const std::string_view rest = in.rest();
    const std::string_view topic = rest.empty() ? filter : rest;

    const auto error = filter_error(filter);
    expect(error.has_value() != reference_valid(filter));
    if (error) expect(!error->empty());

    const std::string_view group = share_group(filter);
    const std::string_view part = matching_part(filter);
    if (is_shared(filter)) {
        const auto l = levels(filter.substr(7));
        expect(group == l[0]);
        if (!error) expect(part == filter.substr(7 + group.size() + 1));
    } else {
        expect(group.empty() && part == filter);
    }
    if (!error) {
        expect(!part.empty());
        expect(topic_matches(part, topic) == reference_match(part, topic));
    }
    (void)topic_matches(filter, topic);  // unvalidated filters must not crash either

    // A topic name (no wildcards, no NUL) as a filter matches itself, level wildcards and '#'.
    if (!topic.empty() && topic.find_first_of(std::string_view("+#\0", 3)) == std::string_view::npos) {
        expect(!filter_error(topic) || is_shared(topic));
        expect(topic_matches(topic, topic));
        const bool dollar = topic[0] == '$';
        expect(topic_matches("#", topic) != dollar);
        const auto l = levels(topic);
        const size_t pick = (filter.size() + topic.size()) % l.size();
        std::string plus;
        for (size_t i = 0; i < l.size(); ++i) plus.append(i ? "/" : "").append(i == pick ? "+" : std::string(l[i]));
        expect(topic_matches(plus, topic) != (dollar && pick == 0));
        std::string hash;
        for (size_t i = 0; i < pick; ++i) hash.append(l[i]).append("/");
        hash += "#";
        expect(topic_matches(hash, topic) != (dollar && pick == 0));
    }
    return 0;
}
