//! # esehdr (CLI library)
//!
//! The command-line front end of esehdr: file access, the eseutil-style text renderers and the
//! JSON reports. `main.rs` only parses arguments and maps the exit code; everything here takes
//! `&mut dyn Write`, so golden tests run it without spawning a process.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod frame;
pub mod input;
pub mod k;
pub mod mh;
pub mod mk;
pub mod ml;
pub mod plan;
pub mod records;
pub mod recover;
pub mod stream;

use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use esehdr_format::checkpoint::{read_checkpoint, Checkpoint, CHECKPOINT_FILE_SIZE};
use esehdr_format::log::content::{verify_log_content, ContentVerdict};
use esehdr_format::log::header::{read_log_header, LogHeader, LOG_HEADER_SIZE};
use esehdr_format::log::records::summary::RecordSummary;
use esehdr_format::{read_database_header, sniff_named, DatabaseHeader, DbState, FileKind, DB_HEADER_READ_LEN};
use serde::Serialize;

/// Process exit status, ripgrep-style: 0 yes, 1 a definite no, 2 error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// 0: the header was read and is sound (a database whatever its state).
    Ok = 0,
    /// 1: a definite "no": an ESE file whose header does not validate (or a log whose size is
    /// wrong), or a dirty database under `--fail-if-dirty`.
    No = 1,
    /// 2: not an ESE file of the kind asked for, unreadable, or a usage error.
    Error = 2,
}

/// Which report a command wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `esehdr mh`: database headers.
    Mh,
    /// `esehdr ml FILE`: a log header.
    Ml,
    /// `esehdr mk`: a checkpoint.
    Mk,
    /// `esehdr FILE`: whatever the file is.
    Auto,
}

/// Options shared by the modes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `-v`: both header copies (databases).
    pub verbose: bool,
    /// `--json`.
    pub json: bool,
    /// `--fail-if-dirty`: exit 1 when a database is not in Clean Shutdown.
    pub fail_if_dirty: bool,
    /// `--nologo`: no banner line.
    pub nologo: bool,
    /// `ml -v` / `--records[=LEVEL]`: print every record of a log (eseutil `/ml /v`).
    pub records: Option<esehdr_format::log::records::dump::Level>,
}

/// What a file turned out to be, read as far as its header.
#[derive(Debug)]
pub enum Inspected {
    /// A database or streaming-file header (valid or not).
    Database(Box<DatabaseHeader>),
    /// A log header (sound or not), the checkpoint found beside it, the verdict on its
    /// contents and the summary of its records (`None` when the whole file could not be read).
    Log(Box<LogHeader>, Option<ml::Beside>, Option<ContentVerdict>, Option<Box<RecordSummary>>),
    /// A checkpoint (valid or not).
    Checkpoint(Box<Checkpoint>),
    /// An ESE log or checkpoint too damaged to decode (cut inside its header).
    Damaged {
        /// JSON `kind`: `log` or `checkpoint`.
        kind: &'static str,
        /// What is wrong, with offsets.
        reason: String,
    },
    /// Something with no header to show: a reserve log, a flush map, not ESE, unreadable.
    Other {
        /// JSON `kind`: `reserve_log`, `flush_map`, `not_ese`, `unreadable`.
        kind: &'static str,
        /// One sentence: what was found where.
        reason: String,
    },
}

impl Inspected {
    /// The JSON `kind` of the file, and the command that reads it.
    fn what(&self) -> (&'static str, &'static str) {
        match self {
            Inspected::Database(_) => ("an ESE database", "mh"),
            Inspected::Log(..) => ("an ESE transaction log", "ml"),
            Inspected::Checkpoint(_) => ("an ESE checkpoint file", "mk"),
            Inspected::Damaged { kind: "log", .. } => ("a damaged ESE transaction log", "ml"),
            Inspected::Damaged { .. } => ("a damaged ESE checkpoint file", "mk"),
            Inspected::Other { .. } => ("", ""),
        }
    }

    /// The exit status of this file's report.
    pub fn status(&self, opts: Options) -> Status {
        match self {
            Inspected::Database(db) => match db.state() {
                None => Status::No,
                Some(DbState::CleanShutdown) => Status::Ok,
                Some(_) if opts.fail_if_dirty => Status::No,
                Some(_) => Status::Ok,
            },
            Inspected::Log(log, _, content, _) => {
                if log.is_sound() && content.as_ref().is_none_or(|c| c.ok) {
                    Status::Ok
                } else {
                    Status::No
                }
            }
            Inspected::Checkpoint(c) => {
                if c.is_sound() {
                    Status::Ok
                } else {
                    Status::No
                }
            }
            Inspected::Damaged { .. } => Status::No,
            Inspected::Other { kind: "reserve_log" | "flush_map", .. } => Status::Ok,
            Inspected::Other { .. } => Status::Error,
        }
    }
}

