// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include "topic_name.hpp"

using namespace dcx::test_broker;

TEST_CASE("topic syntax accepts exactly three parts of alphanumerics, '_' and '-'", "[unit][test-broker]") {
    CHECK(is_valid_topic_syntax("/default/events"));
    CHECK(is_valid_topic_syntax("/default/my_topic-1"));
    CHECK(is_valid_topic_syntax("/default/t\xC3\xABst"));  // Unicode letters count as alphanumeric
    CHECK(is_valid_topic_syntax("/default/events-part-3"));
    // Empty parts pass, exactly like the real broker's validate_topic_format.
    CHECK(is_valid_topic_syntax("/ns/"));
    CHECK(is_valid_topic_syntax("//"));
    CHECK(is_valid_topic_syntax("ns/a/b"));
}

TEST_CASE("topic syntax rejects dots, spaces, other parts counts and bad UTF-8", "[unit][test-broker]") {
    CHECK_FALSE(is_valid_topic_syntax("/default/a.b"));
    CHECK_FALSE(is_valid_topic_syntax("/default/a b"));
    CHECK_FALSE(is_valid_topic_syntax("/default/a/b"));
    CHECK_FALSE(is_valid_topic_syntax("/default"));
    CHECK_FALSE(is_valid_topic_syntax("default"));
    CHECK_FALSE(is_valid_topic_syntax("/default/a\xFF"));
    CHECK_FALSE(is_valid_topic_syntax("/default/\xE2\x82"));  // truncated sequence
}

TEST_CASE("namespace and partition base are derived like the broker does", "[unit][test-broker]") {
    CHECK(namespace_of("/iot/sensors") == "iot");
    CHECK(namespace_of("ns/a/b") == "a");
    CHECK(partition_base("/default/t-part-2") == std::optional<std::string_view>("/default/t"));
    CHECK(partition_base("/default/a-part-b-part-0") == std::optional<std::string_view>("/default/a-part-b"));
    CHECK_FALSE(partition_base("/default/plain").has_value());
}
