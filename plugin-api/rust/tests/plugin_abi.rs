// SPDX-License-Identifier: Apache-2.0
// A connector exported with export_source_plugin! and driven through dcx_plugin_entry and the
// slot table exactly as the daemon drives it: descriptor, record conversion, the pending queue
// when the sink is full, error statuses, the panic barrier on every slot, request_stop from
// another thread, the config-schema and record-outcome extensions.

mod support;

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use danube_connectd_plugin::ffi::*;
use danube_connectd_plugin::{
    export_source_plugin, ConnectorConfig, ConnectorError, ConnectorResult, Offset, PluginContext, ProducerConfig,
    RecordOutcome, SourceConnector, SourceRecord,
};
use serde_json::{json, Value};
use support::{c_text, descriptor, Instance, RecordSink, Topic};

/// Contexts kept by connector name, to use them after their instance is gone.
static CONTEXTS: Mutex<Vec<(String, PluginContext)>> = Mutex::new(Vec::new());

#[derive(Default)]
struct Scripted {
    mode: String,
    count: u64,
    polls: u64,
    ctx: Option<PluginContext>,
}

impl Scripted {
    fn ctx(&self) -> &PluginContext {
        self.ctx.as_ref().expect("initialized")
    }
}

impl SourceConnector for Scripted {
    const RECORD_OUTCOMES: bool = true;

    fn initialize(&mut self, config: ConnectorConfig) -> ConnectorResult<()> {
        let section = config.section("test")?;
        self.mode = section["mode"].as_str().unwrap_or("records").to_string();
        self.count = section["count"].as_u64().unwrap_or(0);
        match self.mode.as_str() {
            "init_panic" => panic!("initialize blew up"),
            "init_retry" => return Err(ConnectorError::retryable("source unreachable")),
            _ => {}
        }
        let ctx = config.context();
        ctx.info(format!(
            "initialized {} with {} offsets, first {:?}",
            config.connector_name,
            config.offsets.len(),
            config.offsets.first()
        ));
        CONTEXTS
            .lock()
            .unwrap()
            .push((config.connector_name.clone(), ctx.clone()));
        self.ctx = Some(ctx);
        Ok(())
    }

    fn producer_configs(&self) -> ConnectorResult<Vec<ProducerConfig>> {
        Ok(vec![
            ProducerConfig::new("/default/a", 0, false),
            ProducerConfig::new("/default/b", 4, true),
        ])
    }

    fn poll(&mut self) -> ConnectorResult<Vec<SourceRecord>> {
        self.polls += 1;
        let polls = self.polls;
        let ctx = self.ctx().clone();
        ctx.debug(format!(
            "poll #{polls} max_records={} timeout={:?}",
            ctx.max_records(),
            ctx.poll_timeout()
        ));
        match self.mode.as_str() {
            "records" if polls == 1 => Ok(vec![
                SourceRecord::new("/default/a", json!({"n": 1, "s": "x"}))
                    .with_key("k1")
                    .with_attribute("b", "2")
                    .with_attribute("a", "1")
                    .with_offset(Offset::new("p0", 10)),
                SourceRecord::from_string("/default/a", "héllo \"world\"")
                    .with_offset(Offset::with_metadata("p0", 11, "m")),
                SourceRecord::from_number("/default/b", 23.5)?.with_event_time_ms(1_700_000_000_123),
                SourceRecord::from_bytes("/default/b", vec![0u8, 159, 146, 150]).with_token(77),
            ]),
            "many" => Ok((0..self.count)
                .map(|i| {
                    let n = (polls - 1) * self.count + i;
                    SourceRecord::new("/default/a", json!({"n": n})).with_offset(Offset::new("p0", n))
                })
                .collect()),
            "refused" if polls == 1 => Ok(vec![
                SourceRecord::from_string("/default/bad", "refused"),
                SourceRecord::from_string("/default/a", "accepted"),
            ]),
            "retryable" => Err(ConnectorError::retryable("rate limited")),
            "invalid" => Err(ConnectorError::invalid_data("line 3 is not JSON")),
            "fatal" => Err(ConnectorError::fatal("credentials revoked")),
            "config" => Err(ConnectorError::config("bad mapping")),
            "io" => Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "cannot read /x").into()),
            "panic" => panic!("boom in poll {polls}"),
            "panic_any" => std::panic::panic_any(42u32),
            "block" => {
                let stopped = ctx.wait_for_stop(Duration::from_secs(60));
                ctx.info(format!("wait ended, stopped={stopped}"));
                Ok(vec![])
            }
            _ => Ok(vec![]),
        }
    }

    fn commit(&mut self, offsets: Vec<Offset>) -> ConnectorResult<()> {
        if self.mode == "commit_panic" {
            panic!("commit blew up");
        }
        self.ctx().info(format!("commit {offsets:?}"));
        Ok(())
    }

    fn health_check(&self) -> ConnectorResult<()> {
        match self.mode.as_str() {
            "unhealthy" => Err(ConnectorError::retryable("source down")),
            "health_panic" => panic!("health check blew up"),
            _ => Ok(()),
        }
    }

    fn shutdown(&mut self) -> ConnectorResult<()> {
        if let Some(ctx) = &self.ctx {
            ctx.info(format!("shutdown after {} polls", self.polls));
        }
        if self.mode == "shutdown_panic" {
            panic!("shutdown blew up");
        }
        Ok(())
    }

    fn config_schema(&self) -> Option<Value> {
        Some(json!({"type": "object", "required": ["test"]}))
    }

    fn on_record_outcome(&mut self, token: u64, outcome: RecordOutcome, reason: &str) {
        if token == 666 {
            panic!("outcome handler blew up");
        }
        self.ctx().info(format!("outcome {token} {outcome:?} '{reason}'"));
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        if self.mode == "drop_panic" {
            panic!("drop blew up");
        }
    }
}

