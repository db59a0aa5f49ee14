// SPDX-License-Identifier: Apache-2.0
#include "daemon/connector_daemon.hpp"

#include <unistd.h>

#include <set>

#include <spdlog/spdlog.h>

#include "broker/broker_connection.hpp"
#include "daemon/broker_probe.hpp"
#include "daemon/connector_state.hpp"
#include "daemon/http_endpoints.hpp"
#include "metrics/http_server.hpp"
#include "offsets/offset_store.hpp"
#include "broker/producer_naming.hpp"
#include "config/config_error.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_error.hpp"
#include "plugin/plugin_instance.hpp"
#include "plugin/plugin_loader.hpp"
#include "schema/json_validator.hpp"
#include "schema/schema_resolver.hpp"

namespace dcx::daemon {
namespace {

namespace fs = std::filesystem;
using config::ConfigError;
using schema::RegistryOutcome;

constexpr auto kStartupCallTimeout = std::chrono::seconds(10);
// A drain still running this long after [delivery] shutdown_timeout_ms (the plugin thread is stuck
// in a plugin call) ends the process with kExitDrainTimeout.
constexpr auto kDrainGrace = std::chrono::seconds(2);

// Retries `attempt` (returning RegistryOutcome) with backoff until it is ok or fails for good.
// Returns false when a stop was requested meanwhile; throws ConfigError on a permanent failure.
template <class Fn>
bool until_done(ShutdownSignal& signal, const config::ConnectorConfig& cfg, ConnectorState& state, const std::string& what,
                Fn&& attempt) {
    uint64_t delay = std::min<uint64_t>(200, cfg.retry.retry_backoff_ms);
    state.set_waiting_for(what);
    for (uint32_t n = 1;; ++n) {
        state.stats->heartbeat_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count();
        const RegistryOutcome o = attempt();
        if (o.kind == RegistryOutcome::Kind::ok) {
            if (!o.message.empty()) spdlog::info("{}", o.message);
            return true;
        }
        if (o.kind == RegistryOutcome::Kind::fail) throw ConfigError(cfg.file.string(), what, o.message);
        state.stats->set_last_error(what + ": " + o.message);
        spdlog::warn("{}: broker not reachable yet (attempt {}): {}; retrying in {} ms", what, n, o.message, delay);
        if (signal.wait_for(std::chrono::milliseconds(delay))) return false;
        delay = std::min<uint64_t>(delay * 2, cfg.retry.max_backoff_ms);
    }
}

// "<root>[mqtt][routes][0][qos]" -> "mqtt.routes[0].qos", the paths the plugins' own errors use.
std::string toml_path(std::string message) {
    const std::string root = "<root>";
    if (message.rfind(root, 0) != 0) return message;
    std::string path;
    size_t i = root.size();
    while (i < message.size() && message[i] == '[') {
        const size_t end = message.find(']', i);
        if (end == std::string::npos) break;
        const std::string part = message.substr(i + 1, end - i - 1);
        const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        path += index ? "[" + part + "]" : (path.empty() ? part : "." + part);
        i = end + 1;
    }
    return (path.empty() ? std::string("plugin section") : path) + message.substr(i);
}

void check_plugin_section(const config::ConnectorConfig& cfg, plugin::PluginInstance& instance) {
    const auto text = instance.config_schema();
    if (!text) return;
    const auto schema = nlohmann::json::parse(*text, nullptr, false);
    if (schema.is_discarded()) {
        throw plugin::PluginLoadError(plugin::LoadFailure::malformed,
                                      "plugin " + instance.plugin().id + " returned a config schema that is not JSON");
    }
    schema::JsonSchemaValidator validator(schema);
    if (auto why = validator.validate(cfg.plugin_config)) {
        throw ConfigError(cfg.file.string(), "plugin " + instance.plugin().id + " configuration",
                          toml_path(schema::explain_unknown_key(schema, *why)));
    }
}

void check_schema_files(const config::ConnectorConfig& cfg) {
    for (size_t i = 0; i < cfg.schemas.size(); ++i) {
        const auto& s = cfg.schemas[i];
        if (s.schema_type != "json_schema") continue;
        try {
            schema::JsonSchemaValidator compiled(nlohmann::json::parse(s.definition));
        } catch (const std::exception& e) {
            throw ConfigError(cfg.file.string(), "[[schemas]][" + std::to_string(i) + "].schema_file",
                              s.schema_file.string() + " is " + e.what());
        }
    }
}

std::shared_ptr<plugin::LoadedPlugin> load(const config::ConnectorConfig& cfg) {
    const fs::path dir = cfg.plugins_dir.empty() ? default_plugins_dir() : cfg.plugins_dir;
    const fs::path path = plugin::resolve_plugin_path(cfg.plugin, dir);
    auto loaded = std::make_shared<plugin::LoadedPlugin>(plugin::load_plugin(path));
    spdlog::info("loaded plugin {} {} ({}) from {}, plugin ABI {}.{}", loaded->id, loaded->version, loaded->name,
                 path.string(), loaded->abi_major, loaded->abi_minor);
    return loaded;
}

bool is_valid_topic(const std::string& t) {
    if (t.size() < 4 || t[0] != '/') return false;
    const size_t slash = t.find('/', 1);
    if (slash == std::string::npos || slash == 1 || slash + 1 == t.size()) return false;
    for (size_t i = 1; i < t.size(); ++i) {
        if (i != slash && !(std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '_' || t[i] == '-')) return false;
    }
    return true;
}

}  // namespace

fs::path default_plugins_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path prefix = exe.parent_path().parent_path();
        for (const fs::path& candidate : {prefix / "plugins", prefix / "lib/danube-connectd/plugins"}) {
            if (fs::is_directory(candidate)) return candidate;  // build tree, then an installed prefix
        }
    }
    return "/usr/lib/danube-connectd/plugins";
}

