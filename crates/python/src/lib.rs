//! # esehdr for Python
//!
//! The extension module `esehdr._esehdr` behind the Python package `esehdr`
//! (`python/esehdr/`): each function returns, as Python values, the JSON that the `esehdr`
//! command-line tool prints with `--json` for the same path, following **esehdr JSON contract
//! version 1** (docs/json.md): same keys in the same order, LOGTIMEs as the same strings,
//! numbers as `int`. The values are the CLI's own serde values ([`esehdr_cli::api`]) turned
//! into Python objects by `pythonize`; nothing is built by hand.
//!
//! Long calls release the GIL. A file the CLI refuses (exit code 2) raises an `esehdr.Error`
//! subclass with the CLI's message; a definite "no" (exit code 1: a header that does not
//! validate, damaged log contents) returns the report, whose `valid`/`findings` say so, and
//! raises only with `strict=True`.
//!
//! `log_records(path)` is a lazy iterator: the log is read into memory (without the GIL) and
//! walked in Rust, each `__next__` decoding and converting one record, the objects of
//! `esehdr ml FILE --records --json`. `dry_run(...)` is `esehdr recover --dry-run --json`,
//! `recover(...)` is `esehdr recover --out COPY --json` (soft recovery on a copy).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use esehdr_cli::api::{self, Outcome, Problem};
use esehdr_cli::k::Progress;
use esehdr_cli::plan::{Expect, PlanOptions};
use esehdr_cli::stream::StreamOptions;
use esehdr_cli::{Mode, Options, Status};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};
use self_cell::self_cell;

use esehdr_cli::records::{read_log_for_records, LogForRecords, Refusal};
use esehdr_format::log::records::jsonl::{record_json, ErrorJson};
use esehdr_format::log::records::walk::RecordWalker;

create_exception!(esehdr, Error, PyException, "Base class of esehdr's errors: `str(e)` is the line the CLI prints (without `esehdr: `); `e.path`, `e.status` (the CLI's exit code) and `e.report` (the JSON report as a dict, or None) say more.");
create_exception!(esehdr, NotEseFile, Error, "Not an ESE file: zeros, random bytes, too short (CLI exit code 2).");
create_exception!(
    esehdr,
    WrongKind,
    Error,
    "An ESE file of another kind than the function reads, e.g. a log given to read_database_header (CLI exit code 2)."
);
create_exception!(
    esehdr,
    Unreadable,
    Error,
    "The file or folder cannot be read, or is not a regular file (CLI exit code 2)."
);
create_exception!(
    esehdr,
    UsageError,
    Error,
    "The arguments do not make sense, e.g. verify_log_stream on something that is not a base name (CLI exit code 2)."
);
create_exception!(
    esehdr,
    NotSound,
    Error,
    "A definite no (CLI exit code 1), raised only with strict=True: see its subclasses."
);
create_exception!(esehdr, CorruptHeader, NotSound, "No valid header: a database with no valid header copy, a log header with a bad checksum or size, a damaged checkpoint.");
create_exception!(esehdr, DamagedLog, NotSound, "A log whose header is sound but whose contents are damaged.");
create_exception!(esehdr, DirtyDatabase, NotSound, "A database not in Clean Shutdown, with fail_if_dirty=True.");
create_exception!(
    esehdr,
    RecoveryFailed,
    NotSound,
    "recover(..., strict=True): recovery is not possible (the report's `ok` is false, `error` says why; nothing was written)."
);
create_exception!(
    esehdr,
    RestoreNotPossible,
    NotSound,
    "plan(..., expect=...): the expected restore is not possible for every stream with a database."
);

/// Converts an outcome into the report (a dict), or raises.
fn finish(py: Python<'_>, path: &Path, outcome: Outcome, strict: bool) -> PyResult<Py<PyAny>> {
    let report = match &outcome.report {
        Some(r) => Some(pythonize::pythonize(py, r)?.unbind()),
        None => None,
    };
    let raise = match (outcome.status, outcome.problem) {
        (Status::Ok, _) => None,
        (Status::Error, problem) => Some(problem.unwrap_or(Problem::Unreadable)),
        (Status::No, Some(problem)) if strict => Some(problem),
        (Status::No, _) => None,
    };
    let Some(problem) = raise else {
        return Ok(report.unwrap_or_else(|| py.None()));
    };
    let message = outcome.message.unwrap_or_else(|| format!("{}: exit code {}", path.display(), outcome.status as u8));
    Err(error(class_of(py, problem), message, path, outcome.status as u8, report))
}

