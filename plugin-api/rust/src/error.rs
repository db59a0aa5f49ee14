// SPDX-License-Identifier: Apache-2.0
//! Errors a connector returns; the SDK turns each into the ABI status the host acts on.

use std::fmt;

use crate::ffi;

/// Result type of every connector method (as in danube-connect-core).
pub type ConnectorResult<T> = Result<T, ConnectorError>;

/// What went wrong, and so what the host does about it.
///
/// | variant | status | what the host does |
/// |---|---|---|
/// | `Retryable` | `DCX_STATUS_RETRYABLE` | backs off and calls again |
/// | `Fatal`, `Initialization`, `Io` | `DCX_STATUS_FATAL` | drains, commits, calls `shutdown`, exits 1 |
/// | `InvalidData`, `Serialization` | `DCX_STATUS_INVALID_RECORD` | from `poll`: counts the skipped source data, polls on |
/// | `Configuration` | `DCX_STATUS_CONFIG` | from `initialize`: refuses to start (exit 78) |
///
/// A panic in any connector method is caught and counts as `Fatal`, with the panic message.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectorError {
    /// Temporary failure (network, rate limit, source busy).
    Retryable(String),
    /// The connector cannot go on.
    Fatal(String),
    /// Source data that cannot become a record was skipped (from `poll`), or a bad record value.
    InvalidData(String),
    /// The configuration is wrong (from `initialize`).
    Configuration(String),
    /// The source could not be set up (danube-connect-core's name for a failed `initialize`): fatal.
    Initialization(String),
    /// A value could not be turned into JSON (as danube-connect-core's `from_json` reports it).
    Serialization(String),
    /// An I/O error that the connector passed on with `?`: fatal. Map it yourself to
    /// [`ConnectorError::Retryable`] when it is transient.
    Io(std::io::Error),
}

impl ConnectorError {
    pub fn retryable(message: impl Into<String>) -> Self {
        ConnectorError::Retryable(message.into())
    }
    pub fn fatal(message: impl Into<String>) -> Self {
        ConnectorError::Fatal(message.into())
    }
    pub fn invalid_data(message: impl Into<String>) -> Self {
        ConnectorError::InvalidData(message.into())
    }
    /// A configuration error (danube-connect-core's `ConnectorError::config`).
    pub fn config(message: impl Into<String>) -> Self {
        ConnectorError::Configuration(message.into())
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, ConnectorError::Retryable(_))
    }
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ConnectorError::Fatal(_) | ConnectorError::Initialization(_) | ConnectorError::Io(_)
        )
    }
    pub fn is_invalid_data(&self) -> bool {
        matches!(self, ConnectorError::InvalidData(_) | ConnectorError::Serialization(_))
    }

    /// The message alone, as the host logs it after the status ("plugin poll returned FATAL: ...").
    pub fn message(&self) -> String {
        match self {
            ConnectorError::Retryable(m)
            | ConnectorError::Fatal(m)
            | ConnectorError::InvalidData(m)
            | ConnectorError::Configuration(m)
            | ConnectorError::Initialization(m)
            | ConnectorError::Serialization(m) => m.clone(),
            ConnectorError::Io(e) => e.to_string(),
        }
    }

    /// The ABI status code this error maps to.
    pub fn status(&self) -> ffi::dcx_status_t {
        match self {
            ConnectorError::Retryable(_) => ffi::DCX_STATUS_RETRYABLE,
            ConnectorError::InvalidData(_) | ConnectorError::Serialization(_) => ffi::DCX_STATUS_INVALID_RECORD,
            ConnectorError::Configuration(_) => ffi::DCX_STATUS_CONFIG,
            ConnectorError::Fatal(_) | ConnectorError::Initialization(_) | ConnectorError::Io(_) => {
                ffi::DCX_STATUS_FATAL
            }
        }
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectorError::Retryable(m) => write!(f, "Retryable error: {m}"),
            ConnectorError::Fatal(m) => write!(f, "Fatal error: {m}"),
            ConnectorError::InvalidData(m) => write!(f, "Invalid data: {m}"),
            ConnectorError::Configuration(m) => write!(f, "Configuration error: {m}"),
            ConnectorError::Initialization(m) => write!(f, "Initialization error: {m}"),
            ConnectorError::Serialization(m) => write!(f, "Serialization error: {m}"),
            ConnectorError::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for ConnectorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConnectorError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for ConnectorError {
    fn from(e: std::io::Error) -> Self {
        ConnectorError::Io(e)
    }
}

impl From<serde_json::Error> for ConnectorError {
    fn from(e: serde_json::Error) -> Self {
        ConnectorError::Serialization(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_maps_to_its_status() {
        assert_eq!(ConnectorError::retryable("x").status(), ffi::DCX_STATUS_RETRYABLE);
        assert_eq!(ConnectorError::fatal("x").status(), ffi::DCX_STATUS_FATAL);
        assert_eq!(
            ConnectorError::invalid_data("x").status(),
            ffi::DCX_STATUS_INVALID_RECORD
        );
        assert_eq!(ConnectorError::config("x").status(), ffi::DCX_STATUS_CONFIG);
        assert_eq!(
            ConnectorError::Initialization("x".into()).status(),
            ffi::DCX_STATUS_FATAL
        );
        assert_eq!(
            ConnectorError::Serialization("x".into()).status(),
            ffi::DCX_STATUS_INVALID_RECORD
        );
        let io: ConnectorError = std::io::Error::new(std::io::ErrorKind::NotFound, "gone").into();
        assert_eq!(io.status(), ffi::DCX_STATUS_FATAL);
        assert!(io.is_fatal());
        assert_eq!(io.message(), "gone");
    }

    #[test]
    fn message_has_no_prefix_display_has_one() {
        let e = ConnectorError::retryable("network timeout");
        assert!(e.is_retryable() && !e.is_fatal());
        assert_eq!(e.message(), "network timeout");
        assert_eq!(e.to_string(), "Retryable error: network timeout");
    }
}
