//! `esehdr plan DIR`: find the databases, logs and checkpoints under a folder, group them into
//! log streams, and run the restore planner (`esehdr-plan`, rules R1-R19) on each.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use esehdr_format::checkpoint::{read_checkpoint, CHECKPOINT_FILE_SIZE};
use esehdr_format::log::content::{verify_log_content, ContentVerdict};
use esehdr_format::log::header::{read_log_header, LogHeader, LOG_HEADER_SIZE};
use esehdr_format::log::names::{classify, enumerate, LogName};
use esehdr_format::log::records::summary::{db_event, DbEvent};
use esehdr_format::log::records::{LrType, Record, RecordWalker};
use esehdr_format::log::stream::{check_stream, LogInput};
use esehdr_format::{read_database_header, sniff_named, DbKind, FileKind, Signature, DB_HEADER_READ_LEN};
use esehdr_plan::{
    plan, Attached, Checkpoint, Database, DryRun, DryRunError, DryRunVerdict, Log, RecoverableLog, StreamInput,
    StreamPlan, StreamingFile,
};
use serde::Serialize;

use crate::{input, Status};

/// Options of `esehdr plan`.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Folders and files to scan (`DIR`, `--logs`, `--system`, `--db`).
    pub inputs: Vec<PathBuf>,
    /// `--base E00`: only this stream.
    pub base: Option<String>,
    /// `--restoring FILE...`: the databases being restored (default: all found).
    pub restoring: Vec<PathBuf>,
    /// `--headers-only`: do not read log contents (damaged log data is then not seen).
    pub headers_only: bool,
    /// `--json`.
    pub json: bool,
}

/// Which verdict `--expect` asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// `point-in-time`.
    PointInTime,
    /// `roll-forward`.
    RollForward,
    /// `soft-recovery`.
    SoftRecovery,
    /// `without-logs`.
    WithoutLogs,
}

impl std::str::FromStr for Expect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "point-in-time" => Ok(Expect::PointInTime),
            "roll-forward" => Ok(Expect::RollForward),
            "soft-recovery" => Ok(Expect::SoftRecovery),
            "without-logs" => Ok(Expect::WithoutLogs),
            _ => Err(format!("--expect takes point-in-time, roll-forward, soft-recovery or without-logs, not {s:?}")),
        }
    }
}

/// The JSON contract of `esehdr plan --json`.
#[derive(Debug, Serialize)]
pub struct PlanReport {
    /// One plan per stream.
    pub streams: Vec<StreamReport>,
}

/// One item of `streams`: the planner's plan, and how to read its Dirty Shutdown databases
/// without touching them (issue 12 item 4).
#[derive(Debug, Clone, Serialize)]
pub struct StreamReport {
    /// The plan (its keys at the item's top level).
    #[serde(flatten)]
    pub plan: StreamPlan,
    /// `recover_commands`: one `esehdr recover DB --logs DIR --out COPY` command line per Dirty
    /// Shutdown database of this stream (its log signature matching) when the stream has logs;
    /// recovery on a copy leaves the database, the logs and the checkpoint as they are. `COPY`
    /// is for the user to choose (never beside the evidence's logs).
    pub recover_commands: Vec<String>,
}

/// A path as one shell word: double-quoted when it holds a space, a quote or a shell character.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/\\._-:+,=@".contains(c)) {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\\\""))
    }
}

/// The `esehdr recover` commands that make the stream's Dirty Shutdown databases readable on a
/// copy (none when the stream has no log folder).
fn recover_commands(input: &StreamInput, plan: &StreamPlan) -> Vec<String> {
    if input.log_folder.is_empty() {
        return Vec::new();
    }
    plan.databases
        .iter()
        .zip(&input.databases)
        .filter(|(d, i)| d.log_signature_matches && i.header_valid && i.state_code == 2)
        .map(|(d, _)| {
            format!("esehdr recover {} --logs {} --out COPY", shell_word(&d.file), shell_word(&input.log_folder))
        })
        .collect()
}

#[derive(Default)]
struct Found {
    databases: Vec<(PathBuf, Database, DbKind)>,
    logs: Vec<(String, Log, PathBuf, LogInput)>,
    checkpoints: Vec<(String, Checkpoint)>,
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            if let Ok(entries) = std::fs::read_dir(path) {
                let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                children.sort();
                for c in children {
                    walk(&c, out);
                }
            }
        }
        Ok(m) if m.is_file() => out.push(path.to_path_buf()),
        _ => {}
    }
}