export_source_plugin!(
    Scripted,
    "in_scripted",
    "Scripted test source",
    env!("CARGO_PKG_VERSION"),
    "drives every slot"
);

const ENTRY: dcx_plugin_entry_fn = dcx_plugin_entry;

fn started(mode: &str, name: &str) -> Instance {
    let inst = Instance::create(ENTRY);
    let st = inst.initialize(
        &json!({"test": {"mode": mode, "count": 5}}).to_string(),
        &json!({"connector_name": name, "offsets": []}).to_string(),
    );
    assert_eq!(st, DCX_STATUS_OK, "{}", inst.host.last_error());
    inst
}

#[test]
fn the_entry_point_checks_the_host_abi_and_describes_the_plugin() {
    let mut error: *const c_char = std::ptr::null();
    for (major, minor) in [(2, 0), (0, 9), (1, 0)] {
        let d = unsafe { dcx_plugin_entry(major, minor, &mut error) };
        assert!(d.is_null(), "host {major}.{minor} must be refused");
        assert_eq!(c_text(error), "plugin needs plugin ABI 1.1 or a newer 1.x host");
    }
    assert!(unsafe { dcx_plugin_entry(1, 0, std::ptr::null_mut()) }.is_null()); // NULL error pointer is fine
    assert!(!unsafe { dcx_plugin_entry(1, 7, &mut error) }.is_null()); // newer minors load
    let d = descriptor(ENTRY);
    assert_eq!(d.struct_size as usize, std::mem::size_of::<dcx_plugin_descriptor_t>());
    assert_eq!((d.abi_major, d.abi_minor), (1, 1));
    assert_eq!(c_text(d.id), "in_scripted");
    assert_eq!(c_text(d.name), "Scripted test source");
    assert_eq!(c_text(d.version), env!("CARGO_PKG_VERSION"));
    assert_eq!(c_text(d.description), "drives every slot");
    // The descriptor is static: the same pointer every time.
    assert!(std::ptr::eq(d, descriptor(ENTRY)));
}

#[test]
fn an_instance_fills_every_slot_and_declares_its_topics() {
    let inst = started("records", "c-topics");
    let table = unsafe { &*inst.source };
    assert_eq!(table.struct_size as usize, std::mem::size_of::<dcx_source_t>());
    assert!(table.initialize.is_some() && table.producer_configs.is_some() && table.poll.is_some());
    assert!(table.commit.is_some() && table.health_check.is_some() && table.request_stop.is_some());
    assert!(table.shutdown.is_some() && table.destroy.is_some() && table.get_extension.is_some());
    let (st, topics) = inst.producer_configs();
    assert_eq!(st, DCX_STATUS_OK);
    assert_eq!(
        topics,
        vec![
            Topic {
                topic: "/default/a".into(),
                partitions: 0,
                reliable: false
            },
            Topic {
                topic: "/default/b".into(),
                partitions: 4,
                reliable: true
            },
        ]
    );
    assert!(inst.host.logged("initialized c-topics with 0 offsets"));
}

