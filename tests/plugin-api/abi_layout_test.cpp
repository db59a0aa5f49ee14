// SPDX-License-Identifier: Apache-2.0
// The current header must keep every 1.0 field where 1.0 put it (minors only append), and the
// C and C++ views of the header must agree.
#include <catch2/catch.hpp>

#include <cstddef>

#include "dcx/plugin_api.h"

extern "C" {
extern const size_t dcx_layout_v1_0[];
extern const size_t dcx_layout_v1_0_count;
extern const size_t dcx_layout_current[];
extern const size_t dcx_layout_current_count;
}

TEST_CASE("the current ABI header keeps every 1.0 field at its 1.0 offset", "[unit][plugin-api]") {
    REQUIRE(dcx_layout_v1_0_count == dcx_layout_current_count);
    REQUIRE(dcx_layout_v1_0_count > 40);
    for (size_t i = 0; i < dcx_layout_v1_0_count; ++i) {
        INFO("field #" << i);
        CHECK(dcx_layout_v1_0[i] == dcx_layout_current[i]);
    }
}

TEST_CASE("1.1 grew dcx_record_t only at its end", "[unit][plugin-api]") {
    CHECK(offsetof(dcx_record_t, event_time_ms) >= offsetof(dcx_record_t, user_token) + sizeof(uint64_t));
    CHECK(sizeof(dcx_record_t) == offsetof(dcx_record_t, event_time_ms) + sizeof(int64_t));
}

TEST_CASE("structs have the fixed layout other languages bind to", "[unit][plugin-api]") {
    // 64-bit Linux layouts: what the Rust SDK's #[repr(C)] mirrors are checked against.
    STATIC_REQUIRE(sizeof(dcx_str_t) == 16);
    STATIC_REQUIRE(sizeof(dcx_attribute_t) == 32);
    STATIC_REQUIRE(sizeof(dcx_offset_t) == 40);
    STATIC_REQUIRE(sizeof(dcx_record_t) == 128);
    STATIC_REQUIRE(sizeof(dcx_producer_config_t) == 32);
    STATIC_REQUIRE(sizeof(dcx_source_t) == 88);
    STATIC_REQUIRE(sizeof(dcx_plugin_descriptor_t) == 56);
    CHECK(DCX_ABI_IS_COMPATIBLE(1, 1, 1, 0));
    CHECK(DCX_ABI_IS_COMPATIBLE(1, 1, 1, 1));
    CHECK_FALSE(DCX_ABI_IS_COMPATIBLE(1, 0, 1, 1));
    CHECK_FALSE(DCX_ABI_IS_COMPATIBLE(1, 5, 2, 0));
}