fn scan(opts: &PlanOptions) -> Found {
    let mut files = Vec::new();
    for p in &opts.inputs {
        walk(p, &mut files);
    }
    files.sort();
    files.dedup();
    let mut found = Found::default();
    for path in files {
        let Ok(head) = input::read_head(&path, DB_HEADER_READ_LEN) else { continue };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let shown = path.display().to_string();
        match sniff_named(&name, &head.bytes, head.file_len).kind {
            FileKind::Database => {
                let Ok(db) = read_database_header(&head.bytes) else { continue };
                let kind = db.kind();
                let h = db.header().or(db.best_effort());
                let database = Database {
                    file: shown,
                    header_valid: db.is_valid(),
                    state_code: db.header().map_or(0, |h| h.state.code()),
                    last_consistent: h.map(|h| h.last_consistent.lgpos).unwrap_or_default(),
                    log_required: h.map_or((0, 0), |h| (h.log_required.min, h.log_required.max)),
                    db_signature: h.map(|h| h.db_signature).unwrap_or_default(),
                    log_signature: h.map(|h| h.log_signature).unwrap_or_default(),
                    streaming_file: None,
                    restoring: false,
                    dry_run: None,
                };
                found.databases.push((path, database, kind));
            }
            FileKind::Log => {
                let base: String = name.chars().take(3).collect();
                let name_generation = match classify(&base, &name) {
                    LogName::Archived { generation, .. } => Some(generation),
                    LogName::Current { .. } => None,
                    _ => continue, // a tmp log with a header is not part of the stream
                };
                let Ok(log) = read_log_header(head.bytes.get(..LOG_HEADER_SIZE).unwrap_or(&head.bytes), head.file_len)
                else {
                    continue;
                };
                let (content, events) = if opts.headers_only { (None, None) } else { content_and_events(&path, &log) };
                let mut entry = log_facts(&shown, name_generation, &log, content.as_ref());
                entry.events = events;
                // The same input `esehdr ml BASE` checks the sequence on.
                let read = LogInput { file: shown, name_generation, header: Ok(log), content };
                found.logs.push((
                    base.to_ascii_uppercase(),
                    entry,
                    path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    read,
                ));
            }
            FileKind::Checkpoint => {
                let base: String = name.chars().take(3).collect();
                if !matches!(classify(&base, &name), LogName::Checkpoint) {
                    continue;
                }
                let c = read_checkpoint(head.bytes.get(..CHECKPOINT_FILE_SIZE).unwrap_or(&head.bytes), head.file_len);
                let f = c.fields();
                found.checkpoints.push((
                    base.to_ascii_uppercase(),
                    Checkpoint {
                        file: shown,
                        valid: c.is_valid(),
                        generation: f.map_or(0, |f| f.checkpoint.generation),
                        signature: f.map(|f| f.log_signature).unwrap_or_default(),
                        circular_logging: f.is_some_and(|f| f.dbms_param.circular_logging()),
                    },
                ));
            }
            _ => {}
        }
    }
    found
}

/// The planner's facts of a log header.
fn log_facts(file: &str, name_generation: Option<u32>, log: &LogHeader, content: Option<&ContentVerdict>) -> Log {
    let h = &log.header;
    Log {
        file: file.to_string(),
        name_generation,
        generation: Some(h.generation),
        signature: h.log_signature,
        created: h.created,
        previous_created: h.previous_generation_created,
        circular_logging: h.circular_logging() || h.flags.circular_current(),
        attached: h.attached.iter().map(|a| Attached { path: a.path.clone(), db_signature: a.db_signature }).collect(),
        damaged: !log.is_sound() || content.is_some_and(|c| !c.ok),
        events: None,
    }
}

