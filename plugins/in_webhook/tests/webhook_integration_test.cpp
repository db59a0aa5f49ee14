// SPDX-License-Identifier: Apache-2.0
// in_webhook end to end: a real danube-connectd with the plugin, a real test broker, and real
// HTTP clients (cpp-httplib's, curl, and a raw socket for slow bodies) on 127.0.0.1. What was
// accepted is counted in the broker's journal.
#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <thread>

#include <httplib.h>

#include "hmac_signature.hpp"
#include "jwt_test_keys.hpp"
#include "test_pki.hpp"
#include "webhook_test_support.hpp"

using namespace dcx::testing;
using namespace dcx::webhook;
using namespace dcx::webhook::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kSecret = "whsec_integration_secret";
const std::map<std::string, std::string> kEnv = {{"WEBHOOK_SECRET", kSecret}};

const std::string kRouteA = "[[routes]]\nfrom = \"/hooks/a\"\nto = \"/default/hooks-a\"\n";

std::string body_with_id(const std::string& id, const std::string& extra = {}) {
    return "{\"id\":\"" + id + "\"" + extra + "}";
}

void inject(TestBroker& broker, const danube_test::FaultRequest& fault) {
    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::InjectFault, broker.control(), fault, &reply).ok());
}

void stall(TestBroker& broker, bool enabled) {
    danube_test::FaultRequest f;
    f.mutable_stall()->set_enabled(enabled);
    f.mutable_stall()->set_method("SendMessage");
    inject(broker, f);
}

// Waits (bounded) until every id in `ids` is in the journal on `topic_prefix`.
bool all_in_journal(const TestBroker& broker, const std::string& topic_prefix, const std::set<std::string>& ids,
                    std::chrono::milliseconds timeout = 20s) {
    return wait_until(
        [&] {
            const auto got = ids_in(broker, topic_prefix);
            return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) { return got.count(id) > 0; });
        },
        timeout);
}

std::string write_temp(const TempDir& dir, const std::string& name, const std::string& text) {
    write_file(dir / name, text);
    return (dir / name).string();
}

}  // namespace

TEST_CASE("health ready 404 and 405 answer with the Rust connector's shapes", "[integration][webhook]") {
    TestBroker broker;
    WebhookDaemon d(broker, webhook_tables(kRouteA));
    const std::regex ts(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?\+00:00)");

    const auto health = get(d.port(), "/health");
    CHECK(health.status == 200);
    CHECK(health.json()["status"] == "healthy");
    CHECK(std::regex_match(health.json()["timestamp"].get<std::string>(), ts));
    const auto ready = get(d.port(), "/ready");
    CHECK(ready.status == 200);
    CHECK(ready.json()["status"] == "ready");

    const auto missing = post(d.port(), "/hooks/b", "{}");
    CHECK(missing.status == 404);
    CHECK(missing.json()["error"] == "Endpoint not found: /hooks/b");
    CHECK(std::regex_match(missing.json()["timestamp"].get<std::string>(), ts));
    // Exact paths: case and trailing slash matter, the query string does not.
    CHECK(post(d.port(), "/hooks/A", "{}").status == 404);
    CHECK(post(d.port(), "/hooks/a/", "{}").status == 404);
    CHECK(post(d.port(), "/" + std::string(8000, 'p'), "{}").status == 404);  // long paths are just unknown
    const auto with_query = post(d.port(), "/hooks/a?source=test", body_with_id("q1"));
    CHECK(with_query.status == 200);
    CHECK(with_query.body == R"({"endpoint":"/hooks/a","status":"accepted","topic":"/default/hooks-a"})");

    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/hooks/a"}, {"PUT", "/hooks/a"}, {"DELETE", "/hooks/a"}, {"PATCH", "/hooks/a"},
             {"POST", "/health"}, {"POST", "/ready"}}) {
        INFO(method << " " << path);
        const auto r = request(d.port(), method, path, method == "GET" ? "" : "{}");
        CHECK(r.status == 405);
        CHECK(r.body.empty());
    }
    CHECK(all_in_journal(broker, "/default/hooks-a", {"q1"}));
    CHECK(d.stop() == 0);
}

