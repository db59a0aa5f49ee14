// SPDX-License-Identifier: Apache-2.0
// pgoutput protocol 1 decoding on hand-built byte buffers: every message type field by field,
// and the untrusted-input cases: every truncation, trailing bytes, absurd counts and lengths,
// unknown types, random bytes and the corpus in tests/corpus/ end as a ProtocolError, never a
// crash or a huge allocation.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "pgoutput_parser.hpp"
#include "wire_builder.hpp"

using namespace dcx::pgcdc;
using dcx::pgcdc::testing::Wire;

namespace {

std::string relation_msg() {
    return Wire()
        .ch('R')
        .u32(16384)
        .str("public")
        .str("orders")
        .ch('d')
        .u16(3)
        .u8(1).str("id").u32(23).u32(0xFFFFFFFF)
        .u8(0).str("note").u32(25).u32(0xFFFFFFFF)
        .u8(0).str("price").u32(1700).u32(655366)
        .bytes();
}

std::string insert_msg() {
    return Wire().ch('I').u32(16384).ch('N').u16(3).text("42").ch('n').text("9.99").bytes();
}

std::string update_msg() {
    return Wire().ch('U').u32(16384).ch('O').u16(3).text("41").text("old").ch('n').ch('N').u16(3).text("42").ch('u').text("1.5").bytes();
}

std::string delete_msg() { return Wire().ch('D').u32(16384).ch('K').u16(3).text("42").ch('n').ch('n').bytes(); }

std::string truncate_msg() { return Wire().ch('T').u32(2).u8(3).u32(16384).u32(16390).bytes(); }

std::vector<std::string> valid_messages() {
    return {dcx::pgcdc::testing::begin_msg(0x16B3748, 7000000, 731),
            dcx::pgcdc::testing::commit_msg(0x16B3748, 0x16B3778, 7000000),
            Wire().ch('O').u64(0x10).str("node_a").bytes(),
            relation_msg(),
            Wire().ch('Y').u32(16400).str("public").str("mood").bytes(),
            insert_msg(),
            update_msg(),
            delete_msg(),
            truncate_msg(),
            Wire().ch('M').u8(1).u64(0x20).str("app").u32(3).raw("abc").bytes()};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

TEST_CASE("Begin and Commit carry the transaction's LSNs, time and xid", "[unit][cdc][pgoutput]") {
    const auto b = std::get<BeginMessage>(parse_pgoutput(dcx::pgcdc::testing::begin_msg(0x16B3748, -5, 731)));
    CHECK(b.final_lsn == 0x16B3748);
    CHECK(b.commit_time_us == -5);
    CHECK(b.xid == 731);
    const auto c = std::get<CommitMessage>(parse_pgoutput(dcx::pgcdc::testing::commit_msg(0x16B3748, 0x16B3778, 99)));
    CHECK(c.commit_lsn == 0x16B3748);
    CHECK(c.end_lsn == 0x16B3778);
    CHECK(c.commit_time_us == 99);
}

TEST_CASE("a Relation lists its columns with key flag, type and modifier", "[unit][cdc][pgoutput]") {
    const auto r = std::get<RelationMessage>(parse_pgoutput(relation_msg()));
    CHECK(r.relation_id == 16384);
    CHECK(r.schema == "public");
    CHECK(r.table == "orders");
    CHECK(r.replica_identity == 'd');
    REQUIRE(r.columns.size() == 3);
    CHECK(r.columns[0].key);
    CHECK(r.columns[0].name == "id");
    CHECK(r.columns[0].type_oid == 23);
    CHECK(r.columns[0].type_modifier == -1);
    CHECK_FALSE(r.columns[1].key);
    CHECK(r.columns[2].type_oid == 1700);
    CHECK(r.columns[2].type_modifier == 655366);
}

TEST_CASE("Insert Update Delete and Truncate decode their tuples", "[unit][cdc][pgoutput]") {
    const auto i = std::get<InsertMessage>(parse_pgoutput(insert_msg()));
    CHECK(i.relation_id == 16384);
    REQUIRE(i.new_tuple.size() == 3);
    CHECK(i.new_tuple[0].kind == ColumnValue::Kind::text);
    CHECK(i.new_tuple[0].data == "42");
    CHECK(i.new_tuple[1].kind == ColumnValue::Kind::null);
    CHECK(i.new_tuple[2].data == "9.99");

    const auto u = std::get<UpdateMessage>(parse_pgoutput(update_msg()));
    CHECK(u.old_kind == 'O');
    REQUIRE(u.old_tuple.size() == 3);
    CHECK(u.old_tuple[1].data == "old");
    CHECK(u.new_tuple[1].kind == ColumnValue::Kind::unchanged_toast);
    CHECK(u.new_tuple[2].data == "1.5");

    const auto plain = std::get<UpdateMessage>(parse_pgoutput(Wire().ch('U').u32(7).ch('N').u16(1).text("x").bytes()));
    CHECK(plain.old_kind == 0);
    CHECK(plain.old_tuple.empty());
    REQUIRE(plain.new_tuple.size() == 1);

    const auto d = std::get<DeleteMessage>(parse_pgoutput(delete_msg()));
    CHECK(d.old_kind == 'K');
    CHECK(d.old_tuple[0].data == "42");

    const auto t = std::get<TruncateMessage>(parse_pgoutput(truncate_msg()));
    CHECK(t.options == 3);
    CHECK(t.relation_ids == std::vector<uint32_t>{16384, 16390});
}

TEST_CASE("Origin Type and logical Message decode so they can be skipped", "[unit][cdc][pgoutput]") {
    const auto msgs = valid_messages();
    CHECK(std::get<OriginMessage>(parse_pgoutput(msgs[2])).name == "node_a");
    const auto y = std::get<TypeMessage>(parse_pgoutput(msgs[4]));
    CHECK(y.type_oid == 16400);
    CHECK(y.name == "mood");
    const auto m = std::get<LogicalMessage>(parse_pgoutput(msgs[9]));
    CHECK(m.prefix == "app");
    CHECK(m.size == 3);
    CHECK(std::string(message_name(parse_pgoutput(msgs[9]))) == "Message");
}

TEST_CASE("a binary value keeps its bytes", "[unit][cdc][pgoutput]") {
    const std::string bytes("\x00\x01\xFF", 3);
    const auto i = std::get<InsertMessage>(parse_pgoutput(Wire().ch('I').u32(1).ch('N').u16(1).ch('b').u32(3).raw(bytes).bytes()));
    CHECK(i.new_tuple[0].kind == ColumnValue::Kind::binary);
    CHECK(i.new_tuple[0].data == bytes);
}

TEST_CASE("every truncation of a valid message is a ProtocolError", "[unit][cdc][pgoutput]") {
    for (const auto& m : valid_messages()) {
        for (size_t n = 0; n < m.size(); ++n) {
            INFO("message " << m[0] << " cut to " << n << " of " << m.size() << " bytes");
            CHECK_THROWS_AS(parse_pgoutput(std::string_view(m).substr(0, n)), ProtocolError);
        }
        CHECK_NOTHROW(parse_pgoutput(m));
    }
}

TEST_CASE("trailing bytes after a message are a ProtocolError", "[unit][cdc][pgoutput]") {
    for (const auto& m : valid_messages()) {
        if (m[0] == 'M') continue;  // its content length is explicit; covered below
        INFO("message " << m[0]);
        CHECK_THROWS_WITH(parse_pgoutput(m + "x"), Catch::Contains("trailing"));
    }
    CHECK_THROWS_AS(parse_pgoutput(valid_messages()[9] + "x"), ProtocolError);
}

TEST_CASE("absurd counts and lengths are refused before anything is allocated", "[unit][cdc][pgoutput]") {
    // 65535 columns announced, 3 bytes present.
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('I').u32(1).ch('N').u16(0xFFFF).ch('n').ch('n').ch('n').bytes()),
                      Catch::Contains("declares 65535 columns"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('R').u32(1).str("s").str("t").ch('d').u16(0xFFFF).u8(0).bytes()),
                      Catch::Contains("declares 65535 columns"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('T').u32(0xFFFFFFFF).u8(0).u32(1).bytes()),
                      Catch::Contains("declares 4294967295 relations"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('I').u32(1).ch('N').u16(1).ch('t').u32(0xFFFFFFFF).raw("abc").bytes()),
                      Catch::Contains("declares 4294967295 bytes"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('M').u8(0).u64(1).str("p").u32(0x7FFFFFFF).bytes()),
                      Catch::Contains("declares 2147483647 bytes"));
}