/// Reads a whole log, verifies its contents and collects its CreateDB, AttachDB and DetachDB
/// records (docs/log-records.md §3.5-§3.7), up to the end of the valid data or the first record
/// that cannot be read; `(None, None)` when the header checksum is wrong or the size implausible.
fn content_and_events(path: &Path, log: &LogHeader) -> (Option<ContentVerdict>, Option<Vec<DbEvent>>) {
    if !log.checksum_valid() || log.file_len > crate::records::MAX_LOG_FILE {
        return (None, None);
    }
    let Some(file) = crate::records::read_whole(path) else { return (None, None) };
    let verdict = verify_log_content(&file, &log.header);
    let mut walker = RecordWalker::with_verdict(&file, &log.header, &verdict);
    let mut events = Vec::new();
    while let Some(Ok(raw)) = walker.next_record() {
        // Only these three types are decoded: the walk stays cheap.
        if matches!(raw.lrtyp, LrType::CREATE_DB | LrType::ATTACH_DB | LrType::DETACH_DB) {
            if let Some(e) = Record::decode(&raw).ok().and_then(|r| db_event(raw.lgpos, &r)) {
                events.push(e);
            }
        }
    }
    (Some(verdict), Some(events))
}

/// The dry run of soft recovery for a Dirty Shutdown database with its stream's logs
/// (`esehdr recover --dry-run`), as the planner's plain data.
fn dry_run_facts(db: &Path, stream: &StreamInput) -> DryRun {
    let system = stream
        .checkpoint
        .as_ref()
        .and_then(|c| Path::new(&c.file).parent())
        .filter(|p| *p != Path::new(&stream.log_folder))
        .map(Path::to_path_buf);
    let opts = esehdr_recover::DryRunOptions {
        database: Some(db.to_path_buf()),
        logs: PathBuf::from(&stream.log_folder),
        system,
        base: Some(stream.base_name.clone()),
        until: None,
    };
    match esehdr_recover::dry_run(&opts) {
        Ok(r) => DryRun {
            verdict: match r.verdict {
                esehdr_recover::Verdict::WouldSucceed => DryRunVerdict::WouldSucceed,
                esehdr_recover::Verdict::WouldFail => DryRunVerdict::WouldFail,
            },
            error: r.error.map(|e| DryRunError {
                code: e.code,
                name: e.name,
                lgpos: e.lgpos,
                pgno: e.pgno,
                message: e.message,
            }),
            start: Some(r.start),
            end: Some(r.end),
            apply_records: r.apply.records,
            already_on_disk: r.already_on_disk,
            note: None,
        },
        Err(e) => DryRun {
            verdict: DryRunVerdict::NotRun,
            error: None,
            start: None,
            end: None,
            apply_records: 0,
            already_on_disk: 0,
            note: Some(e.to_string()),
        },
    }
}

/// Runs the checks of `esehdr ml BASE` on a stream's logs, with the temporary and reserve logs
/// of its folder: the sequence breaks and the recoverable generations the planner reads.
fn sequence(base: &str, folder: &str, mut inputs: Vec<LogInput>, opts: &PlanOptions, input: &mut StreamInput) {
    inputs.sort_by(|a, b| {
        (a.name_generation.is_none(), a.name_generation, &a.file).cmp(&(
            b.name_generation.is_none(),
            b.name_generation,
            &b.file,
        ))
    });
    // A stream found only by its checkpoint has no log folder to look in.
    let dir = PathBuf::from(folder);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .ok()
        .filter(|_| !folder.is_empty())
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect())
        .unwrap_or_default();
    let e = enumerate(base, names.iter().map(String::as_str));
    let spares = crate::stream::read_spares(&dir, &dir.join(base), &e, opts.headers_only);
    let report = check_stream(base, folder, &inputs, &spares, !opts.headers_only, None);
    input.sequence_breaks = report.sequence_breaks();
    input.temporary_log = report.temporary_log.clone();
    input.reserve_files = report.reserve_files.clone();
    for r in &report.recoverable_generations {
        let spare = spares.temporary.iter().chain(&spares.reserve).find(|s| s.file == r.file);
        if let Some((Ok(h), s)) = spare.map(|s| (&s.header, s)) {
            input.recoverable.push(RecoverableLog {
                log: log_facts(&r.file, Some(r.generation), h, s.content.as_ref()),
                to: match r.file.rfind(['/', '\\']) {
                    Some(i) => format!("{}{}", r.file.get(..=i).unwrap_or_default(), r.archived_name),
                    None => r.archived_name.clone(),
                },
            });
        }
    }
}

