// SPDX-License-Identifier: Apache-2.0
// in_postgres_cdc end to end: a real PostgreSQL 15 on 127.0.0.1 (started here, wal_level =
// logical), danube-connectd with the plugin and the Danube test broker, all real processes.
// Records are read back from the test broker's journal; the slot's confirmed_flush_lsn is read
// from pg_replication_slots. Every wait is bounded.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "common/base64.hpp"
#include "connector_process.hpp"
#include "postgres_server.hpp"
#include "test_broker.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kPassword = "cdc-Secret-7f3";

#define REQUIRE_POSTGRES()                                            \
    do {                                                              \
        if (const auto why = PostgresServer::unavailable()) {         \
            WARN("PostgreSQL tests skipped: " << *why);               \
            return;                                                   \
        }                                                             \
    } while (false)

// One change as the broker journaled it.
struct Change {
    std::string topic;
    json payload;
    std::map<std::string, std::string> attributes;
    std::optional<std::string> key;
    std::string op() const { return payload.value("op", ""); }
    std::string lsn() const { return payload.value("lsn", ""); }
    int64_t index() const { return std::stoll(attributes.at("pg.index")); }
};

// The journal's message lines; a last line still being written is skipped.
std::vector<json> journal_messages(const TestBroker& broker) {
    const std::string text = read_file(broker.journal_path());
    std::vector<json> out;
    size_t start = 0;
    for (size_t end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start)) {
        auto line = json::parse(text.substr(start, end - start), nullptr, false);
        if (line.is_object() && line.value("kind", "") == "message") out.push_back(std::move(line));
    }
    return out;
}

std::vector<Change> changes(const TestBroker& broker, const std::string& prefix = "/") {
    std::vector<Change> out;
    for (const auto& m : journal_messages(broker)) {
        const std::string topic = m.at("topic");
        if (topic.rfind(prefix, 0) != 0) continue;
        Change c;
        c.topic = topic;
        c.payload = json::parse(*dcx::base64_decode(m.at("payload_b64").get<std::string>()));
        for (const auto& [k, v] : m.at("attributes").items()) c.attributes[k] = v.get<std::string>();
        if (m.contains("routing_key")) c.key = m["routing_key"].get<std::string>();
        out.push_back(std::move(c));
    }
    return out;
}

// pg_lsn text to a number, through the server (no parser of our own in the tests).
uint64_t lsn_value(SqlClient& sql, const std::string& lsn) {
    return std::stoull(sql.scalar("SELECT ('" + lsn + "'::pg_lsn - '0/0')::text"));
}

bool log_has(ConnectorProcess& daemon, const std::string& text) { return daemon.log().find(text) != std::string::npos; }

// DCX_CDC_TEST_LOG=1 prints the daemon's log of passing tests too.
void show_log(ConnectorProcess& daemon, const std::string& title = {}) {
    if (std::getenv("DCX_CDC_TEST_LOG")) std::cerr << title << (title.empty() ? "" : ":\n") << daemon.log();
}

void require_streaming(ConnectorProcess& daemon, std::chrono::milliseconds timeout = 30s) {
    const bool ok = wait_until([&] { return log_has(daemon, "streaming changes of publication") || !daemon.process().running(); },
                               timeout);
    INFO(daemon.log());
    REQUIRE(ok);
    REQUIRE(daemon.process().running());
}

void stop_daemon(ConnectorProcess& daemon) {
    daemon.process().signal(SIGTERM);
    const auto code = daemon.wait_for_exit(30s);
    INFO(daemon.log());
    REQUIRE(code == 0);
}

// A PostgreSQL with database `app` owned by `cdc` (LOGIN REPLICATION, password), a test broker
// and a directory for the daemon's configuration and offsets.
struct Setup {
    explicit Setup(PostgresServer::Options options = {}, std::vector<std::string> broker_args = {})
        : pg(std::move(options)), broker(std::move(broker_args)) {
        SqlClient su(pg.socket_conninfo("postgres", "postgres"));
        su.exec(std::string("CREATE ROLE cdc LOGIN REPLICATION PASSWORD '") + kPassword + "'");
        su.exec("CREATE DATABASE app OWNER cdc");
        app = std::make_unique<SqlClient>(pg.socket_conninfo("cdc", "app"));
        admin = std::make_unique<SqlClient>(pg.socket_conninfo("postgres", "app"));
    }