TEST_CASE("unknown message types, tuple markers and value kinds are named in the error", "[unit][cdc][pgoutput]") {
    CHECK_THROWS_WITH(parse_pgoutput(""), Catch::Contains("empty message"));
    CHECK_THROWS_WITH(parse_pgoutput("S\x00\x00\x00\x01"), Catch::Contains("unsupported message type 0x53 ('S')"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('I').u32(1).ch('X').u16(0).bytes()), Catch::Contains("tuple marker"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('D').u32(1).ch('N').u16(0).bytes()), Catch::Contains("tuple marker"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('I').u32(1).ch('N').u16(1).ch('z').bytes()),
                      Catch::Contains("unknown value kind 0x7A"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('R').u32(1).raw("no-terminator").bytes()), Catch::Contains("terminating NUL"));
    CHECK_THROWS_WITH(parse_pgoutput(Wire().ch('C').u8(0).u64(100).u64(99).u64(0).bytes()),
                      Catch::Contains("end LSN is before the commit LSN"));
}

TEST_CASE("random bytes never crash the decoder", "[unit][cdc][pgoutput]") {
    std::mt19937 rng(20240501);
    const std::string types = "BCORYIUDTMSx";
    size_t parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string m(1, types[rng() % types.size()]);
        const size_t n = rng() % 48;
        for (size_t k = 0; k < n; ++k) m.push_back(static_cast<char>(rng() % 8 == 0 ? 0 : rng() & 0xFF));
        try {
            parse_pgoutput(m);
            ++parsed;
        } catch (const ProtocolError&) {
        }
    }
    // Mutations of valid messages: one byte flipped at a time.
    for (const auto& valid : valid_messages()) {
        for (size_t pos = 0; pos < valid.size(); ++pos) {
            std::string m = valid;
            m[pos] = static_cast<char>(m[pos] ^ 0xFF);
            try {
                parse_pgoutput(m);
                ++parsed;
            } catch (const ProtocolError&) {
            }
        }
    }
    CHECK(parsed > 0);  // some random inputs are valid messages; none escaped as another exception
}

