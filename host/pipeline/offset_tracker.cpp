// SPDX-License-Identifier: Apache-2.0
#include "pipeline/offset_tracker.hpp"

#include <algorithm>

namespace dcx::pipeline {

void OffsetTracker::track(uint64_t seq, const plugin::SourceOffset& offset) {
    Partition& p = partitions_[offset.partition];
    if (p.name.empty()) p.name = offset.partition;
    p.pending.push_back({seq, offset.value, offset.metadata, false});
    if (by_seq_.empty()) by_seq_base_ = seq;
    while (by_seq_base_ + by_seq_.size() < seq) by_seq_.push_back(nullptr);  // records without offsets
    by_seq_.push_back(&p);
}

void OffsetTracker::settle(uint64_t seq) {
    if (seq < by_seq_base_ || seq - by_seq_base_ >= by_seq_.size()) return;
    Partition*& slot = by_seq_[seq - by_seq_base_];
    if (!slot) return;  // never tracked, or settled already
    Partition& p = *slot;
    slot = nullptr;
    while (!by_seq_.empty() && !by_seq_.front()) {
        by_seq_.pop_front();
        ++by_seq_base_;
    }
    const auto e = std::lower_bound(p.pending.begin(), p.pending.end(), seq,
                                    [](const Entry& x, uint64_t s) { return x.seq < s; });
    if (e == p.pending.end() || e->seq != seq) return;
    e->settled = true;
    while (!p.pending.empty() && p.pending.front().settled) {
        // Assigned field by field: the name and the metadata's storage are reused.
        if (!p.committable) p.committable = plugin::SourceOffset{p.name, 0, std::nullopt};
        p.committable->value = p.pending.front().value;
        p.committable->metadata = p.pending.front().metadata;
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
