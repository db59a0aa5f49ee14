// SPDX-License-Identifier: Apache-2.0
// danube-connectd: runs one source connector plugin and publishes its records to Danube.
// Arguments, logging setup and exit codes live here; everything else is in the libraries.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <regex>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "common/lock_order_checks.hpp"
#include "config/config_error.hpp"
#include "config/connector_config.hpp"
#include "daemon/connector_daemon.hpp"
#include "dcx/version.h"

namespace {

using namespace dcx;

// `%*` in a pattern: the message as a JSON string body (quotes, backslashes, controls escaped).
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        const std::string escaped = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        dest.append(escaped.data() + 1, escaped.data() + escaped.size() - 1);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

void setup_logging(const std::string& name, const std::string& config_level, bool json) {
    auto logger = spdlog::stderr_logger_mt(name.empty() ? "danube-connectd" : name);
    if (json) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","connector":"%n","message":"%*"})");
        logger->set_formatter(std::move(formatter));
    } else {
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l [%n] %v", spdlog::pattern_time_type::utc);
    }
    spdlog::set_default_logger(logger);
    // DANUBE_LOG, else RUST_LOG when it is a plain level (users of the Rust runtime set it), else config.
    // Any case; a DANUBE_LOG that is not a level is ignored with a warning (RUST_LOG often holds
    // per-crate directives, which are silently left to the Rust runtime).
    std::string level = config_level;
    std::string ignored;
    for (const std::string var : {"RUST_LOG", "DANUBE_LOG"}) {
        if (const char* v = std::getenv(var.c_str()); v && *v) {
            std::string wanted = v;
            std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (spdlog::level::from_str(wanted) != spdlog::level::off || wanted == "off") level = wanted;
            else if (var == "DANUBE_LOG") ignored = v;
        }
    }
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::flush_on(spdlog::level::warn);
    if (!ignored.empty()) {
        spdlog::warn("DANUBE_LOG={} is not a log level (trace, debug, info, warn, error or off); ignored, logging at {}",
                     nlohmann::json(ignored.substr(0, 40)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     level);
    }
}

// Values of keys that look like credentials are never printed.
nlohmann::json redact(const nlohmann::json& v) {
    static const std::regex secret_key("(password|passwd|secret|token|credential|private|api_?key)", std::regex::icase);
    if (v.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, e] : v.items()) {
            out[k] = (std::regex_search(k, secret_key) && !e.is_object() && !e.is_array()) ? nlohmann::json("<redacted>") : redact(e);
        }
        return out;
    }
    if (v.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : v) out.push_back(redact(e));
        return out;
    }
    return v;
}

}  // namespace

// A function-try-block: whatever escapes (a logger that cannot start, out of memory) is reported
// and exits 1 instead of aborting.
int main(int argc, char** argv) try {
    dcx::turn_off_lock_order_checks();
    // Block signals before any thread exists, so only the signal thread takes them.
    daemon::ShutdownSignal signal;

    CLI::App app{"danube-connectd: runs a source connector plugin and publishes its records to a Danube broker.\n"
                 "The configuration file comes from --config or CONNECTOR_CONFIG_PATH.",
                 "danube-connectd"};
    std::string config_path;
    bool check = false;
    bool print_config = false;
    app.add_option("-c,--config", config_path, "TOML configuration file (default: $CONNECTOR_CONFIG_PATH)");
    app.add_flag("--check", check, "validate the configuration, schema files and plugin section, then exit (0 valid, 78 invalid)");
    app.add_flag("--print-config", print_config, "print the effective configuration as JSON (secrets redacted) and exit");
    app.set_version_flag("--version", std::string("danube-connectd " DCX_VERSION " (plugin ABI ") +
                                          std::to_string(DCX_ABI_VERSION_MAJOR) + "." +
                                          std::to_string(DCX_ABI_VERSION_MINOR) + ", Danube wire contract v0.15.1)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::CallForVersion&) {
        std::cout << app.version() << "\n";
        return 0;
    } catch (const CLI::ParseError& e) {
        std::cerr << "danube-connectd: " << e.what() << "\nRun 'danube-connectd --help' for usage.\n";
        return daemon::kExitUsage;
    }
    if (config_path.empty()) {
        if (const char* p = std::getenv("CONNECTOR_CONFIG_PATH"); p && *p) config_path = p;
    }
    if (config_path.empty()) {
        std::cerr << "danube-connectd: no configuration: pass --config PATH or set CONNECTOR_CONFIG_PATH\n";
        return daemon::kExitUsage;
    }

    config::ConnectorConfig cfg;
    try {
        cfg = config::load_config(config_path, config::process_environment());
    } catch (const config::ConfigError& e) {
        std::cerr << "configuration error: " << e.what() << "\n";
        return config::kConfigExitCode;
    }
    if (print_config) {
        auto doc = cfg.core_json();
        doc.erase("offsets");
        doc["plugin"] = cfg.plugin;
        doc["plugin_config"] = redact(cfg.plugin_config);
        std::cout << doc.dump(2) << "\n";
        return 0;
    }
    if (check) {
        for (const auto& w : cfg.warnings) std::cerr << "warning: " << w << "\n";
        return daemon::check_connector(cfg);
    }
    setup_logging(cfg.connector_name, cfg.processing.log_level, cfg.log.json);
    const int code = daemon::run_connector(std::move(cfg), signal);
    spdlog::default_logger()->flush();
    return code;
} catch (const std::exception& e) {
    std::cerr << "danube-connectd: fatal: " << e.what() << '\n';
    return 1;
} catch (...) {
    std::cerr << "danube-connectd: fatal: unknown exception\n";
    return 1;
}
