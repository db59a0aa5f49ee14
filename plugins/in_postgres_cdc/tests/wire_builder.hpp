// SPDX-License-Identifier: Apache-2.0
// Builds protocol messages byte by byte (big-endian) for the decoder tests, so every field of a
// message is visible in the test that uses it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dcx::pgcdc::testing {

class Wire {
public:
    Wire& u8(uint8_t v) {
        s_.push_back(static_cast<char>(v));
        return *this;
    }
    Wire& ch(char c) {
        s_.push_back(c);
        return *this;
    }
    Wire& u16(uint16_t v) { return be(v, 2); }
    Wire& u32(uint32_t v) { return be(v, 4); }
    Wire& u64(uint64_t v) { return be(v, 8); }
    /// A NUL-terminated string.
    Wire& str(std::string_view v) {
        s_.append(v);
        s_.push_back('\0');
        return *this;
    }
    Wire& raw(std::string_view v) {
        s_.append(v);
        return *this;
    }
    /// A TupleData text value: 't', length, bytes.
    Wire& text(std::string_view v) { return ch('t').u32(static_cast<uint32_t>(v.size())).raw(v); }
    const std::string& bytes() const { return s_; }
    operator std::string_view() const { return s_; }

private:
    Wire& be(uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
        return *this;
    }
    std::string s_;
};

// Messages the tests use again and again.
inline std::string begin_msg(uint64_t final_lsn, int64_t commit_us, uint32_t xid) {
    return Wire().ch('B').u64(final_lsn).u64(static_cast<uint64_t>(commit_us)).u32(xid).bytes();
}
inline std::string commit_msg(uint64_t commit_lsn, uint64_t end_lsn, int64_t commit_us) {
    return Wire().ch('C').u8(0).u64(commit_lsn).u64(end_lsn).u64(static_cast<uint64_t>(commit_us)).bytes();
}

}  // namespace dcx::pgcdc::testing