TEST_CASE("the corpus of odd inputs decodes or fails as its file says", "[unit][cdc][pgoutput]") {
    // tests/corpus/*.hex: one case per line, "ok <hex>" or "error <hex>"; '#' starts a comment.
    size_t cases = 0;
    for (const auto& entry : std::filesystem::directory_iterator(DCX_IN_POSTGRES_CDC_DIR "/tests/corpus")) {
        std::ifstream in(entry.path());
        std::string line;
        int n = 0;
        while (std::getline(in, line)) {
            ++n;
            if (line.empty() || line[0] == '#') continue;
            std::istringstream words(line);
            std::string expect;
            words >> expect;
            std::string bytes, hex, word;
            while (words >> word) hex += word;
            REQUIRE(hex.size() % 2 == 0);
            for (size_t i = 0; i < hex.size(); i += 2) {
                REQUIRE(hex_value(hex[i]) >= 0);
                REQUIRE(hex_value(hex[i + 1]) >= 0);
                bytes.push_back(static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1])));
            }
            INFO(entry.path().filename().string() << " line " << n);
            if (expect == "ok") {
                CHECK_NOTHROW(parse_pgoutput(bytes));
            } else {
                REQUIRE(expect == "error");
                CHECK_THROWS_AS(parse_pgoutput(bytes), ProtocolError);
            }
            ++cases;
        }
    }
    CHECK(cases >= 10);
}
