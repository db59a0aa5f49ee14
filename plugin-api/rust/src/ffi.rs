// SPDX-License-Identifier: Apache-2.0
//! The C ABI of `plugin-api/include/dcx/plugin_api.h` (and `dcx/ext/*.h`), written once by hand.
//!
//! Plugin authors do not need this module: the [`SourceConnector`](crate::SourceConnector) trait
//! and [`export_source_plugin!`](crate::export_source_plugin) hide it. It is public so that tests
//! (and the curious) can check it. `tests/abi_layout.rs` compiles a C file against the header and
//! compares every size and field offset with these declarations; the `const` assertions at the end
//! of this file pin the 64-bit sizes that `tests/plugin-api/abi_layout_test.cpp` asserts on the C side.
#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_void};

/// `DCX_ABI_VERSION_MAJOR` / `DCX_ABI_VERSION_MINOR` this crate was written against (`dcx/version.h`).
pub const DCX_ABI_VERSION_MAJOR: u32 = 1;
pub const DCX_ABI_VERSION_MINOR: u32 = 1;

/// `dcx_abi_is_compatible()`: same major, and the plugin's minor is not newer than the host's.
pub const fn dcx_abi_is_compatible(host_major: u32, host_minor: u32, plugin_major: u32, plugin_minor: u32) -> bool {
    host_major == plugin_major && plugin_minor <= host_minor
}

pub type dcx_status_t = i32;
pub const DCX_STATUS_OK: dcx_status_t = 0;
pub const DCX_STATUS_NO_DATA: dcx_status_t = 1;
pub const DCX_STATUS_RETRYABLE: dcx_status_t = 2;
pub const DCX_STATUS_INVALID_RECORD: dcx_status_t = 3;
pub const DCX_STATUS_CONFIG: dcx_status_t = 4;
pub const DCX_STATUS_FATAL: dcx_status_t = 5;

pub type dcx_log_level_t = i32;
pub const DCX_LOG_TRACE: dcx_log_level_t = 0;
pub const DCX_LOG_DEBUG: dcx_log_level_t = 1;
pub const DCX_LOG_INFO: dcx_log_level_t = 2;
pub const DCX_LOG_WARN: dcx_log_level_t = 3;
pub const DCX_LOG_ERROR: dcx_log_level_t = 4;

pub type dcx_payload_kind_t = i32;
pub const DCX_PAYLOAD_JSON: dcx_payload_kind_t = 0;
pub const DCX_PAYLOAD_STRING: dcx_payload_kind_t = 1;
pub const DCX_PAYLOAD_NUMBER: dcx_payload_kind_t = 2;
pub const DCX_PAYLOAD_BYTES: dcx_payload_kind_t = 3;

pub const DCX_RECORD_HAS_KEY: u32 = 1 << 0;
pub const DCX_RECORD_HAS_OFFSET: u32 = 1 << 1;

/// `DCX_PLUGIN_ENTRY_SYMBOL`.
pub const DCX_PLUGIN_ENTRY_SYMBOL: &str = "dcx_plugin_entry";
/// `DCX_EXT_CONFIG_SCHEMA` (`dcx/ext/config_schema.h`).
pub const DCX_EXT_CONFIG_SCHEMA: &str = "dcx.config-schema/1";
/// `DCX_EXT_RECORD_OUTCOME` (`dcx/ext/record_outcome.h`).
pub const DCX_EXT_RECORD_OUTCOME: &str = "dcx.record-outcome/1";

/// FROZEN. A byte string, not NUL-terminated; `data` may be NULL only when `size` is 0.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct dcx_str_t {
    pub data: *const c_char,
    pub size: u64,
}

impl dcx_str_t {
    pub const EMPTY: dcx_str_t = dcx_str_t {
        data: std::ptr::null(),
        size: 0,
    };

    /// Borrows `bytes`: the result is valid only as long as `bytes` is.
    pub fn from_bytes(bytes: &[u8]) -> dcx_str_t {
        dcx_str_t {
            data: bytes.as_ptr().cast(),
            size: bytes.len() as u64,
        }
    }

    /// The bytes this string points at.
    ///
    /// # Safety
    /// `data` must point at `size` readable bytes (or `size` be 0) for the lifetime `'a`.
    pub unsafe fn as_bytes<'a>(self) -> &'a [u8] {
        if self.data.is_null() || self.size == 0 {
            &[]
        } else {
            // SAFETY: the caller guarantees `size` readable bytes at `data`.
            unsafe { std::slice::from_raw_parts(self.data.cast::<u8>(), self.size as usize) }
        }
    }
}

/// FROZEN. One record attribute.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct dcx_attribute_t {
    pub key: dcx_str_t,
    pub value: dcx_str_t,
}

/// FROZEN. A position in the source.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct dcx_offset_t {
    pub partition: dcx_str_t,
    pub value: u64,
    pub metadata: dcx_str_t,
}

/// One record handed to the host (1.1 layout: `event_time_ms` is the 1.1 addition).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct dcx_record_t {
    pub struct_size: u32,
    pub payload_kind: dcx_payload_kind_t,
    pub topic: dcx_str_t,
    pub payload: dcx_str_t,
    pub attributes: *const dcx_attribute_t,
    pub attribute_count: u32,
    pub flags: u32,
    pub key: dcx_str_t,
    pub offset: dcx_offset_t,
    pub user_token: u64,
    pub event_time_ms: i64,
}

