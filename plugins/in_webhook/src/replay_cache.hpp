// SPDX-License-Identifier: Apache-2.0
// Remembers the signatures (or JWT ids) of accepted requests until they expire, so the same
// signed request sent twice is refused (Stripe's replay guidance). Bounded: past `max_entries`
// the entries closest to expiry are dropped first, and counted.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dcx::webhook {

class ReplayCache {
public:
    explicit ReplayCache(size_t max_entries = 100000) : max_entries_(max_entries) {}

    /// Records `key` until `expires_at_s` (Unix seconds). False when the key is already recorded
    /// and not yet expired: a replay. [thread-safe]
    bool insert(const std::string& key, int64_t now_s, int64_t expires_at_s);
    /// Forgets `key`: the request that recorded it was not accepted, so sending it again is a
    /// retry, not a replay. [thread-safe]
    void erase(const std::string& key);

    size_t size() const;
    /// Entries dropped before their expiry because the cache was full.
    uint64_t evicted() const;

private:
    void purge_expired(int64_t now_s);

    const size_t max_entries_;
    // The maps and the counter are guarded by mu_.
    mutable std::mutex mu_;
    std::unordered_map<std::string, int64_t> expiry_;  // key -> expires_at_s
    std::multimap<int64_t, std::string> by_expiry_;
    uint64_t evicted_ = 0;
};

}  // namespace dcx::webhook
