// SPDX-License-Identifier: Apache-2.0
// Runs the fuzz target (fuzz/webhook_request_fuzzer.cpp) over its seed corpus and over a fixed
// set of deterministic mutations of it, so request parsing and signature checks get fuzz-style
// coverage under ctest without clang or libFuzzer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> corpus() {
    std::vector<std::string> out;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(DCX_IN_WEBHOOK_DIR "/fuzz/corpus")) {
        if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        out.push_back(s.str());
    }
    return out;
}

int run(const std::string& input) {
    return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

// xorshift64: the same mutations on every run, so a failure reproduces.
struct Rng {
    uint64_t s = 0x9E3779B97F4A7C15ull;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
};

std::string mutate(const std::string& seed, const std::string& other, Rng& rng) {
    static const std::vector<std::string> kTokens = {
        "\n\n", ",v1=", "t=", "sha256=", "sha512=", "Bearer ", ".", "=", ",", "{", "}", "[", "]", "\"", "\\u0000",
        "\xff", "\xEF\xBB\xBF", "1e400", "-1", "99999999999999999999", "::ffff:", "/", "%", "\r\n"};
    std::string s = seed;
    const int edits = 1 + static_cast<int>(rng.below(4));
    for (int i = 0; i < edits; ++i) {
        switch (rng.below(6)) {
            case 0:
                if (!s.empty()) s[rng.below(s.size())] ^= static_cast<char>(1 << rng.below(8));
                break;
            case 1:
                if (!s.empty()) s.erase(rng.below(s.size()), 1 + rng.below(8));
                break;
            case 2: s.insert(rng.below(s.size() + 1), kTokens[rng.below(kTokens.size())]); break;
            case 3: s.resize(rng.below(s.size() + 1)); break;
            case 4: {
                const size_t at = rng.below(s.size() + 1);
                s.insert(at, other.substr(rng.below(other.size() + 1), 1 + rng.below(32)));
                break;
            }
            default:
                if (!s.empty()) {
                    const size_t from = rng.below(s.size());
                    s.insert(rng.below(s.size() + 1), s.substr(from, 1 + rng.below(16)));
                }
                break;
        }
    }
    return s;
}

}  // namespace

TEST_CASE("the fuzz target survives its seed corpus", "[unit][webhook][fuzz]") {
    const auto seeds = corpus();
    REQUIRE(seeds.size() >= 10);
    for (const auto& s : seeds) CHECK(run(s) == 0);
}

TEST_CASE("the fuzz target survives deterministic mutations of the corpus", "[unit][webhook][fuzz]") {
    const auto seeds = corpus();
    REQUIRE_FALSE(seeds.empty());
    Rng rng;
    size_t runs = 0;
    for (int round = 0; round < 150; ++round) {
        for (size_t i = 0; i < seeds.size(); ++i) {
            run(mutate(seeds[i], seeds[rng.below(seeds.size())], rng));
            ++runs;
        }
    }
    CHECK(runs == 150 * seeds.size());
}