int check_connector(const config::ConnectorConfig& cfg) {
    try {
        check_schema_files(cfg);
        auto loaded = load(cfg);
        plugin::PluginInstance instance(loaded, cfg.connector_name, {});
        check_plugin_section(cfg, instance);
        std::cout << "configuration OK: " << cfg.file.string() << " (plugin " << loaded->id << " " << loaded->version
                  << ", " << cfg.schemas.size() << " schema mapping(s))\n";
        return 0;
    } catch (const ConfigError& e) {
        std::cerr << "configuration error: " << e.what() << "\n";
        return config::kConfigExitCode;
    } catch (const plugin::PluginLoadError& e) {
        std::cerr << plugin::describe(e.failure()) << ": " << e.what() << "\n";
        return plugin::exit_code(e.failure());
    }
}

int run_connector(config::ConnectorConfig cfg, ShutdownSignal& signal) {
    auto state = std::make_shared<ConnectorState>(cfg.connector_name, cfg.danube_service_url);
    std::unique_ptr<metrics::HttpServer> http;
    try {
        for (const auto& w : cfg.warnings) spdlog::warn("{}", w);
        if (cfg.http.enabled) {
            // Up first, so liveness and readiness answer while startup waits for the broker.
            http = std::make_unique<metrics::HttpServer>(make_http_endpoints(state));
            const int port = http->start(cfg.http.address, cfg.http.port.value_or(cfg.processing.metrics_port));
            spdlog::info("HTTP endpoints /metrics /healthz /readyz /status on {}:{}", cfg.http.address, port);
        }
        std::unique_ptr<offsets::OffsetStore> store;
        std::vector<plugin::SourceOffset> resume;
        if (!cfg.data_dir.empty()) {
            store = std::make_unique<offsets::OffsetStore>(cfg.data_dir, cfg.connector_name);
            resume = store->load();
            spdlog::info("offset store {}: {} source partition(s) to resume from", store->path().string(), resume.size());
        }
        check_schema_files(cfg);
        auto loaded = load(cfg);
        state->set_plugin({{"id", loaded->id},
                           {"name", loaded->name},
                           {"version", loaded->version},
                           {"abi", std::to_string(loaded->abi_major) + "." + std::to_string(loaded->abi_minor)},
                           {"path", loaded->path.string()}});

        // The pipeline does not exist yet when the plugin may first call wakeup().
        std::atomic<pipeline::Pipeline*> wake_target{nullptr};
        plugin::PluginInstance instance(loaded, cfg.connector_name, [&wake_target] {
            if (auto* p = wake_target.load()) p->wakeup();
        });
        signal.start(
            [&instance, &wake_target, state] {
                state->phase = ConnectorState::Phase::draining;
                if (auto* p = wake_target.load()) p->request_stop();
                else instance.request_stop();
            },
            std::chrono::milliseconds(cfg.delivery.shutdown_timeout_ms) + kDrainGrace, pipeline::kExitDrainTimeout);
        SignalCallbackGuard guard{signal};
        check_plugin_section(cfg, instance);

        broker::ConnectionOptions options{cfg.broker.tls_ca_file.string(), cfg.broker.tls_cert_file.string(),
                                          cfg.broker.tls_key_file.string(),  cfg.broker.tls_server_name,
                                          cfg.broker.token,                  cfg.broker.token_file.string()};
        broker::BrokerConnection broker(cfg.danube_service_url, options);
        BrokerProbe probe(broker, *state);
        schema::SchemaResolver resolver(broker, kStartupCallTimeout);
        for (size_t i = 0; i < cfg.schemas.size(); ++i) {
            const auto& m = cfg.schemas[i];
            const std::string what = "[[schemas]][" + std::to_string(i) + "] (subject " + m.subject + ")";
            if (!until_done(signal, cfg, *state, what, [&] { return resolver.ensure_registered(m); })) return 0;
        }

        // initialize: CONFIG is the user's to fix; RETRYABLE (source unreachable) is retried.
        nlohmann::json core_json = cfg.core_json();
        for (const auto& o : resume) {
            nlohmann::json e{{"partition", o.partition}, {"value", o.value}};
            if (o.metadata) e["metadata"] = *o.metadata;
            core_json["offsets"].push_back(std::move(e));
        }
        const std::string core = core_json.dump();
        const std::string section = cfg.plugin_config.dump();
        const bool initialized = until_done(signal, cfg, *state, "plugin initialize", [&]() -> RegistryOutcome {
            const auto r = instance.initialize(section, core);
            if (r.ok()) return {};
            if (r.status == DCX_STATUS_RETRYABLE) return {RegistryOutcome::Kind::retry, r.message};
            if (r.status == DCX_STATUS_CONFIG) return {RegistryOutcome::Kind::fail, r.message};
            throw std::runtime_error("plugin initialize failed: " + r.message);
        });
        if (!initialized) {
            instance.shutdown();
            return 0;
        }

        std::vector<plugin::ProducerSpec> specs;
        if (const auto r = instance.producer_configs(specs); !r.ok()) {
            instance.shutdown();
            throw ConfigError(cfg.file.string(), "plugin producer_configs", r.message);
        }
        if (specs.empty()) {
            instance.shutdown();
            throw ConfigError(cfg.file.string(), "plugin producer_configs", "No producer configurations provided by connector");
        }

        std::vector<pipeline::Route> routes;
        std::vector<pipeline::Publisher::PartitionSpec> partitions;
        std::set<std::string> seen;
        auto add_partitions = [&](const std::string& topic, uint32_t count, bool reliable,
                                  const std::optional<danube::SchemaReference>& ref,
                                  const std::shared_ptr<pipeline::RouteStats>& stats) {
            const std::string name = broker::producer_name(cfg.connector_name, topic);
            if (count == 0) {
                partitions.push_back({{topic, name, reliable, ref}, 0, stats});
                return;
            }
            for (uint32_t i = 0; i < count; ++i) {
                partitions.push_back(
                    {{broker::partition_topic(topic, i), broker::partition_producer_name(name, i), reliable, ref}, 0, stats});
            }
        };
        for (const auto& spec : specs) {
            if (!is_valid_topic(spec.topic)) {
                throw ConfigError(cfg.file.string(), "plugin producer_configs",
                                  "topic '" + spec.topic + "' is not of the form /namespace/name");
            }
            if (!seen.insert(spec.topic).second) {
                throw ConfigError(cfg.file.string(), "plugin producer_configs", "topic " + spec.topic + " is declared twice");
            }
            pipeline::Route route;
            route.topic = spec.topic;
            route.first_partition = static_cast<uint32_t>(partitions.size());
            route.partition_count = std::max<uint32_t>(spec.partitions, 1);
            std::optional<danube::SchemaReference> ref;
            if (const auto* m = cfg.schema_for(spec.topic)) {
                schema::ResolvedSchema resolved;
                if (!until_done(signal, cfg, *state, "schema for " + spec.topic, [&] { return resolver.resolve(*m, resolved); })) {
                    instance.shutdown();
                    return 0;
                }
                route.type = resolved.type;
                if (resolved.type == schema::SchemaType::json_schema) {
                    route.validator = std::make_unique<schema::JsonSchemaValidator>(nlohmann::json::parse(resolved.definition));
                    if (const auto& why = route.validator->why_not_compiled(); !why.empty()) {
                        spdlog::info("topic {}: every record is checked by valijson alone (slower): the schema uses {}, "
                                     "which the compiled checks do not cover", spec.topic, why);
                    }
                }
                route.schema = resolved;
                danube::SchemaReference r;
                r.set_subject(m->subject);
                switch (m->version.kind) {
                    case config::VersionStrategy::Kind::latest: r.set_use_latest(true); break;
                    case config::VersionStrategy::Kind::pinned: r.set_pinned_version(m->version.version); break;
                    case config::VersionStrategy::Kind::minimum: r.set_min_version(m->version.version); break;
                }
                ref = r;
                spdlog::info("topic {}: schema subject {} (id {}, version {}, {})", spec.topic, m->subject,
                             resolved.schema_id, resolved.version, schema::to_string(resolved.type));
            }
            add_partitions(spec.topic, spec.partitions, spec.reliable_dispatch, ref, route.stats);
            routes.push_back(std::move(route));
        }
        std::optional<uint32_t> dlq_partition;
        if (!cfg.dead_letter.topic.empty()) {
            if (seen.count(cfg.dead_letter.topic)) {
                throw ConfigError(cfg.file.string(), "[dead_letter].topic", "is also a destination topic of the plugin");
            }
            dlq_partition = static_cast<uint32_t>(partitions.size());
            add_partitions(cfg.dead_letter.topic, 0, true, std::nullopt, nullptr);
        }

        // Producers, in order; the broker may still be starting: wait for it.
        uint64_t request_id = 0;
        for (auto& p : partitions) {
            const std::string what = "producer " + p.target.name + " on " + p.target.topic;
            if (!until_done(signal, cfg, *state, what, [&]() -> RegistryOutcome {
                    const auto st = broker::create_producer(broker, p.target, request_id, kStartupCallTimeout, p.producer_id);
                    if (st.ok()) return {};
                    if (auto why = broker::permanent_create_error(p.target, st)) return {RegistryOutcome::Kind::fail, *why};
                    return {RegistryOutcome::Kind::retry, st.error_message()};
                })) {
                instance.shutdown();
                return 0;
            }
            spdlog::info("producer {} on {} ready (id {})", p.target.name, p.target.topic, p.producer_id);
        }

        std::vector<std::pair<std::string, std::shared_ptr<pipeline::RouteStats>>> route_stats;
        route_stats.reserve(routes.size());
        for (const auto& r : routes) route_stats.emplace_back(r.topic, r.stats);
        state->set_routes(std::move(route_stats));
        pipeline::Pipeline pipe(cfg, instance, broker, std::move(routes), std::move(partitions), dlq_partition, state->stats,
                                store.get());
        wake_target = &pipe;
        if (state->phase == ConnectorState::Phase::starting) state->phase = ConnectorState::Phase::running;
        if (signal.requested()) pipe.request_stop();
        spdlog::info("connector {} running: {} ordering, window {}, {} -> {}", cfg.connector_name,
                     cfg.delivery.ordering == config::Ordering::strict ? "strict" : "relaxed",
                     cfg.delivery.window_per_producer, loaded->id, cfg.danube_service_url);
        const int code = pipe.run();
        signal.disarm();  // before `pipe` and `instance` go away
        wake_target = nullptr;
        state->phase = ConnectorState::Phase::stopped;
        return code;
    } catch (const offsets::CorruptOffsetStore& e) {
        spdlog::error("{}", e.what());
        return offsets::kCorruptStoreExitCode;
    } catch (const ConfigError& e) {
        spdlog::error("configuration error: {}", e.what());
        return config::kConfigExitCode;
    } catch (const plugin::PluginLoadError& e) {
        spdlog::error("{}: {}", plugin::describe(e.failure()), e.what());
        return plugin::exit_code(e.failure());
    } catch (const std::exception& e) {
        spdlog::error("fatal: {}", e.what());
        return pipeline::kExitFatal;
    }
}

}  // namespace dcx::daemon
