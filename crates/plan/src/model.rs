//! The planner's input (small facts taken from the headers) and output (the plan).
//!
//! Sources: docs/restore-rules.md (terms, rules R1-R19), docs/errors.md §9 (errors).

use esehdr_format::{Lgpos, LogTime, Signature};
use serde::Serialize;

/// A database (or its streaming file) as its header describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    /// The path as found.
    pub file: String,
    /// A header copy is valid (else the database is damaged: -1206).
    pub header_valid: bool,
    /// `le_dbstate` (3 = Clean Shutdown, 2 = Dirty Shutdown, ...).
    pub state_code: u32,
    /// `le_lgposConsistent` ("Last Consistent").
    pub last_consistent: Lgpos,
    /// `le_lGenMinRequired`, `le_lGenMaxRequired` ("Log Required").
    pub log_required: (i32, i32),
    /// `signDb`.
    pub db_signature: Signature,
    /// `signLog`.
    pub log_signature: Signature,
    /// The streaming file paired with it (Exchange 2000/2003 `.stm`), if any.
    pub streaming_file: Option<StreamingFile>,
    /// This database is being restored (a backup copy put in place).
    pub restoring: bool,
    /// What a dry run of soft recovery with the stream's logs predicts for it
    /// (`esehdr_recover::dry_run`, made by the caller: the planner reads no file); `None` when
    /// none was made (a Clean Shutdown database, or contents not read).
    pub dry_run: Option<DryRun>,
}

impl Database {
    /// `JET_dbstateCleanShutdown`.
    pub fn clean(&self) -> bool {
        self.header_valid && self.state_code == 3
    }
    /// `JET_dbstateDirtyShutdown` (or dirty and patched).
    pub fn dirty(&self) -> bool {
        self.header_valid && matches!(self.state_code, 2 | 7)
    }
    /// The file name without its folder (recorded paths are Windows paths).
    pub fn file_name(&self) -> &str {
        file_name(&self.file)
    }
}

/// The last component of a Windows or Unix path.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// A CreateDB, AttachDB or DetachDB record (the type the record summary uses).
pub use esehdr_format::log::records::summary::{DbEvent, EventKind};

/// What a dry run of soft recovery predicts (`esehdr recover --dry-run`), as plain data: the
/// planner reports it under R18 (and R9) and never runs it itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DryRun {
    /// `would_succeed`, `would_fail`, or `not_run` (the dry run could not be made: `note` says why).
    pub verdict: DryRunVerdict,
    /// The first error recovery would stop on (with `would_fail`).
    pub error: Option<DryRunError>,
    /// Where replay starts (the checkpoint, else the lowest log).
    pub start: Option<Lgpos>,
    /// Where it ends (the end of the logs, or the error's position).
    pub end: Option<Lgpos>,
    /// Page records recovery would write into the database.
    pub apply_records: u64,
    /// Page records of the database already on disk (the page's dbtime is at or past the record's).
    pub already_on_disk: u64,
    /// Why no dry run was made (`not_run`).
    pub note: Option<String>,
}

/// The outcome of a dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DryRunVerdict {
    /// Recovery would run to the end of the logs.
    WouldSucceed,
    /// Recovery would stop with the error.
    WouldFail,
    /// No dry run was made.
    NotRun,
}

/// The error a dry run predicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DryRunError {
    /// The engine error number (-543, -566, -1216, ...).
    pub code: i32,
    /// `JET_err*`.
    pub name: &'static str,
    /// Where (`null` when the error has no position).
    pub lgpos: Option<Lgpos>,
    /// The page, for a dbtime mismatch.
    pub pgno: Option<u32>,
    /// Why.
    pub message: String,
}

/// A streaming file's header facts (R1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamingFile {
    /// The path.
    pub file: String,
    /// Its `signDb`.
    pub db_signature: Signature,
    /// Clean Shutdown.
    pub clean: bool,
    /// Its Last Consistent.
    pub last_consistent: Lgpos,
}

/// One attached-database entry of a log header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// The recorded (Windows) path.
    pub path: String,
    /// The recorded DB signature.
    pub db_signature: Signature,
}

/// A log file of the stream's folder as its header describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// The path.
    pub file: String,
    /// The generation in its name; `None` for the current log `<base>.log`.
    pub name_generation: Option<u32>,
    /// `le_lGeneration` (`None` when the header is unreadable).
    pub generation: Option<i32>,
    /// `signLog`.
    pub signature: Signature,
    /// `tmCreate`.
    pub created: LogTime,
    /// `tmPrevGen`.
    pub previous_created: LogTime,
    /// Circular logging on (DBMS_PARAM flag or `fLGFlags`).
    pub circular_logging: bool,
    /// The attached-database list.
    pub attached: Vec<Attached>,
    /// Header unreadable, contents damaged or size wrong.
    pub damaged: bool,
    /// The CreateDB, AttachDB and DetachDB records of the log, in log order (docs/log-records.md
    /// §3.5-§3.7, §3.23); `None` when its records were not read (`--headers-only`, or a header
    /// whose checksum is wrong). Where they are known the planner takes each database's paths,
    /// attaches and detaches from them instead of inferring them from the header attach lists.
    pub events: Option<Vec<DbEvent>>,
}

