// SPDX-License-Identifier: Apache-2.0
//! `PluginContext`: the host's services for a connector (logging, wakeup, stop requests, the
//! limits of the current poll). Cloneable and usable from any thread.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use crate::ffi;

/// Log levels of the daemon's logger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    fn to_ffi(self) -> ffi::dcx_log_level_t {
        match self {
            LogLevel::Trace => ffi::DCX_LOG_TRACE,
            LogLevel::Debug => ffi::DCX_LOG_DEBUG,
            LogLevel::Info => ffi::DCX_LOG_INFO,
            LogLevel::Warn => ffi::DCX_LOG_WARN,
            LogLevel::Error => ffi::DCX_LOG_ERROR,
        }
    }
}

/// The host table pointer. The ABI makes `log` and `wakeup` callable from any thread while the
/// instance exists; `PluginContext` forgets the pointer when the instance is destroyed.
#[derive(Clone, Copy)]
pub(crate) struct HostPtr(pub(crate) *const ffi::dcx_host_t);
// SAFETY: only the [thread-safe] host functions (log, wakeup) are called through a shared HostPtr,
// and never after destroy() (see PluginContext::detach).
unsafe impl Send for HostPtr {}
unsafe impl Sync for HostPtr {}

type StopHook = Box<dyn Fn() + Send + Sync>;

struct Shared {
    host: RwLock<HostPtr>,
    stop: AtomicBool,
    stop_lock: Mutex<()>,
    stop_cv: Condvar,
    stop_hooks: Mutex<Vec<StopHook>>,
    max_records: AtomicU32,
    poll_timeout_ms: AtomicU32,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The host's services for one connector instance.
///
/// Get it from [`ConnectorConfig::context`](crate::ConnectorConfig::context) in `initialize` and
/// keep a clone. Every method may be called from any thread. After the instance is destroyed the
/// context is detached: logging and wakeups become no-ops, so a thread that outlives the
/// connector cannot reach a host that is gone (join your threads in `shutdown` all the same).
#[derive(Clone)]
pub struct PluginContext {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for PluginContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginContext")
            .field("attached", &self.is_attached())
            .field("stop_requested", &self.stop_requested())
            .finish()
    }
}

impl PluginContext {
    pub(crate) fn new(host: *const ffi::dcx_host_t) -> Self {
        PluginContext {
            shared: Arc::new(Shared {
                host: RwLock::new(HostPtr(host)),
                stop: AtomicBool::new(false),
                stop_lock: Mutex::new(()),
                stop_cv: Condvar::new(),
                stop_hooks: Mutex::new(Vec::new()),
                max_records: AtomicU32::new(0),
                poll_timeout_ms: AtomicU32::new(0),
            }),
        }
    }

    /// A context that belongs to no host: logs go nowhere, nothing wakes up. For unit tests of a
    /// connector outside the daemon (see [`ConnectorConfig::from_json`](crate::ConnectorConfig::from_json)).
    pub fn detached() -> Self {
        Self::new(std::ptr::null())
    }

    /// True while the instance exists in a host.
    pub fn is_attached(&self) -> bool {
        !self.shared.host.read().unwrap_or_else(|p| p.into_inner()).0.is_null()
    }

    pub(crate) fn detach(&self) {
        *self.shared.host.write().unwrap_or_else(|p| p.into_inner()) = HostPtr(std::ptr::null());
    }

    /// Logs through the daemon's logger, tagged with the plugin id. Never log secrets.
    pub fn log(&self, level: LogLevel, message: impl AsRef<str>) {
        let guard = self.shared.host.read().unwrap_or_else(|p| p.into_inner());
        let host = guard.0;
        if host.is_null() {
            return;
        }
        let message = message.as_ref();
        // SAFETY: the host table is valid while attached (the read lock keeps destroy() from
        // detaching meanwhile), and log is [thread-safe]; the message is read during the call.
        unsafe {
            if let Some(log) = (*host).log {
                log(host, level.to_ffi(), ffi::dcx_str_t::from_bytes(message.as_bytes()));
            }
        }
    }