    // A daemon configuration; `section` goes at the end of [postgres_cdc] (and may open
    // [[postgres_cdc.routes]]), `delivery` and `processing` into their tables.
    std::string config(const std::string& section, const std::string& delivery = {}, const std::string& processing = {},
                       const std::string& user = "cdc") const {
        return "danube_service_url = \"" + broker.url() + "\"\nconnector_name = \"cdc-itest\"\nplugin = \"in_postgres_cdc\"\n" +
               "data_dir = \"" + (dir / "state").string() + "\"\n" +
               "\n[http]\naddress = \"127.0.0.1\"\n"
               "\n[retry]\nretry_backoff_ms = 50\nmax_backoff_ms = 400\n"
               "\n[processing]\nhealth_check_interval_ms = 1000\nmetrics_port = 0\n" + processing +
               "\n[delivery]\ncommit_interval_ms = 100\n" + delivery +
               "\n[postgres_cdc]\nconnection = \"" + pg.tcp_conninfo(user, "app") + "\"\n"
               "password_env = \"PGPASSWORD_CDC\"\nstatus_interval_ms = 500\nreconnect_backoff_ms = 100\n"
               "max_reconnect_backoff_ms = 1000\n" + section + "\n";
    }

    std::unique_ptr<ConnectorProcess> daemon(const std::string& name, const std::string& toml,
                                             std::map<std::string, std::string> env = {}) const {
        env.emplace("PGPASSWORD_CDC", kPassword);
        return std::make_unique<ConnectorProcess>(dir, name, toml, env);
    }

    // The slot's confirmed_flush_lsn as a number (0 when the slot is missing or never confirmed).
    uint64_t confirmed(const std::string& slot) {
        const std::string v = admin->scalar("SELECT (confirmed_flush_lsn - '0/0')::text FROM pg_replication_slots WHERE slot_name = '" +
                                            slot + "'");
        return v.empty() ? 0 : std::stoull(v);
    }

    // The PID of the walsender streaming to the daemon (0 when none).
    int64_t walsender_pid() {
        const std::string v = admin->scalar("SELECT pid FROM pg_stat_replication WHERE application_name = 'danube-connectd cdc-itest'");
        return v.empty() ? 0 : std::stoll(v);
    }

    PostgresServer pg;
    TestBroker broker;
    TempDir dir;
    std::unique_ptr<SqlClient> app;    // as cdc, the tables' owner
    std::unique_ptr<SqlClient> admin;  // as postgres
};

bool wait_for_count(const TestBroker& broker, const std::string& prefix, size_t n, std::chrono::milliseconds timeout) {
    return wait_until([&] { return changes(broker, prefix).size() >= n; }, timeout);
}

void require_count(const TestBroker& broker, ConnectorProcess& daemon, const std::string& prefix, size_t n,
                   std::chrono::milliseconds timeout = 30s) {
    if (wait_for_count(broker, prefix, n, timeout)) return;
    INFO("arrived on " << prefix << ": " << changes(broker, prefix).size() << " of " << n);
    INFO("daemon log:\n" << daemon.log());
    FAIL("not every expected change arrived");
}

void inject(TestBroker& broker, const danube_test::FaultRequest& fault) {
    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::InjectFault, broker.control(), fault, &reply).ok());
}

void stall_sends(TestBroker& broker, bool enabled) {
    danube_test::FaultRequest stall;
    stall.mutable_stall()->set_enabled(enabled);
    stall.mutable_stall()->set_method("SendMessage");
    inject(broker, stall);
}

// Changes of one key, by the value of column `v` in their new row, in journal order.
std::map<std::string, std::vector<int64_t>> versions_by_key(const std::vector<Change>& all) {
    std::map<std::string, std::vector<int64_t>> out;
    for (const auto& c : all) {
        if (!c.key || !c.payload.contains("new")) continue;
        out[*c.key].push_back(c.payload["new"]["v"].get<int64_t>());
    }
    return out;
}

}  // namespace

