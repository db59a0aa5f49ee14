// SPDX-License-Identifier: Apache-2.0
// A configuration problem, naming the file, the line when known, the key path and what is wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace dcx::config {

/// Exit code for configuration errors (EX_CONFIG, as `vector validate`).
inline constexpr int kConfigExitCode = 78;

class ConfigError : public std::runtime_error {
public:
    ConfigError(const std::string& file, const std::string& key, const std::string& message, unsigned line = 0)
        : std::runtime_error(file + (line ? ":" + std::to_string(line) : std::string()) +
                             (key.empty() ? "" : ": " + key) + ": " + message) {}
};

}  // namespace dcx::config
