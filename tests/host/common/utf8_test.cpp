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

TEST_CASE("is_valid_utf8 finds a bad or good multi-byte sequence at any offset in long ASCII text", "[unit][common]") {
    // The eight-bytes-at-a-time ASCII path must hand every non-ASCII byte to the exact check,
    // wherever it sits in a word and whatever follows it.
    for (size_t at = 0; at < 24; ++at) {
        for (const std::string seq : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
            std::string text(40, 'a');
            text.replace(at, seq.size(), seq);
            INFO("valid sequence at " << at);
            CHECK(dcx::is_valid_utf8(text));
            text[at + seq.size() - 1] = 'a';  // truncated
            CHECK_FALSE(dcx::is_valid_utf8(text));
        }
        std::string stray(40, 'a');
        stray[at] = '\x80';  // a continuation byte on its own
        INFO("stray continuation at " << at);
        CHECK_FALSE(dcx::is_valid_utf8(stray));
        stray[at] = '\xC0';  // overlong lead
        stray[at + 1] = '\x80';
        CHECK_FALSE(dcx::is_valid_utf8(stray));
    }
}
