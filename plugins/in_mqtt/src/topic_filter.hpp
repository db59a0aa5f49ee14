// SPDX-License-Identifier: Apache-2.0
// MQTT topic filters: validation, shared-subscription prefixes and matching (MQTT 3.1.1 §4.7,
// MQTT 5.0 §4.7-4.8), with the fixes of source-plugins.md §1.5 (2, 3, 4) over the Rust connector.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dcx::mqtt {

/// Why `filter` is not a valid subscription filter, or nullopt when it is. Accepts
/// `$share/<group>/<filter>` (the group must be non-empty and free of `+`, `#` and `/`).
std::optional<std::string> filter_error(std::string_view filter);

/// The part of a filter that delivered topics are matched against: `$share/<group>/<rest>`
/// gives `<rest>` (the broker delivers the real topic, never the `$share` form); any other
/// filter is returned unchanged.
std::string_view matching_part(std::string_view filter);

/// The share group of a `$share/<group>/...` filter, empty for an ordinary filter.
std::string_view share_group(std::string_view filter);

/// True when the topic name `topic` matches the (non-shared) filter `filter`:
/// - `+` matches exactly one level, which may be empty;
/// - `#` matches the parent level and any number of child levels (`a/#` matches `a`);
/// - a filter starting with a wildcard does not match topics starting with `$` (`$SYS/...`).
bool topic_matches(std::string_view filter, std::string_view topic);

}  // namespace dcx::mqtt
