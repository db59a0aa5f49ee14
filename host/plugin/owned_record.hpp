// SPDX-License-Identifier: Apache-2.0
// The host's copy of a record a plugin emitted, and a batch that reuses its slots so steady-state
// polling does not allocate once string capacities have grown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dcx::plugin {

enum class PayloadKind : int32_t { json = 0, string = 1, number = 2, bytes = 3 };
const char* to_string(PayloadKind kind);

struct SourceOffset {
    std::string partition;
    uint64_t value = 0;
    std::optional<std::string> metadata;

    friend bool operator==(const SourceOffset&, const SourceOffset&) = default;
};

struct OwnedRecord {
    PayloadKind kind = PayloadKind::json;
    std::string topic;
    std::string payload;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::optional<std::string> key;
    std::optional<SourceOffset> offset;
    uint64_t user_token = 0;
    int64_t event_time_ms = 0;  // 0: unknown
};

class RecordBatch {
public:
    /// Empties the batch but keeps every slot's memory for the next poll.
    void clear() { size_ = 0; }
    /// A cleared slot at the end of the batch.
    OwnedRecord& append();
    /// Drops the last appended record (used when a copy turned out malformed).
    void pop_back() { --size_; }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    OwnedRecord& operator[](size_t i) { return slots_[i]; }
    const OwnedRecord& operator[](size_t i) const { return slots_[i]; }
    OwnedRecord* begin() { return slots_.data(); }
    OwnedRecord* end() { return slots_.data() + size_; }

private:
    std::vector<OwnedRecord> slots_;
    size_t size_ = 0;
};

/// Host-side content checks that need no schema: UTF-8 where Danube needs text (topic, key,
/// attributes, text payloads) and the size limit. Returns the problem, naming the field.
std::optional<std::string> check_record(const OwnedRecord& record, size_t max_record_bytes);

}  // namespace dcx::plugin
