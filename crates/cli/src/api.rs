//! One call per report, for the bindings (`crates/python`, `crates/capi`): each returns the
//! value `esehdr ... --json` prints for one file (its serde form is that JSON, JSON contract
//! version 1 of docs/json.md), the exit status the CLI would give, and the line it would print
//! on standard error. They run the same functions as the CLI, so the bindings cannot drift
//! from it; `crates/python/tests` and `crates/capi/tests` compare them with the CLI's output.
//!
//! [`Kind`] is the table of reports: a new report (log records, recovery) is a variant there,
//! a variant of [`Report`], and one function.

use std::path::Path;

use esehdr_format::log::stream::StreamReport;
use serde::{Serialize, Serializer};

use crate::k::{DatabaseScan, Progress};
use crate::plan::{Expect, PlanOptions, PlanReport};
use crate::stream::StreamOptions;
use crate::{file_report, FileReport, Inspected, Mode, Options, Status};

/// The reports the bindings offer, each the JSON of one CLI command on one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `esehdr --json FILE`: the report of whatever the file is.
    Inspect,
    /// `esehdr mh --json FILE`.
    Mh,
    /// `esehdr ml --json LOGFILE` (a log file; a base name is [`Kind::Stream`]).
    Ml,
    /// `esehdr mk --json CHECKPOINT`.
    Mk,
    /// `esehdr k --json FILE`: page checksums of a database; a log, base name or checkpoint gets
    /// the `ml`, `ml BASE` or `mk` report, as in the CLI.
    K,
    /// `esehdr ml --json BASE`: a whole log stream.
    Stream,
    /// `esehdr plan --json DIR`.
    Plan,
}

/// Options the reports take, each as the CLI option of the same name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    /// `mh --fail-if-dirty` (and `inspect`): exit 1 when a database is not in Clean Shutdown.
    pub fail_if_dirty: bool,
    /// `ml BASE --headers-only`, `plan --headers-only`: do not read log contents.
    pub headers_only: bool,
    /// `k --no-mmap`: read the database in plain chunks.
    pub no_mmap: bool,
    /// `plan --expect`.
    pub expect: Option<Expect>,
    /// `ml BASE --range FIRST-LAST`.
    pub range: Option<(u32, u32)>,
}

impl Kind {
    /// Runs this report on `path`.
    pub fn run(self, path: &Path, flags: Flags) -> Outcome {
        let opts = Options { fail_if_dirty: flags.fail_if_dirty, json: true, ..Options::default() };
        match self {
            Kind::Inspect => file(Mode::Auto, path, opts),
            Kind::Mh => file(Mode::Mh, path, opts),
            Kind::Ml => file(Mode::Ml, path, opts),
            Kind::Mk => file(Mode::Mk, path, opts),
            Kind::K => pages(path, flags.no_mmap, &Progress::default()),
            Kind::Stream => stream(
                path,
                StreamOptions { range: flags.range, headers_only: flags.headers_only, ..Default::default() },
            ),
            Kind::Plan => plan(
                &PlanOptions {
                    inputs: vec![path.to_path_buf()],
                    headers_only: flags.headers_only,
                    json: true,
                    ..Default::default()
                },
                flags.expect,
            ),
        }
    }
}

/// A report: its serde form is the JSON the CLI prints.
#[derive(Debug)]
pub enum Report {
    /// `esehdr [mh|ml|mk] --json FILE`.
    File(FileReport),
    /// `esehdr ml --json BASE`.
    Stream(StreamReport),
    /// `esehdr k --json DBFILE`.
    Pages(DatabaseScan),
    /// `esehdr plan --json DIR`.
    Plan(PlanReport),
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Report::File(r) => r.json().serialize(s),
            Report::Stream(r) => r.serialize(s),
            Report::Pages(r) => r.report().serialize(s),
            Report::Plan(r) => r.serialize(s),
        }
    }
}

/// What one CLI command gives for one path.
#[derive(Debug)]
pub struct Outcome {
    /// The exit status (0, 1, 2).
    pub status: Status,
    /// The JSON report, or `None` when the CLI prints none (an I/O or usage error: status 2).
    pub report: Option<Report>,
    /// The line the CLI prints on standard error, without `esehdr: `, or `None`.
    pub message: Option<String>,
}

impl Outcome {
    /// An error the CLI reports with one line and no JSON.
    fn error(message: String) -> Self {
        Outcome { status: Status::Error, report: None, message: Some(message) }
    }

    /// The JSON as the CLI prints it: pretty, with a final newline.
    pub fn json(&self) -> Option<serde_json::Result<String>> {
        self.report.as_ref().map(|r| serde_json::to_string_pretty(r).map(|j| j + "\n"))
    }
}

/// `esehdr [MODE] --json FILE`.
pub fn file(mode: Mode, path: &Path, opts: Options) -> Outcome {
    let r = file_report(mode, path, opts);
    Outcome { status: r.status, message: r.message(), report: Some(Report::File(r)) }
}

/// `esehdr ml --json BASE`.
pub fn stream(base: &Path, opts: StreamOptions) -> Outcome {
    if !crate::stream::is_base_name(base) {
        return Outcome::error(format!(
            "{}: not a log base name: a stream is named by 3 characters without an extension (E00, SRU), and no file of that name exists",
            base.display()
        ));
    }
    match crate::stream::stream_report(base, opts) {
        Ok((report, status)) => Outcome { status, report: Some(Report::Stream(report)), message: None },
        Err(e) => Outcome::error(format!("{}: {e}", base.display())),
    }
}

/// `esehdr k --json FILE`, with the pages counted in `progress` as the scan goes.
pub fn pages(path: &Path, no_mmap: bool, progress: &Progress) -> Outcome {
    if crate::stream::is_base_name(path) {
        return stream(path, StreamOptions::default());
    }
    let found = file_report(Mode::Auto, path, Options { json: true, nologo: true, ..Options::default() });
    if !matches!(found.found, Inspected::Database(_)) {
        return Outcome { status: found.status, message: found.message(), report: Some(Report::File(found)) };
    }
    match crate::k::scan_database(path, no_mmap, progress) {
        Ok(Ok(scan)) => Outcome { status: scan.status(), report: Some(Report::Pages(scan)), message: None },
        Ok(Err(line)) => Outcome::error(line),
        Err(e) => Outcome::error(format!("{}: {e}", path.display())),
    }
}

/// `esehdr plan --json INPUTS...` (folders and files of `opts.inputs`).
pub fn plan(opts: &PlanOptions, expect: Option<Expect>) -> Outcome {
    if let Some(line) = opts.inputs.iter().find_map(|p| crate::plan::refused_input(p)) {
        return Outcome::error(line);
    }
    match crate::plan::plan_report(opts, expect) {
        Ok((streams, status)) => Outcome { status, report: Some(Report::Plan(PlanReport { streams })), message: None },
        Err(e) => Outcome::error(e.to_string()),
    }
}
