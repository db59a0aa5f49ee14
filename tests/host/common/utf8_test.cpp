// SPDX-License-Identifier: Apache-2.0
// Strict UTF-8 checks, and the repair the dead-letter path applies to text that is not UTF-8.
#include <catch2/catch.hpp>

#include "common/utf8.hpp"

using dcx::is_valid_utf8;
using dcx::to_valid_utf8;

TEST_CASE("strict UTF-8 refuses overlong forms, surrogates and truncated sequences", "[unit][common]") {
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"));
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("ab\xE2\x82"));        // cut short
    CHECK_FALSE(is_valid_utf8("\xFF"));
}

TEST_CASE("to_valid_utf8 replaces each bad byte with U+FFFD and keeps valid text as it is", "[unit][common]") {
    CHECK(to_valid_utf8("h\xC3\xA9llo") == "h\xC3\xA9llo");
    CHECK(to_valid_utf8("\xC3\x28") == "\xEF\xBF\xBD(");
    CHECK(to_valid_utf8("key-\xFF") == "key-\xEF\xBF\xBD");
    CHECK(to_valid_utf8("ab\xE2\x82") == "ab\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(to_valid_utf8("") == "");
    CHECK(is_valid_utf8(to_valid_utf8("\x80\x81\xC0\xAF\xED\xA0\x80 ok")));
}
