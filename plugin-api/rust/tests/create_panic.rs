// SPDX-License-Identifier: Apache-2.0
// A connector whose Default panics: create() logs the reason and returns NULL (the daemon then
// exits with code 84); the panic does not unwind into the host.

mod support;

use danube_connectd_plugin::ffi::*;
use danube_connectd_plugin::{
    export_source_plugin, ConnectorConfig, ConnectorResult, ProducerConfig, SourceConnector, SourceRecord,
};
use support::{descriptor, FakeHost};

struct NoDefault;

impl Default for NoDefault {
    fn default() -> Self {
        panic!("cannot build the connector here")
    }
}

impl SourceConnector for NoDefault {
    fn initialize(&mut self, _config: ConnectorConfig) -> ConnectorResult<()> {
        Ok(())
    }
    fn producer_configs(&self) -> ConnectorResult<Vec<ProducerConfig>> {
        Ok(vec![])
    }
    fn poll(&mut self) -> ConnectorResult<Vec<SourceRecord>> {
        Ok(vec![])
    }
}

export_source_plugin!(NoDefault, "in_no_default", "No default", "0.0.1", "create fails");

#[test]
fn a_panic_while_creating_the_connector_makes_create_return_null_with_a_log_line() {
    let host = FakeHost::new();
    let create = descriptor(dcx_plugin_entry).create.unwrap();
    let source = unsafe { create(&host.table) };
    assert!(source.is_null());
    let logs = host.logs.lock().unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].0, DCX_LOG_ERROR);
    assert!(
        logs[0]
            .1
            .starts_with("cannot create the connector: connector panicked in create: cannot build the connector here"),
        "{}",
        logs[0].1
    );
    assert!(unsafe { create(std::ptr::null()) }.is_null());
}
