// SPDX-License-Identifier: Apache-2.0
//! The adapter between a `SourceConnector` and the C ABI: the descriptor, the slot table of each
//! instance, record conversion, and the panic barrier around every slot. Every `unsafe` of the
//! crate is here (and in the two host calls of `PluginContext`).
//!
//! Threads: all slots but `request_stop` run on the host's plugin thread, never concurrently
//! (plugin_api.h), so they may take `&mut` of the connector state. `request_stop` runs on any
//! thread at any time, so the state sits in an `UnsafeCell` and `request_stop` touches only the
//! `PluginContext` (atomics, a mutex and a condvar), never the state.

use std::any::Any;
use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::VecDeque;
use std::ffi::{c_char, c_void, CStr};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use serde_json::Value;

use crate::ffi::{self, dcx_host_t, dcx_source_t, dcx_status_t, dcx_str_t};
use crate::record::Payload;
use crate::{
    ConnectorConfig, ConnectorError, ConnectorResult, Offset, PluginContext, RecordOutcome, SourceConnector,
    SourceRecord,
};

// ---------------------------------------------------------------------------------------------
// Panic barrier

thread_local! {
    /// > 0 while a slot runs on this thread: its panics are reported through set_error.
    static IN_SLOT: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic inside a slot happened.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Inside a slot, a panic is reported to the host with its location instead of being printed on
/// the daemon's stderr (which may be a JSON log); panics elsewhere (threads of the connector)
/// go to the previous hook as usual. The hook belongs to this plugin's own copy of std.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_SLOT.with(Cell::get) > 0 {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                PANIC_LOCATION.with(|p| *p.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// The panic payload as text: `panic!("...")` gives a `&str` or a `String`.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(e) = payload.downcast_ref::<ConnectorError>() {
        e.message()
    } else {
        "a panic with a payload that is not text".to_string()
    }
}

/// Runs `f`, catching any panic: Err carries "connector panicked in <what>: <message> (at <file:line>)".
fn catch<R>(what: &str, f: impl FnOnce() -> R) -> Result<R, String> {
    IN_SLOT.with(|c| c.set(c.get() + 1));
    PANIC_LOCATION.with(|p| p.borrow_mut().take());
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_SLOT.with(|c| c.set(c.get() - 1));
    result.map_err(|payload| {
        let message = panic_message(payload.as_ref());
        // Dropping the payload may itself panic (a payload with a panicking Drop): contain that too.
        let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
        match PANIC_LOCATION.with(|p| p.borrow_mut().take()) {
            Some(at) => format!("connector panicked in {what}: {message} (at {at})"),
            None => format!("connector panicked in {what}: {message}"),
        }
    })
}

fn set_error(host: *const dcx_host_t, message: &str) {
    if host.is_null() {
        return;
    }
    // SAFETY: the host table is valid until destroy() returns; set_error is called on the plugin
    // thread during a slot call, as the ABI requires; the message is read during the call.
    unsafe {
        if let Some(f) = (*host).set_error {
            f(host, dcx_str_t::from_bytes(message.as_bytes()));
        }
    }
}

fn host_log(host: *const dcx_host_t, level: ffi::dcx_log_level_t, message: &str) {
    if host.is_null() {
        return;
    }
    // SAFETY: as in set_error; log is [thread-safe].
    unsafe {
        if let Some(f) = (*host).log {
            f(host, level, dcx_str_t::from_bytes(message.as_bytes()));
        }
    }
}

