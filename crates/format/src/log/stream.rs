//! Checks across a log stream (`eseutil /ml <base>`): generations, gaps, signatures, the
//! `tmPrevGen` chain and the accumulated segment checksum chain.
//!
//! Sources: docs/format-log.md §7.3 (sequence checks), §8 (enumeration), docs/errors.md §9 (error codes).
//! Pure logic: the caller reads the files (see `esehdr ml BASE`) and hands over what it read.

use serde::Serialize;

use crate::log::content::{ContentVerdict, CorrectedBit};
use crate::log::header::{LogHeader, LogVersion};
use crate::log::names::{archived_name, classify, LogName};
use crate::primitives::{Lgpos, Signature};

pub use crate::engine::{
    EngineError, BAD_LOG_SIGNATURE, INVALID_LOG_SEQUENCE, LOG_FILE_CORRUPT, LOG_FILE_SIZE_MISMATCH,
    LOG_GENERATION_MISMATCH, LOG_SEQUENCE_CHECKSUM_MISMATCH, MISSING_LOG_FILE,
};

/// What was read of one file of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogInput {
    /// The path to print.
    pub file: String,
    /// The generation in the file name (`None` for the current log `<base>.log`).
    pub name_generation: Option<u32>,
    /// The header, or why it could not be read.
    pub header: Result<LogHeader, String>,
    /// The content verdict (`None` with `--headers-only`, or when the header is unreadable).
    pub content: Option<ContentVerdict>,
}

/// The status of one log: its first problem (`ok` when none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStatus {
    /// Present and sound.
    Ok,
    /// Its contents are damaged (-501).
    Damaged,
    /// Another stream's log (-530).
    SignatureMismatch,
    /// Its header generation is not the one its name says (-513), or the current log is not the
    /// highest generation + 1.
    GenerationMismatch,
    /// `tmPrevGen` or the accumulated segment checksum does not continue the previous log
    /// (-515, -590).
    SequenceBreak,
    /// The header cannot be read or its checksum is wrong (-501).
    HeaderUnreadable,
    /// The file's size is not `le_csecLGFile` x `le_cbSec` (-541).
    SizeMismatch,
}

/// One problem of one log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `damaged`, `signature_mismatch`, `generation_mismatch`, `sequence_break`,
    /// `header_unreadable`, `size_mismatch`, `torn_write`, `corrected_bit`, `version_backwards`,
    /// `checksum_chain_break`.
    pub code: &'static str,
    /// eseutil's wording where it has one.
    pub message: String,
    /// The engine error it leads to, if any (warnings have none).
    #[serde(skip)]
    pub error: Option<EngineError>,
}

/// One log of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// The path.
    pub file: String,
    /// The generation (from the header; from the name when the header is unreadable).
    pub generation: Option<i32>,
    /// The first problem, or `ok`.
    pub status: LogStatus,
    /// Every problem, warnings included.
    pub problems: Vec<Problem>,
    /// Single-bit errors corrected by the ECC.
    pub corrected_bits: Vec<CorrectedBit>,
    /// The end of valid data, when the contents were verified.
    pub last_lgpos: Option<Lgpos>,
    /// This is the current log (`<base>.log` / `.jtx`).
    #[serde(skip)]
    pub is_current: bool,
}

/// A run of missing generations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// First missing generation.
    pub from: u32,
    /// Last missing generation.
    pub to: u32,
}

/// The current log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentLog {
    /// Its path.
    pub file: String,
    /// The generation in its header, if readable.
    pub generation: Option<i32>,
}

/// The temporary log of a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemporaryLog {
    /// Its path.
    pub file: String,
    /// The generation it holds when it is a sound log of this stream (same log signature, header
    /// and contents pass); null when it is unused (no header), damaged or of another stream.
    pub generation: Option<i32>,
}

/// A temporary or reserve log holding a generation the stream lacks. The engine recycles old
/// logs as `<base>tmp.log` and reserve logs without clearing them, so such a file can be the only
/// copy of a generation a restore needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recoverable {
    /// The temporary or reserve log.
    pub file: String,
    /// The generation in its header.
    pub generation: u32,
    /// The file name that generation has in this stream (`SRU00002.log`, same base, digits and
    /// extension as its logs): a copy of `file` under that name, beside it, fills the generation.
    pub archived_name: String,
}

/// The temporary and reserve logs of a folder, read like the logs of the stream (their
/// `name_generation` is ignored).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spares {
    /// `<base>tmp.log`.
    pub temporary: Option<LogInput>,
    /// The reserve logs.
    pub reserve: Vec<LogInput>,
}

