//! eseutil's frame around every mode's output (docs/output.md §10.1) and the engine errors it names.

use std::io::{self, Write};
use std::time::Duration;

/// An engine error as eseutil prints it (`esehdr_format::engine`).
pub use esehdr_format::engine::EngineError as JetError;
pub use esehdr_format::engine::DATABASE_CORRUPTED;

/// The tag eseutil-style lines carry for a finding of this severity.
pub fn severity_tag(s: esehdr_format::Severity) -> &'static str {
    match s {
        esehdr_format::Severity::Error => "ERROR",
        esehdr_format::Severity::Warning => "WARNING",
        esehdr_format::Severity::Info => "NOTE",
    }
}

/// The first line of every text report: esehdr's name and version (eseutil prints its logo here).
pub fn banner(w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "esehdr {}: Extensible Storage Engine header inspector (eseutil-compatible output)",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(w)
}

/// eseutil's elapsed-time form `{sec}.{msec}` with the milliseconds unpadded (5 ms prints `0.5`).
pub fn seconds(elapsed: Duration) -> String {
    let ms = elapsed.as_millis();
    format!("{}.{}", ms / 1000, ms % 1000)
}

/// The closing line of a mode.
pub fn footer(w: &mut dyn Write, result: Option<JetError>, elapsed: Duration) -> io::Result<()> {
    writeln!(w)?;
    match result {
        None => writeln!(w, "Operation completed successfully in {} seconds.", seconds(elapsed)),
        Some(e) => writeln!(
            w,
            "Operation terminated with error {} ({}, {}) after {} seconds.",
            e.code,
            e.name,
            e.description,
            seconds(elapsed)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_are_not_padded_like_eseutil() {
        assert_eq!(seconds(Duration::from_millis(5)), "0.5");
        assert_eq!(seconds(Duration::from_millis(1250)), "1.250");
        assert_eq!(seconds(Duration::ZERO), "0.0");
    }
}