TEST_CASE("inserts updates deletes and a truncate across tables arrive typed, keyed and in commit order",
          "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s;
    s.app->exec("CREATE TYPE mood AS ENUM ('sad', 'happy')");
    s.app->exec(
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), paid boolean, "
        "qty smallint, score double precision, ratio real, meta jsonb, raw bytea, created timestamptz, "
        "local_ts timestamp, ref uuid, tags text[], feeling mood, note varchar(40))");
    s.app->exec("CREATE TABLE order_lines (order_id int, line int, sku varchar(20), PRIMARY KEY (order_id, line))");
    s.app->exec("CREATE TABLE ignored (id int PRIMARY KEY, v text)");
    auto daemon = s.daemon("types", s.config("tables = [\"public.orders\", \"public.order_lines\"]\n"
                                             "topic_pattern = \"/default/cdc_{table}\"\n"
                                             "[[postgres_cdc.routes]]\nfrom = \"public.orders\"\nto = \"/default/orders\"\n"
                                             "partitions = 3\n"));
    require_streaming(*daemon);

    s.app->exec(
        "BEGIN;"
        "INSERT INTO orders VALUES (1, 'alice', 12.30, false, 3, 1.5, 0.25, '{\"b\": \"x\", \"a\": [1, 2]}', "
        "'\\x0001ff', '2024-05-01 12:00:00.123456+02', '2024-05-01 12:00:00', "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{x,\"y z\"}', 'happy', 'n1');"
        "INSERT INTO orders (id, customer) VALUES (2, 'bob'), (3, 'carol');"
        "INSERT INTO order_lines VALUES (1, 1, 'A'), (1, 2, 'B'), (2, 1, 'C');"
        "INSERT INTO ignored VALUES (1, 'not published');"
        "COMMIT");
    s.app->exec(
        "BEGIN;"
        "UPDATE orders SET paid = true, amount = 20.50 WHERE id = 1;"
        "DELETE FROM orders WHERE id = 2;"
        "UPDATE order_lines SET line = 3 WHERE order_id = 1 AND line = 2;"
        "COMMIT");
    s.app->exec("TRUNCATE order_lines");
    require_count(s.broker, *daemon, "/default/", 10);
    stop_daemon(*daemon);
    show_log(*daemon);

    const auto all = changes(s.broker);
    REQUIRE(all.size() == 10);
    for (const auto& c : all) CHECK(c.topic.find("ignored") == std::string::npos);

    std::vector<Change> orders, lines;
    for (const auto& c : all) (c.topic.rfind("/default/orders", 0) == 0 ? orders : lines).push_back(c);
    REQUIRE(orders.size() == 5);
    REQUIRE(lines.size() == 5);

    // Row 1's insert: every type mapped.
    const auto first = std::find_if(orders.begin(), orders.end(), [](const Change& c) { return c.key == "1" && c.op() == "insert"; });
    REQUIRE(first != orders.end());
    CHECK(first->payload["new"] == json::parse(R"({
        "id": 1, "customer": "alice", "amount": "12.30", "paid": false, "qty": 3, "score": 1.5, "ratio": 0.25,
        "meta": {"a": [1, 2], "b": "x"}, "raw": "AAH/", "created": "2024-05-01T10:00:00.123456Z",
        "local_ts": "2024-05-01T12:00:00", "ref": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "tags": "{x,\"y z\"}",
        "feeling": "happy", "note": "n1"})"));
    CHECK(first->payload["schema"] == "public");
    CHECK(first->payload["table"] == "orders");
    CHECK(first->payload["xid"].is_number_integer());
    CHECK(first->payload["commit_time"].get<std::string>().back() == 'Z');
    CHECK(first->attributes.at("pg.op") == "insert");
    CHECK(first->attributes.at("pg.table") == "orders");
    CHECK(first->attributes.at("pg.lsn") == first->lsn());
    CHECK(first->attributes.at("source") == "postgres_cdc");
    CHECK(first->topic.rfind("/default/orders-part-", 0) == 0);

    // One row's changes stay on one partition, in commit order.
    std::vector<std::string> ops_of_1;
    std::set<std::string> topics_of_1;
    for (const auto& c : orders) {
        if (c.key == "1") {
            ops_of_1.push_back(c.op());
            topics_of_1.insert(c.topic);
        }
    }
    CHECK(ops_of_1 == std::vector<std::string>{"insert", "update"});
    CHECK(topics_of_1.size() == 1);
    const auto update = std::find_if(orders.begin(), orders.end(), [](const Change& c) { return c.op() == "update"; });
    CHECK(update->payload["new"]["paid"] == true);
    CHECK(update->payload["new"]["amount"] == "20.50");
    CHECK_FALSE(update->payload.contains("old"));  // the key did not change
    CHECK(lsn_value(*s.app, update->lsn()) > lsn_value(*s.app, first->lsn()));
    const auto del = std::find_if(orders.begin(), orders.end(), [](const Change& c) { return c.op() == "delete"; });
    CHECK(del->key == "2");
    CHECK(del->payload["old"] == json::parse(R"({"id": 2})"));
    CHECK(del->payload["xid"] == update->payload["xid"]);  // same transaction

    // The composite key, a key change, and the truncate event, on the pattern's topic.
    for (const auto& c : lines) CHECK(c.topic == "/default/cdc_order_lines");
    CHECK(lines[0].key == "[\"1\",\"1\"]");
    const auto moved = std::find_if(lines.begin(), lines.end(), [](const Change& c) { return c.op() == "update"; });
    CHECK(moved->key == "[\"1\",\"3\"]");
    CHECK(moved->payload["old"] == json::parse(R"({"order_id": 1, "line": 2})"));
    CHECK(lines.back().op() == "truncate");
    CHECK_FALSE(lines.back().key);
    for (size_t i = 1; i < lines.size(); ++i) {
        CHECK(lsn_value(*s.app, lines[i - 1].lsn()) <= lsn_value(*s.app, lines[i].lsn()));
    }

    // After a clean stop the host committed the last transaction's end (its offset store says so),
    // and the slot confirmed at least that: everything, the truncate included.
    const json stored = json::parse(read_file(s.dir / "state/offsets/cdc-itest.json"));
    INFO("offset store: " << stored.dump());
    const json& offsets = stored.at("body").at("offsets");
    REQUIRE(offsets.size() == 1);
    CHECK(offsets.at(0).at("partition") == "danube_cdc");
    const uint64_t committed = offsets.at(0).at("value").get<uint64_t>();
    CHECK(committed > lsn_value(*s.app, lines.back().lsn()));
    CHECK(s.confirmed("danube_cdc") >= committed);
    // The log notes the columns sent as text and never shows the password.
    CHECK(log_has(*daemon, "columns sent as text: tags (type oid 1009), feeling (public.mood)"));
    CHECK_FALSE(log_has(*daemon, kPassword));
}

