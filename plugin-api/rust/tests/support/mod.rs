// SPDX-License-Identifier: Apache-2.0
// A fake host for driving a plugin through its C ABI exactly as danube-connectd does: a host
// table that records logs, errors and wakeups, record and producer sinks that copy what they
// are given (and can be full), and a handle that calls the slots.
#![allow(dead_code)]

use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use danube_connectd_plugin::ffi::*;

pub struct FakeHost {
    pub table: dcx_host_t,
    pub logs: Mutex<Vec<(i32, String)>>,
    pub errors: Mutex<Vec<String>>,
    pub wakeups: AtomicUsize,
}

unsafe fn text(s: dcx_str_t) -> String {
    String::from_utf8(unsafe { s.as_bytes() }.to_vec()).expect("the plugin passed UTF-8")
}

unsafe fn host_of<'a>(host: *const dcx_host_t) -> &'a FakeHost {
    unsafe { &*((*host).host_data as *const FakeHost) }
}

unsafe extern "C" fn host_log(host: *const dcx_host_t, level: dcx_log_level_t, message: dcx_str_t) {
    let h = unsafe { host_of(host) };
    h.logs.lock().unwrap().push((level, unsafe { text(message) }));
}

unsafe extern "C" fn host_set_error(host: *const dcx_host_t, message: dcx_str_t) {
    let h = unsafe { host_of(host) };
    h.errors.lock().unwrap().push(unsafe { text(message) });
}

unsafe extern "C" fn host_wakeup(host: *const dcx_host_t) {
    unsafe { host_of(host) }.wakeups.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn host_get_extension(_host: *const dcx_host_t, _id: *const c_char) -> *const c_void {
    std::ptr::null()
}

impl FakeHost {
    pub fn new() -> Box<FakeHost> {
        let mut h = Box::new(FakeHost {
            table: dcx_host_t {
                struct_size: std::mem::size_of::<dcx_host_t>() as u32,
                abi_major: 1,
                abi_minor: 1,
                host_data: std::ptr::null_mut(),
                host_name: c"fake-host".as_ptr(),
                host_version: c"0.0.0".as_ptr(),
                log: Some(host_log),
                set_error: Some(host_set_error),
                wakeup: Some(host_wakeup),
                get_extension: Some(host_get_extension),
            },
            logs: Mutex::new(Vec::new()),
            errors: Mutex::new(Vec::new()),
            wakeups: AtomicUsize::new(0),
        });
        h.table.host_data = (&*h as *const FakeHost).cast_mut().cast();
        h
    }

    pub fn last_error(&self) -> String {
        self.errors.lock().unwrap().last().cloned().unwrap_or_default()
    }

    pub fn logged(&self, needle: &str) -> bool {
        self.logs.lock().unwrap().iter().any(|(_, m)| m.contains(needle))
    }
}

/// A record as the host copied it out of the plugin's buffers.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    pub struct_size: u32,
    pub kind: i32,
    pub topic: String,
    pub payload: Vec<u8>,
    pub attributes: Vec<(String, String)>,
    pub key: Option<String>,
    pub offset: Option<(String, u64, Option<String>)>,
    pub token: u64,
    pub event_time_ms: i64,
}

impl Emitted {
    pub fn payload_text(&self) -> String {
        String::from_utf8(self.payload.clone()).unwrap()
    }
}

pub struct SinkState {
    pub capacity: usize,
    pub records: Vec<Emitted>,
    /// Records on this topic are refused as malformed.
    pub refuse_topic: Option<String>,
}

pub struct RecordSink {
    pub table: dcx_record_sink_t,
    pub state: RefCell<SinkState>,
}

