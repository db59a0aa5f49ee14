// SPDX-License-Identifier: Apache-2.0
// Runs a real danube-connectd process with a TOML configuration written into a temp dir.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace dcx::testing {

class ConnectorProcess {
public:
    /// Writes `toml` to <dir>/<name>.toml and starts danube-connectd with CONNECTOR_CONFIG_PATH
    /// pointing at it (plus `env`), and `args` after the binary.
    ConnectorProcess(const TempDir& dir, const std::string& name, const std::string& toml,
                     std::map<std::string, std::string> env = {}, std::vector<std::string> args = {});

    ChildProcess& process() { return *process_; }
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout) { return process_->wait_for_exit(timeout); }
    /// The daemon's log (stderr).
    std::string log() const { return process_->stderr_text(); }
    std::string output() const { return process_->stdout_text(); }
    const std::filesystem::path& config_path() const { return config_; }

private:
    std::filesystem::path config_;
    std::unique_ptr<ChildProcess> process_;
};

/// Runs `danube-connectd args...` to completion (bounded) and returns {exit code, stdout+stderr}.
std::pair<int, std::string> run_connectd(const TempDir& dir, std::vector<std::string> args,
                                         std::map<std::string, std::string> env = {},
                                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// `seq` attributes of the journal's message lines on topics starting with `topic_prefix`.
std::multiset<uint64_t> seqs_in(const std::vector<nlohmann::json>& journal, const std::string& topic_prefix);

}  // namespace dcx::testing
