// SPDX-License-Identifier: Apache-2.0
// Startup order and the run: load the plugin, check its configuration, register schemas, initialize
// the plugin, create producers (waiting for the broker as long as it takes), then run the pipeline.
#pragma once

#include <filesystem>

#include "config/connector_config.hpp"
#include "daemon/shutdown_signal.hpp"

namespace dcx::daemon {

/// Exit codes (docs/operations.md). Plugin loading uses 80-86 (plugin/plugin_error.hpp).
inline constexpr int kExitUsage = 2;

/// Runs the connector until a signal or a fatal error; returns the process exit code.
int run_connector(config::ConnectorConfig config, ShutdownSignal& signal);

/// `--check`: configuration, schema files, the plugin's loadability and its own section (through
/// its dcx.config-schema/1), without connecting anywhere. Returns the exit code.
int check_connector(const config::ConnectorConfig& config);

/// The plugins directory used when the config does not set one: <exe>/../plugins (build tree),
/// else <exe>/../lib/danube-connectd/plugins (an installed prefix), else
/// /usr/lib/danube-connectd/plugins.
std::filesystem::path default_plugins_dir();

}  // namespace dcx::daemon
