// SPDX-License-Identifier: Apache-2.0
#include "fault_matrix_support.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "child_process.hpp"
#include "pipeline_test_support.hpp"
#include "temp_dir.hpp"

namespace dcx::testing {

int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

JournalTally::JournalTally(std::filesystem::path journal, std::string topic_prefix)
    : path_(std::move(journal)), prefix_(std::move(topic_prefix)) {}

void JournalTally::update() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return;  // not created yet
    in.seekg(static_cast<std::streamoff>(read_offset_));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The broker may be writing the last line right now: only complete lines count.
    const size_t end = chunk.rfind('\n');
    if (end == std::string::npos) return;
    read_offset_ += end + 1;
    size_t at = 0;
    while (at < end) {
        const size_t eol = chunk.find('\n', at);
        const auto line = nlohmann::json::parse(chunk.begin() + static_cast<std::ptrdiff_t>(at),
                                                chunk.begin() + static_cast<std::ptrdiff_t>(eol), nullptr, false);
        at = eol + 1;
        if (line.is_discarded()) throw std::runtime_error("not a JSON line in " + path_.string());
        if (line.value("kind", "") != "message") continue;
        if (line.at("topic").get<std::string>().rfind(prefix_, 0) != 0) continue;
        const auto& attrs = line.at("attributes");
        if (!attrs.contains("seq")) continue;
        const uint64_t seq = std::stoull(attrs["seq"].get<std::string>());
        arrivals_.push_back({seq, line.at("received_at_ms").get<int64_t>()});
        ++counts_[seq];
    }
}

bool JournalTally::wait_for_distinct(uint64_t n, std::chrono::milliseconds timeout) {
    return wait_until(
        [&] {
            update();
            return distinct() >= n;
        },
        timeout);
}

bool JournalTally::wait_for_arrival(size_t index, std::chrono::milliseconds timeout) {
    return wait_until(
        [&] {
            update();
            return arrivals_.size() > index;
        },
        timeout);
}

std::optional<int64_t> JournalTally::ms_until_arrival(size_t index, int64_t since_unix_ms,
                                                      std::chrono::milliseconds timeout) {
    if (!wait_for_arrival(index, timeout)) return std::nullopt;
    return std::max<int64_t>(0, arrivals_[index].received_at_ms - since_unix_ms);
}

bool JournalTally::wait_until_quiet(std::chrono::milliseconds quiet, std::chrono::milliseconds timeout) {
    update();
    size_t seen = arrivals_.size();
    auto last_change = std::chrono::steady_clock::now();
    return wait_until(
        [&] {
            update();
            const auto now = std::chrono::steady_clock::now();
            if (arrivals_.size() == seen) return now - last_change >= quiet;
            seen = arrivals_.size();
            last_change = now;
            return false;
        },
        timeout);
}

uint64_t JournalTally::lost(uint64_t n) const {
    uint64_t missing = 0;
    for (uint64_t seq = 0; seq < n; ++seq) missing += counts_.count(seq) ? 0 : 1;
    return missing;
}

uint64_t Setup::in_flight_window() const {
    const uint64_t per_partition = relaxed ? window : 1;
    return std::min<uint64_t>(uint64_t{std::max<uint32_t>(partitions, 1)} * per_partition, max_inflight_records);
}

std::string Setup::toml(const TestBroker& broker) const {
    const std::string delivery = "\n[delivery]\nordering = \"" + std::string(relaxed ? "relaxed" : "strict") +
                                 "\"\nwindow_per_producer = " + std::to_string(window) +
                                 "\nmax_inflight_records = " + std::to_string(max_inflight_records) +
                                 "\ncommit_interval_ms = " + std::to_string(commit_interval_ms) +
                                 "\nsend_timeout_ms = " + std::to_string(send_timeout_ms) +
                                 "\nshutdown_timeout_ms = " + std::to_string(shutdown_timeout_ms) + "\n";
    return datagen_config(broker,
                          "topic = \"" + topic + "\"\npartitions = " + std::to_string(partitions) + "\n" + datagen,
                          delivery, root);
}

std::filesystem::path report_path() {
    if (const char* p = std::getenv("DCX_FAULT_REPORT"); p && *p) return p;
    return DCX_FAULT_REPORT_DEFAULT;
}

void add_to_report(const MatrixRow& row) {
    nlohmann::json j{{"scenario", row.scenario},
                     {"order", row.order},
                     {"records", row.records},
                     {"lost", row.lost},
                     {"duplicates", row.duplicates},
                     {"bound", row.bound},
                     {"recover_ms", row.recover_ms ? nlohmann::json(*row.recover_ms) : nlohmann::json(nullptr)},
                     {"recover_what", row.recover_what},
                     {"exit_code", row.exit_code},
                     {"detail", row.detail},
                     {"at_unix_ms", unix_ms()}};
    const auto path = report_path();
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open the fault report " + path.string());
    ::flock(fd, LOCK_EX);  // released by close()
    std::string text;
    char buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
    auto rows = nlohmann::json::parse(text, nullptr, false);
    if (!rows.is_array()) rows = nlohmann::json::array();  // new, or not ours: start over
    auto same = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.value("scenario", "") == row.scenario; });
    if (same != rows.end()) *same = j;
    else rows.push_back(j);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.value("order", 0) < b.value("order", 0); });
    const std::string out = rows.dump(2) + "\n";
    const bool written = ::ftruncate(fd, 0) == 0 && ::pwrite(fd, out.data(), out.size(), 0) == static_cast<ssize_t>(out.size());
    ::close(fd);
    if (!written) throw std::runtime_error("cannot write the fault report " + path.string());
}

void inject(TestBroker& broker, const danube_test::FaultRequest& fault) {
    danube_test::ControlReply reply;
    const auto st = invoke(&danube_test::BrokerControl::Stub::InjectFault, broker.control(), fault, &reply);
    INFO(st.error_message());
    REQUIRE(st.ok());
}

void clear_faults(TestBroker& broker) {
    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::ClearFaults, broker.control(), danube_test::Empty{}, &reply).ok());
}

std::optional<uint64_t> stored_offset(const std::filesystem::path& store, const std::string& partition) {
    const auto doc = nlohmann::json::parse(read_file(store), nullptr, false);
    if (!doc.is_object() || !doc.contains("body")) return std::nullopt;
    for (const auto& o : doc["body"].value("offsets", nlohmann::json::array())) {
        if (o.value("partition", "") == partition) return o.at("value").get<uint64_t>();
    }
    return std::nullopt;
}

size_t count_of(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
}

}  // namespace dcx::testing
