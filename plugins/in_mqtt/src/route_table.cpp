// SPDX-License-Identifier: Apache-2.0
// First-match routing; see route_table.hpp.
#include "route_table.hpp"

#include "topic_filter.hpp"

namespace dcx::mqtt {

const Route* RouteTable::match(std::string_view topic) const {
    for (const auto& r : routes_) {
        if (topic_matches(r.match_filter, topic)) return &r;
    }
    return nullptr;
}

}  // namespace dcx::mqtt
