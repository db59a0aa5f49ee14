// SPDX-License-Identifier: Apache-2.0
// Replay memory; see replay_cache.hpp.
#include "replay_cache.hpp"

namespace dcx::webhook {

bool ReplayCache::insert(const std::string& key, int64_t now_s, int64_t expires_at_s) {
    std::lock_guard lock(mu_);
    purge_expired(now_s);
    if (expiry_.count(key)) return false;
    while (!by_expiry_.empty() && expiry_.size() >= max_entries_) {
        expiry_.erase(by_expiry_.begin()->second);
        by_expiry_.erase(by_expiry_.begin());
        ++evicted_;
    }
    expiry_.emplace(key, expires_at_s);
    by_expiry_.emplace(expires_at_s, key);
    return true;
}

void ReplayCache::erase(const std::string& key) {
    std::lock_guard lock(mu_);
    const auto it = expiry_.find(key);
    if (it == expiry_.end()) return;
    auto [first, last] = by_expiry_.equal_range(it->second);
    for (; first != last; ++first) {
        if (first->second == key) {
            by_expiry_.erase(first);
            break;
        }
    }
    expiry_.erase(it);
}

size_t ReplayCache::size() const {
    std::lock_guard lock(mu_);
    return expiry_.size();
}

uint64_t ReplayCache::evicted() const {
    std::lock_guard lock(mu_);
    return evicted_;
}

void ReplayCache::purge_expired(int64_t now_s) {
    while (!by_expiry_.empty() && by_expiry_.begin()->first < now_s) {
        expiry_.erase(by_expiry_.begin()->second);
        by_expiry_.erase(by_expiry_.begin());
    }
}

}  // namespace dcx::webhook