/// A slot body: errors become their status (message through set_error), panics FATAL.
fn guarded(host: *const dcx_host_t, what: &str, f: impl FnOnce() -> ConnectorResult<dcx_status_t>) -> dcx_status_t {
    match catch(what, f) {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            let status = e.status();
            let message = e.message();
            // Formatting the message cannot panic, but the error's Drop might (Io errors are boxed).
            let _ = catch(what, move || drop(e));
            set_error(host, &message);
            status
        }
        Err(panic_text) => {
            set_error(host, &panic_text);
            ffi::DCX_STATUS_FATAL
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Instance

struct State<T> {
    connector: T,
    pending: VecDeque<SourceRecord>,
    schema_text: Option<String>,
}

/// One instance: the slot table the host holds a pointer to, and the connector.
struct Instance<T> {
    table: dcx_source_t,
    host: *const dcx_host_t,
    context: PluginContext,
    config_schema_ext: ffi::dcx_ext_config_schema_t,
    record_outcome_ext: ffi::dcx_ext_record_outcome_t,
    state: UnsafeCell<State<T>>,
}

/// # Safety
/// `source` must be a table returned by `create::<T>` and not yet destroyed.
unsafe fn instance<'a, T>(source: *const dcx_source_t) -> &'a Instance<T> {
    // SAFETY: plugin_data was set to the boxed Instance<T> in create().
    unsafe { &*((*source).plugin_data as *const Instance<T>) }
}

impl<T: SourceConnector> Instance<T> {
    /// # Safety
    /// Only from [plugin-thread] slots, which the host never runs concurrently.
    #[allow(clippy::mut_from_ref)]
    unsafe fn state(&self) -> &mut State<T> {
        // SAFETY: see the module comment: one plugin-thread slot at a time, and request_stop
        // never touches the state.
        unsafe { &mut *self.state.get() }
    }
}

fn copy_str(s: dcx_str_t) -> String {
    // SAFETY: the host passes valid strings, read only during the call (we copy them here).
    String::from_utf8_lossy(unsafe { s.as_bytes() }).into_owned()
}

unsafe extern "C" fn slot_initialize<T: SourceConnector>(
    source: *const dcx_source_t,
    connector_config: dcx_str_t,
    core_config: dcx_str_t,
) -> dcx_status_t {
    // SAFETY: the host passes the table create() returned.
    let inst = unsafe { instance::<T>(source) };
    guarded(inst.host, "initialize", || {
        let parse = |text: dcx_str_t, what: &str| -> ConnectorResult<Value> {
            // SAFETY: read only during the call.
            serde_json::from_slice(unsafe { text.as_bytes() })
                .map_err(|e| ConnectorError::config(format!("{what} is not valid JSON: {e}")))
        };
        let settings = parse(connector_config, "connector configuration")?;
        let core = parse(core_config, "core configuration")?;
        let config = ConnectorConfig::from_host(settings, core, inst.context.clone())?;
        // SAFETY: [plugin-thread] slot.
        unsafe { inst.state() }.connector.initialize(config)?;
        Ok(ffi::DCX_STATUS_OK)
    })
}

unsafe extern "C" fn slot_producer_configs<T: SourceConnector>(
    source: *const dcx_source_t,
    sink: *const ffi::dcx_producer_sink_t,
) -> dcx_status_t {
    // SAFETY: the host passes the table create() returned.
    let inst = unsafe { instance::<T>(source) };
    guarded(inst.host, "producer_configs", || {
        // SAFETY: the host passes a valid sink for the duration of the call.
        let add = unsafe { sink.as_ref() }
            .and_then(|s| s.add)
            .ok_or_else(|| ConnectorError::fatal("the host passed no producer sink"))?;
        // SAFETY: [plugin-thread] slot.
        for pc in unsafe { inst.state() }.connector.producer_configs()? {
            let partitions = u32::try_from(pc.partitions).map_err(|_| {
                ConnectorError::config(format!("topic {}: {} partitions is too many", pc.topic, pc.partitions))
            })?;
            let config = ffi::dcx_producer_config_t {
                struct_size: std::mem::size_of::<ffi::dcx_producer_config_t>() as u32,
                partitions,
                topic: dcx_str_t::from_bytes(pc.topic.as_bytes()),
                reliable_dispatch: i32::from(pc.reliable_dispatch),
            };
            // SAFETY: `config` and the topic it borrows outlive the call; the host copies them.
            let status = unsafe { add(sink, &config) };
            if status != ffi::DCX_STATUS_OK {
                return Ok(status);
            }
        }
        Ok(ffi::DCX_STATUS_OK)
    })
}

/// Hands `record` to the host. Everything the C record points at lives in `record`, `payload`
/// and `attributes` until `emit` returns (the host copies what it keeps).
fn emit_record(
    sink: *const ffi::dcx_record_sink_t,
    emit: unsafe extern "C" fn(*const ffi::dcx_record_sink_t, *const ffi::dcx_record_t) -> dcx_status_t,
    record: &SourceRecord,
    attributes: &mut Vec<ffi::dcx_attribute_t>,
) -> dcx_status_t {
    let text;
    let (kind, payload): (ffi::dcx_payload_kind_t, &[u8]) = match &record.payload {
        Payload::Json(v) => {
            text = v.to_string();
            (ffi::DCX_PAYLOAD_JSON, text.as_bytes())
        }
        Payload::String(s) => (ffi::DCX_PAYLOAD_STRING, s.as_bytes()),
        Payload::Number(n) => {
            text = n.to_string();
            (ffi::DCX_PAYLOAD_NUMBER, text.as_bytes())
        }
        Payload::Bytes(b) => (ffi::DCX_PAYLOAD_BYTES, b.as_slice()),
    };
    let mut sorted: Vec<(&String, &String)> = record.attributes.iter().collect();
    sorted.sort();
    attributes.clear();
    attributes.extend(sorted.into_iter().map(|(k, v)| ffi::dcx_attribute_t {
        key: dcx_str_t::from_bytes(k.as_bytes()),
        value: dcx_str_t::from_bytes(v.as_bytes()),
    }));
    let mut flags = 0;
    let key = match &record.key {
        Some(k) => {
            flags |= ffi::DCX_RECORD_HAS_KEY;
            dcx_str_t::from_bytes(k.as_bytes())
        }
        None => dcx_str_t::EMPTY,
    };
    let offset = match &record.offset {
        Some(o) => {
            flags |= ffi::DCX_RECORD_HAS_OFFSET;
            ffi::dcx_offset_t {
                partition: dcx_str_t::from_bytes(o.partition.as_bytes()),
                value: o.value,
                metadata: o
                    .metadata
                    .as_deref()
                    .map_or(dcx_str_t::EMPTY, |m| dcx_str_t::from_bytes(m.as_bytes())),
            }
        }
        None => ffi::dcx_offset_t {
            partition: dcx_str_t::EMPTY,
            value: 0,
            metadata: dcx_str_t::EMPTY,
        },
    };
    let rec = ffi::dcx_record_t {
        struct_size: std::mem::size_of::<ffi::dcx_record_t>() as u32,
        payload_kind: kind,
        topic: dcx_str_t::from_bytes(record.topic.as_bytes()),
        payload: dcx_str_t::from_bytes(payload),
        attributes: if attributes.is_empty() {
            std::ptr::null()
        } else {
            attributes.as_ptr()
        },
        attribute_count: attributes.len() as u32,
        flags,
        key,
        offset,
        user_token: record.token,
        event_time_ms: record.event_time_ms,
    };
    // SAFETY: `rec` and everything it points at stay alive and unchanged during the call.
    unsafe { emit(sink, &rec) }
}

impl<T: SourceConnector> Instance<T> {
    /// Emits pending records until the sink is full; false when it filled up.
    fn drain_pending(
        &self,
        state: &mut State<T>,
        sink: *const ffi::dcx_record_sink_t,
        emit: unsafe extern "C" fn(*const ffi::dcx_record_sink_t, *const ffi::dcx_record_t) -> dcx_status_t,
        emitted: &mut usize,
    ) -> bool {
        let mut attributes = Vec::new();
        while let Some(record) = state.pending.front() {
            match emit_record(sink, emit, record, &mut attributes) {
                ffi::DCX_STATUS_RETRYABLE => return false, // this poll's batch is full: keep it
                ffi::DCX_STATUS_OK => *emitted += 1,
                status => self.context.error(format!(
                    "record for topic {} was refused by the host (status {status}, malformed)",
                    record.topic
                )),
            }
            state.pending.pop_front();
        }
        true
    }
}

unsafe extern "C" fn slot_poll<T: SourceConnector>(
    source: *const dcx_source_t,
    sink: *const ffi::dcx_record_sink_t,
    max_records: u32,
    timeout_ms: u32,
) -> dcx_status_t {
    // SAFETY: the host passes the table create() returned.
    let inst = unsafe { instance::<T>(source) };
    guarded(inst.host, "poll", || {
        // SAFETY: the host passes a valid sink for the duration of the call.
        let emit = unsafe { sink.as_ref() }
            .and_then(|s| s.emit)
            .ok_or_else(|| ConnectorError::fatal("the host passed no record sink"))?;
        // SAFETY: [plugin-thread] slot.
        let state = unsafe { inst.state() };
        let mut emitted = 0;
        if !inst.drain_pending(state, sink, emit, &mut emitted) {
            return Ok(ffi::DCX_STATUS_OK);
        }
        inst.context.set_poll_limits(max_records, timeout_ms);
        let records = state.connector.poll()?;
        state.pending.extend(records);
        inst.drain_pending(state, sink, emit, &mut emitted);
        Ok(if emitted > 0 {
            ffi::DCX_STATUS_OK
        } else {
            ffi::DCX_STATUS_NO_DATA
        })
    })
}

unsafe extern "C" fn slot_commit<T: SourceConnector>(
    source: *const dcx_source_t,
    offsets: *const ffi::dcx_offset_t,
    count: u32,
) -> dcx_status_t {
    // SAFETY: the host passes the table create() returned.
    let inst = unsafe { instance::<T>(source) };
    guarded(inst.host, "commit", || {
        let raw: &[ffi::dcx_offset_t] = if offsets.is_null() || count == 0 {
            &[]
        } else {
            // SAFETY: the host passes `count` offsets, read only during the call.
            unsafe { std::slice::from_raw_parts(offsets, count as usize) }
        };
        let list = raw
            .iter()
            .map(|o| Offset {
                partition: copy_str(o.partition),
                value: o.value,
                metadata: if o.metadata.size == 0 {
                    None
                } else {
                    Some(copy_str(o.metadata))
                },
            })
            .collect();
        // SAFETY: [plugin-thread] slot.
        unsafe { inst.state() }.connector.commit(list)?;
        Ok(ffi::DCX_STATUS_OK)
    })
}

unsafe extern "C" fn slot_health_check<T: SourceConnector>(source: *const dcx_source_t) -> dcx_status_t {
    // SAFETY: the host passes the table create() returned.
    let inst = unsafe { instance::<T>(source) };
    guarded(inst.host, "health_check", || {
        // SAFETY: [plugin-thread] slot.
        unsafe { inst.state() }.connector.health_check()?;
        Ok(ffi::DCX_STATUS_OK)
    })
}

unsafe extern "C" fn slot_request_stop<T: SourceConnector>(source: *const dcx_source_t) {
    // SAFETY: the host passes the table create() returned. [thread-safe]: only the context.
    let inst = unsafe { instance::<T>(source) };
    if let Err(panic_text) = catch("request_stop", || inst.context.request_stop()) {
        inst.context.error(panic_text);
    }
}

unsafe extern "C" fn slot_shutdown<T: SourceConnector>(source: *const dcx_source_t) -> dcx_status_t {
    // SAFETY: the host passes the table create() returned.
    let inst = unsafe { instance::<T>(source) };
    guarded(inst.host, "shutdown", || {
        // SAFETY: [plugin-thread] slot.
        unsafe { inst.state() }.connector.shutdown()?;
        Ok(ffi::DCX_STATUS_OK)
    })
}

unsafe extern "C" fn slot_destroy<T: SourceConnector>(source: *const dcx_source_t) {
    // SAFETY: plugin_data is the Box<Instance<T>> leaked in create(); the host calls destroy once.
    let boxed = unsafe { Box::from_raw((*source).plugin_data as *mut Instance<T>) };
    let context = boxed.context.clone();
    if let Err(panic_text) = catch("destroy", move || drop(boxed)) {
        context.error(panic_text);
    }
    // Threads of the connector that still hold a context can no longer reach the host.
    context.detach();
}

unsafe extern "C" fn slot_get_extension<T: SourceConnector>(
    source: *const dcx_source_t,
    id: *const c_char,
) -> *const c_void {
    // SAFETY: the host passes the table create() returned.
    let inst = unsafe { instance::<T>(source) };
    if id.is_null() {
        return std::ptr::null();
    }
    // SAFETY: `id` is a NUL-terminated string, read only during the call.
    let id = unsafe { CStr::from_ptr(id) }.to_bytes();
    if id == ffi::DCX_EXT_CONFIG_SCHEMA.as_bytes() {
        // SAFETY: [plugin-thread] slot.
        let state = unsafe { inst.state() };
        if state.schema_text.is_none() {
            let text = match catch("config_schema", || state.connector.config_schema()) {
                Ok(Some(schema)) => schema.to_string(),
                Ok(None) => String::new(),
                Err(panic_text) => {
                    inst.context.error(panic_text);
                    String::new()
                }
            };
            state.schema_text = Some(text);
        }
        return if state.schema_text.as_deref().is_some_and(|s| !s.is_empty()) {
            (&inst.config_schema_ext as *const ffi::dcx_ext_config_schema_t).cast()
        } else {
            std::ptr::null()
        };
    }
    if T::RECORD_OUTCOMES && id == ffi::DCX_EXT_RECORD_OUTCOME.as_bytes() {
        return (&inst.record_outcome_ext as *const ffi::dcx_ext_record_outcome_t).cast();
    }
    std::ptr::null()
}

unsafe extern "C" fn ext_config_schema<T: SourceConnector>(source: *const dcx_source_t) -> dcx_str_t {
    // SAFETY: the host passes the table create() returned; [plugin-thread].
    let state = unsafe { instance::<T>(source).state() };
    // The text lives until destroy(), as the extension requires.
    state
        .schema_text
        .as_deref()
        .map_or(dcx_str_t::EMPTY, |s| dcx_str_t::from_bytes(s.as_bytes()))
}

unsafe extern "C" fn ext_on_outcome<T: SourceConnector>(
    source: *const dcx_source_t,
    token: u64,
    status: dcx_status_t,
    reason: dcx_str_t,
) {
    // SAFETY: the host passes the table create() returned.
    let inst = unsafe { instance::<T>(source) };
    let outcome = match status {
        ffi::DCX_STATUS_OK => RecordOutcome::Delivered,
        ffi::DCX_STATUS_INVALID_RECORD => RecordOutcome::DeadLettered,
        _ => RecordOutcome::NotDelivered,
    };
    let reason = copy_str(reason);
    // SAFETY: [plugin-thread].
    let result = catch("on_record_outcome", || {
        unsafe { inst.state() }
            .connector
            .on_record_outcome(token, outcome, &reason)
    });
    if let Err(panic_text) = result {
        inst.context.error(panic_text);
    }
}

/// `dcx_plugin_descriptor_t.create` for connector type `T`.
///
/// # Safety
/// Called by the host with a host table that stays valid until the instance's destroy() returns.
pub unsafe extern "C" fn create<T: SourceConnector + Default>(host: *const dcx_host_t) -> *const dcx_source_t {
    install_panic_hook();
    if host.is_null() {
        return std::ptr::null();
    }
    let connector = match catch("create", T::default) {
        Ok(c) => c,
        Err(panic_text) => {
            host_log(
                host,
                ffi::DCX_LOG_ERROR,
                &format!("cannot create the connector: {panic_text}"),
            );
            return std::ptr::null();
        }
    };
    let instance = Box::new(Instance {
        table: dcx_source_t {
            struct_size: std::mem::size_of::<dcx_source_t>() as u32,
            plugin_data: std::ptr::null_mut(),
            initialize: Some(slot_initialize::<T>),
            producer_configs: Some(slot_producer_configs::<T>),
            poll: Some(slot_poll::<T>),
            commit: Some(slot_commit::<T>),
            health_check: Some(slot_health_check::<T>),
            request_stop: Some(slot_request_stop::<T>),
            shutdown: Some(slot_shutdown::<T>),
            destroy: Some(slot_destroy::<T>),
            get_extension: Some(slot_get_extension::<T>),
        },
        host,
        context: PluginContext::new(host),
        config_schema_ext: ffi::dcx_ext_config_schema_t {
            struct_size: std::mem::size_of::<ffi::dcx_ext_config_schema_t>() as u32,
            schema: Some(ext_config_schema::<T>),
        },
        record_outcome_ext: ffi::dcx_ext_record_outcome_t {
            struct_size: std::mem::size_of::<ffi::dcx_ext_record_outcome_t>() as u32,
            on_outcome: Some(ext_on_outcome::<T>),
        },
        state: UnsafeCell::new(State {
            connector,
            pending: VecDeque::new(),
            schema_text: None,
        }),
    });
    let raw = Box::into_raw(instance);
    // SAFETY: `raw` is the live allocation just leaked; destroy() takes it back.
    unsafe {
        (*raw).table.plugin_data = raw.cast();
        &(*raw).table
    }
}

// ---------------------------------------------------------------------------------------------
// Descriptor and entry point

/// The descriptor in a `static` (raw pointers are not `Sync`; these point at `'static` text).
#[repr(transparent)]
pub struct StaticDescriptor(ffi::dcx_plugin_descriptor_t);

// SAFETY: immutable, and every pointer in it points at 'static data or code.
unsafe impl Sync for StaticDescriptor {}

const fn c_text(s: &'static str, what: &str) -> *const c_char {
    let bytes = s.as_bytes();
    assert!(
        !bytes.is_empty() && bytes[bytes.len() - 1] == 0,
        "descriptor text must end with NUL"
    );
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0 {
            panic!("{}", what);
        }
        i += 1;
    }
    bytes.as_ptr().cast()
}

impl StaticDescriptor {
    /// Each text must end with one NUL and hold no other (the macro appends it).
    pub const fn new(
        id: &'static str,
        name: &'static str,
        version: &'static str,
        description: &'static str,
        create: unsafe extern "C" fn(*const dcx_host_t) -> *const dcx_source_t,
    ) -> Self {
        StaticDescriptor(ffi::dcx_plugin_descriptor_t {
            struct_size: std::mem::size_of::<ffi::dcx_plugin_descriptor_t>() as u32,
            abi_major: ffi::DCX_ABI_VERSION_MAJOR,
            abi_minor: ffi::DCX_ABI_VERSION_MINOR,
            id: c_text(id, "the plugin id holds a NUL"),
            name: c_text(name, "the plugin name holds a NUL"),
            version: c_text(version, "the plugin version holds a NUL"),
            description: c_text(description, "the plugin description holds a NUL"),
            create: Some(create),
        })
    }
}

const REFUSAL: &CStr = c"plugin needs plugin ABI 1.1 or a newer 1.x host";

/// The body of `dcx_plugin_entry`: refuses incompatible hosts, else returns the descriptor.
/// Must not start threads or touch the network (it does neither).
///
/// # Safety
/// `error` is NULL or points at a writable `const char*`.
pub unsafe fn entry(
    descriptor: &'static StaticDescriptor,
    host_abi_major: u32,
    host_abi_minor: u32,
    error: *mut *const c_char,
) -> *const ffi::dcx_plugin_descriptor_t {
    if !ffi::dcx_abi_is_compatible(
        host_abi_major,
        host_abi_minor,
        ffi::DCX_ABI_VERSION_MAJOR,
        ffi::DCX_ABI_VERSION_MINOR,
    ) {
        if !error.is_null() {
            // SAFETY: the caller guarantees `error` is writable; REFUSAL is static.
            unsafe { *error = REFUSAL.as_ptr() };
        }
        return std::ptr::null();
    }
    &descriptor.0
}