/// The `esehdr.Error` subclass of a problem.
fn class_of(py: Python<'_>, problem: Problem) -> Bound<'_, PyType> {
    match problem {
        Problem::NotEse => py.get_type::<NotEseFile>(),
        Problem::WrongKind => py.get_type::<WrongKind>(),
        Problem::Unreadable => py.get_type::<Unreadable>(),
        Problem::Usage => py.get_type::<UsageError>(),
        Problem::CorruptHeader => py.get_type::<CorruptHeader>(),
        Problem::DamagedLog => py.get_type::<DamagedLog>(),
        Problem::Dirty => py.get_type::<DirtyDatabase>(),
        Problem::RecoveryFailed => py.get_type::<RecoveryFailed>(),
    }
}

/// An instance of `class` with `path`, `status` and `report` set.
fn error(class: Bound<'_, PyType>, message: String, path: &Path, status: u8, report: Option<Py<PyAny>>) -> PyErr {
    let py = class.py();
    let built = class.call1((message,)).and_then(|e| {
        e.setattr("path", path.display().to_string())?;
        e.setattr("status", status)?;
        e.setattr("report", report.unwrap_or_else(|| py.None()))?;
        Ok(e)
    });
    match built {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// A per-file report under `mode`, without the GIL.
fn file(py: Python<'_>, mode: Mode, path: PathBuf, fail_if_dirty: bool, strict: bool) -> PyResult<Py<PyAny>> {
    let opts = Options { json: true, fail_if_dirty, ..Options::default() };
    let outcome = py.detach(|| api::file(mode, &path, opts));
    finish(py, &path, outcome, strict)
}

/// The report of whatever the file is, as `esehdr --json PATH` prints it: a database's `mh`
/// object, a log's `ml` object, a checkpoint's `mk` object, else `{file, kind, reason}` (a
/// reserve log, a flush map). Raises NotEseFile or Unreadable (CLI exit code 2); with
/// strict=True also CorruptHeader, DamagedLog or DirtyDatabase (exit code 1).
#[pyfunction]
#[pyo3(signature = (path, *, fail_if_dirty = false, strict = false))]
fn inspect(py: Python<'_>, path: PathBuf, fail_if_dirty: bool, strict: bool) -> PyResult<Py<PyAny>> {
    file(py, Mode::Auto, path, fail_if_dirty, strict)
}

/// A database header, as `esehdr mh --json PATH` prints it (docs/json.md "Databases"): the copy
/// in use (the shadow when the primary is damaged), `state`, `log_required`, signatures,
/// findings. With no valid copy, `valid` is False and the fields are under `unvalidated`.
/// Raises WrongKind for a log or checkpoint, NotEseFile, Unreadable; with strict=True also
/// CorruptHeader (no valid copy) and, with fail_if_dirty=True, DirtyDatabase.
#[pyfunction]
#[pyo3(signature = (path, *, fail_if_dirty = false, strict = false))]
fn read_database_header(py: Python<'_>, path: PathBuf, fail_if_dirty: bool, strict: bool) -> PyResult<Py<PyAny>> {
    file(py, Mode::Mh, path, fail_if_dirty, strict)
}

/// One log file, header and contents verified, as `esehdr ml --json LOGFILE` prints it
/// (docs/json.md "Logs"). Raises WrongKind, NotEseFile, Unreadable; with strict=True also
/// CorruptHeader (bad header checksum or size) and DamagedLog (damaged contents).
#[pyfunction]
#[pyo3(signature = (path, *, strict = false))]
fn read_log(py: Python<'_>, path: PathBuf, strict: bool) -> PyResult<Py<PyAny>> {
    file(py, Mode::Ml, path, false, strict)
}

/// A checkpoint file, as `esehdr mk --json CHECKPOINT` prints it (docs/json.md
/// "Checkpoints"). Raises WrongKind, NotEseFile, Unreadable; with strict=True also
/// CorruptHeader (no valid copy).
#[pyfunction]
#[pyo3(signature = (path, *, strict = false))]
fn read_checkpoint(py: Python<'_>, path: PathBuf, strict: bool) -> PyResult<Py<PyAny>> {
    file(py, Mode::Mk, path, false, strict)
}

/// A whole log stream, as `esehdr ml --json BASE` prints it (docs/json.md "Log streams"):
/// `base` is a 3-character base name, optionally with a folder (`"/restore/logs/E00"`);
/// `range=(first, last)` keeps those generations only (`--range`); `headers_only=True` checks
/// the set from the headers alone. `ok` and `error` give the verdict. Raises UsageError when
/// `base` is not a base name, Unreadable when the folder cannot be listed.
#[pyfunction]
#[pyo3(signature = (base, *, range = None, headers_only = false))]
fn verify_log_stream(
    py: Python<'_>,
    base: PathBuf,
    range: Option<(u32, u32)>,
    headers_only: bool,
) -> PyResult<Py<PyAny>> {
    if let Some((a, b)) = range {
        if a > b {
            return Err(PyValueError::new_err(format!("range: {a:#x} is above {b:#x}")));
        }
    }
    let opts = StreamOptions { range, headers_only, json: true, verbose: false, records: Default::default() };
    let outcome = py.detach(|| api::stream(&base, opts));
    finish(py, &base, outcome, false)
}

/// Every page checksum of a database, as `esehdr k --json PATH` prints it (docs/json.md "Page
/// checksums"); a log, a base name or a checkpoint gets its `ml`, `ml BASE` or `mk` report, as
/// in the CLI. `progress(pages_done, pages_total)` is called about ten times a second while
/// the pages are read on every core, and once at the end; an exception it raises is raised
/// when the scan ends. `no_mmap=True` reads in plain chunks (a database a running server may
/// shrink). Raises NotEseFile, Unreadable.
#[pyfunction]
#[pyo3(signature = (path, *, progress = None, no_mmap = false))]
fn scan_pages(py: Python<'_>, path: PathBuf, progress: Option<Py<PyAny>>, no_mmap: bool) -> PyResult<Py<PyAny>> {
    let counter = Progress::default();
    let mut failed: Option<PyErr> = None;
    let outcome = py.detach(|| {
        let Some(callback) = &progress else {
            return api::pages(&path, no_mmap, &counter);
        };
        std::thread::scope(|s| {
            let worker = s.spawn(|| api::pages(&path, no_mmap, &counter));
            let report = |failed: &mut Option<PyErr>| {
                if !counter.scanning.load(Ordering::Acquire) || failed.is_some() {
                    return;
                }
                let (done, total) = (counter.done.load(Ordering::Relaxed), counter.total.load(Ordering::Relaxed));
                Python::attach(|py| {
                    if let Err(e) = callback.call1(py, (done, total)).and_then(|_| py.check_signals()) {
                        *failed = Some(e);
                    }
                });
            };
            while !worker.is_finished() {
                std::thread::sleep(Duration::from_millis(100));
                if !worker.is_finished() {
                    report(&mut failed);
                }
            }
            report(&mut failed);
            worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    });
    if let Some(e) = failed {
        return Err(e);
    }
    finish(py, &path, outcome, false)
}

/// One path or a sequence of paths.
fn paths(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PathBuf>> {
    match value {
        None => Ok(Vec::new()),
        Some(v) if v.is_none() => Ok(Vec::new()),
        Some(v) => match v.extract::<PathBuf>() {
            Ok(one) => Ok(vec![one]),
            Err(_) => v.extract::<Vec<PathBuf>>(),
        },
    }
}

/// The restore plan, as `esehdr plan --json` prints it (docs/json.md "Restore plans"): the
/// folders and files of `dirs`, `logs`, `system` and `db` (each one path or a list) are
/// searched, grouped into log streams, and rules R1-R19 give four verdicts per stream.
/// `base="E00"` keeps one stream, `restoring` names the databases being restored, and
/// `headers_only=True` does not read log contents. With `expect` (`"point-in-time"`,
/// `"roll-forward"`, `"soft-recovery"`, `"without-logs"`), RestoreNotPossible is raised when
/// that restore is not possible for every stream with a database (the CLI's exit code 1); its
/// `report` is the plan. Raises Unreadable for an input that does not exist or is not a file
/// or folder.
#[pyfunction]
#[pyo3(signature = (dirs = None, *, logs = None, system = None, db = None, base = None, restoring = None, expect = None, headers_only = false))]
#[allow(clippy::too_many_arguments)]
fn plan(
    py: Python<'_>,
    dirs: Option<&Bound<'_, PyAny>>,
    logs: Option<&Bound<'_, PyAny>>,
    system: Option<&Bound<'_, PyAny>>,
    db: Option<&Bound<'_, PyAny>>,
    base: Option<String>,
    restoring: Option<&Bound<'_, PyAny>>,
    expect: Option<&str>,
    headers_only: bool,
) -> PyResult<Py<PyAny>> {
    let expect_name = expect;
    let expect = expect.map(Expect::from_str).transpose().map_err(PyValueError::new_err)?;
    let mut inputs = paths(dirs)?;
    inputs.extend(paths(logs)?);
    inputs.extend(paths(system)?);
    inputs.extend(paths(db)?);
    if inputs.is_empty() {
        return Err(PyValueError::new_err("plan needs a folder or file: dirs, logs, system or db"));
    }
    let opts = PlanOptions { inputs, base, restoring: paths(restoring)?, headers_only, json: true };
    let outcome = py.detach(|| api::plan(&opts, expect));
    let first = opts.inputs.first().cloned().unwrap_or_default();
    if outcome.status == Status::No && expect.is_some() {
        let report = outcome.report.as_ref().map(|r| pythonize::pythonize(py, r)).transpose()?.map(Bound::unbind);
        let message = format!(
            "{}: the {} restore is not possible for every stream with a database",
            first.display(),
            expect_name.unwrap_or_default()
        );
        return Err(error(py.get_type::<RestoreNotPossible>(), message, &first, 1, report));
    }
    finish(py, &first, outcome, false)
}

self_cell!(
    /// A log held in memory and the walker over its records (which borrows it).
    struct Walk {
        owner: Vec<u8>,
        #[covariant]
        dependent: RecordWalker,
    }
);

/// The iterator `log_records` returns: one dict per record, as the JSON Lines of
/// `esehdr ml FILE --records --json`.
#[pyclass(module = "esehdr")]
struct LogRecords {
    /// The log being walked; `None` between logs and once the walk has ended.
    walk: Option<Walk>,
    /// The logs still to walk (the rest of a base name's stream), in generation order.
    pending: VecDeque<PathBuf>,
}

/// Reads a log whole (without the GIL) and starts a walk over its records; raises what the
/// CLI refuses with exit code 2.
fn open_log(py: Python<'_>, path: &Path) -> PyResult<Walk> {
    match py.detach(|| read_log_for_records(path)) {
        Ok(LogForRecords { file, header, verdict }) => {
            Ok(Walk::new(file, |f| RecordWalker::with_verdict(f, &header, &verdict)))
        }
        Err((refusal, reason)) => {
            let problem = match refusal {
                Refusal::Unreadable => Problem::Unreadable,
                Refusal::NotEse => Problem::NotEse,
                Refusal::WrongKind => Problem::WrongKind,
                Refusal::BadHeader => Problem::CorruptHeader,
            };
            let message = format!("{}: {reason}", path.display());
            Err(error(class_of(py, problem), message, path, Status::Error as u8, None))
        }
    }
}

#[pymethods]
impl LogRecords {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        loop {
            let walk = match self.walk.as_mut() {
                Some(walk) => walk,
                None => {
                    let Some(next) = self.pending.pop_front() else { return Ok(None) };
                    self.walk.insert(open_log(py, &next)?)
                }
            };
            let (item, last) = step(py, walk);
            if last {
                self.walk = None;
            }
            match item? {
                Some(item) => return Ok(Some(item.unbind())),
                None => continue,
            }
        }
    }
}

/// One step of a walk: the next item, or `None` at the end; `true` when the walk of this log
/// is over.
fn step<'py>(py: Python<'py>, walk: &mut Walk) -> (PyResult<Option<Bound<'py, PyAny>>>, bool) {
    {
        walk.with_dependent_mut(|_, walker| match walker.next_record() {
            None => (Ok(None), true),
            Some(Ok(rec)) => (
                pythonize::pythonize(py, &record_json(rec.lgpos, rec.bytes))
                    .map_err(PyErr::from)
                    .and_then(json_lists)
                    .map(Some),
                false,
            ),
            // As the CLI: the `{lgpos, error}` object is the last item of this log.
            Some(Err(e)) => {
                let item = pythonize::pythonize(py, &ErrorJson { lgpos: e.lgpos, error: &e.to_string() });
                (item.map_err(PyErr::from).map(Some), true)
            }
        })
    }
}

/// The value as JSON has it: pythonize makes a Rust tuple (a record's `version`) a Python
/// tuple, JSON an array, so tuples become lists, in dicts and lists at any depth.
fn json_lists(v: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
    let py = v.py();
    if let Ok(t) = v.cast::<PyTuple>() {
        let items = t.iter().map(json_lists).collect::<PyResult<Vec<_>>>()?;
        return Ok(PyList::new(py, items)?.into_any());
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let items: Vec<_> = d.iter().collect();
        for (k, x) in items {
            if x.is_instance_of::<PyTuple>() || x.is_instance_of::<PyDict>() || x.is_instance_of::<PyList>() {
                d.set_item(k, json_lists(x)?)?;
            }
        }
    } else if let Ok(l) = v.cast::<PyList>() {
        let items: Vec<_> = l.iter().collect();
        for (i, x) in items.into_iter().enumerate() {
            if x.is_instance_of::<PyTuple>() || x.is_instance_of::<PyDict>() || x.is_instance_of::<PyList>() {
                l.set_item(i, json_lists(x)?)?;
            }
        }
    }
    Ok(v)
}

/// The records of a log file, lazily: an iterator of dicts, each the JSON Lines object
/// `esehdr ml FILE --records --json` prints for that record (docs/log-records.md): `lgpos`
/// (`{generation, sector, offset}`), `type`, `name`, `size`, then the fields of its type
/// (payloads as lowercase hex). The file is read and its content checked when this is called
/// (without the GIL); each step decodes one record. A record that cannot be read ends the
/// iteration as it ends the CLI's output: the last item is `{"lgpos": ..., "error": "..."}`
/// (nothing is raised, as the CLI exits 0). Raises, like the CLI's exit code 2: Unreadable (the
/// file cannot be read, or is larger than a log can be), NotEseFile, WrongKind (a database,
/// a checkpoint), CorruptHeader (the log header does not decode or its checksum is wrong).
///
/// A base name (`"/restore/logs/E00"`, as `esehdr ml BASE --records --json`) walks every log
/// of the stream in generation order (`range=(first, last)`: those generations), each read when
/// the walk reaches it; an unreadable record ends that log's items, and a log that cannot be
/// read raises when reached (the CLI prints its line and goes on: `next()` after the exception
/// goes on with the next log). A folder that cannot be listed raises Unreadable at the call.
#[pyfunction]
#[pyo3(signature = (path, *, range = None))]
fn log_records(py: Python<'_>, path: PathBuf, range: Option<(u32, u32)>) -> PyResult<LogRecords> {
    if !esehdr_cli::stream::is_base_name(&path) {
        return Ok(LogRecords { walk: Some(open_log(py, &path)?), pending: VecDeque::new() });
    }
    if let Some((a, b)) = range {
        if a > b {
            return Err(PyValueError::new_err(format!("range: {a:#x} is above {b:#x}")));
        }
    }
    match py.detach(|| esehdr_cli::stream::stream_files(&path, range)) {
        Ok(logs) => Ok(LogRecords { walk: None, pending: logs.into() }),
        Err(e) => {
            let message = format!("{}: {e}", path.display());
            Err(error(py.get_type::<Unreadable>(), message, &path, Status::Error as u8, None))
        }
    }
}

/// What soft recovery would do with a database and its logs, read-only, as
/// `esehdr recover --dry-run [DB] --logs LOGS [--system SYSTEM] [--base BASE] --json` prints
/// it: the start and end, the attach decisions, the page records to apply or already on disk,
/// the transactions to roll back, and `verdict` (`"would_succeed"`, `"would_fail"` with
/// `error`). `db=None`: the database the logs create. `system` holds the checkpoint (default:
/// the log folder); `base` picks the stream when the folder holds several. A would-fail verdict
/// (the CLI's exit code 1) is returned, not raised. `until` (eseutil's notation, `"0x1,5,1A0"`)
/// predicts `recover(..., until=...)`: the replay stops before that record. Raises UsageError
/// when the inputs do not make a recovery set (no CreateDB and no database, several streams and
/// no base) or `until` is not a log position, Unreadable when a file or folder cannot be read
/// (the CLI's exit code 2).
#[pyfunction]
#[pyo3(signature = (db = None, *, logs, system = None, base = None, until = None))]
fn dry_run(
    py: Python<'_>,
    db: Option<PathBuf>,
    logs: PathBuf,
    system: Option<PathBuf>,
    base: Option<String>,
    until: Option<String>,
) -> PyResult<Py<PyAny>> {
    let outcome =
        py.detach(|| api::dry_run(db.as_deref(), &logs, system.as_deref(), base.as_deref(), until.as_deref()));
    finish(py, db.as_deref().unwrap_or(&logs), outcome, false)
}

/// Soft recovery on a copy, as `esehdr recover [DB] --logs LOGS --out COPY [--system SYSTEM]
/// [--base BASE] [--until LGPOS] [--force] --json` prints it: the logs are replayed into a copy
/// of `db` (`db=None`: the database the logs create), verified, and renamed to `out` only when
/// recovery and verification succeeded; `db` and the logs are never written. `until` (eseutil's
/// notation, `"0x1,5,1A0"`) stops before that record; `force=True` replaces an existing `out`.
/// The report holds `ok`, `error`, the `header` written and the `verify` counts; `seconds` is
/// the wall time. Recovery not possible (the CLI's exit code 1: `ok` False, `error` says why,
/// nothing written) is returned, and raised as RecoveryFailed only with strict=True. Raises
/// UsageError (the inputs do not make a recovery set, `out` is an input or exists without
/// force, `until` is not a log position) or Unreadable (a file cannot be read or written): the
/// CLI's exit code 2. Runs without the GIL; no signal handler is installed (the CLI's Ctrl-C
/// handler is not), and the temporary copy is removed on every error.
#[pyfunction]
#[pyo3(signature = (db = None, *, logs, out, system = None, base = None, until = None, force = false, strict = false))]
#[allow(clippy::too_many_arguments)]
fn recover(
    py: Python<'_>,
    db: Option<PathBuf>,
    logs: PathBuf,
    out: PathBuf,
    system: Option<PathBuf>,
    base: Option<String>,
    until: Option<String>,
    force: bool,
    strict: bool,
) -> PyResult<Py<PyAny>> {
    let args = api::RecoverArgs {
        db: db.as_deref(),
        logs: &logs,
        out: &out,
        system: system.as_deref(),
        base: base.as_deref(),
        until: until.as_deref(),
        force,
    };
    let mut outcome = py.detach(|| api::recover(&args));
    if outcome.status == Status::No && outcome.message.is_none() {
        // The CLI prints no line for exit code 1 (the JSON says why); the exception's text is
        // the report's error, as the text report words it.
        if let Some(api::Report::Recover(r)) = &outcome.report {
            outcome.message = r
                .error
                .as_ref()
                .map(|e| format!("recover: recovery is not possible: {} ({}) because {}", e.code, e.name, e.message));
        }
    }
    finish(py, &out, outcome, strict)
}

/// Read Microsoft ESE (JET Blue) database, log and checkpoint headers, verify log streams and
/// page checksums, plan restores and recover copies: the reports of the esehdr CLI as Python
/// dicts (esehdr JSON contract version 1).
#[pymodule]
fn _esehdr(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("JSON_CONTRACT_VERSION", 1)?;
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(read_database_header, m)?)?;
    m.add_function(wrap_pyfunction!(read_log, m)?)?;
    m.add_function(wrap_pyfunction!(read_checkpoint, m)?)?;
    m.add_function(wrap_pyfunction!(verify_log_stream, m)?)?;
    m.add_function(wrap_pyfunction!(scan_pages, m)?)?;
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    m.add_function(wrap_pyfunction!(log_records, m)?)?;
    m.add_function(wrap_pyfunction!(dry_run, m)?)?;
    m.add_function(wrap_pyfunction!(recover, m)?)?;
    m.add_class::<LogRecords>()?;
    m.add("Error", py.get_type::<Error>())?;
    m.add("NotEseFile", py.get_type::<NotEseFile>())?;
    m.add("WrongKind", py.get_type::<WrongKind>())?;
    m.add("Unreadable", py.get_type::<Unreadable>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("NotSound", py.get_type::<NotSound>())?;
    m.add("CorruptHeader", py.get_type::<CorruptHeader>())?;
    m.add("DamagedLog", py.get_type::<DamagedLog>())?;
    m.add("DirtyDatabase", py.get_type::<DirtyDatabase>())?;
    m.add("RestoreNotPossible", py.get_type::<RestoreNotPossible>())?;
    m.add("RecoveryFailed", py.get_type::<RecoveryFailed>())?;
    Ok(())
}