#[test]
fn records_of_every_kind_reach_the_host_as_the_header_describes() {
    let inst = started("records", "c-records");
    let sink = RecordSink::new(100);
    assert_eq!(inst.poll(&sink, 100, 250), DCX_STATUS_OK);
    let r = sink.take();
    assert_eq!(r.len(), 4);
    for e in &r {
        assert_eq!(e.struct_size, 128);
    }

    assert_eq!(r[0].kind, DCX_PAYLOAD_JSON);
    assert_eq!(r[0].topic, "/default/a");
    assert_eq!(
        serde_json::from_slice::<Value>(&r[0].payload).unwrap(),
        json!({"n": 1, "s": "x"})
    );
    assert_eq!(
        r[0].attributes,
        vec![("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]
    );
    assert_eq!(r[0].key.as_deref(), Some("k1"));
    assert_eq!(r[0].offset, Some(("p0".to_string(), 10, None)));
    assert_eq!((r[0].token, r[0].event_time_ms), (0, 0));

    assert_eq!(r[1].kind, DCX_PAYLOAD_STRING);
    assert_eq!(r[1].payload_text(), "héllo \"world\""); // the text itself, not JSON-quoted
    assert_eq!(r[1].key, None);
    assert!(r[1].attributes.is_empty());
    assert_eq!(r[1].offset, Some(("p0".to_string(), 11, Some("m".to_string()))));

    assert_eq!(r[2].kind, DCX_PAYLOAD_NUMBER);
    assert_eq!(r[2].payload_text(), "23.5");
    assert_eq!(r[2].event_time_ms, 1_700_000_000_123);
    assert_eq!(r[2].offset, None);

    assert_eq!(r[3].kind, DCX_PAYLOAD_BYTES);
    assert_eq!(r[3].payload, vec![0u8, 159, 146, 150]); // raw bytes, not base64
    assert_eq!(r[3].token, 77);

    // Nothing new: NO_DATA. The connector saw the poll's limits.
    assert_eq!(inst.poll(&sink, 100, 250), DCX_STATUS_NO_DATA);
    assert!(inst.host.logged("poll #1 max_records=100 timeout=250ms"));
}

#[test]
fn records_beyond_a_full_sink_are_kept_and_handed_over_first() {
    let inst = started("many", "c-pending");
    let sink = RecordSink::new(2);
    // Poll 1 returns 5 records; the sink takes 2.
    assert_eq!(inst.poll(&sink, 2, 10), DCX_STATUS_OK);
    let first: Vec<u64> = sink.take().iter().map(|e| e.offset.as_ref().unwrap().1).collect();
    assert_eq!(first, vec![0, 1]);
    // The next two polls hand over the kept ones without asking the connector for more.
    assert_eq!(inst.poll(&sink, 2, 10), DCX_STATUS_OK);
    assert_eq!(inst.poll(&sink, 2, 10), DCX_STATUS_OK);
    assert!(!inst.host.logged("poll #2"));
    let kept: Vec<u64> = sink.take().iter().map(|e| e.offset.as_ref().unwrap().1).collect();
    assert_eq!(kept, vec![2, 3]);
    // Record 4 is left; with room, it goes first and poll #2's records follow, in order.
    sink.state.borrow_mut().capacity = 100;
    assert_eq!(inst.poll(&sink, 100, 10), DCX_STATUS_OK);
    let rest: Vec<u64> = sink.take().iter().map(|e| e.offset.as_ref().unwrap().1).collect();
    assert_eq!(rest, vec![4, 5, 6, 7, 8, 9]);
    assert!(inst.host.logged("poll #2"));
}

#[test]
fn a_record_the_host_refuses_is_dropped_and_logged() {
    let inst = started("refused", "c-refused");
    let sink = RecordSink::new(10);
    sink.state.borrow_mut().refuse_topic = Some("/default/bad".into());
    assert_eq!(inst.poll(&sink, 10, 10), DCX_STATUS_OK);
    let r = sink.take();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].payload_text(), "accepted");
    assert!(inst
        .host
        .logged("record for topic /default/bad was refused by the host"));
}