impl Log {
    /// The generation this file stands for: the header's, else the name's.
    pub fn position(&self) -> Option<u32> {
        self.generation.and_then(|g| u32::try_from(g).ok()).or(self.name_generation)
    }
    /// `<base>.log` / `.jtx`.
    pub fn is_current(&self) -> bool {
        self.name_generation.is_none()
    }
}

/// The checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The path.
    pub file: String,
    /// A copy is valid.
    pub valid: bool,
    /// `le_lgposCheckpoint` generation.
    pub generation: i32,
    /// `signLog`.
    pub signature: Signature,
    /// Circular logging on (DBMS_PARAM flag).
    pub circular_logging: bool,
}

/// Everything the planner knows about one stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamInput {
    /// The 3-character base name.
    pub base_name: String,
    /// The stream's log signature (the one its current log, checkpoint and databases share).
    pub log_signature: Option<Signature>,
    /// The folder of the logs (for the names of actions).
    pub log_folder: String,
    /// The log extension (`log` or `jtx`).
    pub ext: String,
    /// The databases of the stream.
    pub databases: Vec<Database>,
    /// Every log file named with the base (archived and current), in any order.
    pub logs: Vec<Log>,
    /// The checkpoint, if present.
    pub checkpoint: Option<Checkpoint>,
    /// The sequence breaks among `logs` found by the check `esehdr ml BASE` runs
    /// ([`esehdr_format::log::stream::check_stream`]): the planner takes them from there and
    /// checks no sequence itself, so the two cannot disagree.
    pub sequence_breaks: Vec<SequenceBreak>,
    /// Temporary or reserve logs holding a generation the stream lacks, sound and chained to
    /// their neighbours (`recoverable_generations` of the same check).
    pub recoverable: Vec<RecoverableLog>,
    /// The temporary log (for the inventory).
    pub temporary_log: Option<TemporaryLog>,
    /// The reserve logs (for the inventory).
    pub reserve_files: Vec<String>,
}

/// A sequence break (the type the log-stream check uses).
pub use esehdr_format::log::stream::{Recoverable, SequenceBreak, TemporaryLog};

/// A temporary or reserve log that holds a generation the stream lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoverableLog {
    /// Its header facts: `file` is the temporary or reserve log, `name_generation` the
    /// generation it holds.
    pub log: Log,
    /// The archived name that fills the generation (`SRU00002.log`, beside the logs).
    pub to: String,
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The rule holds.
    Passed,
    /// The rule does not hold.
    Failed,
    /// The rule does not apply here.
    NotApplicable,
}

/// One rule applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `R1`..`R19`.
    pub rule: &'static str,
    /// The outcome.
    pub status: CheckStatus,
    /// Why.
    pub message: String,
}

/// What the user must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Rename a file (`path` -> `to`).
    Rename,
    /// Delete a file.
    Delete,
    /// Move a log of another stream out of the folder.
    RemoveForeignLog,
    /// Put a database back at the path the logs recorded (`to`).
    RestorePath,
    /// Mount and dismount a database so that it is consistent with its streaming file.
    Remount,
    /// Move a log or the checkpoint out of the folder and keep it (to start without logs, R10 a).
    MoveOut,
    /// Copy a file (`path` -> `to`), keeping it: a temporary or reserve log that holds a
    /// generation the stream lacks, to that generation's archived name.
    Copy,
}

/// One action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// The rule that asks for it.
    pub rule: &'static str,
    /// What to do.
    pub action: ActionKind,
    /// The file it concerns.
    pub path: String,
    /// The new name or path, for `rename`, `restore_path` and `copy`.
    pub to: Option<String>,
    /// Why.
    pub why: String,
}

/// An engine error a user would meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PredictedError {
    /// The error number.
    pub code: i32,
    /// `JET_err*`.
    pub name: &'static str,
    /// The rule that predicts it.
    pub rule: &'static str,
    /// Why.
    pub message: String,
}

/// A blocker of a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocker {
    /// The rule.
    pub rule: &'static str,
    /// Why.
    pub message: String,
}

/// One verdict: point-in-time, roll-forward, soft recovery or start without logs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Verdict {
    /// The restore works after its actions.
    pub possible: bool,
    /// It needs no action.
    pub ready: bool,
    /// What makes it impossible.
    pub blockers: Vec<Blocker>,
    /// Its actions, as indexes into the plan's `actions`, in the order to do them.
    pub actions: Vec<usize>,
    /// What mounting now, without its actions, would meet.
    pub predicted_errors: Vec<PredictedError>,
}

/// The four verdicts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Verdicts {
    /// Restore the backup only; no log replayed.
    pub point_in_time: Verdict,
    /// Restore the backup and replay the logs made since.
    pub roll_forward: Verdict,
    /// Recover the databases on disk with their logs.
    pub soft_recovery: Verdict,
    /// Start the databases without logs (R10 a): every database consistent, every log and the
    /// checkpoint moved out of the folder; everything after the backup is lost. Never a
    /// point-in-time restore, which keeps the checkpoint and every log (R6).
    pub without_logs: Verdict,
}

