// SPDX-License-Identifier: Apache-2.0
//! `ConnectorConfig`: what `initialize` receives. The daemon reads the TOML file; the core keys
//! (the reference runtime's `ConnectorConfig`, flattened at the TOML root) arrive as fields, the
//! connector's own tables (`[my_source]`) as `settings`.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{ConnectorError, ConnectorResult, Offset, PluginContext};

/// `[processing]` as the daemon resolved it (defaults included).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcessingSettings {
    pub batch_size: u64,
    pub batch_timeout_ms: u64,
    pub poll_interval_ms: u64,
    pub metrics_port: u64,
    pub log_level: String,
    pub health_check_interval_ms: u64,
    pub health_check_failure_threshold: u64,
}

/// One `[[schemas]]` entry. The daemon registers and applies schemas itself; a connector only
/// reads them when its routing depends on them.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaMapping {
    pub topic: String,
    pub subject: String,
    pub schema_type: String,
    pub schema_file: PathBuf,
    pub auto_register: bool,
    /// `"latest"`, `{"pinned": n}` or `{"minimum": n}`.
    pub version_strategy: Value,
}

/// The configuration handed to [`SourceConnector::initialize`](crate::SourceConnector::initialize).
#[derive(Debug, Clone)]
pub struct ConnectorConfig {
    pub danube_service_url: String,
    pub connector_name: String,
    pub processing: ProcessingSettings,
    pub schemas: Vec<SchemaMapping>,
    /// Offsets committed by an earlier run, to resume from (empty on a first start).
    pub offsets: Vec<Offset>,
    /// The connector's own configuration: every key of the TOML file that is not the daemon's,
    /// as a JSON object (e.g. `{"my_source": {...}}`), secrets already interpolated.
    pub settings: Value,
    /// The daemon's core configuration exactly as received.
    pub core: Value,
    context: PluginContext,
}

fn str_field(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}
fn u64_field(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or_default()
}

