// SPDX-License-Identifier: Apache-2.0
// How steady this machine's CPU speed is, for reading the latency figures: one thread repeats a
// fixed piece of arithmetic for --seconds and counts how much it gets done in each 0.5 ms slice.
// On a shared VM, slices run slower when a neighbour takes the physical core; a run of slow
// slices is a stretch in which every process here, broker and clients alike, does its work
// slower, and what falls due then queues. Prints JSON: the share of slices under 1/2 and 3/4 of
// the typical fast slice (the 95th percentile), and the stretches of slow slices of 5 ms or more.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

int main(int argc, char** argv) {
    CLI::App app{"CPU speed steadiness in 0.5 ms slices"};
    double seconds = 5;
    app.add_option("--seconds", seconds);
    CLI11_PARSE(app, argc, argv);

    using Clock = std::chrono::steady_clock;
    const auto slice = std::chrono::microseconds(500);
    const auto slices = static_cast<size_t>(seconds * 2000);
    std::vector<uint32_t> work;
    work.reserve(slices);
    volatile uint64_t x = 1;
    while (work.size() < slices) {
        const auto start = Clock::now();
        uint32_t units = 0;
        while (Clock::now() - start < slice) {
            uint64_t v = x;
            for (int i = 0; i < 1000; ++i) v = v * 6364136223846793005ULL + 1442695040888963407ULL;
            x = v;
            ++units;
        }
        work.push_back(units);
    }
    std::vector<uint32_t> sorted = work;
    std::sort(sorted.begin(), sorted.end());
    const double fast = sorted[sorted.size() * 95 / 100];
    size_t below_half = 0, below_three_quarters = 0, run = 0;
    std::vector<double> slow_stretches_ms;  // runs of slices under 3/4 speed lasting 5 ms or more
    for (size_t i = 0; i <= work.size(); ++i) {
        const bool slow = i < work.size() && work[i] < 0.75 * fast;
        if (i < work.size()) {
            below_half += work[i] < 0.5 * fast;
            below_three_quarters += slow;
        }
        if (slow) {
            ++run;
        } else {
            if (run >= 10) slow_stretches_ms.push_back(run * 0.5);
            run = 0;
        }
    }
    std::sort(slow_stretches_ms.rbegin(), slow_stretches_ms.rend());
    const double n = static_cast<double>(work.size());
    std::cout << nlohmann::json{{"seconds", seconds},
                                {"slice_us", 500},
                                {"share_below_half_speed", below_half / n},
                                {"share_below_three_quarter_speed", below_three_quarters / n},
                                {"slow_stretches_5ms_or_more_per_s", slow_stretches_ms.size() / seconds},
                                {"longest_slow_stretches_ms", std::vector<double>(slow_stretches_ms.begin(),
                                                                                  slow_stretches_ms.begin() +
                                                                                      std::min<size_t>(5, slow_stretches_ms.size()))}}
                     .dump()
              << "\n";
    return 0;
}