    pub fn trace(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Trace, message)
    }
    pub fn debug(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Debug, message)
    }
    pub fn info(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Info, message)
    }
    pub fn warn(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Warn, message)
    }
    pub fn error(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Error, message)
    }

    /// Tells the host that data is ready so it polls now, not after its poll interval. For
    /// push-style sources (callbacks, servers, reader threads). Cheap.
    pub fn wakeup(&self) {
        let guard = self.shared.host.read().unwrap_or_else(|p| p.into_inner());
        let host = guard.0;
        if host.is_null() {
            return;
        }
        // SAFETY: as in log(); wakeup is [thread-safe].
        unsafe {
            if let Some(wakeup) = (*host).wakeup {
                wakeup(host);
            }
        }
    }

    /// True once the host asked the connector to stop.
    pub fn stop_requested(&self) -> bool {
        self.shared.stop.load(Ordering::Acquire)
    }

    /// Waits up to `timeout`, returning early (with `true`) when a stop is requested. Use it in
    /// place of `std::thread::sleep` in a blocking `poll`.
    pub fn wait_for_stop(&self, timeout: Duration) -> bool {
        let guard = lock(&self.shared.stop_lock);
        let (_guard, _) = self
            .shared
            .stop_cv
            .wait_timeout_while(guard, timeout, |_| !self.shared.stop.load(Ordering::Acquire))
            .unwrap_or_else(|p| p.into_inner());
        self.stop_requested()
    }

    /// Runs `hook` when the host requests a stop (on the host's thread, possibly while `poll`
    /// runs): close a socket or notify a channel there to wake a blocking read. It must not block.
    /// Runs at once when a stop was already requested.
    pub fn on_stop_requested(&self, hook: impl Fn() + Send + Sync + 'static) {
        let mut hooks = lock(&self.shared.stop_hooks);
        if self.stop_requested() {
            drop(hooks);
            hook();
            return;
        }
        hooks.push(Box::new(hook));
    }

    /// The most records the host takes from the current `poll` (more are kept for the next ones).
    pub fn max_records(&self) -> u32 {
        self.shared.max_records.load(Ordering::Relaxed)
    }

    /// How long the current `poll` may wait for data.
    pub fn poll_timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.shared.poll_timeout_ms.load(Ordering::Relaxed)))
    }

    pub(crate) fn set_poll_limits(&self, max_records: u32, timeout_ms: u32) {
        self.shared.max_records.store(max_records, Ordering::Relaxed);
        self.shared.poll_timeout_ms.store(timeout_ms, Ordering::Relaxed);
    }

    /// request_stop(): flag, wake every wait_for_stop, run the hooks. Never blocks for long.
    pub(crate) fn request_stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        drop(lock(&self.shared.stop_lock)); // a waiter is either before its check or inside wait
        self.shared.stop_cv.notify_all();
        let hooks = lock(&self.shared.stop_hooks);
        for hook in hooks.iter() {
            hook();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    #[test]
    fn wait_for_stop_times_out_without_a_request() {
        let ctx = PluginContext::detached();
        let t = Instant::now();
        assert!(!ctx.wait_for_stop(Duration::from_millis(20)));
        assert!(t.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn request_stop_from_another_thread_ends_a_long_wait() {
        let ctx = PluginContext::detached();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        ctx.on_stop_requested(move || {
            c.fetch_add(1, Ordering::SeqCst);
        });
        let other = ctx.clone();
        let stopper = std::thread::spawn(move || {
            // Once the waiter is blocked (bounded spin on the lock is not observable; just stop).
            other.request_stop();
        });
        let t = Instant::now();
        assert!(ctx.wait_for_stop(Duration::from_secs(60)));
        assert!(t.elapsed() < Duration::from_secs(30));
        stopper.join().unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A hook registered after the request runs at once.
        let c = calls.clone();
        ctx.on_stop_requested(move || {
            c.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_detached_context_ignores_logs_and_wakeups() {
        let ctx = PluginContext::detached();
        assert!(!ctx.is_attached());
        ctx.info("nobody hears this");
        ctx.wakeup();
    }
}
