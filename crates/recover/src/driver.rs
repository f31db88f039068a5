//! The replay driver: walks the records of a log stream across generations from where recovery
//! starts, takes the engine's decisions for one database (attach, the record filters, macros,
//! the dbtime rule, transactions) and hands every page operation that needs redo to a
//! [`Sink`]. The dry run's sink only reads page dbtimes and remembers what it would have
//! written; soft recovery's sink (issue 12) applies the record to a copy. Both get the same
//! [`Report`], so the prediction and the recovery cannot disagree on counts or on the error.
//!
//! Sources: docs/log-records.md §5.1 (flow), §5.2 (which records apply), §5.3 (attach,
//! see [`crate::attach`]), §5.4 (detach, end of recovery), §5.5 (dbtime rule), §5.6
//! (transactions), §8 items 4 and 5; docs/page-internals.md §4.1 (dispatch, skip conditions,
//! `need_redo`), §4.3 (new pages).

use std::collections::{BTreeMap, HashMap, HashSet};

use esehdr_format::log::records::decode::{DbMark, ExtendDb, ExtentFreed, SetDbVersion, ShrinkDb, TrimDb};
use esehdr_format::log::records::{LrType, Record, RecordWalker, StopReason};
use esehdr_format::{DbFileHeader, DbState, Lgpos, Signature};

use crate::attach::{decide, reason_text, AttachInput, AttachSource, Decision, Reason};
use crate::errors::{
    EngineError, ATTACHED_DATABASE_MISMATCH, BAD_LOG_VERSION, DATABASE_DIRTY_SHUTDOWN, DB_TIME_BEYOND_MAX_REQUIRED,
    DB_TIME_TOO_NEW, DB_TIME_TOO_OLD, LOG_FILE_CORRUPT,
};
use crate::fields::{self, PageKey, DBTIME_INVALID, DBTIME_NIL};
use crate::report::{AttachEntry, OpenTransaction, ReplayError, Report, Verdict};

/// Which database of the stream this replay is for.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// The database header (`None`: the file is absent, or no database was given).
    pub header: Option<DbFileHeader>,
    /// The database's file name, matched case-insensitively against the last component of the
    /// paths in CreateDB/AttachDB records and attachment lists (`None`: no database given; the
    /// first CreateDB of the logs is the target).
    pub file_name: Option<String>,
    /// The name of the database's own folder, when the stream's attachment lists (log headers,
    /// checkpoint) name a database of the same file name in a folder of that name: then a record
    /// whose path has this file name in another folder is for another database of the stream,
    /// unless its signature is the database's. (CatRoot2 keeps two `catdb` files, one per GUID
    /// folder, in one stream.) `None`: the file name alone decides, as for a database restored
    /// to a folder of another name.
    pub dir_name: Option<String>,
}

impl Target {
    fn is_ours(&self, db_signature: &Signature, path: &str) -> bool {
        if self.header.as_ref().is_some_and(|h| h.db_signature == *db_signature) {
            return true;
        }
        match &self.file_name {
            Some(name) => {
                let (dir, file) = folder_and_file(path);
                file.eq_ignore_ascii_case(name) && self.dir_name.as_ref().is_none_or(|d| dir.eq_ignore_ascii_case(d))
            }
            None => false,
        }
    }
}

/// The last two components of a logged path (its folder and file name), as `Target::dir_name`
/// compares them.
pub fn folder_and_file(path: &str) -> (&str, &str) {
    let mut parts = path.rsplit(['\\', '/']);
    let file = parts.next().unwrap_or(path);
    (parts.next().unwrap_or_default(), file)
}

/// An initial attachment (checkpoint list, or the first log header's without a checkpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialAttachment {
    /// DBID.
    pub dbid: u8,
    /// Path as logged.
    pub path: String,
    /// `signDb`.
    pub db_signature: Signature,
    /// `lgposAttach`.
    pub last_attach: Lgpos,
    /// `lgposConsistent`.
    pub last_consistent: Lgpos,
}

/// Where replay starts and what it knows there.
#[derive(Debug, Clone)]
pub struct Start {
    /// The checkpoint's `le_lgposCheckpoint`, or `(lowest generation, first record, 0)`.
    pub lgpos: Lgpos,
    /// v7 logs: replay the whole generation of the checkpoint (docs/log-records.md §8 item 4).
    pub whole_generation: bool,
    /// The attachment list at the start.
    pub attachments: Vec<InitialAttachment>,
    /// The stream's log signature.
    pub log_signature: Signature,
}

/// One log of the stream, in replay order, or why the stream stops before it.
#[derive(Debug)]
pub enum LogItem {
    /// A whole log file.
    Log {
        /// Its generation.
        generation: i32,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// The stream cannot be read on from here (a missing generation, a sequence error, ...).
    Stop(ReplayError),
}

/// Supplies the logs to replay, in ascending generation.
pub trait LogSource {
    /// The next log, or `None` after the last.
    fn next_log(&mut self) -> Option<LogItem>;
}

/// An I/O failure of a sink (the replay cannot say anything after it).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

/// A page operation that needs redo.
#[derive(Debug, Clone, Copy)]
pub struct Redo<'a> {
    /// LGPOS of the record (of the MacroCommit for a macro).
    pub lgpos: Lgpos,
    /// The record (single-page), or the first structural record of the macro.
    pub lrtyp: LrType,
    /// The record bytes (single-page records only; empty for a macro).
    pub bytes: &'a [u8],
    /// A macro's buffered records of this database, in log order (empty for a single record).
    pub macro_records: &'a [MacroRecord],
    /// The pages written and the dbtime each gets.
    pub pages: &'a [(u32, u64)],
}

