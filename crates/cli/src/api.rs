//! One call per report, for the bindings (`crates/python`, `crates/capi`): each returns the
//! value `esehdr ... --json` prints for one file (its serde form is that JSON, JSON contract
//! version 1 of docs/json.md), the exit status the CLI would give, and the line it would print
//! on standard error. They run the same functions as the CLI, so the bindings cannot drift
//! from it; `crates/python/tests` and `crates/capi/tests` compare them with the CLI's output.
//!
//! [`Kind`] is the table of reports: a new report (recovery on a copy) is a variant there,
//! a variant of [`Report`], and one function. The log records ([`Kind::Records`]) are JSON
//! Lines, not one document: [`Outcome::json`] gives them as the CLI prints them; the Python
//! binding walks them lazily itself ([`crate::records::read_log_for_records`]). The recovery
//! dry run ([`dry_run`]) and the recovery on a copy ([`recover`]) take several paths, so they
//! are functions beside the table.

use std::path::Path;

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
    /// `esehdr ml --records --json FILE`: JSON Lines, one object per record of a log (of every
    /// log of the stream for a base name).
    Records,
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
            Kind::Records => records(path, flags.range),
        }
    }
}

/// A report: its serde form is the JSON the CLI prints.
#[derive(Debug)]
pub enum Report {
    /// `esehdr [mh|ml|mk] --json FILE`.
    File(FileReport),
    /// `esehdr ml --json BASE`.
    Stream(serde_json::Value),
    /// `esehdr k --json DBFILE`.
    Pages(DatabaseScan),
    /// `esehdr plan --json DIR`.
    Plan(PlanReport),
    /// `esehdr ml --records --json FILE`: the JSON Lines text (each line one object).
    Records(String),
    /// `esehdr recover --dry-run --json`.
    DryRun(esehdr_recover::Report),
    /// `esehdr recover --out COPY --json`.
    Recover(Box<esehdr_recover::RecoverReport>),
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Report::File(r) => r.json().serialize(s),
            Report::Stream(r) => r.serialize(s),
            Report::Pages(r) => r.report().serialize(s),
            Report::Plan(r) => r.serialize(s),
            // One document for JSON Lines: the array of their objects.
            Report::Records(text) => {
                let lines: Result<Vec<serde_json::Value>, _> =
                    text.lines().map(serde_json::from_str::<serde_json::Value>).collect();
                lines.map_err(serde::ser::Error::custom)?.serialize(s)
            }
            Report::DryRun(r) => r.serialize(s),
            Report::Recover(r) => r.serialize(s),
        }
    }
}

/// What went wrong, when the CLI prints a line on standard error: the bindings raise or return
/// an error of this kind (Python: `esehdr.NotEseFile`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Exit 2: not an ESE file (zeros, random bytes, too short).
    NotEse,
    /// Exit 2: an ESE file of another kind than the report reads (a log given to `mh`).
    WrongKind,
    /// Exit 2: the file or folder cannot be read, or is not a file (a FIFO, a device).
    Unreadable,
    /// Exit 2: the arguments do not make sense (`ml BASE` with no base name).
    Usage,
    /// Exit 1: an ESE file whose header does not validate (no valid database header copy, a log
    /// header with a bad checksum or size, a damaged checkpoint).
    CorruptHeader,
    /// Exit 1: a log whose header is sound but whose contents are damaged.
    DamagedLog,
    /// Exit 1: a database not in Clean Shutdown, under `fail_if_dirty`.
    Dirty,
    /// Exit 1: recovery on a copy is not possible (the report's `ok` is false, its `error` says
    /// why; nothing was written).
    RecoveryFailed,
}