/// A break of the log sequence that the checks of [`check_stream`] found: the same errors
/// `eseutil /ml <base>` and recovery stop on (-515 `tmPrevGen`, -590 accumulated segment
/// checksum, -530 log signature, -513 generation). The restore planner reads these, so it and
/// `esehdr ml BASE` cannot disagree on a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SequenceBreak {
    /// The log that does not continue the sequence (or does not belong in it).
    pub file: String,
    /// The log before it, for a break between two logs (-515, -590); null when the log itself
    /// is wrong (-513, -530).
    pub previous: Option<String>,
    /// The generation `file` stands for: the one in its name, its header's for the current log.
    pub generation: Option<u32>,
    /// `sequence_break`, `checksum_chain_break`, `signature_mismatch`, `generation_mismatch`.
    pub kind: &'static str,
    /// The error (`{code, name}`).
    pub error: EngineError,
    /// eseutil's wording.
    pub message: String,
}

/// The problem codes that are sequence breaks.
const SEQUENCE_CODES: [&str; 4] =
    ["sequence_break", "checksum_chain_break", "signature_mismatch", "generation_mismatch"];

impl StreamReport {
    /// The sequence breaks among the logs (in report order).
    pub fn sequence_breaks(&self) -> Vec<SequenceBreak> {
        let mut out = Vec::new();
        for (i, e) in self.logs.iter().enumerate() {
            for p in e.problems.iter().filter(|p| SEQUENCE_CODES.contains(&p.code)) {
                let Some(error) = p.error else { continue };
                let between = matches!(p.code, "sequence_break" | "checksum_chain_break");
                let at = self.positions.get(i).copied().flatten();
                let previous = if between {
                    at.and_then(|g| g.checked_sub(1)).and_then(|g| {
                        self.positions
                            .iter()
                            .position(|x| *x == Some(g))
                            .and_then(|j| self.logs.get(j))
                            .map(|l| l.file.clone())
                    })
                } else {
                    None
                };
                out.push(SequenceBreak {
                    file: e.file.clone(),
                    previous,
                    generation: at,
                    kind: p.code,
                    error,
                    message: p.message.clone(),
                });
            }
        }
        out
    }
}

/// A line of the set report, in the order eseutil prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// `Log file: ...` (index into `logs`).
    Log(usize),
    /// `Missing log file(s): ...`.
    Missing(Gap),
}

/// The verdict on a whole stream: the JSON contract of `esehdr ml BASE --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamReport {
    /// The 3-character base name.
    pub base_name: String,
    /// The folder.
    pub directory: String,
    /// The stream's log signature (held by most logs; the current log's on a tie).
    pub log_signature: Option<Signature>,
    /// Lowest generation present.
    pub first_generation: Option<u32>,
    /// Highest generation, the current log's included.
    pub last_generation: Option<u32>,
    /// The current log.
    pub current_log: Option<CurrentLog>,
    /// Every log, ascending generation, the current log last.
    pub logs: Vec<LogEntry>,
    /// Missing generations.
    pub missing: Vec<Gap>,
    /// The temporary log `<base>tmp.log` (not part of the stream), if present.
    pub temporary_log: Option<TemporaryLog>,
    /// Reserve logs (`<base>res*.jrs`, `res1.log`, `res2.log`; not part of the stream).
    pub reserve_files: Vec<String>,
    /// Temporary or reserve logs that hold, sound and chained to their neighbours, a generation
    /// the stream lacks: copied to `archived_name`, they fill that generation.
    pub recoverable_generations: Vec<Recoverable>,
    /// Every log present and sound, nothing missing.
    pub ok: bool,
    /// The error eseutil would stop on: the first in generation order.
    pub error: Option<EngineError>,
    /// The contents were verified (not `--headers-only`).
    pub content_checked: bool,
    /// The report's lines in eseutil's order.
    #[serde(skip)]
    pub lines: Vec<Line>,
    /// Where each log sits in the sequence (its name's generation; its header's for the current
    /// log), for [`StreamReport::sequence_breaks`].
    #[serde(skip)]
    pub positions: Vec<Option<u32>>,
}

fn problem(code: &'static str, message: String, error: Option<EngineError>) -> Problem {
    Problem { code, message, error }
}

