// SPDX-License-Identifier: Apache-2.0
// Table to topic routing; see route_table.hpp.
#include "route_table.hpp"

#include <map>

namespace dcx::pgcdc {

RouteTable::RouteTable(const CdcConfig& config)
    : routes_(config.routes),
      pattern_(config.topic_pattern),
      partitions_(config.partitions),
      reliable_dispatch_(config.reliable_dispatch) {}

std::optional<TopicRoute> RouteTable::route(const TableName& table) const {
    for (const auto& r : routes_) {
        if (r.from == table) return TopicRoute{r.to, r.partitions, r.reliable_dispatch};
    }
    if (pattern_) return TopicRoute{expand_topic_pattern(*pattern_, table), partitions_, reliable_dispatch_};
    return std::nullopt;
}

std::vector<dcx::sdk::ProducerConfig> RouteTable::declare(const std::vector<TableName>& published,
                                                          std::vector<std::string>& warnings) {
    std::vector<dcx::sdk::ProducerConfig> out;
    std::map<std::string, size_t> index;
    std::map<std::string, std::string> first_source;
    auto add = [&](const TopicRoute& r, const std::string& source) {
        const dcx::sdk::ProducerConfig pc{r.topic, r.partitions, r.reliable_dispatch};
        const auto it = index.find(r.topic);
        if (it == index.end()) {
            index.emplace(r.topic, out.size());
            first_source.emplace(r.topic, source);
            out.push_back(pc);
            return;
        }
        auto& prev = out[it->second];
        if (prev.partitions != pc.partitions || prev.reliable_dispatch != pc.reliable_dispatch) {
            warnings.push_back(source + " and " + first_source[r.topic] + " share topic " + r.topic +
                               " but disagree on partitions/reliable_dispatch; " + source + " wins");
        }
        prev = pc;
    };
    for (const auto& r : routes_) add({r.to, r.partitions, r.reliable_dispatch}, r.path);
    if (pattern_) {
        for (const auto& t : published) {
            bool explicit_route = false;
            for (const auto& r : routes_) explicit_route = explicit_route || r.from == t;
            if (!explicit_route) add(*route(t), "table " + t.text() + " (topic_pattern)");
        }
    }
    declared_.clear();
    for (const auto& pc : out) declared_.insert(pc.topic);
    return out;
}

}  // namespace dcx::pgcdc