impl Problem {
    /// Of a file report with status 1 or 2 (`None` for status 0).
    fn of(r: &FileReport) -> Option<Problem> {
        match (r.status, &r.refused, &r.found) {
            (Status::Ok, _, _) => None,
            (Status::Error, Some(("not_ese", _)), _) => Some(Problem::NotEse),
            (Status::Error, Some(("unreadable", _)), _) => Some(Problem::Unreadable),
            (Status::Error, _, _) => Some(Problem::WrongKind),
            (Status::No, _, Inspected::Database(db)) if db.is_valid() => Some(Problem::Dirty),
            (Status::No, _, Inspected::Log(log, _, _, _)) if log.is_sound() => Some(Problem::DamagedLog),
            (Status::No, _, _) => Some(Problem::CorruptHeader),
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
    /// What the message is about (`None` when there is no message).
    pub problem: Option<Problem>,
}

impl Outcome {
    /// An error the CLI reports with one line and no JSON.
    fn error(problem: Problem, message: String) -> Self {
        Outcome { status: Status::Error, report: None, message: Some(message), problem: Some(problem) }
    }

    /// A report with no line on standard error (a verdict: exit 0 or 1).
    fn verdict(status: Status, report: Report) -> Self {
        Outcome { status, report: Some(report), message: None, problem: None }
    }

    /// Of a file report.
    fn of_file(r: FileReport) -> Self {
        let (message, problem) = (r.message(), Problem::of(&r));
        Outcome { status: r.status, report: Some(Report::File(r)), message, problem }
    }

    /// The JSON as the CLI prints it: pretty, with a final newline (JSON Lines for
    /// [`Report::Records`], as printed).
    pub fn json(&self) -> Option<serde_json::Result<String>> {
        self.report.as_ref().map(|r| match r {
            Report::Records(text) => Ok(text.clone()),
            r => serde_json::to_string_pretty(r).map(|j| j + "\n"),
        })
    }
}

/// `esehdr [MODE] --json FILE`.
pub fn file(mode: Mode, path: &Path, opts: Options) -> Outcome {
    Outcome::of_file(file_report(mode, path, opts))
}

/// `esehdr ml --json BASE`.
pub fn stream(base: &Path, opts: StreamOptions) -> Outcome {
    if !crate::stream::is_base_name(base) {
        return Outcome::error(
            Problem::Usage,
            format!(
            "{}: not a log base name: a stream is named by 3 characters without an extension (E00, SRU), and no file of that name exists",
                base.display()
            ),
        );
    }
    match crate::stream::stream_report(base, opts) {
        Ok((report, status)) => Outcome::verdict(status, Report::Stream(report)),
        Err(e) => Outcome::error(Problem::Unreadable, format!("{}: {e}", base.display())),
    }
}

/// `esehdr k --json FILE`, with the pages counted in `progress` as the scan goes.
pub fn pages(path: &Path, no_mmap: bool, progress: &Progress) -> Outcome {
    if crate::stream::is_base_name(path) {
        return stream(path, StreamOptions::default());
    }
    let found = file_report(Mode::Auto, path, Options { json: true, nologo: true, ..Options::default() });
    if !matches!(found.found, Inspected::Database(_)) {
        return Outcome::of_file(found);
    }
    match crate::k::scan_database(path, no_mmap, progress) {
        Ok(Ok(scan)) => Outcome::verdict(scan.status(), Report::Pages(scan)),
        Ok(Err(line)) => Outcome::error(Problem::NotEse, line),
        Err(e) => Outcome::error(Problem::Unreadable, format!("{}: {e}", path.display())),
    }
}

/// `esehdr plan --json INPUTS...` (folders and files of `opts.inputs`).
pub fn plan(opts: &PlanOptions, expect: Option<Expect>) -> Outcome {
    if let Some(line) = opts.inputs.iter().find_map(|p| crate::plan::refused_input(p)) {
        return Outcome::error(Problem::Unreadable, line);
    }
    match crate::plan::plan_report(opts, expect) {
        Ok((streams, status)) => Outcome::verdict(status, Report::Plan(PlanReport { streams })),
        Err(e) => Outcome::error(Problem::Unreadable, e.to_string()),
    }
}

/// `esehdr ml --records --json PATH`: the JSON Lines of a log file, or of every log of a stream
/// when `path` is a base name (`range`: `--range`). As in the CLI, a log that cannot be read
/// gives status 2 and its line on standard error; the records of the others are kept.
pub fn records(path: &Path, range: Option<(u32, u32)>) -> Outcome {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let result = if crate::stream::is_base_name(path) {
        crate::stream::stream_files(path, range)
            .and_then(|logs| crate::records::jsonl_parallel(&logs, &mut out, &mut err))
    } else {
        crate::records::run_jsonl(&[path], &mut out, &mut err)
    };
    let status = match result {
        Ok(s) => s,
        Err(e) => {
            err.extend_from_slice(format!("esehdr: {}: {e}\n", path.display()).as_bytes());
            Status::Error
        }
    };
    let err = String::from_utf8_lossy(&err);
    let message = err.lines().map(|l| l.strip_prefix("esehdr: ").unwrap_or(l)).collect::<Vec<_>>().join("\n");
    let text = String::from_utf8_lossy(&out).into_owned();
    let problem = match status {
        Status::Ok => None,
        _ if crate::stream::is_base_name(path) => Some(Problem::Unreadable),
        _ => Some(match crate::records::read_log_for_records(path) {
            Err((crate::records::Refusal::NotEse, _)) => Problem::NotEse,
            Err((crate::records::Refusal::WrongKind, _)) => Problem::WrongKind,
            Err((crate::records::Refusal::BadHeader, _)) => Problem::CorruptHeader,
            _ => Problem::Unreadable,
        }),
    };
    // Nothing on standard output (a refused file): no report, as for the other reports.
    let report = (!(text.is_empty() && status == Status::Error)).then_some(Report::Records(text));
    Outcome { status, report, message: (!message.is_empty()).then_some(message), problem }
}

/// `esehdr recover --dry-run [DB] --logs LOGS [--system SYSTEM] [--base BASE] [--until LGPOS]
/// --json`: what soft recovery would do, read-only. Status 0 (would succeed), 1 (would fail), 2
/// (the inputs do not make a recovery set, `until` is not a log position, or a file cannot be
/// read: no report, the CLI's line on standard error).
pub fn dry_run(
    db: Option<&Path>,
    logs: &Path,
    system: Option<&Path>,
    base: Option<&str>,
    until: Option<&str>,
) -> Outcome {
    let until = match until.map(esehdr_recover::parse_lgpos).transpose() {
        Ok(u) => u,
        Err(e) => return Outcome::error(Problem::Usage, format!("recover: --until: {e}")),
    };
    let opts = esehdr_recover::DryRunOptions {
        database: db.map(Path::to_path_buf),
        logs: logs.to_path_buf(),
        system: system.map(Path::to_path_buf),
        base: base.map(str::to_string),
        until,
    };
    match esehdr_recover::dry_run(&opts) {
        Ok(report) => {
            let status = match report.verdict {
                esehdr_recover::Verdict::WouldSucceed => Status::Ok,
                esehdr_recover::Verdict::WouldFail => Status::No,
            };
            Outcome::verdict(status, Report::DryRun(report))
        }
        Err(e) => {
            let problem = match e {
                esehdr_recover::SetupError::Usage(_) => Problem::Usage,
                _ => Problem::Unreadable,
            };
            Outcome::error(problem, format!("recover: {e}"))
        }
    }
}

/// What [`recover`] recovers, and where: the options of `esehdr recover [DB] --logs LOGS --out
/// COPY [--system SYSTEM] [--base BASE] [--until LGPOS] [--force] --json`.
#[derive(Debug, Clone, Copy)]
pub struct RecoverArgs<'a> {
    /// DB (`None`: the database the logs create).
    pub db: Option<&'a Path>,
    /// `--logs`.
    pub logs: &'a Path,
    /// `--out`: the copy to write.
    pub out: &'a Path,
    /// `--system`.
    pub system: Option<&'a Path>,
    /// `--base`.
    pub base: Option<&'a str>,
    /// `--until`, in eseutil's notation (`0x1,5,1A0`), parsed here as the CLI parses it.
    pub until: Option<&'a str>,
    /// `--force`: replace an existing COPY.
    pub force: bool,
}

/// `esehdr recover [DB] --logs LOGS --out COPY ... --json`: soft recovery on a copy. Status 0
/// (COPY written, `ok` true), 1 (recovery not possible: `ok` false, `error` says why, nothing
/// written; no line on standard error, as in the CLI), 2 (usage or I/O: COPY is an input or
/// exists without `force`, a file cannot be read or written, `until` is not a log position: no
/// report, the CLI's line). Unlike the CLI, no Ctrl-C handler is installed (the caller owns the
/// process's signals); the temporary copy is removed on every error return.
pub fn recover(args: &RecoverArgs<'_>) -> Outcome {
    let until = match args.until.map(esehdr_recover::parse_lgpos).transpose() {
        Ok(u) => u,
        Err(e) => return Outcome::error(Problem::Usage, format!("recover: --until: {e}")),
    };
    let mut opts = esehdr_recover::RecoverOptions::new(args.logs.to_path_buf(), args.out.to_path_buf());
    opts.database = args.db.map(Path::to_path_buf);
    opts.system = args.system.map(Path::to_path_buf);
    opts.base = args.base.map(str::to_string);
    opts.until = until;
    opts.force = args.force;
    match esehdr_recover::recover(&opts) {
        Ok(report) if report.ok => Outcome::verdict(Status::Ok, Report::Recover(Box::new(report))),
        Ok(report) => Outcome {
            status: Status::No,
            report: Some(Report::Recover(Box::new(report))),
            message: None,
            problem: Some(Problem::RecoveryFailed),
        },
        Err(e) => {
            use esehdr_recover::output::OutputError;
            use esehdr_recover::{RecoverError, SetupError};
            let problem = match e {
                RecoverError::Setup(SetupError::Usage(_))
                | RecoverError::Output(OutputError::SameAsInput { .. } | OutputError::Exists(_)) => Problem::Usage,
                _ => Problem::Unreadable,
            };
            Outcome::error(problem, format!("recover: {e}"))
        }
    }
}
