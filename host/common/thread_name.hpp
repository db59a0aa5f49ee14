// SPDX-License-Identifier: Apache-2.0
// Names the calling thread, so that `top -H`, `ps -L`, perf and gdb tell the daemon's threads
// apart. The main thread keeps the process name: `pidof`, `pkill` and `ps -C` match on it.
#pragma once

#include <pthread.h>

namespace dcx {

/// `name`: at most 15 characters (the kernel's limit); a longer one is left unset.
inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace dcx