/// Reads a file's header: at most 64 KiB from offset 0 whatever its size (plus, for a log, the
/// checkpoint beside it), and decides what it is.
pub fn inspect(path: &Path) -> Inspected {
    let head = match input::read_head(path, DB_HEADER_READ_LEN) {
        Ok(h) => h,
        // A FIFO, a device or a directory: one line saying what it is.
        Err(e) if input::NotAFile::within(&e).is_some() => {
            return Inspected::Other { kind: "unreadable", reason: e.to_string() }
        }
        Err(e) => return Inspected::Other { kind: "unreadable", reason: format!("cannot read the file: {e}") },
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let sniffed = sniff_named(&name, &head.bytes, head.file_len);
    let bytes = &head.bytes;
    match sniffed.kind {
        FileKind::Database => match read_database_header(bytes) {
            Ok(db) => Inspected::Database(Box::new(db)),
            Err(e) => Inspected::Other { kind: "not_ese", reason: format!("not an ESE file: {e}") },
        },
        FileKind::Log => match read_log_header(bytes.get(..LOG_HEADER_SIZE).unwrap_or(bytes), head.file_len) {
            Ok(log) => {
                let beside = ml::checkpoint_beside(path);
                let (content, records) = records::read_content_and_records(path, &log);
                Inspected::Log(Box::new(log), beside, content, records.map(Box::new))
            }
            Err(e) => Inspected::Damaged {
                kind: "log",
                reason: format!("an ESE log ({}) whose header cannot be decoded: {e}", sniffed.reason),
            },
        },
        FileKind::Checkpoint => Inspected::Checkpoint(Box::new(read_checkpoint(
            bytes.get(..CHECKPOINT_FILE_SIZE).unwrap_or(bytes),
            head.file_len,
        ))),
        FileKind::FlushMap => Inspected::Other {
            kind: "flush_map",
            reason: format!(
                "an ESE flush map (.jfm) of the database of the same name ({}); esehdr does not dump flush maps",
                sniffed.reason
            ),
        },
        FileKind::ReserveLog => {
            Inspected::Other { kind: "reserve_log", reason: format!("a reserve log: {}", sniffed.reason) }
        }
        FileKind::Empty | FileKind::NotEse => {
            Inspected::Other { kind: "not_ese", reason: format!("not an ESE file: {}", sniffed.reason) }
        }
    }
}

/// Largest log file whose contents are verified: `le_csecLGFile` is 16 bits, so 65535 sectors
/// of 4 KiB.
const MAX_LOG_FILE: u64 = 65535 * 4096;

/// Reads a whole log and verifies its contents, when its header checksum is right and its size
/// is plausible; `None` otherwise (the header findings already say why).
pub fn read_log_content(path: &Path, log: &LogHeader) -> Option<ContentVerdict> {
    if !log.checksum_valid() || log.file_len > MAX_LOG_FILE {
        return None;
    }
    let whole = input::read_head(path, usize::try_from(log.file_len).ok()?).ok()?;
    Some(verify_log_content(&whole.bytes, &log.header))
}

/// The content part of a log's JSON.
#[derive(Debug, Serialize)]
pub struct ContentJson<'a> {
    /// The contents were verified.
    pub content_checked: bool,
    /// The contents are usable to their end.
    pub content_ok: Option<bool>,
    /// End of the valid data.
    pub last_lgpos: Option<&'a esehdr_format::Lgpos>,
    /// XOR of the good segments' checksums (v8).
    pub accumulated_segment_checksum: Option<u64>,
    /// Bits the ECC corrects.
    pub corrected_bits: &'a [esehdr_format::log::content::CorrectedBit],
    /// Content problems (damage, torn writes, corrected bits).
    pub content_problems: &'a [esehdr_format::log::content::ContentProblem],
}

impl<'a> ContentJson<'a> {
    /// From a verdict, if any.
    pub fn of(c: Option<&'a ContentVerdict>) -> Self {
        Self {
            content_checked: c.is_some(),
            content_ok: c.map(|c| c.ok),
            last_lgpos: c.map(|c| &c.last_lgpos),
            accumulated_segment_checksum: c.map(|c| c.accumulated_checksum),
            corrected_bits: c.map(|c| c.corrected_bits.as_slice()).unwrap_or_default(),
            content_problems: c.map(|c| c.problems.as_slice()).unwrap_or_default(),
        }
    }
}

