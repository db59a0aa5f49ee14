// SPDX-License-Identifier: Apache-2.0
#include "plugin/shared_library.hpp"

#include <dlfcn.h>

#include <utility>

#include "plugin/plugin_error.hpp"

namespace dcx::plugin {

SharedLibrary SharedLibrary::open(const std::filesystem::path& path) {
    dlerror();
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle) {
        const char* why = dlerror();  // copy now: the text is gone after the next dl* call
        throw PluginLoadError(LoadFailure::not_loadable,
                              "cannot load plugin " + path.string() + ": " + (why ? why : "dlopen failed"));
    }
    return SharedLibrary(handle, path);
}

SharedLibrary::SharedLibrary(SharedLibrary&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), path_(std::move(other.path_)) {}

SharedLibrary& SharedLibrary::operator=(SharedLibrary&& other) noexcept {
    if (this != &other) {
        if (handle_) dlclose(handle_);
        handle_ = std::exchange(other.handle_, nullptr);
        path_ = std::move(other.path_);
    }
    return *this;
}

SharedLibrary::~SharedLibrary() {
    if (handle_) dlclose(handle_);  // RTLD_NODELETE keeps the code mapped
}

void* SharedLibrary::symbol(const char* name) const {
    dlerror();
    return dlsym(handle_, name);
}

}  // namespace dcx::plugin