/// Where `poll()` puts its records.
#[repr(C)]
pub struct dcx_record_sink_t {
    pub struct_size: u32,
    pub host_data: *mut c_void,
    pub emit: Option<unsafe extern "C" fn(sink: *const dcx_record_sink_t, record: *const dcx_record_t) -> dcx_status_t>,
}

/// One destination topic.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct dcx_producer_config_t {
    pub struct_size: u32,
    pub partitions: u32,
    pub topic: dcx_str_t,
    pub reliable_dispatch: i32,
}

/// Where `producer_configs()` puts its topics.
#[repr(C)]
pub struct dcx_producer_sink_t {
    pub struct_size: u32,
    pub host_data: *mut c_void,
    pub add: Option<
        unsafe extern "C" fn(sink: *const dcx_producer_sink_t, config: *const dcx_producer_config_t) -> dcx_status_t,
    >,
}

/// The host's services, owned by the host, valid until `destroy()` returns.
#[repr(C)]
pub struct dcx_host_t {
    pub struct_size: u32,
    pub abi_major: u32,
    pub abi_minor: u32,
    pub host_data: *mut c_void,
    pub host_name: *const c_char,
    pub host_version: *const c_char,
    /// [thread-safe]
    pub log: Option<unsafe extern "C" fn(host: *const dcx_host_t, level: dcx_log_level_t, message: dcx_str_t)>,
    /// [plugin-thread], during a slot call
    pub set_error: Option<unsafe extern "C" fn(host: *const dcx_host_t, message: dcx_str_t)>,
    /// [thread-safe]
    pub wakeup: Option<unsafe extern "C" fn(host: *const dcx_host_t)>,
    /// [thread-safe]
    pub get_extension: Option<unsafe extern "C" fn(host: *const dcx_host_t, id: *const c_char) -> *const c_void>,
}

/// One source-connector instance: the slots the host drives.
#[repr(C)]
pub struct dcx_source_t {
    pub struct_size: u32,
    pub plugin_data: *mut c_void,
    pub initialize: Option<
        unsafe extern "C" fn(
            source: *const dcx_source_t,
            connector_config: dcx_str_t,
            core_config: dcx_str_t,
        ) -> dcx_status_t,
    >,
    pub producer_configs:
        Option<unsafe extern "C" fn(source: *const dcx_source_t, sink: *const dcx_producer_sink_t) -> dcx_status_t>,
    pub poll: Option<
        unsafe extern "C" fn(
            source: *const dcx_source_t,
            sink: *const dcx_record_sink_t,
            max_records: u32,
            timeout_ms: u32,
        ) -> dcx_status_t,
    >,
    pub commit: Option<
        unsafe extern "C" fn(source: *const dcx_source_t, offsets: *const dcx_offset_t, count: u32) -> dcx_status_t,
    >,
    pub health_check: Option<unsafe extern "C" fn(source: *const dcx_source_t) -> dcx_status_t>,
    /// [thread-safe]
    pub request_stop: Option<unsafe extern "C" fn(source: *const dcx_source_t)>,
    pub shutdown: Option<unsafe extern "C" fn(source: *const dcx_source_t) -> dcx_status_t>,
    pub destroy: Option<unsafe extern "C" fn(source: *const dcx_source_t)>,
    pub get_extension: Option<unsafe extern "C" fn(source: *const dcx_source_t, id: *const c_char) -> *const c_void>,
}

/// What `dcx_plugin_entry()` returns; static for the life of the process.
#[repr(C)]
pub struct dcx_plugin_descriptor_t {
    pub struct_size: u32,
    pub abi_major: u32,
    pub abi_minor: u32,
    pub id: *const c_char,
    pub name: *const c_char,
    pub version: *const c_char,
    pub description: *const c_char,
    pub create: Option<unsafe extern "C" fn(host: *const dcx_host_t) -> *const dcx_source_t>,
}

/// `dcx_plugin_entry_fn`.
pub type dcx_plugin_entry_fn = unsafe extern "C" fn(
    host_abi_major: u32,
    host_abi_minor: u32,
    error: *mut *const c_char,
) -> *const dcx_plugin_descriptor_t;

/// Extension `dcx.config-schema/1`.
#[repr(C)]
pub struct dcx_ext_config_schema_t {
    pub struct_size: u32,
    pub schema: Option<unsafe extern "C" fn(source: *const dcx_source_t) -> dcx_str_t>,
}

/// Extension `dcx.record-outcome/1`.
#[repr(C)]
pub struct dcx_ext_record_outcome_t {
    pub struct_size: u32,
    pub on_outcome: Option<
        unsafe extern "C" fn(source: *const dcx_source_t, user_token: u64, status: dcx_status_t, reason: dcx_str_t),
    >,
}

// The 64-bit layouts the C side asserts (tests/plugin-api/abi_layout_test.cpp). A mismatch does
// not compile; tests/abi_layout.rs checks every field offset against the header itself.
#[cfg(target_pointer_width = "64")]
const _: () = {
    use std::mem::size_of;
    assert!(size_of::<dcx_str_t>() == 16);
    assert!(size_of::<dcx_attribute_t>() == 32);
    assert!(size_of::<dcx_offset_t>() == 40);
    assert!(size_of::<dcx_record_t>() == 128);
    assert!(size_of::<dcx_producer_config_t>() == 32);
    assert!(size_of::<dcx_source_t>() == 88);
    assert!(size_of::<dcx_plugin_descriptor_t>() == 56);
};
