// SPDX-License-Identifier: Apache-2.0
#include "plugin/plugin_error.hpp"

namespace dcx::plugin {

int exit_code(LoadFailure failure) {
    switch (failure) {
        case LoadFailure::not_found: return 80;
        case LoadFailure::not_loadable: return 81;
        case LoadFailure::entry_missing: return 82;
        case LoadFailure::abi_mismatch: return 83;
        case LoadFailure::refused: return 84;
        case LoadFailure::malformed: return 85;
        case LoadFailure::unsafe_permissions: return 86;
    }
    return 85;
}

const char* describe(LoadFailure failure) {
    switch (failure) {
        case LoadFailure::not_found: return "plugin not found";
        case LoadFailure::not_loadable: return "plugin not loadable";
        case LoadFailure::entry_missing: return "plugin entry point missing";
        case LoadFailure::abi_mismatch: return "plugin ABI mismatch";
        case LoadFailure::refused: return "plugin refused to load";
        case LoadFailure::malformed: return "plugin malformed";
        case LoadFailure::unsafe_permissions: return "plugin file permissions unsafe";
    }
    return "plugin error";
}

}  // namespace dcx::plugin
