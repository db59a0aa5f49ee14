// SPDX-License-Identifier: Apache-2.0
// Acked-prefix commit tracking per source partition (delivery-and-operations.md §2, the
// KAFKA-12226 fix): a position becomes committable only when its record and every earlier record
// of the same source partition are settled (acknowledged by Danube, or dead-lettered/skipped).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugin/owned_record.hpp"

namespace dcx::pipeline {

class OffsetTracker {
public:
    /// Registers the record `seq` (greater than every seq registered before) carrying `offset`.
    void track(uint64_t seq, const plugin::SourceOffset& offset);
    /// Marks `seq` settled; seqs that were never tracked (records without offsets) are ignored.
    void settle(uint64_t seq);
    /// For each partition whose committable position moved since the last call, that position.
    std::vector<plugin::SourceOffset> take_committable();
    /// Tracked records not yet settled, per source partition.
    std::map<std::string, size_t> unsettled() const;
    /// The last committable position of every partition (for the offset store and /status).
    std::vector<plugin::SourceOffset> committable_positions() const;

private:
    struct Entry {
        uint64_t seq;
        uint64_t value;
        std::optional<std::string> metadata;
        bool settled;
    };
    struct Partition {
        std::string name;
        std::deque<Entry> pending;  // in seq order
        std::optional<plugin::SourceOffset> committable;
        bool moved = false;
    };
    std::map<std::string, Partition> partitions_;  // map nodes are stable
    // The partition of every seq from by_seq_base_ on; nullptr once settled or when the record had
    // no offset. Seqs only grow, so a deque indexed by seq - base replaces a hash map (one node
    // allocation per record) and stays as long as the records in flight.
    std::deque<Partition*> by_seq_;
    uint64_t by_seq_base_ = 0;
};

}  // namespace dcx::pipeline