TEST_CASE("accepted webhooks reach Danube with the webhook attributes and payload bytes", "[integration][webhook]") {
    TestBroker broker;
    const std::string routes = kRouteA +
                               "[[routes]]\nfrom = \"/hooks/parts\"\nto = \"/default/hooks-parts\"\npartitions = 2\n"
                               "reliable_dispatch = true\n"
                               // Two routes, one topic: one producer, the last route's settings win.
                               "[[routes]]\nfrom = \"/hooks/shared-1\"\nto = \"/default/hooks-shared\"\npartitions = 3\n"
                               "[[routes]]\nfrom = \"/hooks/shared-2\"\nto = \"/default/hooks-shared\"\nreliable_dispatch = true\n";
    WebhookDaemon d(broker, webhook_tables(routes));
    CHECK(post(d.port(), "/hooks/a", R"({"id":"j1", "b":1, "a":2.50})", {{"User-Agent", "itest-agent/1.0"}}).status == 200);
    CHECK(post(d.port(), "/hooks/a", "not json at all", {{"Content-Type", "text/plain"}}).status == 200);
    for (int i = 0; i < 6; ++i) CHECK(post(d.port(), "/hooks/parts", body_with_id("p" + std::to_string(i))).status == 200);
    CHECK(post(d.port(), "/hooks/shared-1", body_with_id("s1")).status == 200);
    CHECK(post(d.port(), "/hooks/shared-2", body_with_id("s2")).status == 200);
    REQUIRE(wait_until([&] { return broker.journal().size() >= 10; }, 20s));

    const auto a = messages(broker, "/default/hooks-a");
    REQUIRE(a.size() == 2);
    // JSON is re-serialized compact with sorted keys; anything else is the base64 wrapper.
    CHECK(payload_bytes(a[0]) == R"({"a":2.5,"b":1,"id":"j1"})");
    CHECK(payload_bytes(a[1]) == R"({"data":"bm90IGpzb24gYXQgYWxs","encoding":"base64","size":15})");
    const auto& attrs = a[0]["attributes"];
    CHECK(attrs["webhook.source"] == "webhook-itest");
    CHECK(attrs["webhook.endpoint"] == "/hooks/a");
    CHECK(attrs["webhook.ip"] == "127.0.0.1");  // the socket peer
    CHECK(attrs["webhook.user_agent"] == "itest-agent/1.0");
    CHECK(attrs["webhook.content_type"] == "application/json");
    CHECK(std::regex_match(attrs["webhook.timestamp"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?\+00:00)")));
    CHECK(a[1]["attributes"]["webhook.content_type"] == "text/plain");
    CHECK_FALSE(a[0].contains("routing_key"));  // no key, as in Rust

    const auto parts = messages(broker, "/default/hooks-parts");
    CHECK(parts.size() == 6);
    std::set<std::string> part_topics;
    for (const auto& m : parts) part_topics.insert(m["topic"].get<std::string>());
    CHECK(part_topics == std::set<std::string>{"/default/hooks-parts-part-0", "/default/hooks-parts-part-1"});
    CHECK(ids_in(broker, "/default/hooks-shared") == std::multiset<std::string>{"s1", "s2"});
    size_t shared_producers = 0;
    for (const auto& p : broker.journal("producer")) {
        if (p["topic"].get<std::string>().rfind("/default/hooks-shared", 0) == 0) {
            ++shared_producers;
            CHECK(p["topic"] == "/default/hooks-shared");  // not partitioned: the last route's settings
            CHECK(p["dispatch_strategy"] == "reliable");
        }
        if (p["topic"].get<std::string>().rfind("/default/hooks-parts", 0) == 0) CHECK(p["dispatch_strategy"] == "reliable");
    }
    CHECK(shared_producers == 1);
    CHECK(d.stop() == 0);
}

TEST_CASE("API keys: valid, invalid, missing, and an unset secret", "[integration][webhook][auth]") {
    TestBroker broker;
    const std::string auth = "type = \"apikey\"\nsecret_env = \"WEBHOOK_SECRET\"\nheader = \"X-API-Key\"\n";
    {
        WebhookDaemon d(broker, webhook_tables(kRouteA, {}, auth), kEnv);
        CHECK(post(d.port(), "/hooks/a", body_with_id("k1"), {{"X-API-Key", kSecret}}).status == 200);
        CHECK(post(d.port(), "/hooks/a", body_with_id("k2"), {{"x-api-key", kSecret}}).status == 200);
        const auto wrong = post(d.port(), "/hooks/a", body_with_id("bad"), {{"X-API-Key", std::string(kSecret) + "x"}});
        CHECK(wrong.status == 401);
        CHECK(wrong.body == R"({"error":"authentication_failed","message":"Invalid API key"})");
        const auto missing = post(d.port(), "/hooks/a", body_with_id("bad"));
        CHECK(missing.status == 401);
        CHECK(missing.json()["message"] == "Missing x-api-key header");
        // Authentication comes before the route lookup, as in Rust.
        CHECK(post(d.port(), "/nowhere", "{}").status == 401);
        CHECK(post(d.port(), "/nowhere", "{}", {{"X-API-Key", kSecret}}).status == 404);
        // The health endpoints are not authenticated.
        CHECK(get(d.port(), "/health").status == 200);
        CHECK(all_in_journal(broker, "/default/hooks-a", {"k1", "k2"}));
        CHECK(d.stop() == 0);
        CHECK_THAT(d.log(), !Catch::Contains(kSecret));  // never logged
    }
    WebhookDaemon unset(broker, webhook_tables(kRouteA, {}, auth));
    const auto r = post(unset.port(), "/hooks/a", body_with_id("bad"), {{"X-API-Key", kSecret}});
    CHECK(r.status == 500);
    CHECK(r.body == R"({"error":"authentication_failed","message":"Environment variable WEBHOOK_SECRET not set"})");
    CHECK(unset.stop() == 0);
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"k1", "k2"});
}

TEST_CASE("HMAC GitHub style: valid, tampered, missing, wrong secret and replayed", "[integration][webhook][auth]") {
    TestBroker broker;
    const std::string auth = "type = \"hmac\"\nsecret_env = \"WEBHOOK_SECRET\"\nheader = \"X-Hub-Signature-256\"\n"
                             "algorithm = \"sha256\"\nreject_replays = true\n";
    WebhookDaemon d(broker, webhook_tables(kRouteA, {}, auth), kEnv);
    auto signed_post = [&](const std::string& body, const std::string& sig) {
        return post(d.port(), "/hooks/a", body, {{"X-Hub-Signature-256", sig}});
    };
    const std::string body = body_with_id("g1", R"(,"action":"opened")");
    const std::string sig = sign(SignatureStyle::github, HmacAlgorithm::sha256, kSecret, body, 0);
    CHECK(signed_post(body, sig).status == 200);
    const auto replay = signed_post(body, sig);
    CHECK(replay.status == 401);
    CHECK(replay.json()["message"] == "Replayed signature");
    const auto tampered = signed_post(body_with_id("g1", R"(,"action":"closed")"), sig);
    CHECK(tampered.status == 401);
    CHECK(tampered.json()["message"] == "Invalid signature");
    const std::string other = body_with_id("g2");
    CHECK(signed_post(other, sign(SignatureStyle::github, HmacAlgorithm::sha256, "not-the-secret", other, 0)).status == 401);
    CHECK(signed_post(other, "sha256=" + std::string(64, '0')).status == 401);
    const auto missing = post(d.port(), "/hooks/a", other);
    CHECK(missing.status == 401);
    CHECK(missing.json()["message"] == "Missing x-hub-signature-256 header");
    // A refused request does not burn its signature: a 404 retried to the right path works.
    const std::string sig2 = sign(SignatureStyle::github, HmacAlgorithm::sha256, kSecret, other, 0);
    CHECK(post(d.port(), "/hooks/wrong", other, {{"X-Hub-Signature-256", sig2}}).status == 404);
    CHECK(signed_post(other, sig2).status == 200);
    CHECK(all_in_journal(broker, "/default/hooks-a", {"g1", "g2"}));
    CHECK(d.stop() == 0);
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"g1", "g2"});
}