TEST_CASE("a large transaction arrives whole and is then confirmed", "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s;
    s.app->exec("CREATE TABLE big (id int PRIMARY KEY, body text)");
    auto daemon = s.daemon("big", s.config("[[postgres_cdc.routes]]\nfrom = \"public.big\"\nto = \"/default/big\"\n"
                                           "partitions = 4\n"));
    require_streaming(*daemon);
    constexpr size_t kRows = 20000;
    const auto start = std::chrono::steady_clock::now();
    s.app->exec("INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + std::to_string(kRows) + ") g");
    require_count(s.broker, *daemon, "/default/big", kRows, 60s);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "large transaction: " << kRows << " rows in " << secs << " s, " << static_cast<int>(kRows / secs)
              << " records/s (commit to last record in the journal)\n";

    const auto all = changes(s.broker, "/default/big");
    REQUIRE(all.size() == kRows);  // nothing twice
    std::set<std::string> keys;
    std::set<int64_t> indexes;
    for (const auto& c : all) {
        keys.insert(*c.key);
        indexes.insert(c.index());
        CHECK(c.lsn() == all.front().lsn());
    }
    CHECK(keys.size() == kRows);
    CHECK(indexes.size() == kRows);
    const uint64_t commit = lsn_value(*s.app, all.front().lsn());
    const bool confirmed = wait_until([&] { return s.confirmed("danube_cdc") > commit; }, 10s);
    INFO(daemon->log());
    CHECK(confirmed);
    stop_daemon(*daemon);
}

TEST_CASE("after a SIGKILL mid-stream and a restart every change arrives at least once, in commit order per key",
          "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s({}, {"--latency-ms", "3"});
    s.app->exec("CREATE TABLE events (id int PRIMARY KEY, v int NOT NULL)");
    const std::string cfg = s.config("[[postgres_cdc.routes]]\nfrom = \"public.events\"\nto = \"/default/events\"\n"
                                     "partitions = 4\n");
    auto daemon = s.daemon("kill-1", cfg);
    require_streaming(*daemon);
    // 100 rows, then 40 transactions that each bump 25 of them: 1100 changes, v counts per row.
    s.app->exec("INSERT INTO events SELECT g, 0 FROM generate_series(1, 100) g");
    for (int t = 0; t < 40; ++t) {
        s.app->exec("UPDATE events SET v = v + 1 WHERE id % 4 = " + std::to_string(t % 4));
    }
    REQUIRE(wait_for_count(s.broker, "/default/events", 250, 30s));
    daemon->process().kill_now();
    const size_t before = changes(s.broker, "/default/events").size();
    INFO("changes before the kill: " << before);
    REQUIRE(before < 1100);  // killed mid-stream

    auto again = s.daemon("kill-2", cfg);
    require_streaming(*again);
    for (int t = 40; t < 48; ++t) s.app->exec("UPDATE events SET v = v + 1 WHERE id % 4 = " + std::to_string(t % 4));
    // Every row's last value arrives: v = 12 for every row (48 bumps over 4 groups).
    const bool done = wait_until(
        [&] {
            const auto v = versions_by_key(changes(s.broker, "/default/events"));
            if (v.size() != 100) return false;
            for (const auto& [_, seq] : v) {
                if (std::find(seq.begin(), seq.end(), 12) == seq.end()) return false;
            }
            return true;
        },
        60s);
    INFO(again->log());
    REQUIRE(done);
    stop_daemon(*again);

    // Per key: the first arrival of each version is in commit order (0, 1, ..., 12), none is
    // missing; versions sent again after the restart are duplicates of earlier ones.
    const auto all = changes(s.broker, "/default/events");
    size_t duplicates = 0;
    for (const auto& [key, seq] : versions_by_key(all)) {
        std::vector<int64_t> firsts;
        std::set<int64_t> seen;
        for (const int64_t v : seq) {
            if (seen.insert(v).second) firsts.push_back(v);
            else ++duplicates;
        }
        std::vector<int64_t> expected(13);
        for (int i = 0; i <= 12; ++i) expected[static_cast<size_t>(i)] = i;
        INFO("key " << key);
        CHECK(firsts == expected);
    }
    std::cerr << "SIGKILL test: " << before << " changes before the kill, " << all.size() << " in all, " << duplicates
              << " delivered twice\n";
    // The restart waited for the killed daemon's walsender or went straight on; either way the
    // stream resumed from the slot, not from the beginning.
    CHECK(all.size() < 2 * 1300);
}

