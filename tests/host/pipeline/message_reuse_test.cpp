// SPDX-License-Identifier: Apache-2.0
// A reused StreamMessage must carry exactly the current record's attributes, never a name left
// over from the record it carried before.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/message_reuse.hpp"

using dcx::pipeline::assign_attributes;
using dcx::pipeline::clear_for_reuse;
using dcx::pipeline::AttributeMap;
using Attrs = std::vector<std::pair<std::string, std::string>>;
using Plain = std::map<std::string, std::string>;

namespace {
Plain plain(const AttributeMap& m) { return Plain(m.begin(), m.end()); }
}  // namespace

TEST_CASE("the same names are overwritten in place", "[unit][pipeline]") {
    AttributeMap m;
    assign_attributes(m, {{"source", "a"}, {"seq", "1"}});
    const std::string* seq_before = &m.at("seq");
    assign_attributes(m, {{"seq", "2"}, {"source", "b-with-a-value-longer-than-the-small-string-buffer"}});
    CHECK(plain(m) == Plain{{"seq", "2"}, {"source", "b-with-a-value-longer-than-the-small-string-buffer"}});
    CHECK(&m.at("seq") == seq_before);  // the entry was reused, not rebuilt
}

TEST_CASE("different names replace the previous record's attributes", "[unit][pipeline]") {
    AttributeMap m;
    assign_attributes(m, {{"a", "1"}, {"b", "2"}});
    SECTION("same count, one name differs") {
        assign_attributes(m, {{"a", "3"}, {"c", "4"}});
        CHECK(plain(m) == Plain{{"a", "3"}, {"c", "4"}});
    }
    SECTION("fewer names") {
        assign_attributes(m, {{"b", "5"}});
        CHECK(plain(m) == Plain{{"b", "5"}});
    }
    SECTION("more names") {
        assign_attributes(m, {{"a", "1"}, {"b", "2"}, {"c", "3"}});
        CHECK(plain(m) == Plain{{"a", "1"}, {"b", "2"}, {"c", "3"}});
    }
    SECTION("none") {
        assign_attributes(m, {});
        CHECK(m.empty());
    }
}

TEST_CASE("a duplicate name never keeps a stale entry, and the later value wins", "[unit][pipeline]") {
    AttributeMap m;
    assign_attributes(m, {{"a", "1"}, {"b", "2"}});
    // As many entries as the map holds and every name present, but "b" is not among them.
    assign_attributes(m, {{"a", "x"}, {"a", "y"}});
    CHECK(plain(m) == Plain{{"a", "y"}});
}

TEST_CASE("many attributes are rebuilt and still exact", "[unit][pipeline]") {
    Attrs many;
    for (int i = 0; i < 40; ++i) many.emplace_back("k" + std::to_string(i), std::to_string(i));
    AttributeMap m;
    assign_attributes(m, many);
    many.back().second = "changed";
    assign_attributes(m, many);
    CHECK(m.size() == 40);
    CHECK(m.at("k39") == "changed");
}

TEST_CASE("clear_for_reuse empties every field but keeps the attribute entries and the msg_id", "[unit][pipeline]") {
    danube::StreamMessage m;
    m.set_request_id(7);
    m.set_payload("payload");
    m.set_routing_key("key");
    m.set_schema_id(3);
    m.set_publish_time(99);
    m.set_producer_name("producer");
    m.mutable_msg_id()->set_topic_name("/default/a-topic-name-longer-than-sso");
    (*m.mutable_attributes())["a"] = "1";
    const danube::MsgID* id_before = &m.msg_id();
    const std::string* attr_before = &m.attributes().at("a");

    dcx::pipeline::clear_for_reuse(m);
    // Everything but the two kept parts reads as a fresh message.
    danube::StreamMessage expected;
    *expected.mutable_msg_id() = m.msg_id();
    *expected.mutable_attributes() = m.attributes();
    CHECK(m.SerializeAsString() == expected.SerializeAsString());
    CHECK(m.payload().empty());
    CHECK_FALSE(m.has_routing_key());
    CHECK(&m.msg_id() == id_before);
    assign_attributes(*m.mutable_attributes(), {{"a", "2"}});
    CHECK(&m.attributes().at("a") == attr_before);
    CHECK(m.attributes().at("a") == "2");
}

TEST_CASE("clear_for_reuse on a message without msg_id leaves none", "[unit][pipeline]") {
    danube::StreamMessage m;
    m.set_payload("x");
    dcx::pipeline::clear_for_reuse(m);
    CHECK_FALSE(m.has_msg_id());
    CHECK(m.ByteSizeLong() == 0);
}
