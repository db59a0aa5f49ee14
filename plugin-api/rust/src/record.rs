// SPDX-License-Identifier: Apache-2.0
//! `SourceRecord`, `Offset` and `ProducerConfig`: the guide's record model.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Number, Value};

use crate::{ConnectorError, ConnectorResult};

/// A position in the source (danube-connect-core's `Offset`): `partition` names an independently
/// ordered stream of the source (a file, a subscription), `value` the position in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Offset {
    pub partition: String,
    pub value: u64,
    pub metadata: Option<String>,
}

impl Offset {
    pub fn new(partition: impl Into<String>, value: u64) -> Self {
        Offset {
            partition: partition.into(),
            value,
            metadata: None,
        }
    }

    pub fn with_metadata(partition: impl Into<String>, value: u64, metadata: impl Into<String>) -> Self {
        Offset {
            partition: partition.into(),
            value,
            metadata: Some(metadata.into()),
        }
    }
}

/// One destination topic (danube-connect-core's `ProducerConfig`; schemas come from the daemon's
/// `[[schemas]]` table, so there is no `schema_config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerConfig {
    /// `/namespace/name`
    pub topic: String,
    /// 0: a plain topic; N: N partitions `<topic>-part-<i>`.
    pub partitions: usize,
    pub reliable_dispatch: bool,
}

impl ProducerConfig {
    pub fn new(topic: impl Into<String>, partitions: usize, reliable_dispatch: bool) -> Self {
        ProducerConfig {
            topic: topic.into(),
            partitions,
            reliable_dispatch,
        }
    }
}

/// A record's payload, and so how the host serializes it for the topic's schema type.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// Any JSON value (`SourceRecord::new`, `from_json`).
    Json(Value),
    /// Text, carried as a JSON string (`from_string`).
    String(String),
    /// A JSON number (`from_number`).
    Number(Number),
    /// Opaque bytes (`from_bytes`): `{"data":"<base64>","size":n}` on JSON topics, raw on `bytes` topics.
    Bytes(Vec<u8>),
}

impl Payload {
    /// The payload as the `serde_json::Value` a danube-connect-core record would hold
    /// (bytes as `{"data": "<base64>", "size": n}`).
    pub fn to_value(&self) -> Value {
        match self {
            Payload::Json(v) => v.clone(),
            Payload::String(s) => Value::String(s.clone()),
            Payload::Number(n) => Value::Number(n.clone()),
            Payload::Bytes(b) => json!({"data": base64(b), "size": b.len()}),
        }
    }
    pub fn as_json(&self) -> Option<&Value> {
        match self {
            Payload::Json(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Payload::String(s) => Some(s),
            Payload::Json(Value::String(s)) => Some(s),
            _ => None,
        }
    }
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Payload::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// A record for the host to validate, serialize for its topic's schema and publish.
///
/// Constructors and builders are danube-connect-core's; `with_offset`, `with_event_time_ms` and
/// `with_token` are this SDK's additions (the offset is committed once Danube acknowledged the
/// record; the token names it to [`SourceConnector::on_record_outcome`](crate::SourceConnector::on_record_outcome)).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub topic: String,
    pub payload: Payload,
    pub attributes: HashMap<String, String>,
    /// Routing key: records with one key reach the same partition, in order.
    pub key: Option<String>,
    pub offset: Option<Offset>,
    /// Source event time in ms since the Unix epoch, sent as publish_time; 0: the host's clock.
    pub event_time_ms: i64,
    /// Non-zero: the host reports this record's fate (see `SourceConnector::RECORD_OUTCOMES`).
    pub token: u64,
}

impl SourceRecord {
    fn with_payload(topic: impl Into<String>, payload: Payload) -> Self {
        SourceRecord {
            topic: topic.into(),
            payload,
            attributes: HashMap::new(),
            key: None,
            offset: None,
            event_time_ms: 0,
            token: 0,
        }
    }

    /// A JSON value.
    pub fn new(topic: impl Into<String>, payload: Value) -> Self {
        Self::with_payload(topic, Payload::Json(payload))
    }

    /// Any `Serialize` value, as JSON.
    pub fn from_json<T: Serialize>(topic: impl Into<String>, data: T) -> ConnectorResult<Self> {
        let value = serde_json::to_value(data).map_err(|e| ConnectorError::Serialization(e.to_string()))?;
        Ok(Self::new(topic, value))
    }

    /// Text, carried as a JSON string.
    pub fn from_string(topic: impl Into<String>, payload: impl Into<String>) -> Self {
        Self::with_payload(topic, Payload::String(payload.into()))
    }