/// The stream's signature: votes of the current log, the checkpoint and the databases among the
/// signatures its logs carry; the majority of its logs when nothing votes.
fn stream_signature(logs: &[&Log], checkpoint: Option<&Checkpoint>, databases: &[&Database]) -> Option<Signature> {
    let mut votes: Vec<(Signature, usize, bool)> = Vec::new();
    fn vote(votes: &mut Vec<(Signature, usize, bool)>, s: Signature, weight: usize, current: bool) {
        match votes.iter_mut().find(|v| v.0 == s) {
            Some(v) => {
                v.1 += weight;
                v.2 |= current;
            }
            None => votes.push((s, weight, current)),
        }
    }
    let candidates: Vec<Signature> = logs.iter().map(|l| l.signature).collect();
    for l in logs.iter().filter(|l| l.is_current()) {
        vote(&mut votes, l.signature, 1, true);
    }
    if let Some(c) = checkpoint.filter(|c| c.valid) {
        vote(&mut votes, c.signature, 1, false);
    }
    for d in databases.iter().filter(|d| candidates.contains(&d.log_signature)) {
        vote(&mut votes, d.log_signature, 1, false);
    }
    if votes.is_empty() {
        for l in logs {
            vote(&mut votes, l.signature, 1, false);
        }
    }
    votes.iter().max_by_key(|v| (v.1, v.2)).map(|v| v.0)
}

/// One stream's logs, checkpoint, and the logs as the sequence check reads them.
type Gathered = (Vec<Log>, Option<Checkpoint>, Vec<LogInput>);