unsafe extern "C" fn sink_emit(sink: *const dcx_record_sink_t, r: *const dcx_record_t) -> dcx_status_t {
    let state = unsafe { &*((*sink).host_data as *const RefCell<SinkState>) };
    let mut state = state.borrow_mut();
    let r = unsafe { &*r };
    if state.records.len() >= state.capacity {
        return DCX_STATUS_RETRYABLE;
    }
    let attributes = if r.attribute_count == 0 {
        Vec::new()
    } else {
        unsafe { std::slice::from_raw_parts(r.attributes, r.attribute_count as usize) }
            .iter()
            .map(|a| unsafe { (text(a.key), text(a.value)) })
            .collect()
    };
    let e = Emitted {
        struct_size: r.struct_size,
        kind: r.payload_kind,
        topic: unsafe { text(r.topic) },
        payload: unsafe { r.payload.as_bytes() }.to_vec(),
        attributes,
        key: (r.flags & DCX_RECORD_HAS_KEY != 0).then(|| unsafe { text(r.key) }),
        offset: (r.flags & DCX_RECORD_HAS_OFFSET != 0).then(|| unsafe {
            (
                text(r.offset.partition),
                r.offset.value,
                (r.offset.metadata.size != 0).then(|| text(r.offset.metadata)),
            )
        }),
        token: r.user_token,
        event_time_ms: r.event_time_ms,
    };
    if state.refuse_topic.as_deref() == Some(e.topic.as_str()) {
        return DCX_STATUS_INVALID_RECORD;
    }
    state.records.push(e);
    DCX_STATUS_OK
}

impl RecordSink {
    pub fn new(capacity: usize) -> Box<RecordSink> {
        let mut s = Box::new(RecordSink {
            table: dcx_record_sink_t {
                struct_size: std::mem::size_of::<dcx_record_sink_t>() as u32,
                host_data: std::ptr::null_mut(),
                emit: Some(sink_emit),
            },
            state: RefCell::new(SinkState {
                capacity,
                records: Vec::new(),
                refuse_topic: None,
            }),
        });
        s.table.host_data = (&s.state as *const RefCell<SinkState>).cast_mut().cast();
        s
    }

    pub fn take(&self) -> Vec<Emitted> {
        std::mem::take(&mut self.state.borrow_mut().records)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub topic: String,
    pub partitions: u32,
    pub reliable: bool,
}

unsafe extern "C" fn producer_add(sink: *const dcx_producer_sink_t, c: *const dcx_producer_config_t) -> dcx_status_t {
    let topics = unsafe { &*((*sink).host_data as *const RefCell<Vec<Topic>>) };
    let c = unsafe { &*c };
    assert_eq!(c.struct_size as usize, std::mem::size_of::<dcx_producer_config_t>());
    topics.borrow_mut().push(Topic {
        topic: unsafe { text(c.topic) },
        partitions: c.partitions,
        reliable: c.reliable_dispatch != 0,
    });
    DCX_STATUS_OK
}

/// One plugin instance created through the descriptor, destroyed on drop.
pub struct Instance {
    pub host: Box<FakeHost>,
    pub source: *const dcx_source_t,
}

// The fake host is only touched through its mutexes and atomics; request_stop is [thread-safe].
unsafe impl Send for Instance {}
unsafe impl Sync for Instance {}

pub fn descriptor(entry: dcx_plugin_entry_fn) -> &'static dcx_plugin_descriptor_t {
    let mut error: *const c_char = std::ptr::null();
    let d = unsafe { entry(DCX_ABI_VERSION_MAJOR, DCX_ABI_VERSION_MINOR, &mut error) };
    assert!(!d.is_null());
    unsafe { &*d }
}

pub fn c_text(p: *const c_char) -> String {
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string()
}

impl Instance {
    pub fn create(entry: dcx_plugin_entry_fn) -> Instance {
        let host = FakeHost::new();
        let create = descriptor(entry).create.unwrap();
        let source = unsafe { create(&host.table) };
        assert!(
            !source.is_null(),
            "create() returned NULL: {:?}",
            host.logs.lock().unwrap()
        );
        Instance { host, source }
    }

