// SPDX-License-Identifier: Apache-2.0
#include "metrics/prometheus_writer.hpp"

#include <cmath>
#include <cstdio>

namespace dcx::metrics {
namespace {

std::string escape_label(const std::string& v) {
    std::string out;
    for (const char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

}  // namespace

void PrometheusWriter::family(const std::string& name, const std::string& help, const char* type) {
    if (!families_.insert(name).second) return;
    out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void PrometheusWriter::sample(const std::string& name, const Labels& labels, double value) {
    out_ += name;
    if (!labels.empty()) {
        out_ += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
            if (i) out_ += ',';
            out_ += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
        }
        out_ += '}';
    }
    out_ += ' ' + number(value) + '\n';
}

void PrometheusWriter::counter(const std::string& name, const std::string& help, const Labels& labels, double value) {
    family(name, help, "counter");
    sample(name, labels, value);
}

void PrometheusWriter::gauge(const std::string& name, const std::string& help, const Labels& labels, double value) {
    family(name, help, "gauge");
    sample(name, labels, value);
}

void PrometheusWriter::histogram(const std::string& name, const std::string& help, const Labels& labels,
                                 const Histogram::Snapshot& s) {
    family(name, help, "histogram");
    for (size_t i = 0; i <= s.bounds.size(); ++i) {
        Labels with_le = labels;
        with_le.emplace_back("le", i < s.bounds.size() ? number(s.bounds[i]) : "+Inf");
        sample(name + "_bucket", with_le, static_cast<double>(s.cumulative[i]));
    }
    sample(name + "_sum", labels, s.sum);
    sample(name + "_count", labels, static_cast<double>(s.count));
}

}  // namespace dcx::metrics
