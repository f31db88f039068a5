//! `esehdr ml FILE`: the single-file log dump of `eseutil /ml` (docs/output.md §10.3), and its JSON.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use esehdr_format::checkpoint::{read_checkpoint, CHECKPOINT_FILE_SIZE};
use esehdr_format::log::content::ContentVerdict;
use esehdr_format::log::header::LogHeader;
use esehdr_format::log::stream::lower_gen;
use esehdr_format::Lgpos;
use serde::Serialize;

use crate::frame::{footer, severity_tag, JetError};
use crate::records::{write_record_part, RecordsOut};

pub use esehdr_format::engine::{LOG_FILE_CORRUPT, LOG_FILE_SIZE_MISMATCH};

/// The checkpoint file found beside a log (`<base>.jcp`, then `<base>.chk`), and its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beside {
    /// The checkpoint file.
    pub file: PathBuf,
    /// Its `le_lgposCheckpoint`, when a copy is valid.
    pub checkpoint: Option<Lgpos>,
}

/// `checkpoint_file` and `checkpoint` in a log's JSON.
#[derive(Debug, Serialize)]
pub struct BesideJson<'a> {
    /// The checkpoint file beside the log, or null.
    pub checkpoint_file: Option<String>,
    /// Its checkpoint position, or null when there is none or it is damaged.
    pub checkpoint: Option<&'a Lgpos>,
}

impl<'a> BesideJson<'a> {
    /// From what was found beside the log.
    pub fn of(b: Option<&'a Beside>) -> Self {
        Self {
            checkpoint_file: b.map(|b| b.file.display().to_string()),
            checkpoint: b.and_then(|b| b.checkpoint.as_ref()),
        }
    }
}

/// The base name eseutil derives from a log file name: its first three characters.
pub fn base_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().chars().take(3).collect()).unwrap_or_default()
}

/// Looks for `<base>.jcp`, then `<base>.chk`, in the log's folder (names compared
/// case-insensitively, as on Windows), and reads its checkpoint position.
pub fn checkpoint_beside(log: &Path) -> Option<Beside> {
    let base = base_name(log).to_ascii_lowercase();
    let dir = match log.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let entries: Vec<PathBuf> = std::fs::read_dir(&dir).ok()?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    let find = |ext: &str| {
        let want = format!("{base}.{ext}");
        entries
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().to_ascii_lowercase() == want))
            .cloned()
    };
    let file = find("jcp").or_else(|| find("chk"))?;
    let checkpoint = crate::input::read_head(&file, CHECKPOINT_FILE_SIZE)
        .ok()
        .and_then(|h| read_checkpoint(&h.bytes, h.file_len).fields().map(|f| f.checkpoint));
    Some(Beside { file, checkpoint })
}

