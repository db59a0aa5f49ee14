// SPDX-License-Identifier: Apache-2.0
//! The `SourceConnector` trait: danube-connect-core's, without `async` (the daemon calls every
//! method on its plugin thread and may block in `poll` up to the poll timeout).

use serde_json::Value;

use crate::{ConnectorConfig, ConnectorResult, Offset, ProducerConfig, SourceRecord};

/// What became of a record emitted with a token (extension `dcx.record-outcome/1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Danube acknowledged it on its topic.
    Delivered,
    /// It went to the dead-letter topic, or was skipped by policy.
    DeadLettered,
    /// The daemon stopped before Danube confirmed it (it may still have arrived).
    NotDelivered,
}

/// A source connector: the daemon creates one with `Default::default()` per instance and drives
/// it from one thread, so methods need no locks unless the connector runs threads of its own.
///
/// Every method returns [`ConnectorResult`]; errors map to ABI statuses (see
/// [`ConnectorError`](crate::ConnectorError)) and a panic anywhere is caught and turned into a
/// Fatal stop with the panic message.
pub trait SourceConnector: Send + 'static {
    /// Parses the configuration, connects, subscribes. Keep `config.context()` to log, to wake
    /// the host up and to see stop requests. Resume from `config.offsets`.
    fn initialize(&mut self, config: ConnectorConfig) -> ConnectorResult<()>;

    /// Every destination topic, before any record flows.
    fn producer_configs(&self) -> ConnectorResult<Vec<ProducerConfig>>;

    /// New records; an empty `Vec` when there is no data. May wait up to
    /// `context.poll_timeout()` (use `context.wait_for_stop(...)` to wait), but must return soon
    /// after a stop request. Records beyond `context.max_records()` are kept by the SDK and handed
    /// over before `poll` is called again.
    fn poll(&mut self) -> ConnectorResult<Vec<SourceRecord>>;

    /// Offsets Danube acknowledged, per source partition, in order.
    fn commit(&mut self, offsets: Vec<Offset>) -> ConnectorResult<()> {
        let _ = offsets;
        Ok(())
    }

    /// Releases the source. The host has drained and committed already.
    fn shutdown(&mut self) -> ConnectorResult<()> {
        Ok(())
    }

    /// Cheap liveness check, every `health_check_interval_ms`.
    fn health_check(&self) -> ConnectorResult<()> {
        Ok(())
    }

    /// JSON Schema (draft 7) of the connector's configuration object (extension
    /// `dcx.config-schema/1`): the daemon checks the configuration against it before
    /// `initialize`, and in `danube-connectd --check`. Called before `initialize`.
    fn config_schema(&self) -> Option<Value> {
        None
    }

    /// Set to `true` to hear the fate of every record emitted with
    /// [`SourceRecord::with_token`] through [`on_record_outcome`](Self::on_record_outcome).
    const RECORD_OUTCOMES: bool = false;

    /// Called once per record emitted with a non-zero token, when its fate is known.
    fn on_record_outcome(&mut self, token: u64, outcome: RecordOutcome, reason: &str) {
        let _ = (token, outcome, reason);
    }
}