TEST_CASE("HMAC Stripe style: valid, stale, tampered, malformed and replayed", "[integration][webhook][auth]") {
    TestBroker broker;
    const std::string auth = "type = \"hmac\"\nsecret_env = \"WEBHOOK_SECRET\"\nheader = \"Stripe-Signature\"\n"
                             "algorithm = \"sha256\"\ntolerance_seconds = 60\n";
    WebhookDaemon d(broker, webhook_tables(kRouteA, {}, auth), kEnv);
    auto stripe_post = [&](const std::string& body, const std::string& header) {
        return post(d.port(), "/hooks/a", body, {{"Stripe-Signature", header}});
    };
    const int64_t now = unix_now();
    const std::string body = body_with_id("s1", R"(,"type":"charge.succeeded")");
    const std::string header = sign(SignatureStyle::stripe, HmacAlgorithm::sha256, kSecret, body, now);
    CHECK(stripe_post(body, header).status == 200);
    const auto replay = stripe_post(body, header);  // replay rejection is on by default for Stripe
    CHECK(replay.status == 401);
    CHECK(replay.json()["message"] == "Replayed signature");
    const auto stale = stripe_post(body, sign(SignatureStyle::stripe, HmacAlgorithm::sha256, kSecret, body, now - 120));
    CHECK(stale.status == 401);
    CHECK(stale.json()["message"] == "Timestamp outside the tolerance zone");
    CHECK(stripe_post(body + " ", header).json()["message"] == "Invalid signature");
    CHECK(stripe_post(body, "v1=abc").json()["message"] == "Invalid signature header format");
    // A rotated secret: the new v1 next to an old one is accepted.
    const std::string body2 = body_with_id("s2");
    const std::string fresh = sign(SignatureStyle::stripe, HmacAlgorithm::sha256, kSecret, body2, now);
    const std::string rotated = "t=" + std::to_string(now) + ",v1=" + std::string(64, 'f') + "," + fresh.substr(fresh.find("v1="));
    CHECK(stripe_post(body2, rotated).status == 200);
    CHECK(all_in_journal(broker, "/default/hooks-a", {"s1", "s2"}));
    CHECK(d.stop() == 0);
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"s1", "s2"});
}

TEST_CASE("HMAC plain hex with sha512 over a non-JSON body", "[integration][webhook][auth]") {
    TestBroker broker;
    const std::string auth = "type = \"hmac\"\nsecret_env = \"WEBHOOK_SECRET\"\nheader = \"X-Signature\"\nalgorithm = \"sha512\"\n";
    WebhookDaemon d(broker, webhook_tables(kRouteA, {}, auth), kEnv);
    const std::string body = "event=push&id=h1";
    const std::string hex = sign(SignatureStyle::hex, HmacAlgorithm::sha512, kSecret, body, 0);
    CHECK(post(d.port(), "/hooks/a", body, {{"X-Signature", hex}, {"Content-Type", "application/x-www-form-urlencoded"}}).status == 200);
    CHECK(post(d.port(), "/hooks/a", body, {{"X-Signature", "sha512=" + hex}}).status == 200);  // no replay check by default
    CHECK(post(d.port(), "/hooks/a", body, {{"X-Signature", "sha256=" + hex}}).status == 401);
    CHECK(post(d.port(), "/hooks/a", body + "x", {{"X-Signature", hex}}).status == 401);
    // A multipart body is still signed and published as the raw bytes the sender sent.
    const std::string form = "--XyZ\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nh2\r\n--XyZ--\r\n";
    const std::string form_sig = sign(SignatureStyle::hex, HmacAlgorithm::sha512, kSecret, form, 0);
    CHECK(post(d.port(), "/hooks/a", form, {{"X-Signature", form_sig}, {"Content-Type", "multipart/form-data; boundary=XyZ"}})
              .status == 200);
    REQUIRE(wait_until([&] { return messages(broker, "/default/hooks-a").size() == 3; }, 20s));
    const auto published = messages(broker, "/default/hooks-a");
    CHECK(payload_bytes(published[0]) == R"({"data":"ZXZlbnQ9cHVzaCZpZD1oMQ==","encoding":"base64","size":16})");
    const auto wrapper = json::parse(payload_bytes(published[2]));
    CHECK(wrapper["size"] == form.size());
    CHECK(published[2]["attributes"]["webhook.content_type"] == "multipart/form-data; boundary=XyZ");
    CHECK(d.stop() == 0);
}

TEST_CASE("JWT HS256: valid, expired, bad signature, missing, wrong scheme and replayed", "[integration][webhook][auth]") {
    TestBroker broker;
    const std::string auth = "type = \"jwt\"\nsecret_env = \"WEBHOOK_SECRET\"\nreject_replays = true\n";
    WebhookDaemon d(broker, webhook_tables(kRouteA, {}, auth), kEnv);
    auto bearer = [&](const std::string& id, const std::string& token) {
        return post(d.port(), "/hooks/a", body_with_id(id), {{"Authorization", "Bearer " + token}});
    };
    const std::string token = hs256_token(kSecret, claims(300, {{"jti", "t-1"}}));
    CHECK(bearer("w1", token).status == 200);
    const auto replay = bearer("w1-again", token);
    CHECK(replay.status == 401);
    CHECK(replay.json()["message"] == "Invalid JWT token: token already used (jti)");
    CHECK(bearer("w2", hs256_token(kSecret, claims(300, {{"jti", "t-2"}}))).status == 200);
    CHECK(bearer("bad", hs256_token(kSecret, claims(-300, {{"jti", "t-3"}}))).json()["message"] ==
          "Invalid JWT token: ExpiredSignature");
    CHECK(bearer("bad", hs256_token("wrong-secret", claims(300, {{"jti", "t-4"}}))).json()["message"] ==
          "Invalid JWT token: InvalidSignature");
    CHECK(bearer("bad", none_token(claims(300, {{"jti", "t-5"}}))).json()["message"] == "Invalid JWT token: InvalidAlgorithm");
    CHECK(post(d.port(), "/hooks/a", "{}").json()["message"] == "Missing Authorization header");
    CHECK(post(d.port(), "/hooks/a", "{}", {{"Authorization", "Basic dXNlcjpwYXNz"}}).json()["message"] ==
          "Invalid Authorization header format");
    CHECK(all_in_journal(broker, "/default/hooks-a", {"w1", "w2"}));
    CHECK(d.stop() == 0);
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"w1", "w2"});
}

