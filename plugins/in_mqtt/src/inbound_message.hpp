// SPDX-License-Identifier: Apache-2.0
// One PUBLISH as the MQTT client hands it over: views into libmosquitto's buffers, valid only
// during the callback that carries it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dcx::mqtt {

struct InboundMessage {
    std::string_view topic;
    std::string_view payload;
    int qos = 0;         // the QoS of the delivered PUBLISH (not of the subscription)
    bool retain = false;
    bool dup = false;
    /// MQTT 5 user properties in arrival order (names may repeat); empty under MQTT 3.1.1.
    std::vector<std::pair<std::string, std::string>> user_properties;
};

}  // namespace dcx::mqtt
