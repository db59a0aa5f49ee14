// SPDX-License-Identifier: Apache-2.0
// Confirmable LSN; see confirm_tracker.hpp.
#include "confirm_tracker.hpp"

#include <algorithm>

namespace dcx::pgcdc {

void ConfirmTracker::reset() {
    std::lock_guard lock(mu_);
    floor_ = acked_ = marker_ = idle_ = confirmed_ = 0;
}

void ConfirmTracker::raise_floor(uint64_t lsn) {
    std::lock_guard lock(mu_);
    floor_ = std::max(floor_, lsn);
}

void ConfirmTracker::records_through(uint64_t lsn) {
    std::lock_guard lock(mu_);
    marker_ = std::max(marker_, lsn);
}

void ConfirmTracker::idle_at(uint64_t lsn) {
    std::lock_guard lock(mu_);
    idle_ = std::max(idle_, lsn);
}

void ConfirmTracker::committed(const dcx::sdk::Offset& offset) {
    if (offset.metadata && *offset.metadata == kSnapshotMetadata) return;  // mid-snapshot: nothing to confirm
    std::lock_guard lock(mu_);
    acked_ = std::max(acked_, offset.value);
}

uint64_t ConfirmTracker::confirmable() {
    std::lock_guard lock(mu_);
    uint64_t c = std::max({confirmed_, floor_, acked_});
    // Every emitted record is acknowledged once the last unit's end is: then the idle positions
    // after it hold nothing unacknowledged.
    if (acked_ >= marker_) c = std::max(c, idle_);
    confirmed_ = c;
    return c;
}

uint64_t ConfirmTracker::acknowledged() const {
    std::lock_guard lock(mu_);
    return acked_;
}

}  // namespace dcx::pgcdc
