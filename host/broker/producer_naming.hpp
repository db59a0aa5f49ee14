// SPDX-License-Identifier: Apache-2.0
// Producer and partition names exactly as the reference runtime builds them
// (reference-runtime.md §5): "<connector>-" + topic with '/' -> '-', so a double dash; partition
// i is "<name>-<i>" on "<topic>-part-<i>".
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

namespace dcx::broker {

inline std::string producer_name(const std::string& connector_name, const std::string& topic) {
    std::string suffix = topic;
    std::replace(suffix.begin(), suffix.end(), '/', '-');
    return connector_name + "-" + suffix;
}

inline std::string partition_topic(const std::string& topic, uint32_t i) { return topic + "-part-" + std::to_string(i); }
inline std::string partition_producer_name(const std::string& name, uint32_t i) { return name + "-" + std::to_string(i); }

}  // namespace dcx::broker
