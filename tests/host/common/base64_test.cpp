// SPDX-License-Identifier: Apache-2.0
// Base64 as the reference runtime's Rust `base64` STANDARD engine reads and writes it: standard
// alphabet, padding required, and the unused bits of the last symbol must be zero. Each
// accept/reject case below was checked against base64 0.22.1.
#include <catch2/catch.hpp>

#include <string>

#include "common/base64.hpp"

using dcx::base64_decode;
using dcx::base64_encode;

TEST_CASE("base64 encodes the RFC 4648 test vectors", "[unit][common]") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode("hello") == "aGVsbG8=");
}

TEST_CASE("base64 decodes the RFC 4648 test vectors", "[unit][common]") {
    CHECK(base64_decode("") == std::string());
    CHECK(base64_decode("Zg==") == std::string("f"));
    CHECK(base64_decode("Zm8=") == std::string("fo"));
    CHECK(base64_decode("Zm9v") == std::string("foo"));
    CHECK(base64_decode("Zm9vYg==") == std::string("foob"));
    CHECK(base64_decode("Zm9vYmE=") == std::string("fooba"));
    CHECK(base64_decode("Zm9vYmFy") == std::string("foobar"));
}

TEST_CASE("every byte value survives a round trip", "[unit][common]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (size_t n = 0; n <= all.size(); n += 37) {
        const std::string part = all.substr(0, n);
        INFO(n << " bytes");
        CHECK(base64_decode(base64_encode(part)) == part);
    }
    CHECK(base64_decode("/+8=") == std::string("\xff\xef"));
    CHECK(base64_decode("AA==") == std::string(1, '\0'));
}

TEST_CASE("base64 without its padding is refused", "[unit][common]") {
    CHECK_FALSE(base64_decode("aGVsbG8"));
    CHECK_FALSE(base64_decode("Zg"));
    CHECK_FALSE(base64_decode("Zg="));
}

TEST_CASE("non-zero bits after the last encoded byte are refused", "[unit][common]") {
    CHECK(base64_decode("aGk=") == std::string("hi"));
    CHECK_FALSE(base64_decode("aGl="));  // 'l' leaves bits 01 unused
    CHECK_FALSE(base64_decode("aGn="));
    CHECK(base64_decode("Zg==") == std::string("f"));
    CHECK_FALSE(base64_decode("Zh=="));  // 'h' leaves bits 0001 unused
    CHECK_FALSE(base64_decode("AB=="));
    CHECK_FALSE(base64_decode("A/=="));
}

TEST_CASE("whitespace, other alphabets and misplaced padding are refused", "[unit][common]") {
    CHECK_FALSE(base64_decode("aGVs bG8="));
    CHECK_FALSE(base64_decode("aGVsbG8=\n"));
    CHECK_FALSE(base64_decode("-_8="));
    CHECK_FALSE(base64_decode("A==="));
    CHECK_FALSE(base64_decode("===="));
    CHECK_FALSE(base64_decode("aG=k"));
    CHECK_FALSE(base64_decode("aGVsbG8=aGk="));
}
