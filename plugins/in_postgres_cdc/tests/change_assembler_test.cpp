// SPDX-License-Identifier: Apache-2.0
// From decoded pgoutput messages to records: payloads, keys, attributes, routing, and the
// offsets that make confirming safe (the last record of a transaction carries its end LSN,
// the others the previous transaction's end).
#include <catch2/catch.hpp>

#include "change_assembler.hpp"
#include "lsn.hpp"

using namespace dcx::pgcdc;
using dcx::sdk::SourceRecord;
using nlohmann::json;

namespace {

RelationMessage orders_relation(uint32_t id = 100, char identity = 'd') {
    RelationMessage r;
    r.relation_id = id;
    r.schema = "public";
    r.table = "orders";
    r.replica_identity = identity;
    r.columns = {{true, "id", 23, -1}, {false, "note", 25, -1}, {false, "doc", 3802, -1}, {false, "tags", 1009, -1}};
    return r;
}

RelationMessage table_relation(uint32_t id, const std::string& schema, const std::string& table) {
    RelationMessage r;
    r.relation_id = id;
    r.schema = schema;
    r.table = table;
    r.columns = {{true, "k", 25, -1}, {false, "v", 20, -1}};
    return r;
}

ColumnValue text(std::string s) { return {ColumnValue::Kind::text, std::move(s)}; }
ColumnValue null() { return {ColumnValue::Kind::null, {}}; }
ColumnValue toast() { return {ColumnValue::Kind::unchanged_toast, {}}; }

BeginMessage begin(uint64_t lsn, uint32_t xid) { return {lsn, 1000, xid}; }
CommitMessage commit(uint64_t lsn, uint64_t end) { return {0, lsn, end, 1000}; }

struct Fixture {
    explicit Fixture(CdcConfig c = config(), std::vector<PublishedTable> tables = {}) : cfg(std::move(c)), routes(cfg) {
        std::vector<TableName> names;
        for (const auto& t : tables) names.push_back(t.name);
        names.push_back({"public", "orders"});
        names.push_back({"shop", "items"});
        std::vector<std::string> warnings;
        routes.declare(names, warnings);
        assembler = std::make_unique<ChangeAssembler>(
            routes, tables, "slot1", tracker, [this](SourceRecord&& r) { out.push_back(std::move(r)); },
            [this](const std::string& m) { notes.push_back(m); });
        assembler->start_stream(0x1000);
    }

    static CdcConfig config() {
        CdcConfig c;
        c.connection = "host=x";
        c.routes.push_back({{"public", "orders"}, "/default/orders", 4, true, "postgres_cdc.routes[0]"});
        c.topic_pattern = "/cdc/{schema}_{table}";
        return c;
    }

    json payload(size_t i) const { return json::parse(out.at(i).payload()); }
    std::string attr(size_t i, const std::string& key) const {
        for (const auto& [k, v] : out.at(i).attributes()) {
            if (k == key) return v;
        }
        return "<none>";
    }

    CdcConfig cfg;
    RouteTable routes;
    ConfirmTracker tracker;
    std::vector<SourceRecord> out;
    std::vector<std::string> notes;
    std::unique_ptr<ChangeAssembler> assembler;
};

}  // namespace

TEST_CASE("a transaction's records carry the previous end LSN except the last, which carries its own",
          "[unit][cdc][assembler]") {
    Fixture f;
    auto& a = *f.assembler;
    a.apply(orders_relation());
    a.apply(begin(0x2000, 700));
    a.apply(InsertMessage{100, {text("1"), text("a"), text("{\"x\":1}"), text("{a,b}")}});
    a.apply(InsertMessage{100, {text("2"), null(), null(), null()}});
    CHECK(f.out.size() == 1);  // the last record is held until the Commit shows it is the last
    a.apply(UpdateMessage{100, 0, {}, {text("1"), text("b"), toast(), null()}});
    CHECK(a.in_transaction());
    a.apply(commit(0x2000, 0x2050));
    CHECK_FALSE(a.in_transaction());
    REQUIRE(f.out.size() == 3);
    CHECK(f.out[0].offset()->value == 0x1000);  // the stream's start: nothing before it is pending
    CHECK(f.out[1].offset()->value == 0x1000);
    CHECK(f.out[2].offset()->value == 0x2050);  // the transaction's end
    for (const auto& r : f.out) {
        CHECK(r.offset()->partition == "slot1");
        CHECK_FALSE(r.offset()->metadata);
    }
    CHECK(a.resume_lsn() == 0x2050);

    a.apply(begin(0x3000, 701));
    a.apply(DeleteMessage{100, 'K', {text("2"), null(), null(), null()}});
    a.apply(DeleteMessage{100, 'K', {text("1"), null(), null(), null()}});
    a.apply(commit(0x3000, 0x3040));
    REQUIRE(f.out.size() == 5);
    CHECK(f.out[3].offset()->value == 0x2050);
    CHECK(f.out[4].offset()->value == 0x3040);
}