    /// A number; anything that does not serialize to a JSON number is an error.
    pub fn from_number<T: Serialize>(topic: impl Into<String>, number: T) -> ConnectorResult<Self> {
        match serde_json::to_value(number).map_err(|e| ConnectorError::Serialization(e.to_string()))? {
            Value::Number(n) => Ok(Self::with_payload(topic, Payload::Number(n))),
            _ => Err(ConnectorError::Serialization("Value is not a number".to_string())),
        }
    }

    /// Opaque bytes.
    pub fn from_bytes(topic: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        Self::with_payload(topic, Payload::Bytes(data.into()))
    }

    pub fn with_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(key.into(), value.into());
        self
    }

    pub fn with_attributes(mut self, attrs: impl IntoIterator<Item = (String, String)>) -> Self {
        self.attributes.extend(attrs);
        self
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn with_offset(mut self, offset: Offset) -> Self {
        self.offset = Some(offset);
        self
    }

    pub fn with_event_time_ms(mut self, ms: i64) -> Self {
        self.event_time_ms = ms;
        self
    }

    pub fn with_token(mut self, token: u64) -> Self {
        self.token = token;
        self
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }
    pub fn payload(&self) -> &Payload {
        &self.payload
    }
    pub fn attributes(&self) -> &HashMap<String, String> {
        &self.attributes
    }
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }
    pub fn offset(&self) -> Option<&Offset> {
        self.offset.as_ref()
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_pick_the_payload_kind() {
        let r = SourceRecord::new("/default/e", json!({"a": 1}));
        assert_eq!(r.payload, Payload::Json(json!({"a": 1})));
        let r = SourceRecord::from_string("/default/e", "hello");
        assert_eq!(r.payload.as_str(), Some("hello"));
        assert_eq!(r.payload.to_value(), json!("hello"));
        let r = SourceRecord::from_number("/default/e", 23.5).unwrap();
        assert_eq!(r.payload, Payload::Number(Number::from_f64(23.5).unwrap()));
        let r = SourceRecord::from_number("/default/e", -100i64).unwrap();
        assert_eq!(r.payload.to_value(), json!(-100));
        let r = SourceRecord::from_bytes("/default/e", vec![0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        assert_eq!(r.payload.as_bytes(), Some(&b"Hello"[..]));
        assert_eq!(r.payload.to_value(), json!({"data": "SGVsbG8=", "size": 5}));
    }

    #[test]
    fn from_number_refuses_what_is_not_a_number() {
        let e = SourceRecord::from_number("/default/e", "42").unwrap_err();
        assert!(e.is_invalid_data());
        assert_eq!(e.message(), "Value is not a number");
    }

    #[test]
    fn from_json_takes_any_serialize_value() {
        let mut m = std::collections::BTreeMap::new();
        m.insert("name", "test");
        let r = SourceRecord::from_json("/default/e", &m).unwrap();
        assert_eq!(r.payload.as_json().unwrap()["name"], "test");
        // Non-string map keys cannot become JSON.
        let mut bad = std::collections::BTreeMap::new();
        bad.insert(vec![1u8], 1);
        assert!(matches!(
            SourceRecord::from_json("/default/e", &bad),
            Err(ConnectorError::Serialization(_))
        ));
    }

    #[test]
    fn builders_set_attributes_key_offset_time_and_token() {
        let r = SourceRecord::from_string("/default/e", "x")
            .with_attribute("source", "test")
            .with_attributes([("a".to_string(), "1".to_string())])
            .with_key("user-123")
            .with_offset(Offset::with_metadata("p", 7, "m"))
            .with_event_time_ms(1_700_000_000_000)
            .with_token(9);
        assert_eq!(r.attributes().get("source").map(String::as_str), Some("test"));
        assert_eq!(r.attributes().get("a").map(String::as_str), Some("1"));
        assert_eq!(r.key(), Some("user-123"));
        assert_eq!(
            r.offset(),
            Some(&Offset {
                partition: "p".into(),
                value: 7,
                metadata: Some("m".into())
            })
        );
        assert_eq!(r.event_time_ms, 1_700_000_000_000);
        assert_eq!(r.token, 9);
        assert_eq!(ProducerConfig::new("/default/e", 4, true).partitions, 4);
    }

    #[test]
    fn base64_pads_like_the_standard_alphabet() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xff, 0xfe, 0xfd, 0x00]), "//79AA==");
    }
}
