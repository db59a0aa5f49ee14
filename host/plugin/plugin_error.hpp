// SPDX-License-Identifier: Apache-2.0
// Why a plugin could not be loaded or started; each kind has its own exit code (docs/exit-codes.md).
#pragma once

#include <stdexcept>
#include <string>

namespace dcx::plugin {

enum class LoadFailure {
    not_found,           // 80: no file at the configured path / in the plugins directory
    not_loadable,        // 81: not a shared object, or dlopen failed (missing library, wrong arch)
    entry_missing,       // 82: no dcx_plugin_entry symbol
    abi_mismatch,        // 83: built for another plugin ABI major, or a newer minor than the host's
    refused,             // 84: dcx_plugin_entry or create() returned NULL
    malformed,           // 85: struct_size too small, NULL required slot, missing descriptor field
    unsafe_permissions,  // 86: the file or its directory is writable by others
};

int exit_code(LoadFailure failure);
const char* describe(LoadFailure failure);

class PluginLoadError : public std::runtime_error {
public:
    PluginLoadError(LoadFailure failure, const std::string& message)
        : std::runtime_error(message), failure_(failure) {}
    LoadFailure failure() const noexcept { return failure_; }

private:
    LoadFailure failure_;
};

}  // namespace dcx::plugin