/// A record buffered in a split/merge macro until its MacroCommit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroRecord {
    /// Its LGPOS.
    pub lgpos: Lgpos,
    /// Its type.
    pub lrtyp: LrType,
    /// Its bytes (a copy: a macro may span generations).
    pub bytes: Vec<u8>,
}

/// What the driver needs from the database: page dbtimes, and somewhere to put redo. No method
/// has a default body: a sink that wraps another must pass every call on (a wrapper that
/// silently dropped [`Sink::version`] once wrote copies without undo).
pub trait Sink {
    /// The page's `dbtimeDirtied` as replay sees it now (after what this sink applied);
    /// `None` for a page beyond the end of the file or never initialised (read as 0).
    fn page_dbtime(&mut self, pgno: u32) -> Result<Option<u64>, SinkError>;
    /// Apply a page operation.
    fn redo(&mut self, op: &Redo<'_>) -> Result<(), SinkError>;
    /// Create the database from a CreateDB record (the file is absent).
    fn create_database(&mut self, lgpos: Lgpos, record: &[u8]) -> Result<(), SinkError>;
    /// A record of the attached target that changes the database file rather than a page
    /// (ExtendDB, ShrinkDB*, TrimDB, ExtentFreed*, SetDbVersion, CreateDBFinish;
    /// docs/log-records.md §3.20, §5.7).
    fn database_record(&mut self, lgpos: Lgpos, record: &Record<'_>) -> Result<(), SinkError>;
    /// The counters of docs/log-records.md §5.2: every page record of the attached target,
    /// replayed or skipped, with its dbtime and objidFDP (0 when it has none).
    fn observe(&mut self, lgpos: Lgpos, dbtime: u64, objid: u32);
    /// The version store's feed (docs/log-records.md §5.6, [`crate::undo`]), in log order:
    /// every transaction record (Begin, Begin0, Commit, Commit0, Rollback, and Init, Term,
    /// RecoveryQuit, which end every session; `redone` = the target is attached), and every
    /// page record of the attached target that passes the filters of docs/page-internals.md
    /// §4.1 (UndoInfo included; a macro's records once each at its MacroCommit), with `redone`
    /// = whether its page needs redo, always **before** [`Sink::redo`] applies it.
    fn version(&mut self, lgpos: Lgpos, record: &Record<'_>, redone: bool) -> Result<(), SinkError>;
    /// An engine error the sink stopped on (a record it cannot apply): the driver ends the
    /// replay with it, as with its own errors. Polled after every call above.
    fn take_stop(&mut self) -> Option<ReplayError>;
}

/// The rest of a [`Sink`] that only follows page dbtimes (the fuzz targets' and unit tests'
/// sinks): no database records, no counters, no version store, never a stop of its own.
macro_rules! dbtime_only_sink {
    () => {
        fn database_record(
            &mut self,
            _: esehdr_format::Lgpos,
            _: &esehdr_format::log::records::Record<'_>,
        ) -> Result<(), $crate::driver::SinkError> {
            Ok(())
        }
        fn observe(&mut self, _: esehdr_format::Lgpos, _: u64, _: u32) {}
        fn version(
            &mut self,
            _: esehdr_format::Lgpos,
            _: &esehdr_format::log::records::Record<'_>,
            _: bool,
        ) -> Result<(), $crate::driver::SinkError> {
            Ok(())
        }
        fn take_stop(&mut self) -> Option<$crate::report::ReplayError> {
            None
        }
    };
}
pub(crate) use dbtime_only_sink;

/// The attach state of the target database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not (yet) named by any attachment.
    Unknown,
    Attached,
    Deferred(Reason),
    Skipped,
    Detached,
}

#[derive(Debug, Clone)]
struct Session {
    level: u8,
    trx: u32,
    lgpos: Lgpos,
    records: u64,
}

#[derive(Debug)]
struct Macro {
    dbtime: u64,
    /// Records of the target database buffered until MacroCommit.
    records: Vec<MacroRecord>,
}

/// Replays `logs` from `start` for `target`, handing redo to `sink`.
///
/// `until`: records at or after this LGPOS are not replayed (`--until`, the database as it was
/// then); a macro still open there is dropped, as the engine drops an uncommitted macro.
pub fn replay(
    target: &Target,
    start: &Start,
    logs: &mut dyn LogSource,
    sink: &mut dyn Sink,
    until: Option<Lgpos>,
) -> Result<Report, SinkError> {
    let mut d = Driver::new(target, start);
    d.until = until;
    d.run(logs, sink)?;
    Ok(d.finish())
}

struct Driver<'t> {
    target: &'t Target,
    /// The target's header as replay updates it (docs/log-records.md §5.4: a replayed detach
    /// makes the database consistent at the DetachDB; a replayed attach sets `lgposAttach`),
    /// so a later AttachDB of the same database is judged against it, as the engine does.
    header: Option<DbFileHeader>,
    start: Lgpos,
    whole_generation: bool,
    log_signature: Signature,
    report: Report,
    state: State,
    dbid: Option<u8>,
    create: bool,
    /// `signDb` of the database this replay creates.
    created_signature: Option<Signature>,
    /// The CreateDB (VersionInfo (2, 0), which always ends in a CreateDBFinish) of the database
    /// this replay creates, until its CreateDBFinish is replayed.
    creation_open: Option<Lgpos>,
    sessions: HashMap<u16, Session>,
    after_first_bt: HashSet<u16>,
    macros: HashMap<u16, Macro>,
    pages_applied: HashSet<u32>,
    last_was_shutdown: bool,
    /// LGPOS of the last ShutDownMark.
    shutdown_at: Option<Lgpos>,
    position: Lgpos,
    error: Option<ReplayError>,
    initial: Vec<InitialAttachment>,
    until: Option<Lgpos>,
    reached_until: bool,
}

/// A stop of the replay with an engine error.
fn stop(error: EngineError, lgpos: Option<Lgpos>, pgno: Option<u32>, message: String) -> ReplayError {
    ReplayError { code: error.code, name: error.name, lgpos, pgno, message }
}

impl<'t> Driver<'t> {
    fn new(target: &'t Target, start: &Start) -> Self {
        let report = Report { start: start.lgpos, end: start.lgpos, ..Report::default() };
        Self {
            target,
            header: target.header.clone(),
            start: start.lgpos,
            whole_generation: start.whole_generation,
            log_signature: start.log_signature,
            report,
            state: State::Unknown,
            dbid: None,
            create: false,
            created_signature: None,
            creation_open: None,
            sessions: HashMap::new(),
            after_first_bt: HashSet::new(),
            macros: HashMap::new(),
            pages_applied: HashSet::new(),
            last_was_shutdown: false,
            shutdown_at: None,
            position: start.lgpos,
            error: None,
            initial: start.attachments.clone(),
            until: None,
            reached_until: false,
        }
    }

