//! Findings: what validation noticed about a header, each with a stable code for scripts.

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Something is off, but the header can be used (eseutil prints a WARNING).
    Warning,
    /// The header cannot be trusted or used.
    Error,
}

/// One thing validation noticed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// Stable snake_case code (`primary_bad_checksum`, `copies_differ`, ...).
    pub code: &'static str,
    /// What was expected and what was found, with offsets.
    pub message: String,
}

impl Finding {
    pub(crate) fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Self { severity, code, message: message.into() }
    }
}
