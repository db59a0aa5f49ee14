// SPDX-License-Identifier: Apache-2.0
#include "pipeline/offset_tracker.hpp"

#include <algorithm>

namespace dcx::pipeline {

void OffsetTracker::track(uint64_t seq, const plugin::SourceOffset& offset) {
    Partition& p = partitions_[offset.partition];
    if (p.name.empty()) p.name = offset.partition;
    p.pending.push_back({seq, offset.value, offset.metadata, false});
    by_seq_.emplace(seq, &p);
}

void OffsetTracker::settle(uint64_t seq) {
    const auto it = by_seq_.find(seq);
    if (it == by_seq_.end()) return;
    Partition& p = *it->second;
    by_seq_.erase(it);
    const auto e = std::lower_bound(p.pending.begin(), p.pending.end(), seq,
                                    [](const Entry& x, uint64_t s) { return x.seq < s; });
    if (e == p.pending.end() || e->seq != seq) return;
    e->settled = true;
    while (!p.pending.empty() && p.pending.front().settled) {
        p.committable = plugin::SourceOffset{p.name, p.pending.front().value, p.pending.front().metadata};
        p.moved = true;
        p.pending.pop_front();
    }
}

std::vector<plugin::SourceOffset> OffsetTracker::take_committable() {
    std::vector<plugin::SourceOffset> out;
    for (auto& [_, p] : partitions_) {
        if (p.moved && p.committable) {
            out.push_back(*p.committable);
            p.moved = false;
        }
    }
    return out;
}

std::map<std::string, size_t> OffsetTracker::unsettled() const {
    std::map<std::string, size_t> out;
    for (const auto& [name, p] : partitions_) {
        const auto n = static_cast<size_t>(std::count_if(p.pending.begin(), p.pending.end(), [](const Entry& e) { return !e.settled; }));
        if (n) out[name] = n;
    }
    return out;
}

std::vector<plugin::SourceOffset> OffsetTracker::committable_positions() const {
    std::vector<plugin::SourceOffset> out;
    for (const auto& [_, p] : partitions_) {
        if (p.committable) out.push_back(*p.committable);
    }
    return out;
}

}  // namespace dcx::pipeline
