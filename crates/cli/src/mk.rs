//! `esehdr mk FILE`: the checkpoint dump of `eseutil /mk` (docs/output.md §10.4).

use std::io::{self, Write};
use std::time::Duration;

use esehdr_format::checkpoint::Checkpoint;

use crate::frame::{footer, severity_tag};

pub use esehdr_format::engine::CHECKPOINT_CORRUPT;

/// Writes `Initiating FILE DUMP mode...` through the closing line for one checkpoint.
pub fn render_text(w: &mut dyn Write, path: &str, c: &Checkpoint, elapsed: Duration) -> io::Result<()> {
    writeln!(w, "Initiating FILE DUMP mode...")?;
    writeln!(w, "      Checkpoint file: {path}")?;
    writeln!(w)?;
    let Some(f) = c.fields() else {
        for finding in &c.findings {
            writeln!(w, "      ERROR: {}.", finding.message)?;
        }
        return footer(w, Some(CHECKPOINT_CORRUPT), elapsed);
    };
    writeln!(w, "      LastFullBackupCheckpoint: {}", f.last_full_backup_checkpoint.eseutil())?;
    writeln!(w, "      Checkpoint: {}", f.checkpoint.eseutil())?;
    writeln!(w, "      DbConsistency: {}", f.db_consistency().eseutil())?;
    writeln!(w, "      FullBackup: {}", f.full_backup.eseutil())?;
    writeln!(w, "      FullBackup time: {}", f.full_backup_time.eseutil())?;
    writeln!(w, "      IncBackup: {}", f.incremental_backup.eseutil())?;
    writeln!(w, "      IncBackup time: {}", f.incremental_backup_time.eseutil())?;
    writeln!(w, "      Signature: {}", f.log_signature.eseutil())?;
    writeln!(w, "{}", f.dbms_param.eseutil_env("      "))?;
    // eseutil adds LogOn/VerOn/R flags from the engine's in-memory attach state; they are not
    // in the file, so esehdr does not invent them.
    for a in &f.attached {
        writeln!(w, "{:>7} {}{}", a.dbid, a.path, if a.sparse() { " (sparse)" } else { "" })?;
        writeln!(w, "        dbtime: {} ({}-{})", a.dbtime, (a.dbtime >> 32) as u32, a.dbtime as u32)?;
        writeln!(w, "        objidLast: {}", a.objid_last)?;
        writeln!(w, "        Signature: {}", a.db_signature.eseutil())?;
        writeln!(w, "        MaxDbSize: {} pages", a.max_db_size_pages as u32)?;
        writeln!(w, "        Last Attach: {}", a.last_attach.eseutil())?;
        writeln!(w, "        Last Consistent: {}", a.last_consistent.eseutil())?;
    }
    if !c.findings.is_empty() {
        writeln!(w)?;
        for finding in &c.findings {
            writeln!(w, "{}: {}.", severity_tag(finding.severity), finding.message)?;
        }
    }
    footer(w, (!c.is_sound()).then_some(CHECKPOINT_CORRUPT), elapsed)
}