    fn table(&self) -> &dcx_source_t {
        unsafe { &*self.source }
    }

    pub fn initialize(&self, settings: &str, core: &str) -> dcx_status_t {
        unsafe {
            (self.table().initialize.unwrap())(
                self.source,
                dcx_str_t::from_bytes(settings.as_bytes()),
                dcx_str_t::from_bytes(core.as_bytes()),
            )
        }
    }

    pub fn producer_configs(&self) -> (dcx_status_t, Vec<Topic>) {
        let topics = Box::new(RefCell::new(Vec::<Topic>::new()));
        let sink = dcx_producer_sink_t {
            struct_size: std::mem::size_of::<dcx_producer_sink_t>() as u32,
            host_data: (&*topics as *const RefCell<Vec<Topic>>).cast_mut().cast(),
            add: Some(producer_add),
        };
        let st = unsafe { (self.table().producer_configs.unwrap())(self.source, &sink) };
        (st, topics.into_inner())
    }

    pub fn poll(&self, sink: &RecordSink, max_records: u32, timeout_ms: u32) -> dcx_status_t {
        unsafe { (self.table().poll.unwrap())(self.source, &sink.table, max_records, timeout_ms) }
    }

    pub fn commit(&self, offsets: &[(&str, u64, Option<&str>)]) -> dcx_status_t {
        let owned: Vec<(CString, u64, Option<String>)> = offsets
            .iter()
            .map(|(p, v, m)| (CString::new(*p).unwrap(), *v, m.map(str::to_string)))
            .collect();
        let raw: Vec<dcx_offset_t> = owned
            .iter()
            .map(|(p, v, m)| dcx_offset_t {
                partition: dcx_str_t::from_bytes(p.as_bytes()),
                value: *v,
                metadata: m
                    .as_deref()
                    .map_or(dcx_str_t::EMPTY, |m| dcx_str_t::from_bytes(m.as_bytes())),
            })
            .collect();
        unsafe { (self.table().commit.unwrap())(self.source, raw.as_ptr(), raw.len() as u32) }
    }

    pub fn health_check(&self) -> dcx_status_t {
        unsafe { (self.table().health_check.unwrap())(self.source) }
    }

    pub fn request_stop(&self) {
        unsafe { (self.table().request_stop.unwrap())(self.source) }
    }

    pub fn shutdown(&self) -> dcx_status_t {
        unsafe { (self.table().shutdown.unwrap())(self.source) }
    }

    pub fn extension(&self, id: &CStr) -> *const c_void {
        unsafe { (self.table().get_extension.unwrap())(self.source, id.as_ptr()) }
    }

    pub fn config_schema(&self) -> Option<String> {
        let ext = self.extension(c"dcx.config-schema/1") as *const dcx_ext_config_schema_t;
        if ext.is_null() {
            return None;
        }
        let ext = unsafe { &*ext };
        assert_eq!(ext.struct_size as usize, std::mem::size_of::<dcx_ext_config_schema_t>());
        Some(unsafe { text((ext.schema.unwrap())(self.source)) })
    }

    pub fn outcome(&self, token: u64, status: dcx_status_t, reason: &str) {
        let ext = self.extension(c"dcx.record-outcome/1") as *const dcx_ext_record_outcome_t;
        assert!(!ext.is_null());
        unsafe { ((*ext).on_outcome.unwrap())(self.source, token, status, dcx_str_t::from_bytes(reason.as_bytes())) }
    }
}

impl Instance {
    /// destroy(), keeping the host to look at what the plugin logged meanwhile.
    pub fn destroy(self) -> Box<FakeHost> {
        let this = std::mem::ManuallyDrop::new(self);
        unsafe { ((*this.source).destroy.unwrap())(this.source) };
        // SAFETY: `this` is never dropped; the host box moves out exactly once.
        unsafe { std::ptr::read(&this.host) }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        unsafe { (self.table().destroy.unwrap())(self.source) }
    }
}