TEST_CASE("JWT RS256 and ES256 verify with a public key file and refuse algorithm confusion",
          "[integration][webhook][auth]") {
    TestBroker broker;
    TempDir keys;
    const std::string rsa_pem = write_temp(keys, "rsa.pub.pem", rsa_key().public_pem);
    const std::string ec_pem = write_temp(keys, "ec.pub.pem", ec_key().public_pem);
    {
        WebhookDaemon d(broker, webhook_tables(kRouteA, {}, "type = \"jwt\"\npublic_key_path = \"" + rsa_pem + "\"\n"));
        auto bearer = [&](const std::string& id, const std::string& token) {
            return post(d.port(), "/hooks/a", body_with_id(id), {{"Authorization", "Bearer " + token}});
        };
        CHECK(bearer("r1", rs256_token(rsa_key(), claims())).status == 200);
        CHECK(bearer("r1", rs256_token(rsa_key(), claims())).status == 200);  // reusable without reject_replays
        CHECK(bearer("bad", rs256_token(other_rsa_key(), claims())).json()["message"] == "Invalid JWT token: InvalidSignature");
        // HS256 "signed" with the public key itself, the classic confusion attack.
        CHECK(bearer("bad", hs256_token(rsa_key().public_pem, claims())).json()["message"] ==
              "Invalid JWT token: InvalidAlgorithm");
        CHECK(bearer("bad", es256_token(ec_key(), claims())).status == 401);
        CHECK(d.stop() == 0);
    }
    {
        WebhookDaemon d(broker, webhook_tables(kRouteA, {}, "type = \"jwt\"\npublic_key_path = \"" + ec_pem + "\"\n"));
        CHECK(post(d.port(), "/hooks/a", body_with_id("e1"), {{"Authorization", "Bearer " + es256_token(ec_key(), claims())}})
                  .status == 200);
        CHECK(post(d.port(), "/hooks/a", body_with_id("bad"),
                   {{"Authorization", "Bearer " + es256_token(ec_key(), claims(-200))}})
                  .status == 401);
        CHECK(d.stop() == 0);
    }
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"r1", "r1", "e1"});
}

TEST_CASE("rate limits answer 429 with Retry-After and persist across requests", "[integration][webhook][ratelimit]") {
    TestBroker broker;
    const std::string routes = kRouteA + "[routes.rate_limit]\nrequests_per_second = 1\nburst_size = 3\n" +
                               "[[routes]]\nfrom = \"/hooks/b\"\nto = \"/default/hooks-b\"\n"
                               "[[routes]]\nfrom = \"/hooks/c\"\nto = \"/default/hooks-c\"\n"
                               "\n[rate_limit]\nrequests_per_second = 1\nburst_size = 4\n";
    WebhookDaemon d(broker, webhook_tables(routes));
    // A burst of 3, then 1 token per second: over a short burst of 10, at most 3 + elapsed seconds pass.
    auto burst = [&](const std::string& path, const std::string& prefix, int n, std::set<std::string>& accepted) {
        std::vector<Reply> refused;
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) {
            const std::string id = prefix + std::to_string(i);
            auto r = post(d.port(), path, body_with_id(id));
            if (r.status == 200) accepted.insert(id);
            else refused.push_back(std::move(r));
        }
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0).count();
        return std::make_pair(refused, static_cast<size_t>(seconds + 1));
    };
    std::set<std::string> accepted_a, accepted_shared;
    const auto [refused_a, slack_a] = burst("/hooks/a", "a", 10, accepted_a);
    CHECK(accepted_a.size() >= 3);
    CHECK(accepted_a.size() <= 3 + slack_a);
    REQUIRE_FALSE(refused_a.empty());
    for (const auto& r : refused_a) {
        CHECK(r.status == 429);
        CHECK(r.json() == json{{"error", "rate_limit_exceeded"}, {"message", "Rate limit exceeded for endpoint: /hooks/a"}});
        CHECK(r.header("Retry-After") == "1");
    }
    // /hooks/b and /hooks/c share the platform bucket (burst 4), independent of /hooks/a's.
    const auto [refused_b, slack_b] = burst("/hooks/b", "b", 5, accepted_shared);
    const auto [refused_c, slack_c] = burst("/hooks/c", "c", 5, accepted_shared);
    CHECK(accepted_shared.size() >= 4);
    CHECK(accepted_shared.size() <= 4 + slack_b + slack_c);
    CHECK(refused_b.size() + refused_c.size() >= 1);
    // Tokens come back (1 per second) and the bucket is the same one, request after request.
    CHECK(wait_until([&] { return post(d.port(), "/hooks/a", body_with_id("later")).status == 200; }, 3s));
    accepted_a.insert("later");
    CHECK(d.stop() == 0);
    const auto got = ids_in(broker, "/default/hooks-a");
    CHECK(std::set<std::string>(got.begin(), got.end()) == accepted_a);
    CHECK(got.size() == accepted_a.size());
    const auto shared = ids_in(broker, "/default/hooks-b");
    const auto shared_c = ids_in(broker, "/default/hooks-c");
    CHECK(shared.size() + shared_c.size() == accepted_shared.size());
}

