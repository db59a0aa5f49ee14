// SPDX-License-Identifier: Apache-2.0
// The durable record of committed source offsets: one small JSON file per connector under
// data_dir, replaced atomically (write, fsync, rename, fsync dir) and sealed with a SHA-256 so a
// torn or edited file is detected and reported at startup, never silently reset.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugin/owned_record.hpp"

namespace dcx::offsets {

/// Exit code when the store cannot be trusted (EX_DATAERR).
inline constexpr int kCorruptStoreExitCode = 65;

class CorruptOffsetStore : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class OffsetStore {
public:
    /// `<data_dir>/offsets/<connector_name>.json`; creates the directory.
    OffsetStore(const std::filesystem::path& data_dir, const std::string& connector_name);

    /// The stored offsets (empty when there is no file yet). Throws CorruptOffsetStore naming the
    /// file and what is wrong, and what to do about it.
    std::vector<plugin::SourceOffset> load() const;
    /// Replaces the stored offsets: partitions not in `offsets` keep their stored value.
    void save(const std::vector<plugin::SourceOffset>& offsets);

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    std::string connector_;
    std::vector<plugin::SourceOffset> current_;
    bool loaded_ = false;
};

}  // namespace dcx::offsets