TEST_CASE("a PostgreSQL restart mid-stream loses nothing: the plugin reconnects and resumes from the slot",
          "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s;
    s.app->exec("CREATE TABLE t (id int PRIMARY KEY)");
    auto daemon = s.daemon("pg-restart", s.config("[[postgres_cdc.routes]]\nfrom = \"public.t\"\nto = \"/default/t\"\n"));
    require_streaming(*daemon);
    for (int i = 0; i < 20; ++i) {
        s.app->exec("INSERT INTO t SELECT g FROM generate_series(" + std::to_string(i * 10 + 1) + ", " +
                    std::to_string(i * 10 + 10) + ") g");
    }
    REQUIRE(wait_for_count(s.broker, "/default/t", 1, 20s));
    s.app.reset();
    s.admin.reset();
    s.pg.stop();
    REQUIRE(wait_until([&] { return log_has(*daemon, "reconnecting in"); }, 20s));
    s.pg.start();
    s.app = std::make_unique<SqlClient>(s.pg.socket_conninfo("cdc", "app"));
    s.admin = std::make_unique<SqlClient>(s.pg.socket_conninfo("postgres", "app"));
    for (int i = 20; i < 40; ++i) {
        s.app->exec("INSERT INTO t SELECT g FROM generate_series(" + std::to_string(i * 10 + 1) + ", " +
                    std::to_string(i * 10 + 10) + ") g");
    }
    const bool all_ids = wait_until(
        [&] {
            std::set<std::string> ids;
            for (const auto& c : changes(s.broker, "/default/t")) ids.insert(*c.key);
            return ids.size() == 400;
        },
        40s);
    INFO(daemon->log());
    REQUIRE(all_ids);
    CHECK(daemon->process().running());
    CHECK(log_has(*daemon, "streaming changes of publication danube_cdc from slot danube_cdc at LSN"));
    stop_daemon(*daemon);
}

TEST_CASE("while Danube does not acknowledge, the slot is not confirmed and the connection stays up",
          "[integration][cdc]") {
    REQUIRE_POSTGRES();
    // wal_sender_timeout 2 s: a plugin that stops answering while blocked would be cut off.
    Setup s({"logical", {"wal_sender_timeout=2s"}});
    s.app->exec("CREATE TABLE t (id int PRIMARY KEY)");
    // A small queue and in-flight window, so the session thread blocks on backpressure.
    auto daemon = s.daemon("stall", s.config("[[postgres_cdc.routes]]\nfrom = \"public.t\"\nto = \"/default/t\"\n",
                                             "max_inflight_records = 20\n", "batch_size = 10\n"));
    require_streaming(*daemon);
    const int64_t pid = s.walsender_pid();
    REQUIRE(pid > 0);
    REQUIRE(wait_until([&] { return s.confirmed("danube_cdc") > 0; }, 10s));

    stall_sends(s.broker, true);
    for (int i = 0; i < 10; ++i) {
        s.app->exec("INSERT INTO t SELECT g FROM generate_series(" + std::to_string(i * 20 + 1) + ", " +
                    std::to_string(i * 20 + 20) + ") g");
    }
    std::vector<uint64_t> samples;
    const auto until = std::chrono::steady_clock::now() + 3500ms;
    while (std::chrono::steady_clock::now() < until) {
        samples.push_back(s.confirmed("danube_cdc"));
        std::this_thread::sleep_for(100ms);
    }
    CHECK(s.walsender_pid() == pid);  // answered keepalives through 3.5 s of backpressure
    stall_sends(s.broker, false);
    require_count(s.broker, *daemon, "/default/t", 200, 30s);

    uint64_t first_commit = UINT64_MAX, last_commit = 0;
    for (const auto& c : changes(s.broker, "/default/t")) {
        first_commit = std::min(first_commit, lsn_value(*s.app, c.lsn()));
        last_commit = std::max(last_commit, lsn_value(*s.app, c.lsn()));
    }
    std::cerr << "stall: " << samples.size() << " samples of the slot, all at or below the first unacknowledged commit "
              << first_commit << ": " << (std::all_of(samples.begin(), samples.end(), [&](uint64_t c) { return c <= first_commit; }) ? "yes" : "no") << "\n";
    for (const uint64_t c : samples) CHECK(c <= first_commit);
    const bool confirmed = wait_until([&] { return s.confirmed("danube_cdc") > last_commit; }, 10s);
    INFO(daemon->log());
    CHECK(confirmed);
    CHECK(s.walsender_pid() == pid);
    CHECK_FALSE(log_has(*daemon, "reconnecting"));
    stop_daemon(*daemon);
}

