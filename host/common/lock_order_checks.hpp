// SPDX-License-Identifier: Apache-2.0
// abseil's Mutex, which gRPC takes several times per call, keeps a lock-order graph to detect
// potential deadlocks when the library is built without NDEBUG, as Debian 12's abseil is. The
// bookkeeping (absl::GraphCycles) was ~2.5% of the daemon's CPU under load (perf, docs/performance.md).
// It is a debugging aid: processes that move records turn it off first thing in main(), before
// gRPC starts any thread. The benchmark's bare client and the test broker do the same, so
// ratios compare like with like.
#pragma once

#include <absl/synchronization/mutex.h>

namespace dcx {

inline void turn_off_lock_order_checks() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace dcx
