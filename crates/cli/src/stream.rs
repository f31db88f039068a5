//! `esehdr ml BASE`: verify a whole log stream, like `eseutil /ml E00` (docs/format-log.md §8, §7.3,
//! docs/output.md §10.3 "Set of logs").

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use esehdr_format::log::header::{read_log_header, LOG_HEADER_SIZE};
use esehdr_format::log::names::{archived_name, enumerate, Enumeration};
use esehdr_format::log::stream::{check_stream, Line, LogInput, Spares, StreamReport};

use crate::frame::footer;
use crate::input;
use crate::records::RecordsOut;
use crate::Status;
use esehdr_format::log::records::summary::RecordSummary;

/// Options of `esehdr ml BASE`.
#[derive(Debug, Clone, Copy, Default)]
pub struct StreamOptions {
    /// `--range FIRST-LAST` (like eseutil `/r`): only these generations.
    pub range: Option<(u32, u32)>,
    /// `--headers-only`: every check across the set, without reading log contents.
    pub headers_only: bool,
    /// `-v`: the full single-file dump per log.
    pub verbose: bool,
    /// `--json`.
    pub json: bool,
    /// `--records[=LEVEL]`: every record of every log (implied by `-v` at level Data).
    pub records: Option<esehdr_format::log::records::dump::Level>,
}

/// Parses `0x10-0x20` / `10-20` (hexadecimal, as eseutil's `/r`).
pub fn parse_range(s: &str) -> Result<(u32, u32), String> {
    let (a, b) =
        s.split_once('-').ok_or_else(|| format!("--range should be FIRST-LAST in hex, e.g. 0x10-0x20, not {s:?}"))?;
    let hex = |x: &str| {
        let t = x.trim();
        let t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
        u32::from_str_radix(t, 16).map_err(|e| format!("--range: {x:?} is not a hexadecimal generation: {e}"))
    };
    let (a, b) = (hex(a)?, hex(b)?);
    if a > b {
        return Err(format!("--range: {a:#x} is above {b:#x}"));
    }
    Ok((a, b))
}

/// Whether `arg` names a stream (`E00`, `/logs/E00`): three characters, no extension, and no
/// such file.
pub fn is_base_name(arg: &Path) -> bool {
    arg.file_name().is_some_and(|n| n.to_string_lossy().chars().count() == 3)
        && arg.extension().is_none()
        && !arg.is_file()
}