TEST_CASE("the confirmed LSN never passes a transaction whose records are not all acknowledged",
          "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s({}, {"--latency-ms", "15"});
    s.app->exec("CREATE TABLE t (id int PRIMARY KEY, txn int)");
    auto daemon = s.daemon("partial", s.config("[[postgres_cdc.routes]]\nfrom = \"public.t\"\nto = \"/default/t\"\n"));
    require_streaming(*daemon);
    constexpr int kTxns = 15, kRows = 5;
    for (int t = 0; t < kTxns; ++t) {
        s.app->exec("INSERT INTO t SELECT g, " + std::to_string(t) + " FROM generate_series(" + std::to_string(t * kRows + 1) +
                    ", " + std::to_string(t * kRows + kRows) + ") g");
    }
    // Sample the slot, then the journal: whatever the slot confirmed was acknowledged before
    // it was confirmed, so it is in the journal read afterwards.
    struct Sample {
        uint64_t confirmed;
        std::map<std::string, int> journaled_per_txn;  // commit LSN -> records journaled
    };
    std::vector<Sample> samples;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
        Sample sm;
        sm.confirmed = s.confirmed("danube_cdc");
        const auto now = changes(s.broker, "/default/t");
        for (const auto& c : now) ++sm.journaled_per_txn[c.lsn()];
        samples.push_back(sm);
        if (now.size() >= kTxns * kRows) break;
        std::this_thread::sleep_for(20ms);
    }
    const auto all = changes(s.broker, "/default/t");
    REQUIRE(all.size() == kTxns * kRows);
    std::map<std::string, int> rows_per_txn;
    for (const auto& c : all) ++rows_per_txn[c.lsn()];
    REQUIRE(rows_per_txn.size() == kTxns);

    size_t partial_samples = 0, advancing_samples = 0;
    for (const auto& sm : samples) {
        bool partial = false;
        for (const auto& [lsn, rows] : rows_per_txn) {
            const int got = sm.journaled_per_txn.count(lsn) ? sm.journaled_per_txn.at(lsn) : 0;
            partial = partial || (got > 0 && got < rows);
            if (sm.confirmed > lsn_value(*s.app, lsn)) {
                INFO("slot confirmed past " << lsn << " with " << got << " of its " << rows << " records journaled");
                CHECK(got == rows);
            }
        }
        partial_samples += partial;
        advancing_samples += sm.confirmed > lsn_value(*s.app, rows_per_txn.begin()->first);
    }
    std::cerr << "partial acknowledgements: " << samples.size() << " samples, " << partial_samples
              << " with a transaction half journaled, " << advancing_samples << " with the slot past the first one\n";
    CHECK(partial_samples > 0);     // the check did see transactions half acknowledged
    CHECK(advancing_samples > 0);   // and the slot moving while delivery went on
    stop_daemon(*daemon);
}