fn status_of(code: &str) -> Option<LogStatus> {
    Some(match code {
        "damaged" => LogStatus::Damaged,
        "signature_mismatch" => LogStatus::SignatureMismatch,
        "generation_mismatch" => LogStatus::GenerationMismatch,
        "sequence_break" | "checksum_chain_break" => LogStatus::SequenceBreak,
        "header_unreadable" => LogStatus::HeaderUnreadable,
        "size_mismatch" => LogStatus::SizeMismatch,
        _ => return None,
    })
}

fn version_str(v: &LogVersion) -> String {
    format!("({}.{}.{}.{})", v.major, v.minor, v.update_major, v.update_minor)
}

/// Checks a stream: `inputs` are the archived logs in ascending name generation, then the
/// current log if present (as [`crate::log::names::enumerate`] orders them). With a `range`
/// (eseutil's `/r`), a gap at its start counts and a missing current log does not. `spares`
/// are the temporary and reserve logs: not part of the stream, but one that holds a generation
/// the stream lacks is reported in `recoverable_generations`.
pub fn check_stream(
    base_name: &str,
    directory: &str,
    inputs: &[LogInput],
    spares: &Spares,
    content_checked: bool,
    range: Option<(u32, u32)>,
) -> StreamReport {
    let mut report = check_logs(base_name, directory, inputs, content_checked, range);
    let of_stream = |s: &LogInput| -> Option<u32> {
        let h = s.header.as_ref().ok()?;
        let sound = h.checksum_valid() && h.file_size_matches() && s.content.as_ref().is_none_or(|c| c.ok);
        let same = report.log_signature.is_some_and(|sig| sig == h.header.log_signature);
        (sound && same).then(|| u32::try_from(h.header.generation).ok()).flatten()
    };
    report.temporary_log = spares
        .temporary
        .as_ref()
        .map(|t| TemporaryLog { file: t.file.clone(), generation: of_stream(t).and_then(|g| i32::try_from(g).ok()) });
    report.reserve_files = spares.reserve.iter().map(|r| r.file.clone()).collect();
    // The stream's naming, as its own logs spell it: base, digits and extension.
    let (digits, prefix, ext) = inputs
        .iter()
        .filter_map(|i| {
            let name = file_name(&i.file);
            let digits = match classify(base_name, name) {
                LogName::Archived { digits, .. } => digits,
                LogName::Current { .. } => 0,
                _ => return None,
            };
            Some((digits, name.get(..base_name.len())?, name.rsplit('.').next()?))
        })
        .max()
        .map_or((5, base_name, "log"), |(d, p, e)| (d.max(5), p, e));
    let present: Vec<u32> = report
        .positions
        .iter()
        .zip(&report.logs)
        .filter(|(_, l)| l.status != LogStatus::SignatureMismatch)
        .filter_map(|(p, _)| *p)
        .collect();
    for s in spares.temporary.iter().chain(&spares.reserve) {
        let Some(g) = of_stream(s) else { continue };
        if present.contains(&g) || report.last_generation.is_none_or(|last| g >= last) {
            continue;
        }
        if report.recoverable_generations.iter().any(|r| r.generation == g) {
            continue;
        }
        // Put it in its place and run the same checks: it must continue the log before it and
        // be continued by the log after it.
        // Only its neighbours take part, so a long stream is not copied.
        let position = |i: &LogInput| {
            i.name_generation.or_else(|| i.header.as_ref().ok().and_then(|h| u32::try_from(h.header.generation).ok()))
        };
        let before = inputs.iter().filter(|i| g.checked_sub(1).is_some_and(|p| position(i) == Some(p)));
        let after = inputs.iter().filter(|i| position(i) == g.checked_add(1));
        let spare = LogInput { name_generation: Some(g), ..s.clone() };
        let trial: Vec<LogInput> = before.cloned().chain([spare]).chain(after.cloned()).collect();
        let t = check_logs(base_name, directory, &trial, content_checked, None);
        let fits = t.sequence_breaks().iter().all(|b| b.generation.is_none_or(|x| x != g && x != g.saturating_add(1)));
        if fits {
            report.recoverable_generations.push(Recoverable {
                file: s.file.clone(),
                generation: g,
                archived_name: archived_name(prefix, g, digits, ext),
            });
        }
    }
    report.recoverable_generations.sort_by_key(|r| r.generation);
    report
}