    fn run(&mut self, logs: &mut dyn LogSource, sink: &mut dyn Sink) -> Result<(), SinkError> {
        // §5.1 step 1: the attachment list at the start.
        for a in std::mem::take(&mut self.initial) {
            if self.target.is_ours(&a.db_signature, &a.path) {
                let input = AttachInput {
                    source: AttachSource::Initial,
                    db_signature: a.db_signature,
                    last_consistent: a.last_consistent,
                    lgpos_attach: a.last_attach,
                    logged_log_signature: None,
                    current_generation: self.start.generation,
                    current_lgpos: self.start,
                };
                self.attach(a.dbid, a.last_attach, &input, None, sink)?;
                if self.error.is_some() {
                    return Ok(());
                }
            }
        }
        while let Some(item) = logs.next_log() {
            let (generation, bytes) = match item {
                LogItem::Log { generation, bytes } => (generation, bytes),
                LogItem::Stop(e) => {
                    self.error = Some(e);
                    return Ok(());
                }
            };
            let mut walker = match RecordWalker::new(&bytes) {
                Ok(w) => w,
                Err(e) => {
                    let at = Lgpos { generation, isec: 0, ib: 0 };
                    self.error =
                        Some(stop(LOG_FILE_CORRUPT, Some(at), None, format!("the log header cannot be read: {e}")));
                    return Ok(());
                }
            };
            while let Some(rec) = walker.next_record() {
                let rec = match rec {
                    Ok(r) => r,
                    Err(e) => {
                        self.error = Some(stop(LOG_FILE_CORRUPT, Some(e.lgpos), None, e.to_string()));
                        return Ok(());
                    }
                };
                if !self.whole_generation && rec.lgpos < self.start {
                    continue;
                }
                if self.until.is_some_and(|u| rec.lgpos >= u) {
                    self.reached_until = true;
                    self.report.end = rec.lgpos;
                    return Ok(());
                }
                self.position = rec.lgpos;
                self.report.records_read += 1;
                let decoded = match Record::decode(&rec) {
                    Ok(d) => d,
                    Err(e) => {
                        self.error = Some(stop(LOG_FILE_CORRUPT, Some(e.lgpos), None, e.to_string()));
                        return Ok(());
                    }
                };
                self.record(rec.lgpos, rec.lrtyp, &decoded, rec.bytes, sink)?;
                if let Some(e) = sink.take_stop() {
                    self.error.get_or_insert(e);
                }
                if self.error.is_some() {
                    return Ok(());
                }
            }
            if let Some(s) = walker.stop() {
                self.report.end = s.data_end;
                if s.reason == StopReason::Corrupt {
                    let message = s.error.as_ref().map_or_else(|| "a record cannot be read".into(), |e| e.to_string());
                    self.error = Some(stop(LOG_FILE_CORRUPT, Some(s.position), None, message));
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    fn ours(&self, dbid: u8) -> bool {
        self.dbid == Some(dbid)
    }

    fn attach(
        &mut self,
        dbid: u8,
        lgpos: Lgpos,
        input: &AttachInput,
        create_record: Option<&[u8]>,
        sink: &mut dyn Sink,
    ) -> Result<(), SinkError> {
        let header = self.header.as_ref();
        let out = decide(header, input, &self.log_signature);
        self.dbid = Some(dbid);
        self.report.attach.push(AttachEntry {
            dbid,
            lgpos,
            decision: out.decision,
            reason: reason_text(out.reason).to_string(),
        });
        match out.decision {
            Decision::Attach => {
                if out.reason == Reason::Create {
                    self.create = true;
                    self.report.create = true;
                    if let Some(r) = create_record {
                        sink.create_database(lgpos, r)?;
                    }
                }
                self.state = State::Attached;
                if !self.create && input.source == AttachSource::AttachDb {
                    if let Some(h) = self.header.as_mut() {
                        h.last_attach.lgpos = lgpos;
                        h.state = DbState::DirtyShutdown;
                    }
                }
            }
            Decision::Defer => self.state = State::Deferred(out.reason),
            Decision::Skip => self.state = State::Skipped,
            Decision::Fail => {
                let e = out.error.unwrap_or(ATTACHED_DATABASE_MISMATCH);
                self.error = Some(stop(e, Some(lgpos), None, reason_text(out.reason).to_string()));
            }
        }
        Ok(())
    }

    fn end_all_sessions(&mut self) {
        self.sessions.clear();
        self.after_first_bt.clear();
        self.macros.clear();
    }

    fn record(
        &mut self,
        lgpos: Lgpos,
        t: LrType,
        rec: &Record<'_>,
        b: &[u8],
        sink: &mut dyn Sink,
    ) -> Result<(), SinkError> {
        // "The last record is a ShutDownMark" (§5.4): INFERENCE, the mark stays while only
        // the records that close a run follow it (a clean shutdown logs ShutDownMark, then Term).
        match t {
            LrType::SHUTDOWN_MARK => {
                self.last_was_shutdown = true;
                self.shutdown_at = Some(lgpos);
            }
            LrType::TERM
            | LrType::TERM2
            | LrType::NOP
            | LrType::NOP2
            | LrType::CHECKSUM
            | LrType::RECOVERY_QUIT
            | LrType::RECOVERY_QUIT2
            | LrType::RECOVERY_QUIT_KEEP_ATTACHMENTS => {}
            _ => self.last_was_shutdown = false,
        }
        if matches!(
            rec,
            Record::Init(_)
                | Record::Term(_)
                | Record::RecoveryQuit(_)
                | Record::Begin(_)
                | Record::Commit(_)
                | Record::Rollback(_)
        ) {
            sink.version(lgpos, rec, self.state == State::Attached)?;
        }
        match rec {
            Record::Term(_) if self.last_was_shutdown && self.state == State::Attached && !self.create => {
                // A clean Term after a ShutDownMark: the engine's shutdown left the database
                // consistent at the mark (the next AttachDB logs that point as its
                // lgposConsistent), as a detach does (docs/log-records.md §5.4).
                if let (Some(h), Some(at)) = (self.header.as_mut(), self.shutdown_at) {
                    h.last_consistent.lgpos = at;
                    h.state = DbState::CleanShutdown;
                }
                self.state = State::Detached;
                self.end_all_sessions();
            }
            Record::Init(_) | Record::Term(_) | Record::RecoveryQuit(_) => self.end_all_sessions(),
            Record::Begin(x) => {
                let level = x.level_begin_from.saturating_add(x.clevels_to_begin);
                if x.level_begin_from == 0 {
                    self.after_first_bt.insert(x.procid);
                    let trx = x.trx_begin0.unwrap_or(0);
                    self.sessions.insert(x.procid, Session { level, trx, lgpos, records: 0 });
                } else if let Some(s) = self.sessions.get_mut(&x.procid) {
                    s.level = level;
                }
            }
            Record::Commit(x) => {
                if t == LrType::COMMIT0 {
                    self.sessions.remove(&x.procid);
                } else if let Some(s) = self.sessions.get_mut(&x.procid) {
                    s.level = x.level_commit_to;
                }
            }
            Record::Rollback(x) => {
                if let Some(s) = self.sessions.get_mut(&x.procid) {
                    s.level = s.level.saturating_sub(x.level_rollback);
                    if s.level == 0 {
                        self.sessions.remove(&x.procid);
                    }
                }
            }
            Record::MacroBegin(x) => {
                if self.after_first_bt.contains(&x.procid) {
                    self.macros.insert(x.procid, Macro { dbtime: x.dbtime, records: Vec::new() });
                }
            }
            Record::MacroAbort(x) => {
                self.macros.remove(&x.procid);
            }
            Record::MacroCommit(x) => {
                if let Some(m) = self.macros.remove(&x.procid) {
                    self.commit_macro(lgpos, m, sink)?;
                }
            }
            Record::CreateDb(e) => {
                let ours = match (&self.target.header, &self.target.file_name) {
                    (None, None) => self.dbid.is_none() && self.state == State::Unknown,
                    _ => self.target.is_ours(&e.db_signature, &e.path),
                };
                if ours {
                    if self.report.database.is_none() {
                        self.report.database = Some(e.path.clone());
                    }
                    let input = AttachInput {
                        source: AttachSource::CreateDb,
                        db_signature: e.db_signature,
                        last_consistent: Lgpos::default(),
                        lgpos_attach: lgpos,
                        logged_log_signature: None,
                        current_generation: lgpos.generation,
                        current_lgpos: lgpos,
                    };
                    self.attach(e.dbid, lgpos, &input, Some(b), sink)?;
                    if self.create {
                        self.created_signature = Some(e.db_signature);
                        self.creation_open = (e.version == Some((2, 0))).then_some(lgpos);
                    }
                } else if self.ours(e.dbid) {
                    // The slot now names another database.
                    self.dbid = None;
                }
            }
            Record::AttachDb(e) => {
                let ours =
                    self.target.is_ours(&e.db_signature, &e.path) || self.created_signature == Some(e.db_signature);
                if ours && self.create {
                    // The database this recovery created: its header is the one the replay
                    // wrote, so the attachment matches.
                    if self.state != State::Attached {
                        self.dbid = Some(e.dbid);
                        self.state = State::Attached;
                        self.report.attach.push(AttachEntry {
                            dbid: e.dbid,
                            lgpos,
                            decision: Decision::Attach,
                            reason: "the database created by this replay is attached again".into(),
                        });
                    }
                } else if ours {
                    // §3.6: a logged lgposConsistent at or after the record is from another stream.
                    let consistent = if e.last_consistent >= lgpos { Lgpos::default() } else { e.last_consistent };
                    let input = AttachInput {
                        source: AttachSource::AttachDb,
                        db_signature: e.db_signature,
                        last_consistent: consistent,
                        lgpos_attach: lgpos,
                        logged_log_signature: Some(e.log_signature),
                        current_generation: lgpos.generation,
                        current_lgpos: lgpos,
                    };
                    self.attach(e.dbid, lgpos, &input, None, sink)?;
                } else if self.ours(e.dbid) {
                    self.dbid = None;
                }
            }
            Record::DetachDb(d) => {
                if self.ours(d.dbid) && self.state != State::Unknown {
                    // §5.4: replay for this database stops; a deferred or skipped one just frees
                    // the slot (and is still reported at the end).
                    if self.state == State::Attached {
                        self.state = State::Detached;
                        if let Some(h) = self.header.as_mut().filter(|_| !self.create) {
                            h.last_consistent.lgpos = lgpos;
                            h.state = DbState::CleanShutdown;
                        }
                    }
                    self.dbid = None;
                }
            }
            Record::ExtendDb(ExtendDb { dbid, .. })
            | Record::ShrinkDb(ShrinkDb { dbid, .. })
            | Record::TrimDb(TrimDb { dbid, .. })
            | Record::ExtentFreed(ExtentFreed { dbid, .. })
            | Record::SetDbVersion(SetDbVersion { dbid, .. })
            | Record::CreateDbFinish(DbMark { dbid, .. }) => {
                if self.ours(*dbid) && self.state == State::Attached {
                    if matches!(rec, Record::CreateDbFinish(_)) {
                        self.creation_open = None;
                    }
                    sink.database_record(lgpos, rec)?;
                }
            }
            _ => self.page_record(lgpos, t, rec, b, sink)?,
        }
        Ok(())
    }

    /// Filters of §5.2 / docs/page-internals.md §4.1 for a page record of the target; `Some(header)` when
    /// it is replayed.
    fn replayed(&mut self, lgpos: Lgpos, h: &PageKey) -> bool {
        if !self.ours(h.dbid) || self.state != State::Attached {
            return false;
        }
        if !self.create {
            if let Some(hdr) = &self.header {
                if lgpos <= hdr.last_attach.lgpos {
                    self.report.skipped.before_attach += 1;
                    return false;
                }
            }
        }
        if !self.after_first_bt.contains(&h.procid) {
            self.report.skipped.session_before_start += 1;
            return false;
        }
        true
    }

    fn page_record(
        &mut self,
        lgpos: Lgpos,
        t: LrType,
        rec: &Record<'_>,
        b: &[u8],
        sink: &mut dyn Sink,
    ) -> Result<(), SinkError> {
        let Some(h) = fields::page_key(rec) else { return Ok(()) };
        if self.ours(h.dbid) && self.state == State::Attached {
            sink.observe(lgpos, h.dbtime, objid_of(rec));
        }
        if !self.replayed(lgpos, &h) {
            return Ok(());
        }
        // UndoInfo never changes a page (§5.5); it only feeds the version store.
        if t == LrType::UNDO_INFO {
            return sink.version(lgpos, rec, false);
        }
        if let Some(s) = self.sessions.get_mut(&h.procid) {
            s.records += 1;
        }
        if let Some(m) = self.macros.get_mut(&h.procid) {
            if m.dbtime == h.dbtime {
                m.records.push(MacroRecord { lgpos, lrtyp: t, bytes: b.to_vec() });
                return Ok(());
            }
        }
        if t == LrType::ROOT_PAGE_MOVE {
            return Ok(());
        }
        let pages = fields::record_pages(rec, &h);
        let mut writes: Vec<(u32, u64)> = Vec::new();
        for (pgno, before) in pages {
            match self.need_redo(lgpos, pgno, h.dbtime, before, before.is_none(), sink)? {
                Some(true) => writes.push((pgno, h.dbtime)),
                Some(false) => {}
                None => return Ok(()),
            }
        }
        sink.version(lgpos, rec, !writes.is_empty())?;
        if writes.is_empty() {
            self.report.already_on_disk += 1;
        } else {
            sink.redo(&Redo { lgpos, lrtyp: t, bytes: b, macro_records: &[], pages: &writes })?;
            self.count_apply(t, &writes);
        }
        Ok(())
    }

    fn count_apply(&mut self, t: LrType, writes: &[(u32, u64)]) {
        self.report.apply.records += 1;
        *self.report.apply.by_type.entry(t.name().to_string()).or_insert(0) += 1;
        for (pgno, _) in writes {
            if self.pages_applied.insert(*pgno) {
                self.report.apply.pages += 1;
            }
        }
    }

    /// The dbtime rule (docs/log-records.md §5.5, docs/page-internals.md §4.1, §4.3) for one page: `Some(true)`
    /// redo, `Some(false)` already on disk, `None` replay stops (the error is set).
    fn need_redo(
        &mut self,
        lgpos: Lgpos,
        pgno: u32,
        after: u64,
        before: Option<u64>,
        new_page: bool,
        sink: &mut dyn Sink,
    ) -> Result<Option<bool>, SinkError> {
        // "Contains data from future logs": the generation is within the header's Log Required.
        let max_required = if self.create { None } else { self.target.header.as_ref().map(|h| h.log_required.max) };
        // (A database this replay creates, or none, never holds pages from the future.)
        let within_required = max_required.is_none_or(|m| lgpos.generation <= m);
        if new_page && !within_required {
            // docs/page-internals.md §4.3: outside that range a new page is recreated without being read.
            return Ok(Some(true));
        }
        let page = sink.page_dbtime(pgno)?.unwrap_or(0);
        if page >= after {
            if !new_page && !within_required {
                self.error = Some(stop(
                    DB_TIME_BEYOND_MAX_REQUIRED,
                    Some(lgpos),
                    Some(pgno),
                    format!(
                        "page {pgno} has dbtime {page:#x}, at or past the record's {after:#x}, but generation {:#x} is beyond the Log Required range ({:#x})",
                        lgpos.generation,
                        max_required.unwrap_or(0)
                    ),
                ));
                return Ok(None);
            }
            return Ok(Some(false));
        }
        match before {
            // New page, or the writer did not dirty the page itself: no before check.
            None => Ok(Some(true)),
            Some(b) if b == DBTIME_NIL || b == DBTIME_INVALID => Ok(Some(true)),
            Some(b) if b == page => Ok(Some(true)),
            Some(b) => {
                let (e, how) = if page < b { (DB_TIME_TOO_OLD, "older") } else { (DB_TIME_TOO_NEW, "newer") };
                self.error = Some(stop(
                    e,
                    Some(lgpos),
                    Some(pgno),
                    format!(
                        "page {pgno} has dbtime {page:#x}, {how} than the record expects before it ({b:#x}; after it: {after:#x})"
                    ),
                ));
                Ok(None)
            }
        }
    }

    fn commit_macro(&mut self, lgpos: Lgpos, m: Macro, sink: &mut dyn Sink) -> Result<(), SinkError> {
        if m.records.is_empty() {
            return Ok(());
        }
        // The pages of the macro and their dbtime before it, from the structural records
        // (Split/Split2, Merge/Merge2, PageMove); every other record of the macro touches
        // one of them (or a page it names with its own dbtimeBefore = dbtimeNil).
        let mut pages: BTreeMap<u32, Option<u64>> = BTreeMap::new();
        let mut head: Option<LrType> = None;
        let mut others: Vec<(u32, Option<u64>)> = Vec::new();
        for MacroRecord { lgpos: at, lrtyp: t, bytes: b } in &m.records {
            // Buffered records were decoded once already; a failure here cannot happen.
            let Ok(rec) = Record::decode_bytes(b, *at, 0) else { continue };
            let structural = fields::macro_pages(&rec);
            if structural.is_empty() {
                if let Some(k) = fields::page_key(&rec).filter(|k| k.pgno != 0) {
                    others.push((k.pgno, if *t == LrType::NEW_PAGE { None } else { Some(DBTIME_NIL) }));
                }
                continue;
            }
            if head.is_none() {
                head = Some(*t);
            }
            for (pgno, before) in structural {
                let slot = pages.entry(pgno).or_insert(before);
                if slot.is_none() {
                    *slot = before;
                }
            }
        }
        for (pgno, before) in others {
            pages.entry(pgno).or_insert(before);
        }
        let mut writes: Vec<(u32, u64)> = Vec::new();
        for (pgno, before) in &pages {
            let new_page = before.is_none();
            match self.need_redo(lgpos, *pgno, m.dbtime, *before, new_page, sink)? {
                Some(true) => writes.push((*pgno, m.dbtime)),
                Some(false) => {}
                None => return Ok(()),
            }
        }
        let n = m.records.len() as u64;
        for MacroRecord { lgpos: at, bytes: b, .. } in &m.records {
            // Buffered records were decoded once already.
            let Ok(rec) = Record::decode_bytes(b, *at, 0) else { continue };
            sink.version(*at, &rec, !writes.is_empty())?;
        }
        if writes.is_empty() {
            self.report.already_on_disk += n;
            return Ok(());
        }
        let head = head.unwrap_or(m.records.first().map_or(LrType::NOP, |r| r.lrtyp));
        if head == LrType::SPLIT || head == LrType::MERGE {
            self.error = Some(stop(
                BAD_LOG_VERSION,
                Some(lgpos),
                writes.first().map(|w| w.0),
                format!("an old-style {} (type {}) needs redo; the engine refuses it", head.name(), head.0),
            ));
            return Ok(());
        }
        sink.redo(&Redo { lgpos, lrtyp: head, bytes: &[], macro_records: &m.records, pages: &writes })?;
        self.report.apply.macros += 1;
        for r in &m.records {
            self.report.apply.records += 1;
            *self.report.apply.by_type.entry(r.lrtyp.name().to_string()).or_insert(0) += 1;
        }
        for (pgno, _) in &writes {
            if self.pages_applied.insert(*pgno) {
                self.report.apply.pages += 1;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Report {
        if self.error.is_none() {
            self.report.end = self.report.end.max(self.position);
            // The replay ends at the end of the logs, or at `until` (the position read is then
            // the first record at or after it); an error at the end is reported there.
            let end = self.until.map_or(self.report.end, |u| self.report.end.min(u));
            self.report.end = end;
            match self.state {
                // §5.4 end of recovery: a database still deferred or skipped.
                State::Deferred(Reason::ConsistentFuture) if self.last_was_shutdown => {}
                // A copy esehdr recovered with these logs: its Last Consistent is the end of the
                // replayed data, where the engine would have appended the ShutDownMark that makes
                // the case above (esehdr appends nothing to the logs). Recovering it again is
                // that case: nothing to do.
                State::Deferred(Reason::ConsistentFuture)
                    if self.target.header.as_ref().is_some_and(|h| h.last_consistent.lgpos == end) => {}
                State::Deferred(r) => {
                    self.error = Some(stop(
                        ATTACHED_DATABASE_MISMATCH,
                        Some(end),
                        None,
                        format!("at the end of the logs the database is still deferred: {}", reason_text(r)),
                    ));
                }
                State::Skipped => {
                    self.error = Some(stop(
                        ATTACHED_DATABASE_MISMATCH,
                        Some(end),
                        None,
                        format!(
                            "at the end of the logs the database is still skipped: {}",
                            reason_text(Reason::LogSignatureMismatch)
                        ),
                    ));
                }
                State::Unknown => {
                    let dirty = self.target.header.as_ref().is_some_and(|h| h.state != DbState::CleanShutdown);
                    let attached_after_until = self
                        .target
                        .header
                        .as_ref()
                        .map(|h| h.last_attach.lgpos)
                        .filter(|a| self.until.is_some_and(|u| *a >= u));
                    if let (true, Some(attach), Some(u)) = (dirty, attached_after_until, self.until) {
                        self.error = Some(stop(
                            DATABASE_DIRTY_SHUTDOWN,
                            Some(end),
                            None,
                            format!("the database was last attached at {attach}, after --until {u}: it holds changes from after that point, which recovery cannot take back; it would stay in Dirty Shutdown"),
                        ));
                    } else if dirty {
                        self.error = Some(stop(
                            DATABASE_DIRTY_SHUTDOWN,
                            Some(end),
                            None,
                            "no attachment of these logs names this database: recovery would not touch it and it would stay in Dirty Shutdown".into(),
                        ));
                    } else if self.target.header.is_none() && self.target.file_name.is_some() {
                        self.error = Some(stop(
                            ATTACHED_DATABASE_MISMATCH,
                            Some(end),
                            None,
                            "the database file is absent and no CreateDB of these logs names it".into(),
                        ));
                    }
                }
                State::Attached | State::Detached => {}
            }
            // A database still being created at the end of recovery is discarded by the engine
            // (`ErrLGRIEndAllSessions`: `FCreatingDB` → `ErrIOTermFMP`): there is no database.
            if let (None, Some(created)) = (&self.error, self.creation_open) {
                self.error = Some(stop(
                    esehdr_format::engine::DATABASE_CORRUPTED,
                    Some(end),
                    None,
                    format!(
                        "the replay ends before the CreateDBFinish of the database it creates (CreateDB at {created}): the engine discards a database still being created at the end of recovery, so there is no database to write; replay further"
                    ),
                ));
            }
        } else if let Some(at) = self.error.as_ref().and_then(|e| e.lgpos) {
            self.report.end = at;
        }
        // §5.6: the sessions still open at the end are rolled back.
        let mut open: Vec<(&u16, &Session)> = self.sessions.iter().filter(|(_, s)| s.level > 0).collect();
        open.sort_by_key(|(_, s)| s.lgpos);
        self.report.rollback.transactions = open.len() as u64;
        self.report.rollback.records = open.iter().map(|(_, s)| s.records).sum();
        self.report.open_transactions = open
            .iter()
            .map(|(p, s)| OpenTransaction { procid: **p, trx_begin0: s.trx, lgpos: s.lgpos, records: s.records })
            .collect();
        self.report.verdict = if self.error.is_some() { Verdict::WouldFail } else { Verdict::WouldSucceed };
        self.report.error = self.error;
        self.report
    }
}

/// The `objidFDP` a page record names (0 when it has none): the counter `objidLast` of
/// docs/log-records.md §5.2.
fn objid_of(r: &Record<'_>) -> u32 {
    use Record as R;
    match r {
        R::Insert(x) => x.node.objid_fdp,
        R::FlagInsert(x) | R::FlagInsertAndReplaceData(x) => x.node.objid_fdp,
        R::FlagDelete(x) | R::Delete(x) => x.node.objid_fdp,
        R::Replace(x) | R::ReplaceD(x) => x.node.objid_fdp,
        R::Delta(x) | R::Delta64(x) => x.node.objid_fdp,
        R::SetExternalHeader(x) => x.node.objid_fdp,
        R::Undo(x) => x.node.objid_fdp,
        R::UndoInfo(x) => x.node.objid_fdp,
        R::Scrub(x) => x.node.objid_fdp,
        R::EmptyTree(x) => x.node.objid_fdp,
        R::Split(x) => x.objid_fdp,
        R::Merge(x) => x.objid_fdp,
        R::CreateMultipleExtentFdp(x) | R::CreateSingleExtentFdp(x) | R::ConvertFdp(x) => x.objid_fdp,
        R::PageMove(x) => x.objid_fdp,
        R::NewPage(x) => x.objid,
        R::RootPageMove(x) => x.objid,
        _ => 0,
    }
}

/// `-543` before replay: a Dirty Shutdown database needs every generation of its Log Required
/// range (`le_lGenMinRequired`..`le_lGenMaxRequired`); `present` holds the generations found.
pub fn required_logs_missing(header: &DbFileHeader, present: &[i32]) -> Option<ReplayError> {
    let (min, max) = (header.log_required.min, header.log_required.max);
    if min <= 0 || max < min || header.state == DbState::CleanShutdown {
        return None;
    }
    let missing: Vec<i32> = (min..=max).filter(|g| !present.contains(g)).take(1).collect();
    let first = *missing.first()?;
    Some(stop(
        crate::errors::REQUIRED_LOG_FILES_MISSING,
        Some(Lgpos { generation: first, isec: 0, ib: 0 }),
        None,
        format!("the database requires logs {min:#x}-{max:#x} (Log Required), but generation {first:#x} is missing"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One page at a fixed dbtime.
    struct One(u64);

    impl Sink for One {
        fn page_dbtime(&mut self, _: u32) -> Result<Option<u64>, SinkError> {
            Ok(Some(self.0))
        }
        fn redo(&mut self, _: &Redo<'_>) -> Result<(), SinkError> {
            Ok(())
        }
        fn create_database(&mut self, _: Lgpos, _: &[u8]) -> Result<(), SinkError> {
            Ok(())
        }
        crate::driver::dbtime_only_sink!();
    }

    fn driver(target: &Target) -> Driver<'_> {
        let start = Start {
            lgpos: Lgpos { generation: 5, isec: 1, ib: 0 },
            whole_generation: false,
            attachments: Vec::new(),
            log_signature: Signature::default(),
        };
        Driver::new(target, &start)
    }

    /// docs/log-records.md §5.5 for a record with dbtimeBefore 100 and dbtimeAfter 110, in a
    /// generation within Log Required (no header: the rule without -625).
    fn rule(page: u64, before: Option<u64>) -> (Option<bool>, Option<i32>) {
        let target = Target::default();
        let mut d = driver(&target);
        let at = Lgpos { generation: 5, isec: 2, ib: 0 };
        let r = d.need_redo(at, 7, 110, before, before.is_none(), &mut One(page)).unwrap();
        (r, d.error.map(|e| e.code))
    }

    #[test]
    fn dbtime_rule() {
        assert_eq!(rule(110, Some(100)), (Some(false), None), "already on disk");
        assert_eq!(rule(200, Some(100)), (Some(false), None), "flushed later");
        assert_eq!(rule(100, Some(100)), (Some(true), None), "exactly at dbtimeBefore: redo");
        assert_eq!(rule(99, Some(100)), (None, Some(-566)), "older than the record expects");
        assert_eq!(rule(105, Some(100)), (None, Some(-567)), "between before and after");
        assert_eq!(rule(0, None), (Some(true), None), "a new page is (re)initialised");
        assert_eq!(rule(3, Some(DBTIME_NIL)), (Some(true), None), "no dbtimeBefore logged: no check");
    }
}