/// Builds the stream inputs from what was found.
fn streams(found: Found, opts: &PlanOptions) -> Vec<StreamInput> {
    // Pair streaming files with the database of the same name (R1).
    let (stms, mut dbs): (Vec<_>, Vec<_>) =
        found.databases.into_iter().partition(|(_, _, k)| *k == DbKind::StreamingFile);
    for (stm_path, stm, _) in stms {
        let stem = stm_path.with_extension("");
        if let Some((_, db, _)) = dbs.iter_mut().find(|(p, _, _)| p.with_extension("") == stem) {
            db.streaming_file = Some(StreamingFile {
                file: stm.file.clone(),
                db_signature: stm.db_signature,
                clean: stm.state_code == 3 && stm.header_valid,
                last_consistent: stm.last_consistent,
            });
        }
    }
    for (path, db, _) in dbs.iter_mut() {
        db.restoring = opts.restoring.iter().any(|r| r == path || r.file_name() == path.file_name());
    }
    let mut groups: BTreeMap<(String, PathBuf), Gathered> = BTreeMap::new();
    for (base, log, folder, read) in found.logs {
        let g = groups.entry((base, folder)).or_default();
        g.0.push(log);
        g.2.push(read);
    }
    let folder_of = |c: &Checkpoint| Path::new(&c.file).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut apart = Vec::new();
    for (base, c) in found.checkpoints {
        match groups.get_mut(&(base.clone(), folder_of(&c))) {
            Some(g) if g.1.is_none() => g.1 = Some(c),
            _ => apart.push((base, c)),
        }
    }
    for (base, c) in apart {
        let open: Vec<(String, PathBuf)> = groups
            .iter()
            .filter(|((b, _), g)| *b == base && g.1.is_none() && !g.0.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        let signed = |k: &&(String, PathBuf)| {
            groups.get(*k).is_some_and(|g| g.0.iter().any(|l| l.is_current() && l.signature == c.signature))
        };
        let key = match open.as_slice() {
            [k] => Some(k.clone()),
            _ => open.iter().find(signed).cloned(),
        };
        let key = key.unwrap_or_else(|| (base, folder_of(&c)));
        groups.entry(key).or_default().1 = Some(c);
    }
    let all_dbs: Vec<(PathBuf, Database)> = dbs.into_iter().map(|(p, d, _)| (p, d)).collect();
    let mut out = Vec::new();
    for ((base, folder), (logs, checkpoint, reads)) in groups {
        let folder_text = if logs.is_empty() { String::new() } else { folder.display().to_string() };
        let log_refs: Vec<&Log> = logs.iter().collect();
        let db_refs: Vec<&Database> = all_dbs.iter().map(|(_, d)| d).collect();
        let sig = stream_signature(&log_refs, checkpoint.as_ref(), &db_refs);
        let ext = if logs.iter().any(|l| l.file.to_ascii_lowercase().ends_with(".jtx")) { "jtx" } else { "log" };
        let mut input = StreamInput {
            base_name: base.clone(),
            log_signature: sig,
            log_folder: folder_text.clone(),
            ext: ext.into(),
            databases: Vec::new(),
            logs,
            checkpoint,
            ..StreamInput::default()
        };
        sequence(&base, &folder_text, reads, opts, &mut input);
        out.push(input);
    }
    // A database joins the stream of its log signature (the nearest, when several carry it). One
    // whose log signature matches no stream, found with a stream's logs or checkpoint, is
    // reported under that stream, where it fails R9 (it belongs to another log stream). Only a
    // database with no stream to compare with is planned on its own.
    let every: Vec<usize> = (0..out.len()).collect();
    let mut alone = Vec::new();
    for (path, d) in all_dbs {
        let own: Vec<usize> =
            (0..out.len()).filter(|&k| out.get(k).is_some_and(|s| s.log_signature == Some(d.log_signature))).collect();
        let k = match own.as_slice() {
            [] => found_with(&path, &out, &every),
            [k] => Some(*k),
            [first, ..] => found_with(&path, &out, &own).or(Some(*first)),
        };
        match k.and_then(|k| out.get_mut(k)) {
            Some(s) => {
                let mut d = d;
                // What soft recovery would do with a Dirty Shutdown database and the stream's
                // logs, when contents are read (a database of another stream too: R9 says so).
                if !opts.headers_only && d.dirty() && !s.log_folder.is_empty() {
                    d.dry_run = Some(dry_run_facts(&path, s));
                }
                s.databases.push(d)
            }
            None if opts.base.is_none() => alone.push(StreamInput {
                log_signature: Some(d.log_signature),
                databases: vec![d],
                ..StreamInput::default()
            }),
            None => {}
        }
    }
    // `--base`: only that stream, once every database has found its own.
    if let Some(only) = &opts.base {
        out.retain(|s| s.base_name.eq_ignore_ascii_case(only));
    }
    out.extend(alone);
    out
}

/// The stream (of those `among`) a database was found with: the one with a log or its checkpoint
/// in the database's folder; else in a folder beside it (`SG/db` and `SG/logs`); else the only
/// stream. `None` when there is none, or when two are equally near (which one it was brought for
/// cannot be told).
fn found_with(db: &Path, streams: &[StreamInput], among: &[usize]) -> Option<usize> {
    let folder = db.parent()?;
    let folders = |s: &StreamInput| -> Vec<PathBuf> {
        s.logs
            .iter()
            .map(|l| l.file.as_str())
            .chain(s.checkpoint.iter().map(|c| c.file.as_str()))
            .filter_map(|f| Path::new(f).parent().map(Path::to_path_buf))
            .collect()
    };
    let same = |f: &Path| f == folder;
    let beside = |f: &Path| f.parent().is_some() && f.parent() == folder.parent();
    let anywhere = |_: &Path| true;
    let tiers: [&dyn Fn(&Path) -> bool; 3] = [&same, &beside, &anywhere];
    for near in tiers {
        let hits: Vec<usize> = among
            .iter()
            .copied()
            .filter(|&k| streams.get(k).is_some_and(|s| folders(s).iter().any(|f| near(f))))
            .collect();
        match hits.as_slice() {
            [] => continue,
            [k] => return Some(*k),
            _ => return None,
        }
    }
    None
}

/// The plans of `esehdr plan` (one per stream) and the exit status for `expect`; `Err` is what
/// the CLI prints after `esehdr: ` with exit status 2. `PlanReport { streams }` is the JSON.
pub fn plan_report(opts: &PlanOptions, expect: Option<Expect>) -> io::Result<(Vec<StreamReport>, Status)> {
    for p in &opts.inputs {
        if !p.exists() {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("{}: no such file or folder", p.display())));
        }
    }
    let plans: Vec<StreamReport> = streams(scan(opts), opts)
        .iter()
        .map(|s| {
            let p = plan(s);
            StreamReport { recover_commands: recover_commands(s, &p), plan: p }
        })
        .collect();
    let possible = |p: &StreamPlan| match expect {
        Some(Expect::PointInTime) => p.verdicts.point_in_time.possible,
        Some(Expect::RollForward) => p.verdicts.roll_forward.possible,
        Some(Expect::SoftRecovery) => p.verdicts.soft_recovery.possible,
        Some(Expect::WithoutLogs) => p.verdicts.without_logs.possible,
        None => {
            p.verdicts.point_in_time.possible
                || p.verdicts.roll_forward.possible
                || p.verdicts.soft_recovery.possible
                || p.verdicts.without_logs.possible
        }
    };
    let with_db: Vec<&StreamPlan> = plans.iter().map(|r| &r.plan).filter(|p| !p.databases.is_empty()).collect();
    let status = if !with_db.is_empty() && with_db.iter().all(|p| possible(p)) { Status::Ok } else { Status::No };
    Ok((plans, status))
}