/// The last component of a Windows or Unix path.
fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// The checks across the logs themselves (no temporary or reserve log).
fn check_logs(
    base_name: &str,
    directory: &str,
    inputs: &[LogInput],
    content_checked: bool,
    range: Option<(u32, u32)>,
) -> StreamReport {
    let require_current = range.is_none();
    // The stream's signature: the one most logs carry; on a tie, the current log's.
    let mut counts: Vec<(Signature, usize, bool)> = Vec::new();
    for input in inputs {
        if let Ok(h) = &input.header {
            let sig = h.header.log_signature;
            let current = input.name_generation.is_none();
            match counts.iter_mut().find(|(s, _, _)| *s == sig) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 |= current;
                }
                None => counts.push((sig, 1, current)),
            }
        }
    }
    let log_signature = counts.iter().max_by_key(|(_, n, current)| (*n, *current)).map(|(s, _, _)| *s);

    let mut logs = Vec::with_capacity(inputs.len());
    let mut positions = Vec::with_capacity(inputs.len());
    let mut lines = Vec::with_capacity(inputs.len() + 1);
    let mut missing = Vec::new();
    // The previous log of the stream (same signature, readable), for the sequence checks.
    let mut prev: Option<(u32, &LogInput)> = None;
    let mut expected_next: Option<u32> = range.map(|(first, _)| first);
    let mut max_generation: Option<u32> = None;
    let mut first_generation: Option<u32> = None;
    let mut current_log = None;

    for input in inputs {
        let is_current = input.name_generation.is_none();
        let header = input.header.as_ref().ok();
        let header_gen = header.map(|h| h.header.generation);
        // Where this file sits in the sequence: its name for archived logs, its header for the
        // current log.
        let position = input.name_generation.or_else(|| header_gen.and_then(|g| u32::try_from(g).ok()));
        let mut problems = Vec::new();

        if let (Some(exp), Some(pos)) = (expected_next, position) {
            if pos > exp {
                let gap = Gap { from: exp, to: pos - 1 };
                missing.push(gap);
                lines.push(Line::Missing(gap));
            }
        }
        if is_current {
            current_log = Some(CurrentLog { file: input.file.clone(), generation: header_gen });
        }

        match &input.header {
            Err(why) => problems.push(problem(
                "header_unreadable",
                format!("Cannot read log file header. Error -501. ({why})"),
                Some(LOG_FILE_CORRUPT),
            )),
            Ok(h) => {
                let hh = &h.header;
                if !h.checksum_valid() {
                    problems.push(problem(
                        "header_unreadable",
                        "Cannot read log file header: its checksum is wrong. Error -501.".into(),
                        Some(LOG_FILE_CORRUPT),
                    ));
                }
                let foreign = log_signature.is_some_and(|s| s != hh.log_signature);
                if let Some(expected) = log_signature.filter(|_| foreign) {
                    problems.push(problem(
                        "signature_mismatch",
                        format!(
                            "Invalid log signature: {}\n   Expected signature: {}",
                            hh.log_signature.eseutil(),
                            expected.eseutil()
                        ),
                        Some(BAD_LOG_SIGNATURE),
                    ));
                }
                if let Some(name_gen) = input.name_generation {
                    if hh.generation as u32 != name_gen {
                        problems.push(problem(
                            "generation_mismatch",
                            format!(
                                "Mismatched log generation {} (0x{:X}) with log file name. Expected generation {} (0x{:X}).",
                                hh.generation as u32, hh.generation as u32, name_gen, name_gen
                            ),
                            Some(LOG_GENERATION_MISMATCH),
                        ));
                    }
                } else if let (Some(max), Some(g)) = (max_generation, u32::try_from(hh.generation).ok()) {
                    if g <= max {
                        problems.push(problem(
                            "generation_mismatch",
                            format!(
                                "Missing log file(s). Log file is generation {g} (0x{g:X}), but expected generation is {} (0x{:X}).",
                                max + 1,
                                max + 1
                            ),
                            Some(MISSING_LOG_FILE),
                        ));
                    }
                }
                if !h.file_size_matches() {
                    problems.push(problem(
                        "size_mismatch",
                        format!(
                            "Log file size {} does not match le_csecLGFile x le_cbSec = {} bytes. Error -541.",
                            h.file_len,
                            hh.declared_file_size()
                        ),
                        Some(LOG_FILE_SIZE_MISMATCH),
                    ));
                }
                // Sequence checks against the previous generation of the same stream.
                let prev_ok = prev.filter(|(g, _)| position.is_some_and(|p| p == g + 1) && !foreign);
                if let Some((_, p)) = prev_ok {
                    if let Ok(ph) = &p.header {
                        if hh.previous_generation_created != ph.header.created {
                            problems.push(problem(
                                "sequence_break",
                                format!(
                                    "Invalid log sequence. Previous generation time is [{}], but expected [{}].",
                                    hh.previous_generation_created.eseutil(),
                                    ph.header.created.eseutil()
                                ),
                                Some(INVALID_LOG_SEQUENCE),
                            ));
                        }
                        if let (Some(pc), true) = (&p.content, hh.previous_log_segments_checksum != 0) {
                            let chained = hh.previous_log_segments_checksum == pc.accumulated_checksum
                                || (hh.version.update_minor <= 12
                                    && hh.previous_log_segments_checksum == pc.last_segment_checksum);
                            if !chained {
                                problems.push(problem(
                                    "checksum_chain_break",
                                    format!(
                                        "Invalid log sequence. Previous generation accumulated segment checksum is 0x{:016x}, but expected 0x{:016x}.",
                                        hh.previous_log_segments_checksum, pc.accumulated_checksum
                                    ),
                                    Some(LOG_SEQUENCE_CHECKSUM_MISMATCH),
                                ));
                            }
                        }
                        if hh.version < ph.header.version {
                            problems.push(problem(
                                "version_backwards",
                                format!(
                                    "Log version walked backwards. Last LGVersion: {}. Prev LGVersion: {}.",
                                    version_str(&hh.version),
                                    version_str(&ph.header.version)
                                ),
                                None,
                            ));
                        }
                    }
                }
            }
        }
        if let Some(c) = &input.content {
            for p in &c.problems {
                match p.code {
                    "damaged" => problems.push(problem(
                        "damaged",
                        format!(
                            "Log damaged (unusable). Last Lgpos: {}. Error -501. ({})",
                            lower_gen(&c.last_lgpos),
                            p.message
                        ),
                        Some(LOG_FILE_CORRUPT),
                    )),
                    code => problems.push(problem(code, p.message.clone(), None)),
                }
            }
        }

        let status = problems.iter().find_map(|p| status_of(p.code)).unwrap_or(LogStatus::Ok);
        let foreign = problems.iter().any(|p| p.code == "signature_mismatch");
        if let Some(pos) = position.filter(|_| !foreign) {
            first_generation = Some(first_generation.map_or(pos, |f: u32| f.min(pos)));
            max_generation = Some(max_generation.map_or(pos, |m: u32| m.max(pos)));
            expected_next = Some(pos.saturating_add(1).max(expected_next.unwrap_or(0)));
            if input.header.is_ok() {
                prev = Some((pos, input));
            }
        }
        lines.push(Line::Log(logs.len()));
        positions.push(position);
        logs.push(LogEntry {
            file: input.file.clone(),
            generation: header_gen.or_else(|| input.name_generation.and_then(|g| i32::try_from(g).ok())),
            status,
            problems,
            corrected_bits: input.content.as_ref().map(|c| c.corrected_bits.clone()).unwrap_or_default(),
            last_lgpos: input.content.as_ref().map(|c| c.last_lgpos),
            is_current,
        });
    }

    // The error eseutil would stop on: the first in generation order (a gap counts at its first
    // missing generation; a missing current log after everything).
    let mut errors: Vec<(u64, EngineError)> = Vec::new();
    for e in &logs {
        if let Some(err) = e.problems.iter().find_map(|p| p.error) {
            let at = e.generation.map_or(u64::MAX - 1, |g| u64::from(g as u32));
            errors.push((at, err));
        }
    }
    for g in &missing {
        errors.push((u64::from(g.from), MISSING_LOG_FILE));
    }
    if current_log.is_none() && !inputs.is_empty() && require_current {
        errors.push((u64::MAX, MISSING_LOG_FILE));
    }
    if inputs.is_empty() {
        errors.push((0, MISSING_LOG_FILE));
    }
    errors.sort_by_key(|(at, _)| *at);
    let error = errors.first().map(|(_, e)| *e);
    StreamReport {
        base_name: base_name.to_string(),
        directory: directory.to_string(),
        log_signature,
        first_generation,
        last_generation: max_generation,
        current_log,
        ok: error.is_none(),
        logs,
        missing,
        temporary_log: None,
        reserve_files: Vec::new(),
        recoverable_generations: Vec::new(),
        error,
        content_checked,
        lines,
        positions,
    }
}

/// `(0x%x,%X,%X)`: the `Last Lgpos` form, with a lower-case generation.
pub fn lower_gen(p: &Lgpos) -> String {
    format!("(0x{:x},{:X},{:X})", p.generation as u32, p.isec, p.ib)
}