TEST_CASE("per-IP limits key on the socket peer unless a trusted proxy names the client",
          "[integration][webhook][ratelimit]") {
    TestBroker broker;
    const std::string limits = "\n[rate_limit]\nrequests_per_second = 1000\nburst_size = 1000\nper_ip_enabled = true\n"
                               "per_ip_requests_per_second = 1\nper_ip_burst_size = 2\n";
    // Posts for `client` until one is refused (at most `n`); returns the refusal.
    auto until_refused = [](int port, const std::string& path, const std::map<std::string, std::string>& headers, int n) {
        for (int i = 0; i < n; ++i) {
            auto r = post(port, path, body_with_id("extra" + std::to_string(i)), headers);
            if (r.status != 200) return r;
        }
        return Reply{};
    };
    {
        // No trusted proxy: a client cannot escape its bucket by inventing X-Forwarded-For.
        WebhookDaemon d(broker, webhook_tables(kRouteA + limits));
        const auto r = until_refused(d.port(), "/hooks/a", {{"X-Forwarded-For", "198.51.100.7"}}, 6);
        CHECK(r.status == 429);
        CHECK(r.json()["message"] == "Rate limit exceeded for IP: 127.0.0.1");
        CHECK(d.stop() == 0);
        for (const auto& m : messages(broker, "/default/hooks-a")) CHECK(m["attributes"]["webhook.ip"] == "127.0.0.1");
    }
    // 127.0.0.1 trusted: each forwarded client has its own bucket, and is the record's webhook.ip.
    WebhookDaemon d(broker, webhook_tables("[[routes]]\nfrom = \"/hooks/p\"\nto = \"/default/hooks-p\"\n" + limits,
                                           "trusted_proxies = [\"127.0.0.1\"]\n"));
    int ok = 0;
    for (int client = 0; client < 3; ++client) {
        for (int i = 0; i < 2; ++i) {
            ok += post(d.port(), "/hooks/p", body_with_id("p" + std::to_string(client) + std::to_string(i)),
                       {{"X-Forwarded-For", "6.6.6.6, 198.51.100." + std::to_string(client)}})
                      .status == 200;
        }
    }
    CHECK(ok == 6);  // 3 clients x their burst of 2
    const auto r = until_refused(d.port(), "/hooks/p", {{"X-Forwarded-For", "198.51.100.0"}}, 6);
    CHECK(r.status == 429);
    CHECK(r.json()["message"] == "Rate limit exceeded for IP: 198.51.100.0");
    REQUIRE(wait_until([&] { return messages(broker, "/default/hooks-p").size() >= 6; }, 20s));
    std::set<std::string> ips;
    for (const auto& m : messages(broker, "/default/hooks-p")) ips.insert(m["attributes"]["webhook.ip"].get<std::string>());
    CHECK(ips == std::set<std::string>{"198.51.100.0", "198.51.100.1", "198.51.100.2"});
    CHECK(d.stop() == 0);
}

TEST_CASE("oversized bodies get 413 while they are read", "[integration][webhook][limits]") {
    TestBroker broker;
    WebhookDaemon d(broker, webhook_tables(kRouteA, "max_body_size = 1024\n"));
    const size_t overhead = body_with_id("fits", ",\"pad\":\"\"").size();
    const std::string fits = body_with_id("fits", ",\"pad\":\"" + std::string(1024 - overhead, 'x') + "\"");
    REQUIRE(fits.size() == 1024);
    CHECK(post(d.port(), "/hooks/a", fits).status == 200);
    const std::string over = body_with_id("over", ",\"pad\":\"" + std::string(2000, 'x') + "\"");
    const auto r = post(d.port(), "/hooks/a", over);
    CHECK(r.status == 413);
    CHECK(r.json()["error"] == "Payload size " + std::to_string(over.size()) + " exceeds maximum 1024");
    // Chunked (no Content-Length): the limit holds while reading.
    httplib::Client c("127.0.0.1", d.port());
    auto chunked = c.Post(
        "/hooks/a",
        [&](size_t offset, httplib::DataSink& sink) {
            if (offset >= 4096) {
                sink.done();
                return true;
            }
            const std::string piece(512, 'y');
            return sink.write(piece.data(), piece.size());
        },
        "application/json");
    REQUIRE(chunked);
    CHECK(chunked->status == 413);
    // A client announcing a large body with Expect: 100-continue gets the 413 before sending it.
    const std::string expect_head = "POST /hooks/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    "Expect: 100-continue\r\nContent-Length: 3145728";
    CHECK(trickle_post(d.port(), expect_head, "", 50ms, 5s) == 413);
    // The same with curl, which sends that header for large bodies (scripts/install-deps has no
    // curl yet: the check runs where it is installed).
    if (std::filesystem::exists("/usr/bin/curl")) {
        TempDir tmp;
        write_file(tmp / "big.json", "\"" + std::string(3 * 1024 * 1024, 'z') + "\"");
        ChildProcess curl({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                           "Content-Type: application/json", "--data-binary", "@" + (tmp / "big.json").string(),
                           "http://127.0.0.1:" + std::to_string(d.port()) + "/hooks/a"},
                          tmp / "curl");
        REQUIRE(curl.wait_for_exit(20s).has_value());
        CHECK(curl.stdout_text() == "413");
    } else {
        WARN("curl is not installed: the curl part of this test was skipped");
    }
    CHECK(post(d.port(), "/hooks/a", body_with_id("after")).status == 200);  // the server is fine
    CHECK(all_in_journal(broker, "/default/hooks-a", {"fits", "after"}));
    CHECK(d.stop() == 0);
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"after", "fits"});
}

TEST_CASE("a body trickled slower than timeout_seconds gets 408 and others are served meanwhile",
          "[integration][webhook][limits]") {
    TestBroker broker;
    WebhookDaemon d(broker, webhook_tables(kRouteA, "timeout_seconds = 1\nread_timeout_seconds = 1\n"));
    const std::string body = body_with_id("slow", ",\"pad\":\"" + std::string(100, 'x') + "\"");
    const std::string head = "POST /hooks/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             "Content-Length: " + std::to_string(body.size());
    auto slow = std::async(std::launch::async, [&] {
        const auto t0 = std::chrono::steady_clock::now();
        const int status = trickle_post(d.port(), head, body, 50ms, 8s);  // 1 byte per 50 ms: ~6 s for the body
        return std::make_pair(status, std::chrono::steady_clock::now() - t0);
    });
    CHECK(post(d.port(), "/hooks/a", body_with_id("fast")).status == 200);
    const auto [status, took] = slow.get();
    CHECK(status == 408);
    CHECK(took < 4s);
    // A client that sends its headers and then nothing: the read timeout ends it the same way.
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(trickle_post(d.port(), head, "", 100ms, 8s) == 408);
    CHECK(std::chrono::steady_clock::now() - t0 < 4s);
    CHECK_THAT(d.log(), Catch::Contains("webhook request to /hooks/a from 127.0.0.1 exceeded timeout_seconds while sending its "
                                        "body: 408"));
    CHECK(all_in_journal(broker, "/default/hooks-a", {"fast"}));
    CHECK(d.stop() == 0);
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"fast"});
}