/// A log anchor (R8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// The generation.
    pub generation: i32,
    /// The log holding it, or null when it is absent.
    pub file: Option<String>,
}

/// A run of missing generations (the type the log-stream check uses).
pub use esehdr_format::log::stream::Gap;

/// A database in the plan's inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseSummary {
    /// The path.
    pub file: String,
    /// `clean_shutdown`, `dirty_shutdown`, ...
    pub state: &'static str,
    /// `{generation, sector, offset}`.
    pub last_consistent: Lgpos,
    /// `{min, max}`.
    pub log_required: LogRange,
    /// The DB signature.
    pub db_signature: Signature,
    /// Its log signature is the stream's; when not, it belongs to another log stream and is left
    /// out of the anchors and the verdicts (R9).
    pub log_signature_matches: bool,
    /// The paired streaming file, if any.
    pub streaming_file: Option<String>,
    /// Being restored.
    pub restoring: bool,
    /// Its CreateDB, AttachDB and DetachDB records in the stream's logs, in LGPOS order: create
    /// and attach matched by its DB signature, a detach by the DBID it frees (or, when no attach
    /// of that DBID was read, by its path). Empty when the records were not read.
    pub log_events: Vec<DatabaseEvent>,
    /// Where replay for it stops before the end of the logs (R11: an attach at another path;
    /// R17: its path attached with another DB signature, or its last detach); `null` when it runs
    /// to the end of the logs or the records were not read.
    pub replay_stop: Option<ReplayStop>,
    /// The dry run of soft recovery (Dirty Shutdown databases, contents read); `null` otherwise.
    pub dry_run: Option<DryRun>,
}

/// One create, attach or detach of a database, as its log record says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseEvent {
    /// `create`, `attach` or `detach`.
    pub kind: EventKind,
    /// The record's LGPOS.
    pub lgpos: Lgpos,
    /// The log holding it.
    pub log: String,
    /// The DBID the record gives it in this stream.
    pub dbid: u8,
    /// The path logged.
    pub path: String,
}

/// Where replay for a database stops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayStop {
    /// The LGPOS of the record it stops at.
    pub lgpos: Lgpos,
    /// The log holding it.
    pub log: String,
    /// `R11` (attached at another path), `R17` (its path with another DB signature, or a detach).
    pub rule: &'static str,
    /// Why.
    pub reason: String,
}

/// `{min, max}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LogRange {
    /// Lowest generation.
    pub min: i32,
    /// Highest generation.
    pub max: i32,
}

/// The logs in the plan's inventory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LogSummary {
    /// Lowest generation of the stream present.
    pub first_generation: Option<u32>,
    /// Highest, the current log's included.
    pub last_generation: Option<u32>,
    /// The current log's generation.
    pub current_generation: Option<u32>,
    /// Missing generations between the first and the last.
    pub missing: Vec<Gap>,
    /// Damaged logs.
    pub damaged: Vec<String>,
    /// Logs of another stream.
    pub foreign: Vec<String>,
    /// Breaks of the log sequence (the errors `esehdr ml BASE` reports: -515, -590, -530, -513).
    pub sequence_breaks: Vec<SequenceBreak>,
    /// The temporary log `<base>tmp.log`, not part of the stream.
    pub temporary_log: Option<TemporaryLog>,
    /// Reserve logs, not part of the stream.
    pub reserve_files: Vec<String>,
    /// Temporary or reserve logs holding a generation the stream lacks.
    pub recoverable_generations: Vec<Recoverable>,
}

/// The checkpoint in the plan's inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointSummary {
    /// The path.
    pub file: String,
    /// Its generation.
    pub generation: i32,
    /// Valid for a point-in-time restore: readable, of this stream, at the current log's generation (R5).
    pub valid_for_point_in_time: bool,
}

/// The plan for one stream: the JSON contract of `esehdr plan --json` (one item of `streams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamPlan {
    /// The base name.
    pub base_name: String,
    /// The stream's log signature.
    pub log_signature: Option<Signature>,
    /// Circular logging on in the stream's logs or checkpoint.
    pub circular_logging: bool,
    /// The databases.
    pub databases: Vec<DatabaseSummary>,
    /// The logs.
    pub logs: LogSummary,
    /// The checkpoint.
    pub checkpoint: Option<CheckpointSummary>,
    /// The log holding the lowest Last Consistent generation of the databases restored (R8).
    pub low_anchor: Option<Anchor>,
    /// The log holding the highest.
    pub high_anchor: Option<Anchor>,
    /// Every rule applied.
    pub checks: Vec<Check>,
    /// The four verdicts.
    pub verdicts: Verdicts,
    /// The recovery case of R19: 1, 2, 3, or null.
    pub case: Option<u8>,
    /// Every action of every verdict, in the order to do them.
    pub actions: Vec<Action>,
    /// Logs to back up (R2).
    pub backup_logs: Vec<String>,
    /// Logs that may be deleted once backed up (R3).
    pub deletable_logs: Vec<String>,
}