TEST_CASE("the initial snapshot is consistent with the stream and is not taken again after a restart",
          "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s;
    s.app->exec("CREATE TABLE accounts (id int PRIMARY KEY, v int NOT NULL)");
    constexpr int kRows = 3000;
    s.app->exec("INSERT INTO accounts SELECT g, g FROM generate_series(1, " + std::to_string(kRows) + ") g");
    const std::string cfg = s.config("snapshot = \"initial\"\nsnapshot_fetch_rows = 50\n"
                                     "[[postgres_cdc.routes]]\nfrom = \"public.accounts\"\nto = \"/default/accounts\"\n");
    // A writer changes the table before, while and after the slot and its snapshot are made.
    std::atomic<bool> stop_writing{false};
    std::atomic<int> written{0};
    std::thread writer([&] {
        SqlClient w(s.pg.socket_conninfo("cdc", "app"));
        for (int t = 0; t < 1000 && !stop_writing; ++t) {
            w.exec("BEGIN; UPDATE accounts SET v = v + 1000 WHERE id = " + std::to_string(t * 7 % kRows + 1) +
                   "; DELETE FROM accounts WHERE id = " + std::to_string(kRows - t) +
                   "; INSERT INTO accounts VALUES (" + std::to_string(100000 + t) + ", 5); COMMIT");
            ++written;
            std::this_thread::sleep_for(5ms);
        }
    });
    auto daemon = s.daemon("snap-1", cfg);
    const bool streaming = wait_until([&] { return log_has(*daemon, "streaming changes of publication") || !daemon->process().running(); }, 30s);
    const int before_stream = written;
    wait_until([&] { return written >= before_stream + 20; }, 10s);
    stop_writing = true;
    writer.join();
    INFO(daemon->log());
    REQUIRE(streaming);
    REQUIRE(daemon->process().running());
    // The final state: folding snapshot rows and changes in order must give the table.
    std::map<std::string, int64_t> table;
    for (const auto& row : s.app->query("SELECT id, v FROM accounts")) table[*row[0]] = std::stoll(*row[1]);
    const auto fold = [&] {
        std::map<std::string, int64_t> state;
        for (const auto& c : changes(s.broker, "/default/accounts")) {
            if (c.op() == "delete") state.erase(*c.key);
            else state[*c.key] = c.payload["new"]["v"].get<int64_t>();
        }
        return state;
    };
    const bool consistent = wait_until([&] { return fold() == table; }, 30s);
    REQUIRE(consistent);
    stop_daemon(*daemon);

    const auto all = changes(s.broker, "/default/accounts");
    size_t snapshot_rows = 0;
    bool stream_started = false, snapshot_after_stream = false;
    for (const auto& c : all) {
        if (c.op() == "snapshot") {
            ++snapshot_rows;
            snapshot_after_stream = snapshot_after_stream || stream_started;
        } else {
            stream_started = true;
        }
    }
    std::cerr << "snapshot: " << snapshot_rows << " snapshot rows, " << all.size() - snapshot_rows << " changes, "
              << written << " writer transactions\n";
    CHECK_FALSE(snapshot_after_stream);  // one topic, strict order: the snapshot comes first
    CHECK(snapshot_rows > kRows - static_cast<size_t>(written));  // no row deleted twice, none missing
    CHECK(all.size() > snapshot_rows);   // changes after the slot's start came as changes
    std::set<std::string> snapshot_keys;
    for (const auto& c : all) {
        if (c.op() == "snapshot") CHECK(snapshot_keys.insert(*c.key).second);  // each row once
    }

    // A restart keeps streaming from the slot; the committed offsets say the snapshot finished.
    auto again = s.daemon("snap-2", cfg);
    require_streaming(*again);
    CHECK(log_has(*again, "the initial snapshot was taken by an earlier run"));
    s.app->exec("INSERT INTO accounts VALUES (5000, 1)");
    require_count(s.broker, *again, "/default/accounts", all.size() + 1, 20s);
    size_t snapshot_after = 0;
    for (const auto& c : changes(s.broker, "/default/accounts")) snapshot_after += c.op() == "snapshot";
    CHECK(snapshot_after == snapshot_rows);
    stop_daemon(*again);
    show_log(*daemon);
    show_log(*again);
}

TEST_CASE("a snapshot cut short by SIGKILL is taken again and the result stays consistent", "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s({}, {"--latency-ms", "2"});
    s.app->exec("CREATE TABLE accounts (id int PRIMARY KEY, v int NOT NULL)");
    constexpr int kRows = 1500;
    s.app->exec("INSERT INTO accounts SELECT g, g FROM generate_series(1, " + std::to_string(kRows) + ") g");
    const std::string cfg = s.config("snapshot = \"initial\"\n"
                                     "[[postgres_cdc.routes]]\nfrom = \"public.accounts\"\nto = \"/default/accounts\"\n");
    auto daemon = s.daemon("snap-kill-1", cfg);
    REQUIRE(wait_for_count(s.broker, "/default/accounts", 200, 30s));
    daemon->process().kill_now();
    const size_t before = changes(s.broker, "/default/accounts").size();
    INFO("snapshot rows before the kill: " << before);
    REQUIRE(before < kRows);
    // Changes after the slot was made and before the next snapshot: they arrive in the new
    // snapshot and again as changes.
    for (int t = 0; t < 20; ++t) {
        s.app->exec("BEGIN; UPDATE accounts SET v = -v WHERE id = " + std::to_string(t * 11 + 1) +
                    "; DELETE FROM accounts WHERE id = " + std::to_string(kRows - t) + "; COMMIT");
    }
    auto again = s.daemon("snap-kill-2", cfg);
    require_streaming(*again);
    std::map<std::string, int64_t> table;
    for (const auto& row : s.app->query("SELECT id, v FROM accounts")) table[*row[0]] = std::stoll(*row[1]);
    const auto fold = [&] {
        std::map<std::string, int64_t> state;
        for (const auto& c : changes(s.broker, "/default/accounts")) {
            if (c.op() == "delete") state.erase(*c.key);
            else state[*c.key] = c.payload["new"]["v"].get<int64_t>();
        }
        return state;
    };
    const bool consistent = wait_until([&] { return fold() == table; }, 60s);
    INFO(again->log());
    REQUIRE(consistent);
    CHECK((log_has(*again, "did not finish: taking it again") || log_has(*again, "no committed offset")));
    stop_daemon(*again);
    show_log(*again);
    size_t snapshot_rows = 0;
    for (const auto& c : changes(s.broker, "/default/accounts")) snapshot_rows += c.op() == "snapshot";
    std::cerr << "snapshot after SIGKILL: " << before << " rows before the kill, " << snapshot_rows
              << " snapshot rows in all\n";
    CHECK(snapshot_rows >= static_cast<size_t>(kRows - 20) + before);  // the whole table again after the kill
}