/// One file's JSON report: `file` first, then the contract of its kind.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum FileJson<'a> {
    /// A database header.
    Database {
        /// The path as given.
        file: &'a str,
        /// The header report.
        #[serde(flatten)]
        db: &'a DatabaseHeader,
    },
    /// A log header.
    Log {
        /// The path as given.
        file: &'a str,
        /// The header report.
        #[serde(flatten)]
        log: &'a LogHeader,
        /// The checkpoint found beside the log, as eseutil's `Checkpoint:` line.
        #[serde(flatten)]
        beside: ml::BesideJson<'a>,
        /// The verdict on the contents.
        #[serde(flatten)]
        content: ContentJson<'a>,
        /// What the records add up to (the `records` contract), null when the contents were
        /// not read.
        records: Option<&'a RecordSummary>,
    },
    /// A checkpoint.
    Checkpoint {
        /// The path as given.
        file: &'a str,
        /// The checkpoint report.
        #[serde(flatten)]
        checkpoint: &'a Checkpoint,
    },
    /// An ESE log or checkpoint too damaged to decode.
    Damaged {
        /// The path as given.
        file: &'a str,
        /// `log` or `checkpoint`.
        kind: &'static str,
        /// Always false.
        valid: bool,
        /// What is wrong, with offsets.
        reason: String,
    },
    /// Anything else.
    Other {
        /// The path as given.
        file: &'a str,
        /// `reserve_log`, `flush_map`, `not_ese`, `unreadable`, or (given to a mode that does
        /// not read it) `database`, `log`, `checkpoint`.
        kind: &'static str,
        /// What was found where.
        reason: String,
    },
}

