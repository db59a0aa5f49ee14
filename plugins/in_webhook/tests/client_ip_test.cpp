// SPDX-License-Identifier: Apache-2.0
// The client address: the socket peer, unless the peer is a trusted proxy.
#include <catch2/catch.hpp>

#include "client_ip.hpp"

using namespace dcx::webhook;

TEST_CASE("addresses and ranges parse, IPv4-mapped IPv6 counts as IPv4", "[unit][webhook][clientip]") {
    REQUIRE(parse_ip("192.0.2.7"));
    CHECK(parse_ip(" 192.0.2.7 ")->to_string() == "192.0.2.7");
    CHECK(parse_ip("::ffff:192.0.2.7")->to_string() == "192.0.2.7");
    CHECK(parse_ip("2001:db8::1")->v6);
    CHECK_FALSE(parse_ip("192.0.2"));
    CHECK_FALSE(parse_ip("example.com"));
    CHECK_FALSE(parse_ip(""));
    CHECK(parse_cidr("10.0.0.0/8")->contains(*parse_ip("10.200.1.1")));
    CHECK_FALSE(parse_cidr("10.0.0.0/8")->contains(*parse_ip("11.0.0.1")));
    CHECK(parse_cidr("10.1.2.3")->contains(*parse_ip("10.1.2.3")));
    CHECK_FALSE(parse_cidr("10.1.2.3")->contains(*parse_ip("10.1.2.4")));
    CHECK(parse_cidr("fd00::/8")->contains(*parse_ip("fd12::5")));
    CHECK_FALSE(parse_cidr("fd00::/8")->contains(*parse_ip("10.0.0.1")));
    CHECK(parse_cidr("0.0.0.0/0")->contains(*parse_ip("8.8.8.8")));
    CHECK(parse_cidr("10.0.0.0/12")->contains(*parse_ip("10.15.255.255")));
    CHECK_FALSE(parse_cidr("10.0.0.0/12")->contains(*parse_ip("10.16.0.0")));
    CHECK_FALSE(parse_cidr("10.0.0.0/33"));
    CHECK_FALSE(parse_cidr("10.0.0.0/"));
    CHECK_FALSE(parse_cidr("10.0.0.0/a"));
}

TEST_CASE("without trusted proxies the header is ignored", "[unit][webhook][clientip]") {
    ClientIpResolver r({}, "X-Forwarded-For");
    CHECK(r.resolve("203.0.113.9", std::string("1.2.3.4")) == "203.0.113.9");
    CHECK(r.resolve("::ffff:203.0.113.9", std::nullopt) == "203.0.113.9");
}

TEST_CASE("a trusted proxy's header is walked from the right", "[unit][webhook][clientip]") {
    ClientIpResolver r({"10.0.0.0/8", "127.0.0.1"}, "X-Forwarded-For");
    CHECK(r.resolve("127.0.0.1", std::string("198.51.100.4")) == "198.51.100.4");
    // The client may put anything on the left; the first untrusted hop from the right wins.
    CHECK(r.resolve("127.0.0.1", std::string("6.6.6.6, 198.51.100.4, 10.1.1.1")) == "198.51.100.4");
    CHECK(r.resolve("127.0.0.1", std::string("10.2.2.2,10.1.1.1")) == "10.2.2.2");
    CHECK(r.resolve("127.0.0.1", std::nullopt) == "127.0.0.1");
    CHECK(r.resolve("127.0.0.1", std::string("garbage, 10.1.1.1")) == "10.1.1.1");
    CHECK(r.resolve("127.0.0.1", std::string("")) == "127.0.0.1");
    // A peer that is not trusted cannot choose its address.
    CHECK(r.resolve("203.0.113.9", std::string("198.51.100.4")) == "203.0.113.9");
}
