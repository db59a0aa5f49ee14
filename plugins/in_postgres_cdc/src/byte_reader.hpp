// SPDX-License-Identifier: Apache-2.0
// A bounds-checked reader of big-endian (network order) binary messages. The replication stream
// is untrusted input: every read checks what is left, and a short or malformed message becomes a
// ProtocolError naming the message and the byte offset, never a crash or a huge allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dcx::pgcdc {

/// Replication data that does not follow the protocol (truncated, malformed, unsupported).
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ByteReader {
public:
    /// `what` names the message for errors ("pgoutput Insert"); it must outlive the reader.
    ByteReader(std::string_view data, const char* what) : data_(data), what_(what) {}

    uint8_t u8() {
        need(1, "a byte");
        return static_cast<uint8_t>(data_[pos_++]);
    }
    uint16_t u16() { return static_cast<uint16_t>(be(2, "a 16-bit integer")); }
    uint32_t u32() { return static_cast<uint32_t>(be(4, "a 32-bit integer")); }
    uint64_t u64() { return be(8, "a 64-bit integer"); }
    int64_t i64() { return static_cast<int64_t>(u64()); }

    /// The next `n` bytes (a view into the input).
    std::string_view bytes(uint64_t n) {
        if (n > remaining()) {
            fail("declares " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) + " are left");
        }
        const std::string_view out = data_.substr(pos_, static_cast<size_t>(n));
        pos_ += static_cast<size_t>(n);
        return out;
    }

    /// A NUL-terminated string (the terminator is consumed, not returned).
    std::string cstring() {
        const size_t end = data_.find('\0', pos_);
        if (end == std::string_view::npos) fail("a string has no terminating NUL");
        std::string out(data_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return out;
    }

    size_t remaining() const { return data_.size() - pos_; }
    size_t position() const { return pos_; }

    /// Fails when bytes are left over: a message longer than its fields is malformed too.
    void expect_end() const {
        if (remaining() != 0) fail(std::to_string(remaining()) + " unexpected trailing byte(s)");
    }

    [[noreturn]] void fail(const std::string& why) const {
        throw ProtocolError(std::string(what_) + ": " + why + " (at byte " + std::to_string(pos_) + " of " +
                            std::to_string(data_.size()) + ")");
    }

private:
    void need(size_t n, const char* thing) const {
        if (remaining() < n) {
            fail(std::string("truncated: needs ") + thing + " (" + std::to_string(n) + " bytes), " +
                 std::to_string(remaining()) + " left");
        }
    }
    uint64_t be(size_t n, const char* thing) {
        need(n, thing);
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
        pos_ += n;
        return v;
    }

    std::string_view data_;
    const char* what_;
    size_t pos_ = 0;
};

}  // namespace dcx::pgcdc
