// SPDX-License-Identifier: Apache-2.0
// Key routing must pick the partition danube-client's send_with_key picks (broker-protocol.md
// §5.2), so that keyed records land where Rust producers put the same keys.
#include <catch2/catch.hpp>

#include <string>

#include "broker/key_router.hpp"

using dcx::broker::fnv1a64;
using dcx::broker::partition_for_key;

TEST_CASE("FNV-1a matches the check values of the broker protocol notes", "[unit][broker]") {
    CHECK(fnv1a64("") == 0xcbf29ce484222325ull);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
    CHECK(fnv1a64("foobar") == 0x85944171f73967e8ull);
    CHECK(fnv1a64("user-42") == 0x32c6d7a54d35dacbull);
    CHECK(fnv1a64("sensors/temp/zone1") == 0x673fb3abf4f4857dull);
}

TEST_CASE("keys route to the partitions of the broker protocol notes", "[unit][broker]") {
    CHECK(partition_for_key("user-42", 4) == 3);
    CHECK(partition_for_key("sensors/temp/zone1", 4) == 1);
    CHECK(partition_for_key("", 4) == 1);
    CHECK(partition_for_key("a", 4) == 0);
}

TEST_CASE("bytes above 0x7f are hashed as unsigned values", "[unit][broker]") {
    // Expected values computed independently over the UTF-8 bytes (a signed char would differ).
    CHECK(fnv1a64("\xc3\xa9") == 0x0ac21707b7181e01ull);
    CHECK(fnv1a64("\xff") == 0xaf64724c8602eb6eull);
    CHECK(partition_for_key("\xff", 4) == 2);
    CHECK(partition_for_key("zone-\xc3\xbc", 7) == 0);
}

TEST_CASE("the partition is the full 64-bit hash modulo the count", "[unit][broker]") {
    for (const std::string key : {"", "a", "foobar", "user-42", "sensors/temp/zone1"}) {
        for (uint32_t n : {1u, 2u, 3u, 7u, 16u, 1000u}) {
            INFO(key << " over " << n);
            CHECK(partition_for_key(key, n) == fnv1a64(key) % n);
            CHECK(partition_for_key(key, n) < n);
        }
    }
    CHECK(partition_for_key("user-42", 7) == 2);
}

TEST_CASE("a key given with its length hashes its embedded zero bytes", "[unit][broker]") {
    CHECK(fnv1a64(std::string_view("a\0b", 3)) != fnv1a64("a"));
}

TEST_CASE("a topic without partitions always routes to partition zero", "[unit][broker]") {
    CHECK(partition_for_key("user-42", 0) == 0);
    CHECK(partition_for_key("anything", 1) == 0);
}
