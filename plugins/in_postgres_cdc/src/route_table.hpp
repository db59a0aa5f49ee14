// SPDX-License-Identifier: Apache-2.0
// Table to Danube topic: an explicit route wins, then topic_pattern; a table with neither is not
// published. Topics are declared to the host once, at startup, from the routes and the tables
// the publication had then.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cdc_config.hpp"
#include "dcx/sdk/source_record.hpp"

namespace dcx::pgcdc {

struct TopicRoute {
    std::string topic;
    uint32_t partitions = 0;
    bool reliable_dispatch = true;
};

class RouteTable {
public:
    RouteTable() = default;
    explicit RouteTable(const CdcConfig& config);

    /// Where changes of `table` go; nullopt when the table is not routed (its changes are skipped).
    std::optional<TopicRoute> route(const TableName& table) const;

    /// The producers for the explicit routes and for `published` tables routed by the pattern,
    /// one per topic (when routes share a topic, the later one's settings win, with a warning in
    /// `warnings`). Remembers the topics: see declared().
    std::vector<dcx::sdk::ProducerConfig> declare(const std::vector<TableName>& published, std::vector<std::string>& warnings);

    /// True when declare() returned `topic`.
    bool declared(const std::string& topic) const { return declared_.count(topic) != 0; }

private:
    std::vector<TableRoute> routes_;
    std::optional<std::string> pattern_;
    uint32_t partitions_ = 0;
    bool reliable_dispatch_ = true;
    std::set<std::string> declared_;
};

}  // namespace dcx::pgcdc