/// The folder and base of a `BASE` argument.
fn split(arg: &Path) -> (PathBuf, String) {
    let dir = match arg.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    (dir, arg.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
}

/// The path eseutil prints for a file: the argument's folder (as given) joined with the name.
fn shown(arg: &Path, name: &str) -> String {
    match arg.parent().map(|d| d.to_string_lossy()) {
        Some(d) if !d.is_empty() => {
            let sep = if d.ends_with(std::path::MAIN_SEPARATOR) { "" } else { std::path::MAIN_SEPARATOR_STR };
            format!("{d}{sep}{name}")
        }
        _ => name.to_string(),
    }
}

/// Reads every log of the enumeration, on every core: the header, and the whole file unless
/// `headers_only`.
/// One log as read: its input to the stream check and the summary of its records.
type ReadLog = (LogInput, Option<RecordSummary>);

/// `summaries`: also summarize each log's records (only the JSON report uses them).
fn read_all(
    dir: &Path,
    arg: &Path,
    e: &Enumeration,
    range: Option<(u32, u32)>,
    headers_only: bool,
    summaries: bool,
) -> Vec<ReadLog> {
    let mut jobs: Vec<(Option<u32>, String)> = e
        .archived
        .iter()
        .filter(|(g, _)| range.is_none_or(|(a, b)| (a..=b).contains(g)))
        .map(|(g, n)| (Some(*g), n.clone()))
        .collect();
    if let Some(c) = &e.current {
        jobs.push((None, c.clone()));
    }
    let folder = input::Folder::open(dir);
    // Workers take blocks of consecutive logs; putting the blocks back in order restores the
    // enumeration order with each result moved only twice.
    const BLOCK: usize = 256;
    let blocks = jobs.len().div_ceil(BLOCK);
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(blocks.max(1));
    let mut done: Vec<(usize, Vec<ReadLog>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        let Some(block) = jobs.get(b * BLOCK..jobs.len().min((b + 1) * BLOCK)) else { break };
                        if block.is_empty() {
                            break;
                        }
                        let read: Vec<ReadLog> = block
                            .iter()
                            .map(|(name_generation, name)| {
                                let (header, content, records) = read_one(&folder, dir, name, headers_only, summaries);
                                let input = LogInput {
                                    file: shown(arg, name),
                                    name_generation: *name_generation,
                                    header,
                                    content,
                                };
                                (input, records)
                            })
                            .collect();
                        mine.push((b, read));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    done.sort_unstable_by_key(|(b, _)| *b);
    let mut inputs: Vec<ReadLog> = Vec::with_capacity(jobs.len());
    for (_, block) in done {
        inputs.extend(block);
    }
    // The current log is checked only within the range, if one is given.
    if let Some((a, b)) = range {
        inputs.retain(|(i, _)| {
            i.name_generation.is_some()
                || i.header
                    .as_ref()
                    .is_ok_and(|h| u32::try_from(h.header.generation).is_ok_and(|g| (a..=b).contains(&g)))
        });
    }
    inputs
}

/// Reads the temporary and reserve logs like the logs: a recycled one may hold a generation the
/// stream lacks.
pub(crate) fn read_spares(dir: &Path, arg: &Path, e: &Enumeration, headers_only: bool) -> Spares {
    let folder = input::Folder::open(dir);
    let read = |name: &String| {
        let (header, content, _) = read_one(&folder, dir, name, headers_only, false);
        LogInput { file: shown(arg, name), name_generation: None, header, content }
    };
    Spares { temporary: e.temporary.as_ref().map(read), reserve: e.reserve.iter().map(read).collect() }
}

type Read = (
    Result<esehdr_format::log::header::LogHeader, String>,
    Option<esehdr_format::log::content::ContentVerdict>,
    Option<RecordSummary>,
);

fn read_one(folder: &input::Folder, dir: &Path, name: &str, headers_only: bool, summaries: bool) -> Read {
    // The header into a buffer on the stack: no allocation per log for the read itself.
    let mut buf = [0u8; LOG_HEADER_SIZE];
    let (got, file_len) = match folder.read_into(name, &mut buf) {
        Ok(r) => r,
        Err(e) => return (Err(format!("cannot read: {e}")), None, None),
    };
    let log = match read_log_header(buf.get(..got).unwrap_or_default(), file_len) {
        Ok(l) => l,
        Err(e) => return (Err(e.to_string()), None, None),
    };
    if headers_only {
        return (Ok(log), None, None);
    }
    if !summaries {
        let content = crate::read_log_content(&dir.join(name), &log);
        return (Ok(log), content, None);
    }
    let (content, records) = crate::records::read_content_and_records(&dir.join(name), &log);
    (Ok(log), content, records)
}

/// A log stream read and checked: what `esehdr ml BASE` reports on.
struct Checked {
    dir: PathBuf,
    base: String,
    e: Enumeration,
    inputs: Vec<LogInput>,
    /// Each log's records (in `inputs` order), read only when `summaries` was asked for.
    summaries: Vec<Option<RecordSummary>>,
    report: StreamReport,
}

/// Lists the folder of `arg`, reads its logs and checks the stream.
fn check(arg: &Path, opts: StreamOptions, summaries: bool) -> io::Result<Checked> {
    let (dir, base) = split(arg);
    let names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect(),
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: cannot list the folder: {e}", dir.display()))),
    };
    let e = enumerate(&base, names.iter().map(String::as_str));
    let (inputs, summaries): (Vec<LogInput>, Vec<Option<RecordSummary>>) =
        read_all(&dir, arg, &e, opts.range, opts.headers_only, summaries).into_iter().unzip();
    let spares = read_spares(&dir, arg, &e, opts.headers_only);
    let report = check_stream(&base, &dir.display().to_string(), &inputs, &spares, !opts.headers_only, opts.range);
    Ok(Checked { dir, base, e, inputs, summaries, report })
}

/// The report of `esehdr ml --json BASE` (this value is its JSON, the records of each log
/// included) and its exit status; `Err` is what the CLI prints after `esehdr: BASE: ` with exit
/// status 2.
pub fn stream_report(arg: &Path, opts: StreamOptions) -> io::Result<(serde_json::Value, Status)> {
    let checked = check(arg, opts, true)?;
    let status = if checked.report.ok { Status::Ok } else { Status::No };
    Ok((with_records(&checked.report, &checked.summaries)?, status))
}

/// Runs `esehdr ml BASE` and writes the report; returns the exit status.
pub fn run_stream(
    arg: &Path,
    opts: StreamOptions,
    out: &mut dyn Write,
    elapsed: impl Fn() -> Duration,
) -> io::Result<Status> {
    let Checked { dir, base, e, inputs, summaries, report } = check(arg, opts, opts.json)?;
    let digits = e
        .archived
        .iter()
        .map(|(_, n)| n.len().saturating_sub(base.len() + 1 + e.ext.len()))
        .max()
        .unwrap_or(5)
        .clamp(5, 8) as u8;
    if opts.json {
        serde_json::to_writer_pretty(&mut *out, &with_records(&report, &summaries)?)?;
        writeln!(out)?;
    } else {
        // The checkpoint beside the logs, for the `Checkpoint:` line of each `-v` dump.
        let beside = e
            .current
            .as_ref()
            .or(e.archived.first().map(|(_, n)| n))
            .and_then(|n| crate::ml::checkpoint_beside(&dir.join(n)));
        render_text(out, arg, &base, &e.ext, digits, &report, &inputs, beside.as_ref(), opts, elapsed())?;
    }
    Ok(if report.ok { Status::Ok } else { Status::No })
}

/// `Missing log file(s):` as eseutil prints it, with the command-line base (folder included).
fn missing_line(arg: &Path, digits: u8, ext: &str, from: u32, to: u32) -> String {
    let prefix = arg.display().to_string();
    if from == to {
        format!("      Missing log file: {}", archived_name(&prefix, from, digits, ext))
    } else {
        let d: usize = if digits >= 8 || to > 0xFFFFF { 8 } else { 5 };
        format!("      Missing log files: {prefix}{{{from:0d$X} - {to:0d$X}}}.{ext}")
    }
}

#[allow(clippy::too_many_arguments)]
fn render_text(
    w: &mut dyn Write,
    arg: &Path,
    base: &str,
    ext: &str,
    digits: u8,
    r: &StreamReport,
    inputs: &[LogInput],
    beside: Option<&crate::ml::Beside>,
    opts: StreamOptions,
    elapsed: Duration,
) -> io::Result<()> {
    writeln!(w, "Initiating FILE DUMP mode...")?;
    writeln!(w, "Verifying log files...")?;
    writeln!(w, "     Base name: {base}")?;
    if let Some((a, b)) = opts.range {
        writeln!(w, "     Log generation range: 0x{a:X}-0x{b:X}")?;
    }
    writeln!(w)?;
    for line in &r.lines {
        match line {
            Line::Missing(g) => writeln!(w, "{}", missing_line(arg, digits, ext, g.from, g.to))?,
            Line::Log(i) => {
                let Some(entry) = r.logs.get(*i) else { continue };
                if opts.verbose || opts.records.is_some() {
                    if let Some(Ok(h)) = inputs.get(*i).map(|x| &x.header) {
                        // The dump walks the log again: only its summary was kept.
                        let file = crate::records::read_whole(Path::new(&entry.file));
                        let level = opts.records.unwrap_or_default();
                        let records = file.as_deref().map(|file| RecordsOut::Dump { file, level });
                        crate::ml::write_dump(
                            w,
                            &entry.file,
                            h,
                            beside,
                            inputs.get(*i).and_then(|x| x.content.as_ref()),
                            records,
                        )?;
                    }
                }
                let serious = entry.problems.iter().any(|p| p.error.is_some());
                if serious {
                    writeln!(w, "      Log file: {}", entry.file)?;
                } else {
                    writeln!(w, "      Log file: {} - OK", entry.file)?;
                }
                for p in &entry.problems {
                    let tag = if p.error.is_some() { "ERROR" } else { "WARNING" };
                    writeln!(w, "                {tag}: {}", p.message)?;
                }
            }
        }
    }
    if r.current_log.is_none() && !r.logs.is_empty() && opts.range.is_none() {
        writeln!(w, "      Missing log file: {}.{ext}", arg.display())?;
    }
    if r.logs.is_empty() {
        writeln!(w, "      No log files found for base name {base} (.jtx or .log) in {}", r.directory)?;
    }
    if opts.verbose {
        if let Some(t) = &r.temporary_log {
            writeln!(w, "      Temporary log file: {} (not part of the stream)", t.file)?;
        }
        for f in &r.reserve_files {
            writeln!(w, "      Reserve log file: {f} (not part of the stream)")?;
        }
    }
    for x in &r.recoverable_generations {
        writeln!(
            w,
            "      {} holds generation {} of this stream (0x{:X}, sound and chained to its neighbours): a copy named {} fills it",
            x.file, x.generation, x.generation, x.archived_name
        )?;
    }
    writeln!(w)?;
    if r.ok {
        if opts.headers_only {
            writeln!(w, "No damaged log files were found (headers only: the log contents were not read).")?;
        } else {
            writeln!(w, "No damaged log files were found.")?;
        }
    }
    let error = r.error;
    footer(w, error, elapsed)
}

/// The stream report as JSON with a `records` object in every log entry (its own records) and
/// at the top (all logs of the report summed in generation order; `null` when no log's contents
/// were read).
fn with_records(report: &StreamReport, summaries: &[Option<RecordSummary>]) -> io::Result<serde_json::Value> {
    let mut v = serde_json::to_value(report)?;
    let mut total: Option<RecordSummary> = None;
    if let Some(logs) = v.get_mut("logs").and_then(serde_json::Value::as_array_mut) {
        for (entry, s) in logs.iter_mut().zip(summaries) {
            if let Some(obj) = entry.as_object_mut() {
                obj.insert("records".into(), serde_json::to_value(s)?);
            }
            if let Some(s) = s {
                match &mut total {
                    Some(t) => t.merge(s),
                    None => total = Some(s.clone()),
                }
            }
        }
    }
    if let Some(obj) = v.as_object_mut() {
        obj.insert("records".into(), serde_json::to_value(&total)?);
    }
    Ok(v)
}

/// The log files of a `BASE` argument in generation order (archived ascending, then the current
/// log), for `ml BASE --records --json`.
pub fn stream_files(arg: &Path, range: Option<(u32, u32)>) -> io::Result<Vec<PathBuf>> {
    let (dir, base) = split(arg);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: cannot list the folder: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    let e = enumerate(&base, names.iter().map(String::as_str));
    let mut files: Vec<PathBuf> = e
        .archived
        .iter()
        .filter(|(g, _)| range.is_none_or(|(a, b)| (a..=b).contains(g)))
        .map(|(_, n)| dir.join(n))
        .collect();
    if range.is_none() {
        files.extend(e.current.iter().map(|n| dir.join(n)));
    }
    Ok(files)
}