/// Runs `esehdr plan`: writes the report and returns the exit status.
pub fn run_plan(opts: &PlanOptions, expect: Option<Expect>, out: &mut dyn Write) -> io::Result<Status> {
    let (plans, status) = plan_report(opts, expect)?;
    if opts.json {
        serde_json::to_writer_pretty(&mut *out, &PlanReport { streams: plans })?;
        writeln!(out)?;
    } else {
        render_text(out, &plans)?;
    }
    Ok(status)
}

/// Refuses a plan input that is neither a folder nor a regular file (a FIFO, a character
/// device, a socket): the one line `esehdr plan` prints for it, without `esehdr: `.
pub fn refused_input(path: &Path) -> Option<String> {
    let refused =
        std::fs::metadata(path).ok().filter(|m| !m.is_dir()).and_then(|m| input::NotAFile::of(m.file_type()))?;
    Some(format!("{}: {refused}", path.display()))
}

fn action_text(a: &esehdr_plan::Action) -> String {
    match a.action {
        esehdr_plan::ActionKind::Rename => format!("rename {} to {}", a.path, a.to.as_deref().unwrap_or("?")),
        esehdr_plan::ActionKind::Delete => format!("delete {}", a.path),
        esehdr_plan::ActionKind::RemoveForeignLog => {
            format!("move the log of another stream {} out of the folder", a.path)
        }
        esehdr_plan::ActionKind::RestorePath => {
            format!("put database {} back at {}", a.path, a.to.as_deref().unwrap_or("?"))
        }
        esehdr_plan::ActionKind::Remount => format!("mount and dismount database {}, then copy it again", a.path),
        esehdr_plan::ActionKind::MoveOut => format!("move {} out of the folder (keep it)", a.path),
        esehdr_plan::ActionKind::Copy => format!("copy {} to {}", a.path, a.to.as_deref().unwrap_or("?")),
    }
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The text report.
pub fn render_text(w: &mut dyn Write, plans: &[StreamReport]) -> io::Result<()> {
    if plans.is_empty() {
        writeln!(w, "No ESE database, log or checkpoint found.")?;
    }
    for r in plans {
        let p = &r.plan;
        let name = if p.base_name.is_empty() { "(no logs)".to_string() } else { p.base_name.clone() };
        writeln!(w, "Log stream {name}")?;
        if let Some(s) = &p.log_signature {
            writeln!(w, "  Log signature: {}", s.eseutil())?;
        }
        writeln!(w, "  Circular logging: {}", if p.circular_logging { "on" } else { "off" })?;
        writeln!(w)?;
        writeln!(w, "  Databases:")?;
        for d in &p.databases {
            writeln!(
                w,
                "    {}: {}, Last Consistent {}, Log Required {}-{}, log signature matches: {}{}{}",
                d.file,
                d.state,
                d.last_consistent.eseutil(),
                d.log_required.min,
                d.log_required.max,
                if d.log_signature_matches { "yes" } else { "no (another log stream: left out of the verdicts, R9)" },
                d.streaming_file.as_deref().map(|s| format!(", streaming file {s}")).unwrap_or_default(),
                if d.restoring { ", restoring" } else { "" }
            )?;
        }
        let l = &p.logs;
        let range = match (l.first_generation, l.last_generation) {
            (Some(a), Some(b)) => format!("generations 0x{a:X}-0x{b:X}"),
            _ => "no log".into(),
        };
        writeln!(
            w,
            "  Logs: {range}, current log: {}",
            l.current_generation.map_or("missing".into(), |g| format!("generation 0x{g:X}"))
        )?;
        for g in &l.missing {
            writeln!(w, "    missing: 0x{:X}-0x{:X}", g.from, g.to)?;
        }
        for f in &l.damaged {
            writeln!(w, "    damaged: {f}")?;
        }
        for f in &l.foreign {
            writeln!(w, "    another stream's: {f}")?;
        }
        for b in &l.sequence_breaks {
            let what = match &b.previous {
                Some(p) => format!("{} does not continue {p}", b.file),
                None => b.file.clone(),
            };
            writeln!(w, "    sequence break: {what}: {} ({}) {}", b.error.code, b.error.name, b.message)?;
        }
        if let Some(t) = &l.temporary_log {
            writeln!(w, "    temporary log (not part of the stream): {}", t.file)?;
        }
        for f in &l.reserve_files {
            writeln!(w, "    reserve log (not part of the stream): {f}")?;
        }
        for r in &l.recoverable_generations {
            writeln!(
                w,
                "    {} holds generation {} of this stream (0x{:X}): a copy named {} fills it",
                r.file, r.generation, r.generation, r.archived_name
            )?;
        }
        match &p.checkpoint {
            Some(c) => writeln!(
                w,
                "  Checkpoint: {} at generation 0x{:X}, valid for a point-in-time restore: {}",
                c.file,
                c.generation,
                yes(c.valid_for_point_in_time)
            )?,
            None => writeln!(w, "  Checkpoint: none")?,
        }
        for (label, a) in [("Low anchor", &p.low_anchor), ("High anchor", &p.high_anchor)] {
            if let Some(a) = a {
                writeln!(
                    w,
                    "  {label}: generation 0x{:X} ({})",
                    a.generation,
                    a.file.as_deref().unwrap_or("log missing")
                )?;
            }
        }
        writeln!(w)?;
        writeln!(w, "  Checks:")?;
        for c in &p.checks {
            let tag = match c.status {
                esehdr_plan::CheckStatus::Passed => "passed",
                esehdr_plan::CheckStatus::Failed => "FAILED",
                esehdr_plan::CheckStatus::NotApplicable => "n/a",
            };
            writeln!(w, "    [{tag:>6}] {:<3} {}", c.rule, c.message)?;
        }
        writeln!(w)?;
        writeln!(w, "  Verdicts:")?;
        for (label, v) in [
            ("point-in-time restore", &p.verdicts.point_in_time),
            ("roll-forward restore", &p.verdicts.roll_forward),
            ("soft recovery", &p.verdicts.soft_recovery),
            ("start without logs (data after the backup is lost)", &p.verdicts.without_logs),
        ] {
            let state = match (v.possible, v.ready) {
                (true, true) => "possible, ready".to_string(),
                (true, false) => "possible after these actions, in this order:".to_string(),
                (false, _) => "NOT possible".into(),
            };
            writeln!(w, "    {label}: {state}")?;
            for b in &v.blockers {
                writeln!(w, "      because ({}) {}", b.rule, b.message)?;
            }
            if v.possible {
                for (n, i) in v.actions.iter().enumerate() {
                    if let Some(a) = p.actions.get(*i) {
                        writeln!(w, "      {}. [{}] {}", n + 1, a.rule, action_text(a))?;
                    }
                }
            }
            let soft = label == "soft recovery";
            let label = if v.possible { "mounting without these actions" } else { "mounting now" };
            for e in &v.predicted_errors {
                writeln!(w, "      {label}: {} ({}) [{}] {}", e.code, e.name, e.rule, e.message)?;
            }
            if soft {
                for c in &r.recover_commands {
                    writeln!(w, "      to read it without touching the evidence: {c}")?;
                }
            }
        }
        writeln!(w, "  Recovery case: {}", p.case.map_or("none".into(), |c| c.to_string()))?;
        if !p.backup_logs.is_empty() {
            writeln!(w)?;
            writeln!(w, "  Logs to back up (R2): {}", p.backup_logs.join(", "))?;
        }
        if !p.deletable_logs.is_empty() {
            writeln!(w, "  Logs that may be deleted once backed up (R3): {}", p.deletable_logs.join(", "))?;
        }
        writeln!(w)?;
    }
    Ok(())
}
