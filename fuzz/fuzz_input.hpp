// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the fuzz targets: reading structure out of the fuzz bytes (like libFuzzer's
// FuzzedDataProvider, which gcc builds do not have), a reference UTF-8 checker written
// independently of the product's, and the way a target reports a broken property.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace dcx::fuzz {

/// A broken property: say where, then crash so libFuzzer (or the replay driver) reports and keeps
/// the input.
[[noreturn]] inline void property_broken(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    std::fprintf(stderr, "fuzz: property broken at %s:%d\n", file, line);
    __builtin_trap();
}
inline void expect(bool property, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    if (!property) property_broken(file, line);
}

/// Structure from the back of the input, data from the front: control bytes and payload bytes
/// then mutate independently. Reads past the end give zeros, so every input is usable.
class FuzzInput {
public:
    FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    template <class T>
    T integral() {
        static_assert(std::is_integral_v<T>);
        using U = std::make_unsigned_t<T>;
        U v = 0;
        for (size_t i = 0; i < sizeof(T) && size_ > 0; ++i) {
            v = static_cast<U>((v << 8) | data_[--size_]);
        }
        T out;
        std::memcpy(&out, &v, sizeof out);
        return out;
    }
    template <class T>
    T in_range(T lo, T hi) {  // inclusive
        const auto span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
        const uint64_t v = integral<uint64_t>();
        return static_cast<T>(static_cast<uint64_t>(lo) + (span == UINT64_MAX ? v : v % (span + 1)));
    }
    bool boolean() { return (integral<uint8_t>() & 1) != 0; }
    /// Up to `n` bytes from the front.
    std::string_view bytes(size_t n) {
        n = n < size_ ? n : size_;
        const std::string_view out(reinterpret_cast<const char*>(data_), n);
        data_ += n;
        size_ -= n;
        return out;
    }
    /// Bytes from the front up to `sep` (which is consumed), or everything left.
    std::string_view until(char sep) {
        const std::string_view all(reinterpret_cast<const char*>(data_), size_);
        const size_t at = all.find(sep);
        const std::string_view out = all.substr(0, at);
        const size_t used = at == std::string_view::npos ? size_ : at + 1;
        data_ += used;
        size_ -= used;
        return out;
    }
    std::string_view rest() { return bytes(size_); }
    size_t remaining() const { return size_; }

private:
    const uint8_t* data_;
    size_t size_;
};

/// Well-formed UTF-8 per the Unicode standard's table of byte ranges (Table 3-7), as a
/// differential reference for dcx::is_valid_utf8: no overlongs, no surrogates, nothing past
/// U+10FFFF, no truncated sequences.
inline bool reference_utf8(std::string_view s) {
    const size_t n = s.size();
    size_t i = 0;
    const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    const auto in = [&](size_t k, uint8_t lo, uint8_t hi) { return i + k < n && byte(i + k) >= lo && byte(i + k) <= hi; };
    while (i < n) {
        const uint8_t b = byte(i);
        if (b <= 0x7F) {
            i += 1;
        } else if (b >= 0xC2 && b <= 0xDF) {
            if (!in(1, 0x80, 0xBF)) return false;
            i += 2;
        } else if (b == 0xE0) {
            if (!in(1, 0xA0, 0xBF) || !in(2, 0x80, 0xBF)) return false;
            i += 3;
        } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
            if (!in(1, 0x80, 0xBF) || !in(2, 0x80, 0xBF)) return false;
            i += 3;
        } else if (b == 0xED) {
            if (!in(1, 0x80, 0x9F) || !in(2, 0x80, 0xBF)) return false;
            i += 3;
        } else if (b == 0xF0) {
            if (!in(1, 0x90, 0xBF) || !in(2, 0x80, 0xBF) || !in(3, 0x80, 0xBF)) return false;
            i += 4;
        } else if (b >= 0xF1 && b <= 0xF3) {
            if (!in(1, 0x80, 0xBF) || !in(2, 0x80, 0xBF) || !in(3, 0x80, 0xBF)) return false;
            i += 4;
        } else if (b == 0xF4) {
            if (!in(1, 0x80, 0x8F) || !in(2, 0x80, 0xBF) || !in(3, 0x80, 0xBF)) return false;
            i += 4;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace dcx::fuzz