#[test]
fn connector_errors_become_their_status_with_the_message() {
    let cases = [
        ("retryable", DCX_STATUS_RETRYABLE, "rate limited"),
        ("invalid", DCX_STATUS_INVALID_RECORD, "line 3 is not JSON"),
        ("fatal", DCX_STATUS_FATAL, "credentials revoked"),
        ("config", DCX_STATUS_CONFIG, "bad mapping"),
        ("io", DCX_STATUS_FATAL, "cannot read /x"),
    ];
    for (mode, status, message) in cases {
        let inst = started(mode, &format!("c-{mode}"));
        let sink = RecordSink::new(10);
        assert_eq!(inst.poll(&sink, 10, 10), status, "{mode}");
        assert_eq!(inst.host.last_error(), message, "{mode}");
    }
    let inst = started("unhealthy", "c-unhealthy");
    assert_eq!(inst.health_check(), DCX_STATUS_RETRYABLE);
    assert_eq!(inst.host.last_error(), "source down");
    let inst = started("records", "c-healthy");
    assert_eq!(inst.health_check(), DCX_STATUS_OK);
}

#[test]
fn a_panic_in_poll_is_a_fatal_status_with_the_panic_message_and_location() {
    let inst = started("panic", "c-panic");
    let sink = RecordSink::new(10);
    assert_eq!(inst.poll(&sink, 10, 10), DCX_STATUS_FATAL);
    let error = inst.host.last_error();
    assert!(
        error.starts_with("connector panicked in poll: boom in poll 1 (at "),
        "{error}"
    );
    assert!(error.contains("plugin_abi.rs:"), "{error}");
    // The instance is still usable the way the host goes on after FATAL: shutdown, destroy.
    assert_eq!(inst.shutdown(), DCX_STATUS_OK);
    assert!(inst.host.logged("shutdown after 1 polls"));
}

#[test]
fn a_panic_with_a_payload_that_is_not_text_is_fatal_too() {
    let inst = started("panic_any", "c-panic-any");
    let sink = RecordSink::new(10);
    assert_eq!(inst.poll(&sink, 10, 10), DCX_STATUS_FATAL);
    assert!(inst
        .host
        .last_error()
        .contains("a panic with a payload that is not text"));
}

#[test]
fn panics_in_every_other_slot_are_caught() {
    let inst = Instance::create(ENTRY);
    let st = inst.initialize(&json!({"test": {"mode": "init_panic"}}).to_string(), "{}");
    assert_eq!(st, DCX_STATUS_FATAL);
    assert!(inst
        .host
        .last_error()
        .contains("connector panicked in initialize: initialize blew up"));
    assert_eq!(inst.shutdown(), DCX_STATUS_OK); // shutdown follows a failed initialize

    let inst = started("commit_panic", "c-commit-panic");
    assert_eq!(inst.commit(&[("p0", 1, None)]), DCX_STATUS_FATAL);
    assert!(inst
        .host
        .last_error()
        .contains("connector panicked in commit: commit blew up"));

    let inst = started("health_panic", "c-health-panic");
    assert_eq!(inst.health_check(), DCX_STATUS_FATAL);
    assert!(inst
        .host
        .last_error()
        .contains("connector panicked in health_check: health check blew up"));

    let inst = started("shutdown_panic", "c-shutdown-panic");
    assert_eq!(inst.shutdown(), DCX_STATUS_FATAL);
    assert!(inst
        .host
        .last_error()
        .contains("connector panicked in shutdown: shutdown blew up"));

    let inst = started("records", "c-outcome-panic");
    inst.outcome(666, DCX_STATUS_OK, "");
    assert!(inst
        .host
        .logged("connector panicked in on_record_outcome: outcome handler blew up"));

    // destroy() with a panicking Drop: logged, never unwinds into the host.
    let host = started("drop_panic", "c-drop-panic").destroy();
    assert!(host.logged("connector panicked in destroy: drop blew up"));
}