TEST_CASE("malformed JSON becomes the base64 wrapper unless the topic has a JSON Schema", "[integration][webhook]") {
    TestBroker broker;
    TempDir tmp;
    const std::string schema = write_temp(tmp, "order.json", R"({"type":"object","required":["id","amount"],
        "properties":{"id":{"type":"string"},"amount":{"type":"number","minimum":0}}})");
    const std::string core = "\n[[schemas]]\ntopic = \"/default/orders\"\nsubject = \"orders\"\nschema_type = \"json_schema\"\n"
                             "schema_file = \"" + schema + "\"\n";
    const std::string routes = kRouteA + "[[routes]]\nfrom = \"/hooks/orders\"\nto = \"/default/orders\"\n";
    WebhookDaemon d(broker, webhook_tables(routes), {}, core);
    CHECK(post(d.port(), "/hooks/a", "{\"id\": \"m1\", oops").status == 200);
    CHECK(post(d.port(), "/hooks/orders", R"({"id":"o1","amount":12.5})").status == 200);
    const auto broken = post(d.port(), "/hooks/orders", R"({"id":"o2","amount":)");
    CHECK(broken.status == 400);
    CHECK(broken.json()["error"] == "invalid_payload");
    const auto invalid = post(d.port(), "/hooks/orders", R"({"id":"o3","amount":-1})");
    CHECK(invalid.status == 400);
    CHECK_THAT(invalid.json()["message"].get<std::string>(), Catch::Contains("amount"));
    REQUIRE(wait_until([&] { return broker.journal().size() >= 2; }, 20s));
    CHECK(d.stop() == 0);
    const auto a = messages(broker, "/default/hooks-a");
    REQUIRE(a.size() == 1);
    CHECK(json::parse(payload_bytes(a[0]))["encoding"] == "base64");
    CHECK(ids_in(broker, "/default/orders") == std::multiset<std::string>{"o1"});
}

TEST_CASE("many clients at once: every 200 is in the journal exactly once", "[integration][webhook][concurrency]") {
    TestBroker broker;
    const std::string routes = kRouteA + "[[routes]]\nfrom = \"/hooks/p\"\nto = \"/default/hooks-p\"\nack = \"publish\"\n";
    WebhookDaemon d(broker, webhook_tables(routes));
    constexpr int kThreads = 8, kPerThread = 50;
    std::mutex mu;
    std::set<std::string> accepted;
    std::atomic<int> refused{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < kThreads; ++t) {
        clients.emplace_back([&, t] {
            httplib::Client c("127.0.0.1", d.port());
            c.set_keep_alive(true);
            c.set_read_timeout(15s);
            for (int i = 0; i < kPerThread; ++i) {
                const std::string id = "c" + std::to_string(t) + "-" + std::to_string(i);
                const char* path = i % 2 ? "/hooks/p" : "/hooks/a";  // half of them with ack = "publish"
                auto r = c.Post(path, body_with_id(id), "application/json");
                if (r && r->status == 200) {
                    std::lock_guard lock(mu);
                    accepted.insert(id);
                } else {
                    ++refused;
                }
            }
        });
    }
    for (auto& c : clients) c.join();
    CHECK(accepted.size() + static_cast<size_t>(refused.load()) == kThreads * kPerThread);
    CHECK(accepted.size() == kThreads * kPerThread);  // a healthy pipeline refuses nothing
    CHECK(all_in_journal(broker, "/default/hooks-", accepted));
    CHECK(d.stop() == 0);
    const auto got = ids_in(broker, "/default/hooks-");
    CHECK(got.size() == accepted.size());  // no duplicates, nothing extra
    CHECK(std::set<std::string>(got.begin(), got.end()) == accepted);
}

TEST_CASE("a full pipeline answers 503 with Retry-After and refused requests are never published",
          "[integration][webhook][backpressure]") {
    TestBroker broker;
    // One record in flight at most, one waiting: with the broker stalled the host stops polling.
    WebhookDaemon d(broker, webhook_tables(kRouteA, "queue_capacity = 1\nqueue_timeout_ms = 1500\n"), {},
                    "\n[delivery]\nmax_inflight_records = 1\n");
    stall(broker, true);
    REQUIRE(post(d.port(), "/hooks/a", body_with_id("one")).status == 200);  // taken: in flight, stalled
    auto two = std::async(std::launch::async, [&] { return post(d.port(), "/hooks/a", body_with_id("two")); });
    REQUIRE(wait_until([&] { return get(d.port(), "/ready").body.find("the queue is full") != std::string::npos; }, 5s));
    const auto three = post(d.port(), "/hooks/a", body_with_id("three"));
    CHECK(three.status == 503);
    CHECK(three.json()["error"] == "queue_full");
    CHECK(three.header("Retry-After") == "1");
    // "two" waited queue_timeout_ms for the pipeline, then was withdrawn and refused.
    const auto two_reply = two.get();
    CHECK(two_reply.status == 503);
    CHECK(two_reply.json()["error"] == "queue_timeout");
    CHECK_FALSE(two_reply.header("Retry-After").empty());
    stall(broker, false);
    CHECK(all_in_journal(broker, "/default/hooks-a", {"one"}));
    CHECK(wait_until([&] { return post(d.port(), "/hooks/a", body_with_id("four")).status == 200; }, 10s));
    CHECK(all_in_journal(broker, "/default/hooks-a", {"four"}));
    CHECK(d.stop() == 0);
    const auto got = ids_in(broker, "/default/hooks-a");
    CHECK(got.count("two") == 0);
    CHECK(got.count("three") == 0);
    CHECK(got.count("one") == 1);
}