/// eseutil's suffix of `Env Log Sec size:` from `bDiskSecSizeMismatch`.
fn sector_size_note(v: u8) -> &'static str {
    match v {
        0 => " (legacy, unknown actual)",
        1 => " (matches)",
        2 => " (actual @ log gen 512)",
        3 => " (actual @ log gen 1024)",
        4 => " (actual @ log gen 2048)",
        5 => " (actual @ log gen 4096)",
        255 => " (actual @ log gen NON-STANDARD)",
        _ => " (Unknown ENUM!)",
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// Writes `Initiating FILE DUMP mode...` through the closing line for one log file: the dump of
/// its header and, when `content` is given, the result of verifying its data.
pub fn render_text(
    w: &mut dyn Write,
    path: &str,
    log: &LogHeader,
    beside: Option<&Beside>,
    content: Option<&ContentVerdict>,
    records: Option<RecordsOut<'_>>,
    elapsed: Duration,
) -> io::Result<()> {
    writeln!(w, "Initiating FILE DUMP mode...")?;
    writeln!(w)?;
    let result = write_dump(w, path, log, beside, content, records)?;
    footer(w, result, elapsed)
}

/// The single-file dump, from `Base name:` to `Integrity check passed` (or the ERROR lines);
/// returns the engine error the file leads to, if any. Also used per log by `esehdr ml -v BASE`.
/// `records` adds what eseutil prints after `Accumulated segment checksum`: the page-reference
/// count, or every record with the statistics and the DBID table (docs/log-records.md §4).
pub fn write_dump(
    w: &mut dyn Write,
    path: &str,
    log: &LogHeader,
    beside: Option<&Beside>,
    content: Option<&ContentVerdict>,
    records: Option<RecordsOut<'_>>,
) -> io::Result<Option<JetError>> {
    let h = &log.header;
    writeln!(w, "      Base name: {}", base_name(Path::new(path)))?;
    writeln!(w, "      Log file: {path}")?;
    if !log.checksum_valid() {
        writeln!(w, "                ERROR: Cannot read log file header. Error {}.", LOG_FILE_CORRUPT.code)?;
        for f in &log.findings {
            writeln!(w, "                {}: {}.", severity_tag(f.severity), f.message)?;
        }
        return Ok(Some(LOG_FILE_CORRUPT));
    }
    writeln!(w, "      lGeneration: {} (0x{:X})", h.generation as u32, h.generation as u32)?;
    match beside.and_then(|b| b.checkpoint) {
        Some(p) => writeln!(w, "      Checkpoint: {}", p.eseutil())?,
        None => writeln!(w, "      Checkpoint: NOT AVAILABLE")?,
    }
    writeln!(w, "      creation time: {}", h.created.eseutil())?;
    writeln!(w, "      prev gen time: {}", h.previous_generation_created.eseutil())?;
    writeln!(w, "      prev gen accumulated segment checksum: 0x{:016x}", h.previous_log_segments_checksum)?;
    writeln!(
        w,
        "      Format LGVersion: ({}.{}.{}.{}) (generated by {})",
        h.version.major as i32,
        h.version.minor as i32,
        h.version.update_major as i32,
        h.version.update_minor as i32,
        h.engine_efv as i32
    )?;
    // esehdr is not an engine; the line is kept for the layout.
    writeln!(w, "      Engine LGVersion: (esehdr {} reads 7.3704.* and 8.4000.* logs)", env!("CARGO_PKG_VERSION"))?;
    writeln!(w, "      Signature: {}", h.log_signature.eseutil())?;
    writeln!(w, "      Env SystemPath: {}", h.dbms_param.system_path)?;
    writeln!(w, "      Env LogFilePath: {}", h.dbms_param.log_path)?;
    writeln!(w, "      Env Log Sec size: {}{}", h.sector_size, sector_size_note(h.disk_sector_size))?;
    writeln!(w, "{}", h.dbms_param.eseutil_env("      "))?;
    writeln!(w, "      Using Reserved Log File: {}", h.flags.reserve_log())?;
    writeln!(w, "      Circular Logging Flag (current file): {}", on_off(h.flags.circular_current()))?;
    writeln!(w, "      Circular Logging Flag (past files): {}", on_off(h.flags.circular_history()))?;
    writeln!(w, "      Checkpoint at log creation time: {}", h.checkpoint_at_creation.eseutil())?;
    for a in &h.attached {
        writeln!(w, "      {} {}{}", a.dbid, a.path, if a.sparse() { " (sparse)" } else { "" })?;
        for extra in &a.extra_names {
            writeln!(w, "\t\t Also named: {extra}")?;
        }
        writeln!(w, "\t\t dbtime: {} ({}-{})", a.dbtime, (a.dbtime >> 32) as u32, a.dbtime as u32)?;
        writeln!(w, "\t\t objidLast: {}", a.objid_last)?;
        writeln!(w, "\t\t Signature: {}", a.db_signature.eseutil())?;
        writeln!(w, "\t\t MaxDbSize: {} pages", a.max_db_size_pages as u32)?;
        writeln!(w, "\t\t Last Attach: {}", a.last_attach.eseutil())?;
        writeln!(w, "\t\t Last Consistent: {}", a.last_consistent.eseutil())?;
    }
    writeln!(w)?;

    let mut result = None;
    match content {
        Some(c) if c.ok => {
            writeln!(w, "      Last Lgpos: {}", lower_gen(&c.last_lgpos))?;
            writeln!(w, "      Accumulated segment checksum: 0x{:016x}", c.accumulated_checksum)?;
        }
        Some(c) => {
            writeln!(
                w,
                "      ERROR: Log damaged (unusable). Last Lgpos: {}. Error {}.",
                lower_gen(&c.last_lgpos),
                LOG_FILE_CORRUPT.code
            )?;
            result = Some(LOG_FILE_CORRUPT);
        }
        None => writeln!(w, "      Log content not checked.")?,
    }
    for p in content.map(|c| c.problems.as_slice()).unwrap_or_default() {
        let tag = if p.code == "damaged" { "ERROR" } else { "WARNING" };
        writeln!(w, "      {tag}: {}.", p.message)?;
    }
    for f in &log.findings {
        writeln!(w, "      {}: {}.", severity_tag(f.severity), f.message)?;
    }
    if result.is_none() && !log.file_size_matches() {
        result = Some(LOG_FILE_SIZE_MISMATCH);
    }
    if result.is_none() && !log.is_sound() {
        result = Some(LOG_FILE_CORRUPT);
    }
    if let (Some(c), Some(r)) = (content, records) {
        // The page references only for a log the engine would read to its end, as eseutil.
        write_record_part(w, &log.header, c, r, result.is_none())?;
    }
    if result.is_none() && content.is_some() {
        writeln!(w)?;
        writeln!(w, "Integrity check passed for log file: {path}")?;
    }
    Ok(result)
}