impl ConnectorConfig {
    pub(crate) fn from_host(settings: Value, core: Value, context: PluginContext) -> ConnectorResult<Self> {
        let offsets = match core.get("offsets") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|o| {
                    let partition = o.get("partition").and_then(Value::as_str);
                    let value = o.get("value").and_then(Value::as_u64);
                    match (partition, value) {
                        (Some(p), Some(v)) => Ok(Offset {
                            partition: p.to_string(),
                            value: v,
                            metadata: o.get("metadata").and_then(Value::as_str).map(str::to_string),
                        }),
                        _ => Err(ConnectorError::config(format!(
                            "core configuration: malformed offset {o}"
                        ))),
                    }
                })
                .collect::<ConnectorResult<_>>()?,
            Some(other) => {
                return Err(ConnectorError::config(format!(
                    "core configuration: offsets is not an array: {other}"
                )))
            }
        };
        let processing = core.get("processing").cloned().unwrap_or(Value::Null);
        let processing = ProcessingSettings {
            batch_size: u64_field(&processing, "batch_size"),
            batch_timeout_ms: u64_field(&processing, "batch_timeout_ms"),
            poll_interval_ms: u64_field(&processing, "poll_interval_ms"),
            metrics_port: u64_field(&processing, "metrics_port"),
            log_level: str_field(&processing, "log_level"),
            health_check_interval_ms: u64_field(&processing, "health_check_interval_ms"),
            health_check_failure_threshold: u64_field(&processing, "health_check_failure_threshold"),
        };
        let schemas = core
            .get("schemas")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|s| SchemaMapping {
                        topic: str_field(s, "topic"),
                        subject: str_field(s, "subject"),
                        schema_type: str_field(s, "schema_type"),
                        schema_file: PathBuf::from(str_field(s, "schema_file")),
                        auto_register: s.get("auto_register").and_then(Value::as_bool).unwrap_or(true),
                        version_strategy: s.get("version_strategy").cloned().unwrap_or(Value::Null),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(ConnectorConfig {
            danube_service_url: str_field(&core, "danube_service_url"),
            connector_name: str_field(&core, "connector_name"),
            processing,
            schemas,
            offsets,
            settings,
            core,
            context,
        })
    }

    /// A configuration for unit tests of a connector outside the daemon: `settings` is the
    /// connector's section object, `core` the core keys (`connector_name`, `offsets`, ...), and
    /// the context is [detached](PluginContext::detached).
    pub fn from_json(settings: Value, core: Value) -> ConnectorResult<Self> {
        Self::from_host(settings, core, PluginContext::detached())
    }

    /// The host's services for this instance: keep a clone to log, wake the host up, or see a
    /// stop request from `poll`.
    pub fn context(&self) -> PluginContext {
        self.context.clone()
    }

    /// The connector's table `name` (`[name]` in the TOML file); a Configuration error if absent.
    pub fn section(&self, name: &str) -> ConnectorResult<&Value> {
        self.settings
            .get(name)
            .ok_or_else(|| ConnectorError::config(format!("the configuration has no [{name}] section")))
    }

    /// The table `name` deserialized into `T` (`#[derive(Deserialize)]` with serde's "derive" feature).
    pub fn section_as<T: DeserializeOwned>(&self, name: &str) -> ConnectorResult<T> {
        serde_json::from_value(self.section(name)?.clone())
            .map_err(|e| ConnectorError::config(format!("[{name}]: {e}")))
    }

    /// The committed offset of source partition `partition`, if an earlier run committed one.
    pub fn committed_offset(&self, partition: &str) -> Option<&Offset> {
        self.offsets.iter().find(|o| o.partition == partition)
    }

    /// The `[[schemas]]` mapping of `topic` (the later entry wins, as in the reference runtime).
    pub fn schema_for(&self, topic: &str) -> Option<&SchemaMapping> {
        self.schemas.iter().rev().find(|s| s.topic == topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn core() -> Value {
        json!({
            "danube_service_url": "http://127.0.0.1:6650",
            "connector_name": "c1",
            "processing": {"batch_size": 1000, "poll_interval_ms": 100, "log_level": "info"},
            "schemas": [{"topic": "/default/a", "subject": "s", "schema_type": "json_schema",
                         "schema_file": "/x.json", "auto_register": false, "version_strategy": {"pinned": 2}}],
            "offsets": [{"partition": "p0", "value": 41}, {"partition": "p1", "value": 7, "metadata": "m"}]
        })
    }

    #[test]
    fn reads_the_core_keys_offsets_and_schemas() {
        let c = ConnectorConfig::from_json(json!({"src": {"n": 1}}), core()).unwrap();
        assert_eq!(c.connector_name, "c1");
        assert_eq!(c.danube_service_url, "http://127.0.0.1:6650");
        assert_eq!(c.processing.batch_size, 1000);
        assert_eq!(c.processing.log_level, "info");
        assert_eq!(c.committed_offset("p0"), Some(&Offset::new("p0", 41)));
        assert_eq!(c.committed_offset("p1"), Some(&Offset::with_metadata("p1", 7, "m")));
        assert_eq!(c.committed_offset("p2"), None);
        let s = c.schema_for("/default/a").unwrap();
        assert!(!s.auto_register);
        assert_eq!(s.version_strategy, json!({"pinned": 2}));
        assert_eq!(c.section("src").unwrap()["n"], 1);
        assert_eq!(
            c.section_as::<std::collections::BTreeMap<String, u32>>("src").unwrap()["n"],
            1
        );
    }

    #[test]
    fn a_missing_or_mistyped_section_is_a_configuration_error() {
        let c = ConnectorConfig::from_json(json!({"src": {"n": "x"}}), json!({})).unwrap();
        let e = c.section("other").unwrap_err();
        assert!(matches!(e, ConnectorError::Configuration(_)));
        assert!(e.message().contains("[other]"));
        let e = c
            .section_as::<std::collections::BTreeMap<String, u32>>("src")
            .unwrap_err();
        assert!(matches!(e, ConnectorError::Configuration(ref m) if m.starts_with("[src]: ")));
    }

    #[test]
    fn malformed_offsets_are_refused() {
        let e = ConnectorConfig::from_json(json!({}), json!({"offsets": [{"partition": 1}]})).unwrap_err();
        assert!(matches!(e, ConnectorError::Configuration(_)));
    }
}