TEST_CASE("ack publish answers 200 only after Danube acknowledged the record", "[integration][webhook][publish]") {
    TestBroker broker;
    WebhookDaemon d(broker, webhook_tables(kRouteA, "ack = \"publish\"\npublish_timeout_ms = 8000\n"));
    // Healthy: by the time the client has its 200, the record is in the broker's journal.
    for (int i = 0; i < 5; ++i) {
        const std::string id = "ok" + std::to_string(i);
        REQUIRE(post(d.port(), "/hooks/a", body_with_id(id)).status == 200);
        CHECK(ids_in(broker, "/default/hooks-a").count(id) == 1);
    }
    // The broker refuses 10 sends with UNAVAILABLE: the host retries, the client waits for a late 200.
    danube_test::FaultRequest fail;
    fail.mutable_fail_next()->set_count(10);
    fail.mutable_fail_next()->set_code(14);
    fail.mutable_fail_next()->set_method("SendMessage");
    inject(broker, fail);
    const auto t0 = std::chrono::steady_clock::now();
    const auto late = post(d.port(), "/hooks/a", body_with_id("late"));
    CHECK(late.status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 > 200ms);  // it did wait for the retries
    CHECK(ids_in(broker, "/default/hooks-a").count("late") == 1);
    CHECK(broker.stats().calls_failed_by_injection() == 10);
    CHECK(d.stop() == 0);
}

TEST_CASE("ack publish answers 503 when Danube does not confirm in time and never loses a 200",
          "[integration][webhook][publish]") {
    TestBroker broker;
    WebhookDaemon d(broker, webhook_tables(kRouteA, "ack = \"publish\"\npublish_timeout_ms = 600\n"
                                                    "ready_max_unconfirmed_ms = 300\n"));
    REQUIRE(post(d.port(), "/hooks/a", body_with_id("before")).status == 200);
    stall(broker, true);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = post(d.port(), "/hooks/a", body_with_id("stalled"));
    CHECK(r.status == 503);
    CHECK(r.json()["error"] == "publish_timeout");
    CHECK(r.header("Retry-After") == "5");
    CHECK(std::chrono::steady_clock::now() - t0 >= 550ms);
    // Readiness follows the pipeline: a record unconfirmed for longer than 300 ms.
    CHECK(wait_until([&] { return get(d.port(), "/ready").status == 503; }, 5s));
    CHECK_THAT(get(d.port(), "/ready").json()["reason"].get<std::string>(), Catch::Contains("acknowledged"));
    stall(broker, false);  // stalled calls fail with UNAVAILABLE; the host sends again
    CHECK(wait_until([&] { return get(d.port(), "/ready").status == 200; }, 10s));
    const auto after = post(d.port(), "/hooks/a", body_with_id("after"));
    CHECK(after.status == 200);
    CHECK(d.stop() == 0);
    // Nothing answered 200 is missing; the 503 one may still have been published (at least once).
    const auto got = ids_in(broker, "/default/hooks-a");
    CHECK(got.count("before") == 1);
    CHECK(got.count("after") == 1);
    CHECK(got.count("stalled") <= 1);
}

TEST_CASE("ack publish answers 400 when the host dead-letters the record as invalid", "[integration][webhook][publish]") {
    TestBroker broker;
    TempDir tmp;
    const std::string schema = write_temp(tmp, "order.json", R"({"type":"object","required":["id","amount"]})");
    // version_strategy "minimum": the registry may hold another version, so only the host judges.
    const std::string core = "\n[dead_letter]\ntopic = \"/default/webhook-dlq\"\non_invalid = \"dead_letter\"\n"
                             "\n[[schemas]]\ntopic = \"/default/hooks-a\"\nsubject = \"hooks-a\"\nschema_type = \"json_schema\"\n"
                             "schema_file = \"" + schema + "\"\nversion_strategy = { minimum = 1 }\n";
    WebhookDaemon d(broker, webhook_tables(kRouteA, "ack = \"publish\"\n"), {}, core);
    CHECK(post(d.port(), "/hooks/a", R"({"id":"v1","amount":3})").status == 200);
    const auto r = post(d.port(), "/hooks/a", R"({"id":"v2"})");
    CHECK(r.status == 400);
    CHECK(r.json()["error"] == "invalid_payload");
    CHECK_THAT(r.json()["message"].get<std::string>(), Catch::Contains("dead-lettered"));
    CHECK(d.stop() == 0);
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"v1"});
    CHECK(ids_in(broker, "/default/webhook-dlq") == std::multiset<std::string>{"v2"});
}

TEST_CASE("on SIGTERM new requests get 503 while the daemon drains and every 200 was kept",
          "[integration][webhook][shutdown]") {
    TestBroker broker;
    WebhookDaemon d(broker, webhook_tables(kRouteA), {}, "\n[delivery]\nshutdown_timeout_ms = 1500\n");
    REQUIRE(post(d.port(), "/hooks/a", body_with_id("first")).status == 200);
    REQUIRE(all_in_journal(broker, "/default/hooks-a", {"first"}));
    stall(broker, true);
    REQUIRE(post(d.port(), "/hooks/a", body_with_id("in-flight")).status == 200);  // taken by the host
    d.daemon().process().signal(SIGTERM);
    Reply during;
    CHECK(wait_until(
        [&] {
            during = post(d.port(), "/hooks/a", body_with_id("during"));
            return during.status == 503;
        },
        5s));
    CHECK(during.json()["error"] == "shutting_down");
    CHECK_FALSE(during.header("Retry-After").empty());
    // The stalled record cannot be confirmed: the daemon says so with exit code 75.
    CHECK(d.daemon().wait_for_exit(20s) == 75);
    CHECK(ids_in(broker, "/default/hooks-a").count("during") == 0);
}