#[test]
fn bad_json_and_configuration_errors_from_initialize_are_config_status() {
    let inst = Instance::create(ENTRY);
    assert_eq!(inst.initialize("{not json", "{}"), DCX_STATUS_CONFIG);
    assert!(inst
        .host
        .last_error()
        .starts_with("connector configuration is not valid JSON"));
    let inst = Instance::create(ENTRY);
    assert_eq!(inst.initialize("{}", "{}"), DCX_STATUS_CONFIG);
    assert_eq!(inst.host.last_error(), "the configuration has no [test] section");
    let inst = Instance::create(ENTRY);
    assert_eq!(
        inst.initialize(r#"{"test":{"mode":"init_retry"}}"#, "{}"),
        DCX_STATUS_RETRYABLE
    );
    assert_eq!(inst.host.last_error(), "source unreachable");
}

#[test]
fn committed_offsets_reach_initialize_and_commit() {
    let inst = Instance::create(ENTRY);
    let core = json!({"connector_name": "c-offsets",
                      "offsets": [{"partition": "p0", "value": 41, "metadata": "ino=7"}]});
    assert_eq!(inst.initialize(r#"{"test":{}}"#, &core.to_string()), DCX_STATUS_OK);
    assert!(inst.host.logged(
        r#"initialized c-offsets with 1 offsets, first Some(Offset { partition: "p0", value: 41, metadata: Some("ino=7") })"#
    ));
    assert_eq!(inst.commit(&[("p0", 42, None), ("p1", 7, Some("m"))]), DCX_STATUS_OK);
    assert!(inst.host.logged(
        r#"commit [Offset { partition: "p0", value: 42, metadata: None }, Offset { partition: "p1", value: 7, metadata: Some("m") }]"#
    ));
    assert_eq!(inst.commit(&[]), DCX_STATUS_OK);
}

#[test]
fn request_stop_from_another_thread_ends_a_blocking_poll_promptly() {
    let inst = started("block", "c-block");
    let sink = RecordSink::new(10);
    let start = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            // Stop once the poll is blocked (bounded: the poll logs before waiting).
            let deadline = Instant::now() + Duration::from_secs(30);
            while !inst.host.logged("poll #1") && Instant::now() < deadline {
                std::thread::yield_now();
            }
            inst.request_stop();
        });
        assert_eq!(inst.poll(&sink, 10, 60_000), DCX_STATUS_NO_DATA);
    });
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "poll took {:?}",
        start.elapsed()
    );
    assert!(inst.host.logged("wait ended, stopped=true"));
    // Later polls see the stop at once.
    let start = Instant::now();
    assert_eq!(inst.poll(&sink, 10, 60_000), DCX_STATUS_NO_DATA);
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn the_config_schema_extension_returns_the_connectors_schema() {
    let inst = Instance::create(ENTRY); // before initialize, as the host asks
    let schema: Value = serde_json::from_str(&inst.config_schema().expect("schema")).unwrap();
    assert_eq!(schema, json!({"type": "object", "required": ["test"]}));
    // The same table and text every time.
    assert_eq!(
        inst.extension(c"dcx.config-schema/1"),
        inst.extension(c"dcx.config-schema/1")
    );
    assert!(inst.extension(c"dcx.no-such-thing/1").is_null());
}

#[test]
fn record_outcomes_reach_the_connector() {
    let inst = started("records", "c-outcomes");
    inst.outcome(77, DCX_STATUS_OK, "");
    inst.outcome(78, DCX_STATUS_INVALID_RECORD, "dead-lettered: schema");
    inst.outcome(79, DCX_STATUS_FATAL, "not delivered");
    assert!(inst.host.logged("outcome 77 Delivered ''"));
    assert!(inst.host.logged("outcome 78 DeadLettered 'dead-lettered: schema'"));
    assert!(inst.host.logged("outcome 79 NotDelivered 'not delivered'"));
}

#[test]
fn a_context_outliving_its_instance_no_longer_reaches_the_host() {
    let inst = started("records", "c-detach");
    let ctx = CONTEXTS
        .lock()
        .unwrap()
        .iter()
        .find(|(n, _)| n == "c-detach")
        .unwrap()
        .1
        .clone();
    assert!(ctx.is_attached());
    ctx.wakeup();
    assert_eq!(inst.host.wakeups.load(std::sync::atomic::Ordering::SeqCst), 1);
    let host = inst.destroy();
    assert!(!ctx.is_attached());
    ctx.info("after destroy");
    ctx.wakeup();
    assert!(!host.logged("after destroy"));
    assert_eq!(host.wakeups.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn connectors_can_be_unit_tested_without_the_daemon() {
    let mut c = Scripted::default();
    let config = ConnectorConfig::from_json(
        json!({"test": {"mode": "many", "count": 2}}),
        json!({"connector_name": "unit"}),
    )
    .unwrap();
    c.initialize(config).unwrap();
    let records = c.poll().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].offset(), Some(&Offset::new("p0", 1)));
    let by_topic: HashMap<_, _> = c
        .producer_configs()
        .unwrap()
        .into_iter()
        .map(|p| (p.topic, p.partitions))
        .collect();
    assert_eq!(by_topic["/default/b"], 4);
}