TEST_CASE("records carry op, table, typed values, xid, LSN, time, key and attributes", "[unit][cdc][assembler]") {
    Fixture f;
    auto& a = *f.assembler;
    a.apply(orders_relation());
    a.apply(begin(0x2000, 700));
    a.apply(InsertMessage{100, {text("7"), text("hello"), text("{\"x\":[1,2]}"), text("{a,b}")}});
    a.apply(UpdateMessage{100, 'K', {text("6"), null(), null(), null()}, {text("7"), text("bye"), toast(), null()}});
    a.apply(DeleteMessage{100, 'K', {text("7"), null(), null(), null()}});
    a.apply(commit(0x2000, 0x2050));
    REQUIRE(f.out.size() == 3);

    const json ins = f.payload(0);
    CHECK(ins["op"] == "insert");
    CHECK(ins["schema"] == "public");
    CHECK(ins["table"] == "orders");
    CHECK(ins["new"] == json::parse(R"({"id":7,"note":"hello","doc":{"x":[1,2]},"tags":"{a,b}"})"));
    CHECK_FALSE(ins.contains("old"));
    CHECK(ins["xid"] == 700);
    CHECK(ins["lsn"] == "0/2000");
    CHECK(ins["commit_time"] == "2000-01-01T00:00:00.001000Z");
    CHECK(f.out[0].topic() == "/default/orders");
    CHECK(f.out[0].key() == "7");
    CHECK(f.out[0].event_time_ms() == 946'684'800'001);
    CHECK(f.attr(0, "pg.op") == "insert");
    CHECK(f.attr(0, "pg.table") == "orders");
    CHECK(f.attr(0, "pg.schema") == "public");
    CHECK(f.attr(0, "pg.lsn") == "0/2000");
    CHECK(f.attr(0, "pg.xid") == "700");
    CHECK(f.attr(0, "pg.index") == "0");
    CHECK(f.attr(0, "source") == "postgres_cdc");

    const json upd = f.payload(1);
    CHECK(upd["op"] == "update");
    CHECK(upd["old"] == json::parse(R"({"id":6})"));  // an old key: only the identity columns
    CHECK(upd["new"] == json::parse(R"({"id":7,"note":"bye","tags":null})"));
    CHECK(upd["unchanged_toast"] == json::parse(R"(["doc"])"));
    CHECK(f.out[1].key() == "7");
    CHECK(f.attr(1, "pg.index") == "1");

    const json del = f.payload(2);
    CHECK(del["op"] == "delete");
    CHECK(del["old"] == json::parse(R"({"id":7})"));
    CHECK_FALSE(del.contains("new"));
    CHECK(f.out[2].key() == "7");
}

TEST_CASE("the primary key is the record key even under REPLICA IDENTITY FULL", "[unit][cdc][assembler]") {
    PublishedTable items{{"shop", "items"}, {}, "", {"order_id", "line"}};
    Fixture f(Fixture::config(), {items});
    auto& a = *f.assembler;
    RelationMessage r;
    r.relation_id = 5;
    r.schema = "shop";
    r.table = "items";
    r.replica_identity = 'f';  // every column is flagged as identity
    r.columns = {{true, "line", 23, -1}, {true, "order_id", 23, -1}, {true, "qty", 23, -1}};
    a.apply(r);
    a.apply(begin(0x2000, 1));
    a.apply(UpdateMessage{5, 'O', {text("1"), text("9"), text("2")}, {text("1"), text("9"), text("3")}});
    a.apply(commit(0x2000, 0x2010));
    REQUIRE(f.out.size() == 1);
    CHECK(f.out[0].key() == R"(["9","1"])");  // key order, not column order
    CHECK(f.out[0].topic() == "/cdc/shop_items");
    CHECK(f.payload(0)["old"] == json::parse(R"({"line":1,"order_id":9,"qty":2})"));  // a full old row
}

TEST_CASE("a table without key gives records without key, with a note", "[unit][cdc][assembler]") {
    Fixture f;
    auto& a = *f.assembler;
    RelationMessage r = table_relation(9, "shop", "items");
    r.columns[0].key = false;
    r.replica_identity = 'n';
    a.apply(r);
    a.apply(begin(0x2000, 1));
    a.apply(InsertMessage{9, {text("a"), text("1")}});
    a.apply(commit(0x2000, 0x2010));
    REQUIRE(f.out.size() == 1);
    CHECK_FALSE(f.out[0].key());
    bool noted = false;
    for (const auto& n : f.notes) noted = noted || n.find("no primary key") != std::string::npos;
    CHECK(noted);
}

TEST_CASE("tables without a route are skipped, and their transactions only move the idle position",
          "[unit][cdc][assembler]") {
    CdcConfig c = Fixture::config();
    c.topic_pattern.reset();
    Fixture f(c);
    auto& a = *f.assembler;
    a.apply(table_relation(9, "shop", "items"));
    a.apply(begin(0x2000, 1));
    a.apply(InsertMessage{9, {text("a"), text("1")}});
    a.apply(commit(0x2000, 0x2010));
    CHECK(f.out.empty());
    CHECK(f.tracker.confirmable() == 0x2010);  // nothing was emitted, so nothing waits for an ack
    CHECK(f.notes.at(0).find("has no route") != std::string::npos);
}

TEST_CASE("a truncate is one record per routed table", "[unit][cdc][assembler]") {
    Fixture f;
    auto& a = *f.assembler;
    a.apply(orders_relation());
    a.apply(table_relation(9, "shop", "items"));
    a.apply(begin(0x2000, 1));
    a.apply(TruncateMessage{TruncateMessage::kCascade, {100, 9}});
    a.apply(commit(0x2000, 0x2010));
    REQUIRE(f.out.size() == 2);
    CHECK(f.payload(0)["op"] == "truncate");
    CHECK(f.payload(0)["cascade"] == true);
    CHECK(f.payload(0)["restart_identity"] == false);
    CHECK(f.out[0].topic() == "/default/orders");
    CHECK(f.out[1].topic() == "/cdc/shop_items");
    CHECK_FALSE(f.out[0].key());
}

TEST_CASE("a stream that breaks the protocol is refused with a clear error", "[unit][cdc][assembler]") {
    Fixture f;
    auto& a = *f.assembler;
    a.apply(orders_relation());
    CHECK_THROWS_WITH(a.apply(InsertMessage{100, {text("1"), null(), null(), null()}}),
                      Catch::Contains("Insert outside a transaction"));
    CHECK_THROWS_WITH(a.apply(commit(1, 2)), Catch::Contains("Commit outside a transaction"));
    a.apply(begin(0x2000, 1));
    CHECK_THROWS_WITH(a.apply(begin(0x2000, 1)), Catch::Contains("Begin inside a transaction"));
    CHECK_THROWS_WITH(a.apply(InsertMessage{55, {}}), Catch::Contains("relation id 55, which no Relation message described"));
    CHECK_THROWS_WITH(a.apply(InsertMessage{100, {text("1")}}), Catch::Contains("has 1 columns; its Relation message has 4"));
    CHECK_THROWS_WITH(a.apply(commit(0x2001, 0x2010)), Catch::Contains("differs from its Begin's"));
}

TEST_CASE("a table that appears after startup stops the stream instead of losing its changes",
          "[unit][cdc][assembler]") {
    Fixture f;
    auto& a = *f.assembler;
    a.apply(table_relation(9, "public", "late_table"));  // routed by the pattern, never declared
    a.apply(begin(0x2000, 1));
    CHECK_THROWS_AS(a.apply(InsertMessage{9, {text("a"), text("1")}}), UndeclaredTopicError);
}

TEST_CASE("a new session forgets the half transaction and resumes after the last whole one",
          "[unit][cdc][assembler]") {
    Fixture f;
    auto& a = *f.assembler;
    a.apply(orders_relation());
    a.apply(begin(0x2000, 1));
    a.apply(InsertMessage{100, {text("1"), null(), null(), null()}});
    a.apply(commit(0x2000, 0x2010));
    a.apply(begin(0x3000, 2));
    a.apply(InsertMessage{100, {text("2"), null(), null(), null()}});
    a.apply(InsertMessage{100, {text("3"), null(), null(), null()}});  // "2" emitted, "3" held
    REQUIRE(f.out.size() == 2);
    a.start_stream(0x1000);  // the connection dropped
    CHECK(a.resume_lsn() == 0x2010);
    CHECK_FALSE(a.in_transaction());
    CHECK_THROWS_AS(a.apply(InsertMessage{100, {text("2"), null(), null(), null()}}), ProtocolError);  // relations forgotten
    a.apply(orders_relation());
    a.apply(begin(0x3000, 2));
    a.apply(InsertMessage{100, {text("2"), null(), null(), null()}});
    a.apply(InsertMessage{100, {text("3"), null(), null(), null()}});
    a.apply(commit(0x3000, 0x3010));
    REQUIRE(f.out.size() == 4);  // "2" twice (at least once), "3" once
    CHECK(f.out[2].offset()->value == 0x2010);
    CHECK(f.out[3].offset()->value == 0x3010);
}

TEST_CASE("snapshot rows carry the slot position and mark the last one done", "[unit][cdc][assembler]") {
    PublishedTable orders{{"public", "orders"}, {"id", "note"}, "", {"id"}};
    Fixture f(Fixture::config(), {orders});
    auto& a = *f.assembler;
    a.start_snapshot(0x5000);
    const std::vector<std::string> names{"id", "note"};
    const std::vector<uint32_t> oids{23, 25};
    a.snapshot_row(orders, names, oids, {std::string_view("1"), std::string_view("a")});
    a.snapshot_row(orders, names, oids, {std::string_view("2"), std::nullopt});
    a.snapshot_row(orders, names, oids, {std::string_view("3"), std::string_view("c")});
    a.finish_snapshot();
    REQUIRE(f.out.size() == 3);
    CHECK(f.out[0].offset()->metadata == kSnapshotMetadata);
    CHECK(f.out[1].offset()->metadata == kSnapshotMetadata);
    CHECK(f.out[2].offset()->metadata == kSnapshotDoneMetadata);
    for (const auto& r : f.out) CHECK(r.offset()->value == 0x5000);
    CHECK(f.payload(1) == json::parse(R"({"op":"snapshot","schema":"public","table":"orders","lsn":"0/5000",
                                           "new":{"id":2,"note":null}})"));
    CHECK(f.out[1].key() == "2");
    CHECK(f.attr(2, "pg.index") == "2");

    // The stream continues from the snapshot's position.
    a.start_stream(0x5000);
    a.apply(orders_relation());
    a.apply(begin(0x6000, 3));
    a.apply(InsertMessage{100, {text("4"), null(), null(), null()}});
    a.apply(InsertMessage{100, {text("5"), null(), null(), null()}});
    a.apply(commit(0x6000, 0x6010));
    CHECK(f.out[3].offset()->value == 0x5000);
    CHECK_FALSE(f.out[3].offset()->metadata);
}

TEST_CASE("Origin, Type and logical messages produce nothing", "[unit][cdc][assembler]") {
    Fixture f;
    auto& a = *f.assembler;
    a.apply(begin(0x2000, 1));
    a.apply(OriginMessage{1, "node"});
    a.apply(LogicalMessage{1, 2, "p", 0});
    a.apply(TypeMessage{16400, "public", "mood"});
    a.apply(commit(0x2000, 0x2010));
    CHECK(f.out.empty());
    CHECK(a.transactions() == 1);
}