TEST_CASE("TLS serves HTTPS with the configured certificate", "[integration][webhook][tls]") {
    TestBroker broker;
    const std::string server = "tls_cert_path = \"" + pki().path("server.crt") + "\"\ntls_key_path = \"" +
                               pki().path("server.key") + "\"\n";
    WebhookDaemon d(broker, webhook_tables(kRouteA, server), {}, {}, false);
    CHECK_THAT(d.log(), Catch::Contains("listening on https://"));
    httplib::SSLClient c("127.0.0.1", d.port());
    c.set_ca_cert_path(pki().path("ca.crt").c_str());
    c.enable_server_certificate_verification(true);
    c.set_read_timeout(10s);
    REQUIRE(wait_until([&] {
        auto r = c.Get("/ready");
        return r && r->status == 200;
    }, 20s));
    auto r = c.Post("/hooks/a", body_with_id("tls1"), "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    // Plain HTTP to the TLS port gets no HTTP answer.
    CHECK(get(d.port(), "/health").status == 0);
    CHECK(all_in_journal(broker, "/default/hooks-a", {"tls1"}));
    CHECK(d.stop() == 0);
}

TEST_CASE("a port already in use is a startup error", "[integration][webhook]") {
    TestBroker broker;
    TempDir dir;
    auto tables_on = [](int port) {
        return "[server]\nhost = \"127.0.0.1\"\nport = " + std::to_string(port) + "\n[auth]\ntype = \"none\"\n" + kRouteA;
    };
    {
        PortHolder busy;
        ConnectorProcess daemon(dir, "plain", daemon_config(broker, tables_on(busy.port())));
        REQUIRE(daemon.wait_for_exit(20s) == 78);
        CHECK_THAT(daemon.log(), Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(busy.port())));
    }
    // Not even another webhook daemon: httplib's SO_REUSEPORT would let both listen and split
    // the traffic between them.
    WebhookDaemon first(broker, webhook_tables(kRouteA));
    ConnectorProcess second(dir, "second", daemon_config(broker, tables_on(first.port())));
    REQUIRE(second.wait_for_exit(20s) == 78);
    CHECK_THAT(second.log(), Catch::Contains("cannot listen on"));
    CHECK(post(first.port(), "/hooks/a", body_with_id("still-first")).status == 200);
    CHECK(first.stop() == 0);
}

TEST_CASE("a request body that cannot be read gets 400 bad_request and the server goes on", "[integration][webhook][limits]") {
    TestBroker broker;
    WebhookDaemon d(broker, webhook_tables(kRouteA));
    const std::string head = "POST /hooks/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    // A chunk size that is not hexadecimal.
    const std::string chunked = raw_exchange(d.port(), head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 5s);
    INFO(chunked);
    CHECK(chunked.rfind("HTTP/1.1 400", 0) == 0);
    CHECK_THAT(chunked, Catch::Contains(R"json({"error":"bad_request","message":"the request body could not be read )json"
                                        R"json((bad framing or the client went away)"})json"));
    CHECK(post(d.port(), "/hooks/a", body_with_id("after")).status == 200);
    CHECK(all_in_journal(broker, "/default/hooks-a", {"after"}));
    CHECK(d.stop() == 0);
    CHECK(ids_in(broker, "/default/hooks-a") == std::multiset<std::string>{"after"});
}

TEST_CASE("webhook configuration mistakes exit 78 with the key or the Rust connector's message",
          "[integration][webhook][config]") {
    TestBroker broker;
    TempDir dir;
    auto run = [&](const std::string& name, const std::string& tables, std::map<std::string, std::string> env = {}) {
        ConnectorProcess daemon(dir, name, daemon_config(broker, tables), std::move(env));
        const auto code = daemon.wait_for_exit(20s);
        INFO(daemon.log());
        CHECK(code == 78);
        return daemon.log();
    };
    const std::string server = "[server]\nhost = \"127.0.0.1\"\nport = 0\n";
    // Only initialize() sees these: the JSON Schema of the section allows them.
    CHECK_THAT(run("from", server + "[auth]\ntype = \"none\"\n[[routes]]\nfrom = \"hooks/a\"\nto = \"/default/a\"\n"),
               Catch::Contains("Configuration error: Route 'from' must start with '/': hooks/a"));
    CHECK_THAT(run("header", server + "[auth]\ntype = \"apikey\"\nsecret_env = \"WEBHOOK_SECRET\"\n" + kRouteA),
               Catch::Contains("Configuration error: header is required for API key authentication"));
    CHECK_THAT(run("port", server + "[auth]\ntype = \"none\"\n" + kRouteA, {{"SERVER_PORT", "80a"}}),
               Catch::Contains("Configuration error: Invalid SERVER_PORT value: invalid digit found in string"));
    // The section's JSON Schema, checked by the host first: a secret pasted as a number is named
    // by its key and never shown.
    const std::string numeric = run("numeric", server + "[auth]\ntype = \"apikey\"\nsecret_env = 12345\nheader = \"X-API-Key\"\n" + kRouteA);
    CHECK_THAT(numeric, Catch::Contains("plugin in_webhook configuration: auth.secret_env"));
    CHECK_THAT(numeric, !Catch::Contains("12345"));
    CHECK(broker.journal("producer").empty());
}

TEST_CASE("SERVER_PORT overrides the table and the older endpoints vocabulary still works", "[integration][webhook]") {
    TestBroker broker;
    const std::string tables = "[server]\nhost = \"127.0.0.1\"\nport = 8080\n[auth]\ntype = \"none\"\n"
                               "[[endpoints]]\npath = \"/webhooks/payments\"\ndanube_topic = \"/default/payments\"\n"
                               "partitions = 2\nreliable_dispatch = true\n";
    WebhookDaemon d(broker, tables, {{"SERVER_PORT", "0"}});
    CHECK(d.port() != 8080);
    CHECK_THAT(d.log(), Catch::Contains("deprecated"));
    CHECK(post(d.port(), "/webhooks/payments", body_with_id("legacy")).status == 200);
    CHECK(all_in_journal(broker, "/default/payments", {"legacy"}));
    CHECK(d.stop() == 0);
}
