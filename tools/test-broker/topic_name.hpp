// SPDX-License-Identifier: Apache-2.0
// Danube v0.15.1 topic-name rules, as the real broker applies them (broker-protocol.md §3).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dcx::test_broker {

/// The broker's `validate_topic_format`: exactly three '/'-separated parts, each made only of
/// Unicode alphanumerics, '_' and '-'. Empty parts pass, exactly as in the real broker.
bool is_valid_topic_syntax(std::string_view topic);

/// INVALID_ARGUMENT text the real broker sends for a topic that fails the syntax check.
std::string invalid_topic_message(std::string_view topic);

/// The namespace part (second of the three parts) of a syntactically valid topic.
std::string_view namespace_of(std::string_view topic);

/// For `<base>-part-<i>`, the base topic (split at the last "-part-"); nullopt otherwise.
std::optional<std::string_view> partition_base(std::string_view topic);

}  // namespace dcx::test_broker
