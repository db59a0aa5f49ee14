// SPDX-License-Identifier: Apache-2.0
// Partition choice as danube-client's send_with_key (message_router.rs): FNV-1a 64-bit over the
// key's UTF-8 bytes, modulo the partition count; keyless records round-robin.
#pragma once

#include <cstdint>
#include <string_view>

namespace dcx::broker {

constexpr uint64_t fnv1a64(std::string_view bytes) {
    uint64_t hash = 0xcbf29ce484222325ull;
    for (const char c : bytes) {
        hash ^= static_cast<uint8_t>(c);
        hash *= 0x100000001b3ull;
    }
    return hash;
}

constexpr uint32_t partition_for_key(std::string_view key, uint32_t partitions) {
    return partitions == 0 ? 0 : static_cast<uint32_t>(fnv1a64(key) % partitions);
}

}  // namespace dcx::broker
