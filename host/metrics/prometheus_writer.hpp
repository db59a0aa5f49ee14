// SPDX-License-Identifier: Apache-2.0
// Prometheus text exposition format 0.0.4, written by hand (no C++ client is packaged in Debian
// 12). HELP and TYPE are written once per metric family, before its first sample.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "metrics/histogram.hpp"

namespace dcx::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class PrometheusWriter {
public:
    void counter(const std::string& name, const std::string& help, const Labels& labels, double value);
    void gauge(const std::string& name, const std::string& help, const Labels& labels, double value);
    void histogram(const std::string& name, const std::string& help, const Labels& labels,
                   const Histogram::Snapshot& snapshot);
    const std::string& text() const { return out_; }

    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

private:
    void family(const std::string& name, const std::string& help, const char* type);
    void sample(const std::string& name, const Labels& labels, double value);

    std::string out_;
    std::set<std::string> families_;
};

}  // namespace dcx::metrics