TEST_CASE("setup problems stop the daemon at startup with a clear message", "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s;
    s.app->exec("CREATE TABLE t (id int PRIMARY KEY)");
    s.admin->exec(std::string("CREATE ROLE norep LOGIN PASSWORD '") + kPassword + "'");
    s.admin->exec(std::string("CREATE ROLE notowner LOGIN REPLICATION PASSWORD '") + kPassword + "'");
    s.admin->exec("GRANT CREATE ON DATABASE app TO notowner");  // may create publications, owns no table
    const std::string routes = "[[postgres_cdc.routes]]\nfrom = \"public.t\"\nto = \"/default/t\"\n";

    struct Case {
        std::string name, section, user, expected;
        std::map<std::string, std::string> env;
    };
    const std::vector<Case> cases = {
        {"no-replication-role", routes, "norep", "must be superuser or replication role", {}},
        {"wrong-password", routes, "cdc", "password authentication failed", {{"PGPASSWORD_CDC", "wrong"}}},
        {"no-publication", "publication = \"missing_pub\"\ncreate_publication = false\n" + routes, "cdc",
         "publication missing_pub does not exist", {}},
        {"no-slot", "slot = \"missing_slot\"\ncreate_slot = false\n" + routes, "cdc",
         "replication slot missing_slot does not exist", {}},
        {"not-table-owner", "publication = \"other_pub\"\n" + routes, "notowner", "must be owner of table t", {}},
    };
    for (const auto& c : cases) {
        auto env = c.env;
        env.emplace("PGPASSWORD_CDC", kPassword);
        ConnectorProcess daemon(s.dir, c.name, s.config(c.section, {}, {}, c.user), env);
        const auto code = daemon.wait_for_exit(30s);
        INFO(c.name << ":\n" << daemon.log());
        CHECK(code == 78);
        show_log(daemon, c.name);
        CHECK(log_has(daemon, c.expected));
        CHECK_FALSE(log_has(daemon, kPassword));
    }
}

TEST_CASE("a slot held by another consumer is waited for, then taken over", "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s;
    s.app->exec("CREATE TABLE t (id int PRIMARY KEY)");
    s.app->exec("CREATE PUBLICATION busy_pub FOR TABLE t");
    s.admin->exec("SELECT pg_create_logical_replication_slot('busy', 'pgoutput')");
    auto holder = std::make_unique<SqlClient>(s.pg.socket_conninfo("cdc", "app") + " replication=database");
    holder->start_copy_both("START_REPLICATION SLOT busy LOGICAL 0/0 (proto_version '1', publication_names 'busy_pub')");

    auto daemon = s.daemon("busy", s.config("slot = \"busy\"\npublication = \"busy_pub\"\n"
                                            "[[postgres_cdc.routes]]\nfrom = \"public.t\"\nto = \"/default/t\"\n"));
    const bool told = wait_until([&] { return log_has(*daemon, "is in use by another consumer (walsender PID "); }, 20s);
    INFO(daemon->log());
    REQUIRE(told);
    CHECK(daemon->process().running());  // retryable: it waits
    holder.reset();                      // the other consumer goes away
    require_streaming(*daemon);
    s.app->exec("INSERT INTO t VALUES (1)");
    require_count(s.broker, *daemon, "/default/t", 1, 20s);
    stop_daemon(*daemon);
}

TEST_CASE("a server without wal_level = logical is a clear startup error", "[integration][cdc]") {
    REQUIRE_POSTGRES();
    Setup s({"replica", {}});
    s.app->exec("CREATE TABLE t (id int PRIMARY KEY)");
    auto daemon = s.daemon("wal-level", s.config("[[postgres_cdc.routes]]\nfrom = \"public.t\"\nto = \"/default/t\"\n"));
    const auto code = daemon->wait_for_exit(30s);
    INFO(daemon->log());
    CHECK(code == 78);
    CHECK(log_has(*daemon, "PostgreSQL has wal_level = replica; logical replication needs wal_level = logical"));
}
