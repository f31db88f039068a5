//! # esehdr (CLI library)
//!
//! The command-line front end of esehdr: file access, the eseutil-style text renderers and the
//! JSON reports. `main.rs` only parses arguments and maps the exit code; everything here takes
//! `&mut dyn Write`, so golden tests run it without spawning a process.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod frame;
pub mod input;
pub mod mh;

use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use esehdr_format::{
    read_database_header, sniff, DatabaseHeader, DbState, FileKind, DB_HEADER_READ_LEN,
};
use serde::Serialize;

/// Process exit status, ripgrep-style: 0 yes, 1 a definite no, 2 error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// 0: the header was read (whatever its state).
    Ok = 0,
    /// 1: a definite "no": an ESE file whose header does not validate, or a dirty database
    /// under `--fail-if-dirty`.
    No = 1,
    /// 2: not an ESE file of the kind asked for, unreadable, or a usage error.
    Error = 2,
}

/// Options of `esehdr mh`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MhArgs {
    /// `-v`: both header copies.
    pub verbose: bool,
    /// `--json`.
    pub json: bool,
    /// `--fail-if-dirty`: exit 1 when a database is not in Clean Shutdown.
    pub fail_if_dirty: bool,
    /// `--nologo`: no banner line.
    pub nologo: bool,
}

/// One file's JSON report: `file` first, then the database contract, or `kind` and `reason`
/// for anything that is not a readable database.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum MhJson<'a> {
    /// A database header (valid or not).
    Database {
        /// The path as given.
        file: &'a str,
        /// The header report.
        #[serde(flatten)]
        db: &'a DatabaseHeader,
    },
    /// Not a database.
    Other {
        /// The path as given.
        file: &'a str,
        /// `log`, `checkpoint`, `flush_map`, `not_ese` or `unreadable`.
        kind: &'static str,
        /// What was found where.
        reason: String,
    },
}

/// What reading one file for `mh` gave.
#[derive(Debug)]
pub enum MhOutcome {
    /// A database header (valid or not).
    Database(Box<DatabaseHeader>),
    /// Something else, with its JSON kind and a one-line reason.
    Other {
        /// JSON `kind`.
        kind: &'static str,
        /// One line: what it is and what to do.
        reason: String,
    },
}

impl MhOutcome {
    /// The exit status this outcome maps to.
    pub fn status(&self, fail_if_dirty: bool) -> Status {
        match self {
            MhOutcome::Database(db) => match db.state() {
                None => Status::No,
                Some(DbState::CleanShutdown) => Status::Ok,
                Some(_) if fail_if_dirty => Status::No,
                Some(_) => Status::Ok,
            },
            MhOutcome::Other { .. } => Status::Error,
        }
    }
}

/// Reads one file for `mh`: at most [`DB_HEADER_READ_LEN`] bytes, whatever the file's size.
pub fn read_for_mh(path: &Path) -> MhOutcome {
    let head = match input::read_head(path, DB_HEADER_READ_LEN) {
        Ok(h) => h,
        Err(e) => {
            return MhOutcome::Other {
                kind: "unreadable",
                reason: format!("cannot read the file: {e}"),
            }
        }
    };
    let sniffed = sniff(&head.bytes, head.file_len);
    let file = path.display();
    match sniffed.kind {
        FileKind::Database => match read_database_header(&head.bytes) {
            Ok(db) => MhOutcome::Database(Box::new(db)),
            Err(e) => MhOutcome::Other { kind: "not_ese", reason: format!("not an ESE database: {e}") },
        },
        FileKind::Log => MhOutcome::Other {
            kind: "log",
            reason: format!(
                "this is an ESE transaction log, not a database ({}); read it with 'esehdr ml {file}'",
                sniffed.reason
            ),
        },
        FileKind::Checkpoint => MhOutcome::Other {
            kind: "checkpoint",
            reason: format!(
                "this is an ESE checkpoint file, not a database ({}); read it with 'esehdr mk {file}'",
                sniffed.reason
            ),
        },
        FileKind::FlushMap => MhOutcome::Other {
            kind: "flush_map",
            reason: format!(
                "this is an ESE flush map (.jfm), not a database ({}); it belongs to the database of the same name",
                sniffed.reason
            ),
        },
        FileKind::Empty | FileKind::NotEse => {
            MhOutcome::Other { kind: "not_ese", reason: format!("not an ESE database: {}", sniffed.reason) }
        }
    }
}

/// `esehdr mh FILE...`: writes the reports to `out`, one-line problems to `err`, and returns
/// the worst status over all files.
pub fn run_mh(
    files: &[&Path],
    args: MhArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let mut worst = Status::Ok;
    let mut json_items = Vec::new();
    if !args.json && !args.nologo {
        frame::banner(out)?;
    }
    for (i, path) in files.iter().enumerate() {
        let started = Instant::now();
        let outcome = read_for_mh(path);
        let status = outcome.status(args.fail_if_dirty);
        worst = worst.max(status);
        let name = path.display().to_string();
        if let MhOutcome::Other { reason, .. } = &outcome {
            writeln!(err, "esehdr: {name}: {reason}")?;
        }
        if args.json {
            json_items.push((name, outcome));
            continue;
        }
        if let MhOutcome::Database(db) = &outcome {
            if i > 0 {
                writeln!(out)?;
            }
            mh::render_text(
                out,
                &name,
                db,
                mh::MhOptions {
                    verbose: args.verbose,
                },
                started.elapsed(),
            )?;
            if !db.is_valid() {
                let why: Vec<&str> = db.findings.iter().map(|f| f.message.as_str()).collect();
                writeln!(
                    err,
                    "esehdr: {name}: ESE database with no valid header copy: {}",
                    why.join("; ")
                )?;
            } else if status == Status::No {
                writeln!(
                    err,
                    "esehdr: {name}: state is {} (--fail-if-dirty)",
                    db.state().map_or("?", |s| s.eseutil())
                )?;
            }
        }
    }
    if args.json {
        let items: Vec<MhJson<'_>> = json_items
            .iter()
            .map(|(file, outcome)| match outcome {
                MhOutcome::Database(db) => MhJson::Database { file, db },
                MhOutcome::Other { kind, reason } => MhJson::Other {
                    file,
                    kind,
                    reason: reason.clone(),
                },
            })
            .collect();
        if items.len() == 1 {
            serde_json::to_writer_pretty(&mut *out, &items[0])?;
        } else {
            serde_json::to_writer_pretty(&mut *out, &items)?;
        }
        writeln!(out)?;
    }
    Ok(worst)
}