/// Why a mode gives no report for a file: its JSON `kind` and one sentence.
type Refusal = (&'static str, String);

/// The one line for a file that the mode cannot report on, or `None` when it can.
fn wrong_kind(mode: Mode, path: &Path, found: &Inspected) -> Option<Refusal> {
    let file = path.display();
    let (what, command) = found.what();
    match (mode, found) {
        (_, Inspected::Other { kind, reason }) => Some((kind, reason.clone())),
        (Mode::Auto, _)
        | (Mode::Mh, Inspected::Database(_))
        | (Mode::Ml, Inspected::Log(..) | Inspected::Damaged { kind: "log", .. })
        | (Mode::Mk, Inspected::Damaged { kind: "checkpoint", .. })
        | (Mode::Mk, Inspected::Checkpoint(_)) => None,
        _ => {
            let kind = match found {
                Inspected::Database(_) => "database",
                Inspected::Log(..) | Inspected::Damaged { kind: "log", .. } => "log",
                _ => "checkpoint",
            };
            let not = match mode {
                Mode::Mh => "not a database",
                Mode::Ml => "not a log file",
                _ => "not a checkpoint",
            };
            Some((kind, format!("this is {what}, {not}; read it with 'esehdr {command} {file}'")))
        }
    }
}

/// Runs one mode over `files`: reports to `out`, one-line problems to `err`; returns the worst
/// status over all files.
pub fn run(mode: Mode, files: &[&Path], opts: Options, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let mut worst = Status::Ok;
    let mut reports: Vec<(String, Inspected, Option<Refusal>)> = Vec::new();
    let mut printed = 0usize;
    for path in files {
        let started = Instant::now();
        let found = inspect(path);
        let name = path.display().to_string();
        let refused = wrong_kind(mode, path, &found);
        let status = match (&refused, &found) {
            (None, _) => found.status(opts),
            // A headerless reserve log or a flush map is classified, not an error, when no mode
            // was asked for.
            (Some(_), Inspected::Other { kind: "reserve_log" | "flush_map", .. }) if mode == Mode::Auto => Status::Ok,
            (Some(_), _) => Status::Error,
        };
        worst = worst.max(status);
        match &refused {
            Some((_, reason)) if status == Status::Error => writeln!(err, "esehdr: {name}: {reason}")?,
            Some((_, reason)) if !opts.json => writeln!(out, "{name}: {reason}")?,
            _ => {}
        }
        if refused.is_none() {
            explain_failure(&name, &found, status, err)?;
        }
        if opts.json {
            reports.push((name, found, refused));
            continue;
        }
        if refused.is_none() {
            // The banner only above a report: a refused file gets its one line and nothing else.
            if printed == 0 && !opts.nologo {
                frame::banner(out)?;
            }
            if printed > 0 {
                writeln!(out)?;
            }
            printed += 1;
            render_text(out, &name, &found, opts, started.elapsed())?;
        }
    }
    if opts.json {
        let items: Vec<FileJson<'_>> = reports
            .iter()
            .map(|(file, found, refused)| match (refused, found) {
                (Some((kind, reason)), _) => FileJson::Other { file, kind, reason: reason.clone() },
                (None, Inspected::Database(db)) => FileJson::Database { file, db },
                (None, Inspected::Log(log, beside, content, records)) => FileJson::Log {
                    file,
                    log,
                    beside: ml::BesideJson::of(beside.as_ref()),
                    content: ContentJson::of(content.as_ref()),
                    records: records.as_deref(),
                },
                (None, Inspected::Checkpoint(checkpoint)) => FileJson::Checkpoint { file, checkpoint },
                (None, Inspected::Damaged { kind, reason }) => {
                    FileJson::Damaged { file, kind, valid: false, reason: reason.clone() }
                }
                (None, Inspected::Other { kind, reason }) => FileJson::Other { file, kind, reason: reason.clone() },
            })
            .collect();
        match items.as_slice() {
            [one] => serde_json::to_writer_pretty(&mut *out, one)?,
            many => serde_json::to_writer_pretty(&mut *out, many)?,
        }
        writeln!(out)?;
    }
    Ok(worst)
}

/// The text report of one file the mode reads.
pub fn render_text(
    out: &mut dyn Write,
    name: &str,
    found: &Inspected,
    opts: Options,
    elapsed: Duration,
) -> io::Result<()> {
    match found {
        Inspected::Database(db) => {
            mh::render_text(out, name, db, mh::MhOptions { verbose: opts.verbose }, elapsed).map(drop)
        }
        Inspected::Log(log, beside, content, summary) => {
            // The dump walks the file again: only the summary was kept from the first read.
            let file = match opts.records {
                Some(_) => records::read_whole(Path::new(name)),
                None => None,
            };
            let recs = match (opts.records, &file, summary) {
                (Some(level), Some(file), _) => Some(records::RecordsOut::Dump { file, level }),
                (_, _, Some(s)) => Some(records::RecordsOut::Count(s)),
                _ => None,
            };
            ml::render_text(out, name, log, beside.as_ref(), content.as_ref(), recs, elapsed)
        }
        Inspected::Checkpoint(c) => mk::render_text(out, name, c, elapsed),
        Inspected::Damaged { kind, reason } => {
            writeln!(out, "Initiating FILE DUMP mode...")?;
            writeln!(out)?;
            writeln!(out, "                ERROR: {reason}.")?;
            let error = if *kind == "log" { ml::LOG_FILE_CORRUPT } else { mk::CHECKPOINT_CORRUPT };
            frame::footer(out, Some(error), elapsed)
        }
        Inspected::Other { .. } => Ok(()),
    }
}

/// The stderr line for a file that was read but does not pass.
fn explain_failure(name: &str, found: &Inspected, status: Status, err: &mut dyn Write) -> io::Result<()> {
    if status != Status::No {
        return Ok(());
    }
    let errors = |findings: &[esehdr_format::Finding]| {
        findings
            .iter()
            .filter(|f| f.severity == esehdr_format::Severity::Error)
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    match found {
        Inspected::Database(db) if !db.is_valid() => {
            writeln!(err, "esehdr: {name}: ESE database with no valid header copy: {}", errors(&db.findings))
        }
        Inspected::Database(db) => {
            writeln!(err, "esehdr: {name}: state is {} (--fail-if-dirty)", db.state().map_or("?", |s| s.eseutil()))
        }
        Inspected::Log(log, _, _, _) if log.is_sound() => {
            writeln!(err, "esehdr: {name}: the log's contents are damaged")
        }
        Inspected::Log(log, _, _, _) => {
            writeln!(err, "esehdr: {name}: ESE log with a damaged header: {}", errors(&log.findings))
        }
        Inspected::Checkpoint(c) => writeln!(err, "esehdr: {name}: damaged ESE checkpoint: {}", errors(&c.findings)),
        Inspected::Damaged { reason, .. } => writeln!(err, "esehdr: {name}: {reason}"),
        Inspected::Other { .. } => Ok(()),
    }
}
