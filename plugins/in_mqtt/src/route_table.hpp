// SPDX-License-Identifier: Apache-2.0
// Which route a delivered MQTT topic belongs to: the first route, in configuration order, whose
// filter matches it (source-plugins.md §1.3), with `$share/<group>/` stripped before matching.
#pragma once

#include <string_view>
#include <vector>

#include "mqtt_config.hpp"

namespace dcx::mqtt {

class RouteTable {
public:
    RouteTable() = default;
    explicit RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {}

    /// The first matching route, or nullptr (the message is then dropped, as in Rust).
    const Route* match(std::string_view topic) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace dcx::mqtt
