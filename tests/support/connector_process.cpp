// SPDX-License-Identifier: Apache-2.0
#include "connector_process.hpp"

#include <stdexcept>

namespace dcx::testing {

ConnectorProcess::ConnectorProcess(const TempDir& dir, const std::string& name, const std::string& toml,
                                   std::map<std::string, std::string> env, std::vector<std::string> args)
    : config_(dir / (name + ".toml")) {
    write_file(config_, toml);
    env["CONNECTOR_CONFIG_PATH"] = config_.string();
    std::vector<std::string> argv{DCX_CONNECTD_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv, dir / name, env);
}

std::pair<int, std::string> run_connectd(const TempDir& dir, std::vector<std::string> args,
                                         std::map<std::string, std::string> env, std::chrono::milliseconds timeout) {
    static int n = 0;
    std::vector<std::string> argv{DCX_CONNECTD_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess p(argv, dir / ("connectd-run-" + std::to_string(n++)), env);
    const auto code = p.wait_for_exit(timeout);
    if (!code) throw std::runtime_error("danube-connectd did not exit in time");
    return {*code, p.stdout_text() + p.stderr_text()};
}

std::multiset<uint64_t> seqs_in(const std::vector<nlohmann::json>& journal, const std::string& topic_prefix) {
    std::multiset<uint64_t> out;
    for (const auto& line : journal) {
        const std::string topic = line.at("topic");
        if (topic.rfind(topic_prefix, 0) != 0) continue;
        const auto& attrs = line.at("attributes");
        if (attrs.contains("seq")) out.insert(std::stoull(attrs["seq"].get<std::string>()));
    }
    return out;
}

}  // namespace dcx::testing
