// SPDX-License-Identifier: Apache-2.0
// The corpus replay driver shared by every fuzz target (docs/fuzzing.md): without libFuzzer (gcc
// builds), each target's LLVMFuzzerTestOneInput is linked with this main and run by ctest over
// its fuzz/corpus/<target>/ directory, so every seed and every regression input is checked on
// every build.
//
//   <target>_replay [--mutations N] PATH...
//
// PATH is a file or a directory (every regular file in it, in name order). With --mutations N,
// each file is also run N times with small deterministic edits (xorshift, same on every run), a
// cheap fuzz-style sweep for builds without libFuzzer. Each input is a heap copy of exactly its
// size, so sanitizer builds catch reads past its end. When an input crashes, it is written to
// ./replay-crash-<pid> before the process dies, so the failure can be replayed on its own.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

// The input being run, for the crash handler (set before each run; read only by the handler).
const uint8_t* g_current = nullptr;
size_t g_current_size = 0;
char g_crash_path[64];

extern "C" void on_crash(int sig) {
    if (g_current) {
        const int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            size_t done = 0;
            while (done < g_current_size) {
                const ssize_t n = ::write(fd, g_current + done, g_current_size - done);
                if (n <= 0) break;
                done += static_cast<size_t>(n);
            }
            ::close(fd);
            static const char kMsg[] = "replay: the crashing input is in ";
            (void)!::write(2, kMsg, sizeof kMsg - 1);
            (void)!::write(2, g_crash_path, std::strlen(g_crash_path));
            (void)!::write(2, "\n", 1);
        }
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void run(const std::string& input) {
    // An exact-size heap copy: a read past the end is a heap overflow, not a read of slack.
    std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size() ? input.size() : 1]);
    std::memcpy(copy.get(), input.data(), input.size());
    g_current = copy.get();
    g_current_size = input.size();
    LLVMFuzzerTestOneInput(copy.get(), input.size());
    g_current = nullptr;
}

// xorshift64: the same edits on every run, so a failure reproduces.
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

// libFuzzer-like edits: flip a bit, erase, insert a byte or a token, truncate, copy a slice of this
// or another seed, overwrite with an interesting integer byte.
std::string mutate(const std::string& seed, const std::string& other, Rng& rng) {
    static const std::vector<std::string> kTokens = {
        "\n\n", "\n", "{", "}", "[", "]", "\"", ",", ":", "=", ".", "/", "\\", "\\u0000", "${", "}", "+", "#",
        "\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xEF\xBB\xBF", "1e400", "-0", "-1", "0.1",
        "99999999999999999999", "\x00", "\x7f", "\x80", "true", "null", "[[[[", "]]]]"};
    std::string s = seed;
    const int edits = 1 + static_cast<int>(rng.below(4));
    for (int i = 0; i < edits; ++i) {
        switch (rng.below(7)) {
            case 0:
                if (!s.empty()) s[rng.below(s.size())] ^= static_cast<char>(1 << rng.below(8));
                break;
            case 1:
                if (!s.empty()) s.erase(rng.below(s.size()), 1 + rng.below(8));
                break;
            case 2: s.insert(rng.below(s.size() + 1), kTokens[rng.below(kTokens.size())]); break;
            case 3: s.resize(rng.below(s.size() + 1)); break;
            case 4: s.insert(rng.below(s.size() + 1), other.substr(rng.below(other.size() + 1), 1 + rng.below(32))); break;
            case 5:
                if (!s.empty()) s[rng.below(s.size())] = static_cast<char>("\x00\x01\x7f\x80\xff\x10\x40"[rng.below(7)]);
                break;
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

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
        std::exit(2);
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    long mutations = 0;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--mutations" && i + 1 < argc) {
            mutations = std::strtol(argv[++i], nullptr, 10);
            continue;
        }
        if (arg.rfind('-', 0) == 0) continue;  // libFuzzer flags: ignored, so the same command line works
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            std::vector<fs::path> in_dir;
            for (const auto& e : fs::directory_iterator(arg)) {
                if (e.is_regular_file()) in_dir.push_back(e.path());
            }
            std::sort(in_dir.begin(), in_dir.end());
            files.insert(files.end(), in_dir.begin(), in_dir.end());
        } else {
            files.emplace_back(arg);
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: %s [--mutations N] FILE|DIR...  (no input files found)\n", argv[0]);
        return 2;
    }
    std::snprintf(g_crash_path, sizeof g_crash_path, "replay-crash-%ld", static_cast<long>(::getpid()));
    for (const int sig : {SIGSEGV, SIGABRT, SIGILL, SIGFPE, SIGBUS, SIGTRAP}) std::signal(sig, on_crash);

    std::vector<std::string> inputs;
    inputs.reserve(files.size());
    for (const auto& f : files) inputs.push_back(read_file(f));
    for (size_t i = 0; i < files.size(); ++i) {
        std::fprintf(stderr, "replay: %s\n", files[i].c_str());
        run(inputs[i]);
    }
    Rng rng;
    for (size_t i = 0; i < inputs.size() && mutations > 0; ++i) {
        std::fprintf(stderr, "replay: %ld mutations of %s\n", mutations, files[i].filename().c_str());
        for (long m = 0; m < mutations; ++m) run(mutate(inputs[i], inputs[rng.below(inputs.size())], rng));
    }
    std::fprintf(stderr, "replay: %zu inputs and %zu mutations ran\n", inputs.size(),
                 inputs.size() * static_cast<size_t>(std::max(0L, mutations)));
    return 0;
}
