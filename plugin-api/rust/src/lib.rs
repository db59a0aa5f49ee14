// SPDX-License-Identifier: Apache-2.0
//! # danube-connectd-plugin
//!
//! Write a danube-connectd source-connector plugin in Rust the way Danube's source-connector
//! guide (danube-connect-core) describes a connector: implement [`SourceConnector`], return
//! [`SourceRecord`]s with `serde_json::Value` payloads, and export the type with
//! [`export_source_plugin!`]. Build the crate as a `cdylib`; the daemon loads the `.so`.
//!
//! ```no_run
//! use danube_connectd_plugin::{
//!     export_source_plugin, ConnectorConfig, ConnectorResult, Offset, PluginContext, ProducerConfig,
//!     SourceConnector, SourceRecord,
//! };
//! use serde_json::json;
//!
//! #[derive(Default)]
//! struct TickSource {
//!     topic: String,
//!     next: u64,
//!     ctx: Option<PluginContext>,
//! }
//!
//! impl SourceConnector for TickSource {
//!     fn initialize(&mut self, config: ConnectorConfig) -> ConnectorResult<()> {
//!         let section = config.section("tick")?; // the [tick] table of the TOML file
//!         self.topic = section["topic"].as_str().unwrap_or("/default/ticks").to_string();
//!         self.next = config.committed_offset("ticks").map_or(0, |o| o.value + 1); // resume
//!         self.ctx = Some(config.context());
//!         Ok(())
//!     }
//!     fn producer_configs(&self) -> ConnectorResult<Vec<ProducerConfig>> {
//!         Ok(vec![ProducerConfig::new(&self.topic, 4, true)])
//!     }
//!     fn poll(&mut self) -> ConnectorResult<Vec<SourceRecord>> {
//!         let record = SourceRecord::new(&self.topic, json!({"n": self.next}))
//!             .with_key(format!("k{}", self.next % 8))
//!             .with_offset(Offset::new("ticks", self.next));
//!         self.next += 1;
//!         Ok(vec![record])
//!     }
//! }
//!
//! export_source_plugin!(TickSource, "in_tick", "Tick source", "1.0.0", "one record per poll");
//! ```
//!
//! What the crate takes care of:
//! - the C ABI (`plugin-api/include/dcx/plugin_api.h`), in [`ffi`], checked against the header by
//!   `tests/abi_layout.rs`;
//! - a panic barrier on every slot: a panic becomes `DCX_STATUS_FATAL` with the panic message
//!   and location, reported through the host's `set_error`; nothing unwinds into the daemon;
//! - record conversion: strings stay alive while the host copies them during `emit`; records
//!   beyond the poll's `max_records` are kept and handed over first on the next poll;
//! - threads: `request_stop` may come from any thread while `poll` runs; it only sets an atomic
//!   flag, wakes [`PluginContext::wait_for_stop`] through a condvar and runs the hooks registered
//!   with [`PluginContext::on_stop_requested`];
//! - the optional extensions `dcx.config-schema/1` ([`SourceConnector::config_schema`]) and
//!   `dcx.record-outcome/1` ([`SourceConnector::on_record_outcome`]).

pub mod ffi;

mod config;
mod connector;
mod context;
mod error;
mod plugin;
mod record;

pub use config::{ConnectorConfig, ProcessingSettings, SchemaMapping};
pub use connector::{RecordOutcome, SourceConnector};
pub use context::{LogLevel, PluginContext};
pub use error::{ConnectorError, ConnectorResult};
pub use record::{Offset, Payload, ProducerConfig, SourceRecord};

/// Re-exported so plugins can name `serde_json::Value` without their own dependency.
pub use serde_json;

/// Used by [`export_source_plugin!`]; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::plugin::{create, entry, panic_message, StaticDescriptor};
}

/// Exports `Type` (a [`SourceConnector`] + `Default`) as the plugin of this `cdylib`: defines the
/// one C symbol the daemon looks for, `dcx_plugin_entry`. Use it once per crate.
///
/// ```ignore
/// export_source_plugin!(FileTail, "in_file_tail_rs", "File tail source", env!("CARGO_PKG_VERSION"),
///                       "publishes the lines appended to a file");
/// ```
///
/// `id` is what `plugin = "..."` names (the file is `<plugins_dir>/<id>.so`). The texts are
/// string literals (or `env!`/`concat!`), without NUL characters.
#[macro_export]
macro_rules! export_source_plugin {
    ($connector:ty, $id:expr, $name:expr, $version:expr, $description:expr $(,)?) => {
        // Panics must unwind to be caught at the boundary; with panic = "abort" they would take
        // the daemon down without a word.
        #[cfg(panic = "abort")]
        compile_error!("danube-connectd plugins need panic = \"unwind\" (the default) in their Cargo profile");

        /// The plugin entry point (plugin_api.h). The only symbol this library exports.
        ///
        /// # Safety
        /// Called by the daemon right after dlopen, with a writable `error`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn dcx_plugin_entry(
            host_abi_major: u32,
            host_abi_minor: u32,
            error: *mut *const ::std::ffi::c_char,
        ) -> *const $crate::ffi::dcx_plugin_descriptor_t {
            static DESCRIPTOR: $crate::__private::StaticDescriptor = $crate::__private::StaticDescriptor::new(
                ::std::concat!($id, "\0"),
                ::std::concat!($name, "\0"),
                ::std::concat!($version, "\0"),
                ::std::concat!($description, "\0"),
                $crate::__private::create::<$connector>,
            );
            // SAFETY: forwarded from the host, which passes a writable `error`.
            unsafe { $crate::__private::entry(&DESCRIPTOR, host_abi_major, host_abi_minor, error) }
        }
    };
}

/// The README's example compiles (`cargo test` runs it as a doctest).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
