//! Recovery on a copy: `esehdr recover [DB] --logs DIR --out COPY` (issue 11 item 4, issue 12
//! items 1, 3, 5). The same setup and replay driver as the dry run ([`crate::set`],
//! [`crate::driver::replay`]), with a sink that applies the records; then the copy is written
//! beside COPY ([`crate::output`]), its header finished ([`crate::header`]), verified (every page
//! checksum as `esehdr k` checks it, and the structure check of `esehdr check`), and only then
//! renamed to COPY. The inputs are only ever opened read-only.
//!
//! The copy is a standalone Clean Shutdown database: its Last Consistent no longer matches the
//! original logs (nothing was appended to them), so it must not be put back beside them.
//!
//! Sources: docs/log-records.md §5 (redo), §5.4 (the end of recovery), §7 item 13;
//! docs/page-internals.md §4.8, §4.9, §6, §10 F7, F8.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use esehdr_format::log::header::{read_log_header, LOG_HEADER_SIZE};
use esehdr_format::log::records::{LrType, Record, RecordWalker};
use esehdr_format::{read_database_header, DbState, Lgpos, LogTime};
use serde::Serialize;

use crate::driver::{replay, LogItem, LogSource, Redo, Sink, SinkError};
use crate::header::{created_header, finish_header, logtime_utc, CreateFacts, Finish};
use crate::output::{refuse_inputs, OutputError, TempCopy};
use crate::redo::{ApplySink, PageSource, RedoOutcome};
use crate::report::{Apply, ReplayError, Report, Rollback};
use crate::set::{finish_report, open_read_only, prepare, read_at, read_full_at, DryRunOptions, Setup, SetupError};

/// A sink that applies redo and hands back the pages it changed ([`ApplySink`]; tests inject
/// others).
pub trait Redoer: Sink {
    /// The pages and the header facts.
    fn into_outcome(self: Box<Self>) -> RedoOutcome;
    /// Rolls back every transaction still open where the replay ended (the end of the logs or
    /// `--until`), in memory, through the version store built during redo (docs/page-internals.md
    /// §5). An error (a rollback the engine would do with logged DDL undo, a missing
    /// before-image) means the copy must not be written. The default has nothing to roll back.
    fn rollback(&mut self) -> Result<crate::undo::RollbackOutcome, ReplayError> {
        Ok(crate::undo::RollbackOutcome::default())
    }
}

impl Redoer for ApplySink<'_> {
    fn into_outcome(self: Box<Self>) -> RedoOutcome {
        ApplySink::into_outcome(*self)
    }
    fn rollback(&mut self) -> Result<crate::undo::RollbackOutcome, ReplayError> {
        ApplySink::rollback(self)
    }
}

/// Makes the redo sink for a database of `page_size` bytes whose pages come from `base`
/// (`None`: the logs create it).
pub type RedoFactory = for<'a> fn(usize, Option<&'a dyn PageSource>) -> Box<dyn Redoer + 'a>;

/// The redo engine: [`ApplySink`].
pub fn apply_sink<'a>(page_size: usize, base: Option<&'a dyn PageSource>) -> Box<dyn Redoer + 'a> {
    Box::new(ApplySink::new(page_size, base))
}

/// The database file as a [`PageSource`] (read-only, by pgno).
#[derive(Debug)]
pub struct FilePages {
    file: File,
    page_size: u64,
    count: u32,
}

impl FilePages {
    /// Wraps a database opened read-only.
    pub fn new(file: File, page_size: u32) -> io::Result<Self> {
        let len = file.metadata()?.len();
        let ps = u64::from(page_size.max(1));
        let count = u32::try_from((len / ps).saturating_sub(2)).unwrap_or(u32::MAX);
        Ok(Self { file, page_size: ps, count })
    }
}

impl PageSource for FilePages {
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool> {
        read_full_at(&self.file, buf, (u64::from(pgno) + 1).saturating_mul(self.page_size))
    }
    fn page_count(&self) -> u32 {
        self.count
    }
}

/// What to recover, and where.
#[derive(Debug, Clone)]
pub struct RecoverOptions {
    /// The database (`None`: the logs' first CreateDB creates it, replayed from the lowest log).
    pub database: Option<PathBuf>,
    /// The log folder.
    pub logs: PathBuf,
    /// The folder of the checkpoint, when apart.
    pub system: Option<PathBuf>,
    /// The stream's base name, when the folder holds several.
    pub base: Option<String>,
    /// COPY: the file to write.
    pub out: PathBuf,
    /// Stop before this record: records before it are replayed, it and later ones are not.
    pub until: Option<Lgpos>,
    /// Replace an existing COPY.
    pub force: bool,
    /// The redo sink ([`apply_sink`]).
    pub redo: RedoFactory,
}

impl RecoverOptions {
    /// Options with the redo engine.
    pub fn new(logs: PathBuf, out: PathBuf) -> Self {
        Self { database: None, logs, system: None, base: None, out, until: None, force: false, redo: apply_sink }
    }
}

/// Progress and listing callbacks (all optional).
pub trait Events {
    /// A record (or a macro's record) was applied: its LGPOS and bytes.
    fn applied(&mut self, _lgpos: Lgpos, _record: &[u8]) {}
    /// Log `index` (from 0) of `total` starts.
    fn log(&mut self, _generation: i32, _index: usize, _total: usize) {}
}

/// No callbacks.
#[derive(Debug, Default)]
pub struct NoEvents;
impl Events for NoEvents {}

/// The header as written (JSON `header`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct HeaderSummary {
    /// `le_dbstate` name (`clean_shutdown`, ...).
    pub state: String,
    /// `le_lgposConsistent`.
    pub last_consistent: Lgpos,
    /// `le_dbtimeDirtied`.
    pub dbtime: u64,
    /// `le_lGenMinRequired`, `le_lGenMaxRequired`.
    pub log_required: LogRequiredRange,
}

/// Log Required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LogRequiredRange {
    /// `le_lGenMinRequired`.
    pub min: i32,
    /// `le_lGenMaxRequired`.
    pub max: i32,
}

/// The verification of the copy before its rename (JSON `verify`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Verify {
    /// Pages whose checksum was checked, the header pages included.
    pub pages_seen: u64,
    /// Pages failing their checksum, or written for another page number.
    pub bad_checksums: u64,
    /// Problems of the structure check (`esehdr check`; always a number when the copy was
    /// verified).
    pub structure_problems: Option<u64>,
}

/// What `recover` did: the JSON contract of `esehdr recover --json` (issue 11).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecoverReport {
    /// The database (as given, or the CreateDB's path).
    pub database: Option<String>,
    /// COPY.
    pub output: String,
    /// The stream's base name.
    pub base_name: String,
    /// Where replay started.
    pub start: Lgpos,
    /// Where it ended (the end of the replayed data, `--until`, or the error's position).
    pub end: Lgpos,
    /// The database was created from the logs.
    pub created: bool,
    /// What was applied.
    pub applied: Apply,
    /// Page records already on disk.
    pub already_on_disk: u64,
    /// Transactions open at the end and their page records.
    pub rollback: Rollback,
    /// The header written (`null` when nothing was written).
    pub header: Option<HeaderSummary>,
    /// The verification (`null` when nothing was written).
    pub verify: Option<Verify>,
    /// Wall time.
    pub seconds: f64,
    /// COPY was written.
    pub ok: bool,
    /// Why not.
    pub error: Option<ReplayError>,
    /// The replay's report (text details).
    #[serde(skip)]
    pub replay: Report,
}

/// Why recovery could not run (usage or I/O: exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecoverError {
    /// Setting up the set.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// Writing the copy.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The redo sink failed.
    #[error("redo: {0}")]
    Redo(SinkError),
}

/// -1018 `JET_errReadVerifyFailure`: a page of the copy fails its checksum.
const READ_VERIFY_FAILURE: (i32, &str) = (-1018, "JET_errReadVerifyFailure");
/// -1206 `JET_errDatabaseCorrupted`: the copy's header or structure is not sound.
const DATABASE_CORRUPTED: (i32, &str) = (-1206, "JET_errDatabaseCorrupted");

/// What the logs say about the database they create, and where the replayed data ends.
#[derive(Debug, Default)]
struct Facts {
    create: Option<(Lgpos, esehdr_format::log::records::decode::CreateDb)>,
    tracking: Option<u8>,
    db_version: Option<(u32, u32, u32)>,
    extend_count: u32,
    pgno_last: Option<u32>,
    engine_efv: u32,
    page_size: u32,
    log_created: LogTime,
    /// The last record that is not one of those closing a run (ShutDownMark, Term, NOP, ...).
    last_shutdown: Option<Lgpos>,
    /// The end of the replayed data (right after the last record read before `until`).
    data_end: Option<Lgpos>,
}

/// Passes the logs on to the driver and reads the facts the header needs on the way
/// (docs/log-records.md §3.5 CreateDB, SetDbVersion, ExtendDB; the final ShutDownMark).
struct FactsSource<'e, 'v, L: LogSource> {
    inner: L,
    until: Option<Lgpos>,
    facts: Facts,
    index: usize,
    total: usize,
    events: &'e RefCell<&'v mut dyn Events>,
    done: bool,
}

impl<L: LogSource> FactsSource<'_, '_, L> {
    fn read(&mut self, bytes: &[u8]) {
        let len = bytes.len() as u64;
        let head = bytes.get(..LOG_HEADER_SIZE.min(bytes.len())).unwrap_or_default();
        let header = read_log_header(head, len).ok().map(|h| h.header);
        let Ok(mut walker) = RecordWalker::new(bytes) else { return };
        while let Some(Ok(rec)) = walker.next_record() {
            if self.until.is_some_and(|u| rec.lgpos >= u) {
                self.done = true;
                self.facts.data_end = self.until;
                return;
            }
            let Ok(decoded) = Record::decode(&rec) else { break };
            let f = &mut self.facts;
            match rec.lrtyp {
                LrType::SHUTDOWN_MARK => f.last_shutdown = Some(rec.lgpos),
                LrType::TERM
                | LrType::TERM2
                | LrType::NOP
                | LrType::NOP2
                | LrType::CHECKSUM
                | LrType::RECOVERY_QUIT
                | LrType::RECOVERY_QUIT2
                | LrType::RECOVERY_QUIT_KEEP_ATTACHMENTS => {}
                _ => f.last_shutdown = None,
            }
            match &decoded {
                Record::CreateDb(c) if f.create.is_none() => {
                    f.create = Some((rec.lgpos, c.clone()));
                    f.tracking = Some(c.dbid);
                    if let Some(h) = &header {
                        f.engine_efv = h.engine_efv;
                        f.page_size = u32::from(h.page_size_field);
                        f.log_created = h.created;
                    }
                }
                Record::SetDbVersion(v) if f.tracking == Some(v.dbid) => {
                    f.db_version = Some((v.major, v.update_major, v.update_minor));
                }
                Record::ExtendDb(e) if f.tracking == Some(e.dbid) => {
                    f.extend_count = f.extend_count.saturating_add(1);
                    f.pgno_last = Some(f.pgno_last.unwrap_or(0).max(e.pgno_last));
                }
                Record::DetachDb(d) if f.tracking == Some(d.dbid) => f.tracking = None,
                _ => {}
            }
        }
        if let Some(s) = walker.stop() {
            self.facts.data_end = Some(s.data_end);
        }
    }
}

impl<L: LogSource> LogSource for FactsSource<'_, '_, L> {
    fn next_log(&mut self) -> Option<LogItem> {
        if self.done {
            return None;
        }
        let item = self.inner.next_log()?;
        if let LogItem::Log { generation, bytes } = &item {
            if self.until.is_some_and(|u| *generation > u.generation) {
                self.done = true;
                return None;
            }
            self.events.borrow_mut().log(*generation, self.index, self.total);
            self.index += 1;
            self.read(bytes);
        }
        Some(item)
    }
}

/// Hands the driver's operations to the redo sink and lists them (`-v`); the driver itself
/// stops at `until` (the filter here is a second guard).
struct UntilSink<'r, 'e, 'v> {
    inner: Box<dyn Redoer + 'r>,
    until: Option<Lgpos>,
    applied: Apply,
    pages: HashSet<u32>,
    events: &'e RefCell<&'v mut dyn Events>,
}

impl Sink for UntilSink<'_, '_, '_> {
    fn page_dbtime(&mut self, pgno: u32) -> Result<Option<u64>, SinkError> {
        self.inner.page_dbtime(pgno)
    }
    fn redo(&mut self, op: &Redo<'_>) -> Result<(), SinkError> {
        if self.until.is_some_and(|u| op.lgpos >= u) {
            return Ok(());
        }
        self.inner.redo(op)?;
        if op.macro_records.is_empty() {
            self.events.borrow_mut().applied(op.lgpos, op.bytes);
            self.applied.records += 1;
            *self.applied.by_type.entry(op.lrtyp.name().to_string()).or_insert(0) += 1;
        } else {
            self.applied.macros += 1;
            for r in op.macro_records {
                self.events.borrow_mut().applied(r.lgpos, &r.bytes);
                self.applied.records += 1;
                *self.applied.by_type.entry(r.lrtyp.name().to_string()).or_insert(0) += 1;
            }
        }
        for (pgno, _) in op.pages {
            if self.pages.insert(*pgno) {
                self.applied.pages += 1;
            }
        }
        Ok(())
    }
    fn create_database(&mut self, lgpos: Lgpos, record: &[u8]) -> Result<(), SinkError> {
        if self.until.is_some_and(|u| lgpos >= u) {
            return Ok(());
        }
        self.inner.create_database(lgpos, record)
    }
    fn database_record(&mut self, lgpos: Lgpos, record: &Record<'_>) -> Result<(), SinkError> {
        if self.until.is_some_and(|u| lgpos >= u) {
            return Ok(());
        }
        self.inner.database_record(lgpos, record)
    }
    fn observe(&mut self, lgpos: Lgpos, dbtime: u64, objid: u32) {
        self.inner.observe(lgpos, dbtime, objid);
    }
    fn version(&mut self, lgpos: Lgpos, record: &Record<'_>, redone: bool) -> Result<(), SinkError> {
        if self.until.is_some_and(|u| lgpos >= u) {
            return Ok(());
        }
        self.inner.version(lgpos, record, redone)
    }
    fn take_stop(&mut self) -> Option<ReplayError> {
        self.inner.take_stop()
    }
}

fn now() -> (LogTime, u32) {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    // A random for signDbHdrFlush: the clock's nanoseconds mixed with the process id.
    let random = d.subsec_nanos() ^ std::process::id().rotate_left(16) ^ (d.as_secs() as u32);
    (logtime_utc(d), random)
}

/// The inputs COPY may never be: the database, every file of the log folder and of the system
/// folder (the logs, the checkpoint).
fn inputs(opts: &RecoverOptions) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = opts.database.iter().cloned().collect();
    for dir in std::iter::once(&opts.logs).chain(opts.system.iter()) {
        if let Ok(rd) = std::fs::read_dir(dir) {
            v.extend(rd.flatten().map(|e| e.path()));
        }
    }
    v
}

/// A test-only delay (milliseconds) once the temporary copy exists, so that a test can interrupt
/// a run and see the temporary file removed.
fn test_delay() {
    if let Some(ms) = std::env::var("ESEHDR_TEST_RECOVER_DELAY_MS").ok().and_then(|v| v.parse::<u64>().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(60_000)));
    }
}

/// Recovers into COPY (see the module doc).
pub fn recover(opts: &RecoverOptions) -> Result<RecoverReport, RecoverError> {
    recover_with(opts, &mut NoEvents)
}

/// [`recover`] with progress and listing callbacks.
pub fn recover_with(opts: &RecoverOptions, events: &mut dyn Events) -> Result<RecoverReport, RecoverError> {
    let started = Instant::now();
    refuse_inputs(&opts.out, &inputs(opts), opts.force)?;
    let dry = DryRunOptions {
        database: opts.database.clone(),
        logs: opts.logs.clone(),
        system: opts.system.clone(),
        base: opts.base.clone(),
        until: opts.until,
    };
    // A database absent (or not given) is created from the logs: replay from the first log.
    // The dry run starts at the same place (set.rs).
    let absent = crate::set::starts_from_lowest(&dry);
    let mut out = RecoverReport { output: opts.out.display().to_string(), ..RecoverReport::default() };
    let p = match prepare(&dry, absent)? {
        Setup::Replay(p) => p,
        Setup::Stopped(r) => {
            out.fill(&r);
            out.error = r.error.clone();
            out.replay = *r;
            out.seconds = started.elapsed().as_secs_f64();
            return Ok(out);
        }
    };
    let crate::set::Prepared { target, start, source, db_file, page_size, prefix } = *p;
    let total = source.len();
    let base = match db_file {
        Some(f) => Some(
            FilePages::new(f, u32::try_from(page_size).unwrap_or(0))
                .map_err(|e| SetupError::Io { path: opts.database.clone().unwrap_or_default(), source: e })?,
        ),
        None => None,
    };
    let base_ref: Option<&dyn PageSource> = base.as_ref().map(|b| b as &dyn PageSource);
    let stream = stream_header(&opts.logs, opts.base.as_deref());
    let redo_page_size = crate::set::redo_page_size(base.is_some().then_some(page_size), stream.as_ref());
    let redoer = (opts.redo)(usize::try_from(redo_page_size).unwrap_or(4096), base_ref);
    let events = RefCell::new(events);
    let mut src = FactsSource {
        inner: source,
        until: opts.until,
        facts: Facts::default(),
        index: 0,
        total,
        events: &events,
        done: false,
    };
    let mut sink = UntilSink {
        inner: redoer,
        until: opts.until,
        applied: Apply::default(),
        pages: HashSet::new(),
        events: &events,
    };
    let report = replay(&target, &start, &mut src, &mut sink, opts.until).map_err(RecoverError::Redo)?;
    let facts = std::mem::take(&mut src.facts);
    let UntilSink { inner: redoer, .. } = sink;
    let report = finish_report(report, prefix, &dry)?;
    out.fill(&report);
    if let Some(e) = &report.error {
        out.error = Some(e.clone());
        out.replay = report;
        out.seconds = started.elapsed().as_secs_f64();
        return Ok(out);
    }
    // The transactions still open are rolled back in memory (the undo phase of recovery); the
    // report's `rollback` keeps the replay's counts, which the dry run predicts.
    let mut redoer = redoer;
    if let Err(e) = redoer.rollback() {
        out.error = Some(e);
        out.replay = report;
        out.seconds = started.elapsed().as_secs_f64();
        return Ok(out);
    }
    let outcome = redoer.into_outcome();
    let log_signature = stream.map(|h| h.log_signature).unwrap_or_default();
    let input =
        CopyInput { base: base.as_ref(), page_size: redo_page_size, facts: &facts, report: &report, log_signature };
    write_copy(opts, &mut out, &input, outcome)?;
    out.replay = report;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

impl RecoverReport {
    fn fill(&mut self, r: &Report) {
        self.database = r.database.clone();
        self.base_name = r.base_name.clone();
        self.start = r.start;
        self.end = r.end;
        self.created = r.create;
        self.applied = r.apply.clone();
        self.already_on_disk = r.already_on_disk;
        self.rollback = r.rollback.clone();
    }
}

fn fail(out: &mut RecoverReport, (code, name): (i32, &'static str), message: String) {
    out.error = Some(ReplayError { code, name, lgpos: None, pgno: None, message });
}

/// What the copy is made from, besides redo's pages.
struct CopyInput<'a> {
    base: Option<&'a FilePages>,
    page_size: u64,
    facts: &'a Facts,
    report: &'a Report,
    log_signature: esehdr_format::Signature,
}

/// Writes the temporary copy, finishes and verifies it, and renames it to COPY when sound.
fn write_copy(
    opts: &RecoverOptions,
    out: &mut RecoverReport,
    input: &CopyInput<'_>,
    mut outcome: RedoOutcome,
) -> Result<(), RecoverError> {
    let CopyInput { base, page_size, facts, report, log_signature } = *input;
    let created = report.create;
    let page_size = u32::try_from(page_size).unwrap_or(0);
    let ps = u64::from(page_size);
    let mut tmp = TempCopy::create(&opts.out, page_size)?;
    if let (Some(b), false) = (base, created) {
        let mut f = b.file.try_clone().map_err(|e| OutputError::Io { path: opts.out.clone(), source: e })?;
        use std::io::Seek;
        f.seek(io::SeekFrom::Start(0)).map_err(|e| OutputError::Io { path: opts.out.clone(), source: e })?;
        tmp.copy_from(&mut f)?;
    }
    test_delay();
    for (pgno, page) in outcome.pages.iter_mut() {
        tmp.write_page(*pgno, page)?;
    }
    // The logged size (docs/page-internals.md §4.8, §10 F8): never shrunk on a copy of a database.
    let pgno_last = Some(outcome.pgno_last).filter(|p| *p > 0).or(if created { facts.pgno_last } else { None });
    if let Some(last) = pgno_last {
        let want = (u64::from(last) + 2).saturating_mul(ps);
        let len = tmp.len()?;
        if created || want > len {
            tmp.set_len(want)?;
        }
    }
    // The header.
    let mut header = if created {
        let Some((lgpos, c)) = &facts.create else {
            fail(out, DATABASE_CORRUPTED, "the logs create the database but its CreateDB record was not read".into());
            return Ok(());
        };
        let f = CreateFacts {
            lgpos: *lgpos,
            dbid: c.dbid,
            grbit: c.grbit,
            db_signature: c.db_signature,
            log_signature,
            page_size,
            db_version: outcome.db_version.or(facts.db_version),
            engine_efv: facts.engine_efv,
            extend_count: facts.extend_count,
            attach_time: facts.log_created,
        };
        created_header(&f).map_err(|e| OutputError::Io { path: opts.out.clone(), source: io::Error::other(e) })?
    } else {
        let mut two = vec![0u8; usize::try_from(2 * ps).unwrap_or(0)];
        tmp.read_at(0, &mut two)?;
        let valid_shadow = read_database_header(&two)
            .ok()
            .is_some_and(|d| d.copy(esehdr_format::db::Copy::Primary).status != esehdr_format::db::CopyStatus::Valid);
        let from = if valid_shadow { ps } else { 0 };
        let mut h = vec![0u8; usize::try_from(ps).unwrap_or(0)];
        tmp.read_at(from, &mut h)?;
        h
    };
    // No attachment of the replayed logs named the database (a Clean Shutdown database the
    // logs after its checkpoint do not touch): it keeps its own Last Consistent; a position in
    // logs that never applied to it would claim a consistency it does not have.
    let untouched = !created && report.attach.is_empty();
    let own = header.get(0x38..0x40).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(Lgpos::from_bytes);
    let consistent = match (untouched, own) {
        (true, Some(own)) => own,
        _ => facts.last_shutdown.or(facts.data_end).unwrap_or(out.end),
    };
    let (time, random) = now();
    let finish = Finish {
        dbtime: outcome.dbtime_max,
        objid_last: outcome.objid_max,
        consistent,
        now: time,
        flush_random: random,
    };
    finish_header(&mut header, &finish)
        .map_err(|e| OutputError::Io { path: opts.out.clone(), source: io::Error::other(e) })?;
    tmp.write_at(0, &header)?;
    tmp.write_at(ps, &header)?;

    // Verify before the rename: the header as read back, every page checksum, the structure.
    let mut two = vec![0u8; usize::try_from(2 * ps).unwrap_or(0)];
    tmp.read_at(0, &mut two)?;
    let decoded = read_database_header(&two).ok();
    let h = decoded.as_ref().filter(|d| d.is_valid()).and_then(|d| d.header().cloned());
    let stats = tmp.scan()?;
    let (structure, first_problem) = check_structure(&mut tmp, page_size)?;
    out.verify = Some(Verify {
        pages_seen: stats.pages_seen,
        bad_checksums: stats.bad_checksums + stats.wrong_page_numbers,
        structure_problems: Some(structure),
    });
    let Some(h) = h else {
        fail(out, DATABASE_CORRUPTED, "the header written to the copy does not read back as valid".into());
        return Ok(());
    };
    out.header = Some(HeaderSummary {
        state: h.state.name().to_string(),
        last_consistent: h.last_consistent.lgpos,
        dbtime: h.dbtime,
        log_required: LogRequiredRange { min: h.log_required.min, max: h.log_required.max },
    });
    if h.state != DbState::CleanShutdown && h.state != DbState::from_code(7) {
        fail(out, DATABASE_CORRUPTED, format!("the copy's header reads as {}, not Clean Shutdown", h.state.name()));
        return Ok(());
    }
    if !stats.ok() {
        let first =
            stats.bad_pages.first().map(|b| format!(" (first: page {}, {})", b.page, b.detail)).unwrap_or_default();
        fail(
            out,
            READ_VERIFY_FAILURE,
            format!(
                "{} page(s) of the copy fail their checksum{first}: the copy is not written",
                stats.bad_checksums + stats.wrong_page_numbers
            ),
        );
        return Ok(());
    }
    if structure > 0 {
        let first = first_problem.map(|p| format!(" (first: {p})")).unwrap_or_default();
        fail(
            out,
            DATABASE_CORRUPTED,
            format!("the structure check finds {structure} problem(s){first}: the copy is not written"),
        );
        return Ok(());
    }
    tmp.commit()?;
    out.ok = true;
    Ok(())
}

/// The header of the stream's lowest readable log (its `signLog` and `le_cbPageSize`, for a
/// database the logs create).
pub(crate) fn stream_header(logs: &Path, base: Option<&str>) -> Option<esehdr_format::log::header::LgFileHeader> {
    let mut names: Vec<PathBuf> =
        std::fs::read_dir(logs).map(|rd| rd.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    names.sort();
    let mut best: Option<esehdr_format::log::header::LgFileHeader> = None;
    for p in names {
        let name = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !name.ends_with(".log") || base.is_some_and(|b| !name.starts_with(&b.to_ascii_lowercase())) {
            continue;
        }
        let Ok(f) = open_read_only(&p) else { continue };
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let mut buf = vec![0u8; LOG_HEADER_SIZE];
        if read_at(&f, &mut buf, 0).is_err() {
            continue;
        }
        if let Ok(h) = read_log_header(&buf, len) {
            if h.checksum_valid() && best.as_ref().is_none_or(|b| h.header.generation < b.generation) {
                best = Some(h.header);
            }
        }
    }
    best
}

/// The structure check of the copy ([`crate::check`], `esehdr check`): the number of problems
/// it finds, the first of them, or why the copy could not be read.
fn check_structure(tmp: &mut TempCopy, page_size: u32) -> Result<(u64, Option<String>), OutputError> {
    let path = tmp.path().to_path_buf();
    let len = tmp.len()?;
    let file = open_read_only(&path).map_err(|e| OutputError::Io { path: path.clone(), source: e })?;
    let src = crate::check::FilePages::new(file, len, page_size as usize);
    match crate::check::check_database(&src, crate::check::CheckOptions::default()) {
        Ok(r) => {
            let first = r.problems.first().map(|p| format!("page {}: {}", p.pgno, p.message));
            Ok((r.problems.len() as u64, first))
        }
        Err(e) => Ok((1, Some(e.to_string()))),
    }
}

/// The facts of the first CreateDB in `logs` (whole log files, ascending generations) with the
/// stream's log signature, and the Last Consistent a recovery to `until` (or to the end) writes:
/// what [`recover`] builds a created database's header from.
pub fn creation_facts(logs: Vec<(i32, Vec<u8>)>, until: Option<Lgpos>) -> Option<(CreateFacts, Lgpos)> {
    struct VecLogs(std::vec::IntoIter<(i32, Vec<u8>)>);
    impl LogSource for VecLogs {
        fn next_log(&mut self) -> Option<LogItem> {
            self.0.next().map(|(generation, bytes)| LogItem::Log { generation, bytes })
        }
    }
    let log_signature = logs.first().and_then(|(_, b)| {
        let head = b.get(..LOG_HEADER_SIZE.min(b.len())).unwrap_or_default();
        read_log_header(head, b.len() as u64).ok().map(|h| h.header.log_signature)
    })?;
    let mut none = NoEvents;
    let events: RefCell<&mut dyn Events> = RefCell::new(&mut none);
    let total = logs.len();
    let mut src = FactsSource {
        inner: VecLogs(logs.into_iter()),
        until,
        facts: Facts::default(),
        index: 0,
        total,
        events: &events,
        done: false,
    };
    while src.next_log().is_some() {}
    let f = src.facts;
    let (lgpos, c) = f.create.as_ref()?;
    let facts = CreateFacts {
        lgpos: *lgpos,
        dbid: c.dbid,
        grbit: c.grbit,
        db_signature: c.db_signature,
        log_signature,
        page_size: if f.page_size == 0 { 4096 } else { f.page_size },
        db_version: f.db_version,
        engine_efv: f.engine_efv,
        extend_count: f.extend_count,
        attach_time: f.log_created,
    };
    Some((facts, f.last_shutdown.or(f.data_end).unwrap_or(*lgpos)))
}

/// Parses a log position in eseutil's notation: `0x1,5,1A0` or `(0x1,5,1A0)`, hexadecimal
/// (the `0x` optional on each part).
pub fn parse_lgpos(s: &str) -> Result<Lgpos, String> {
    let t = s.trim();
    let t = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')).unwrap_or(t);
    let parts: Vec<&str> = t.split(',').map(str::trim).collect();
    let [g, sec, ib] = parts.as_slice() else {
        return Err(format!("'{s}' is not a log position: expected GENERATION,SECTOR,OFFSET in hex, like 0x1,5,1A0"));
    };
    let hex = |p: &str, what: &str, max: u64| -> Result<u64, String> {
        let d = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")).unwrap_or(p);
        let v = u64::from_str_radix(d, 16).map_err(|_| format!("'{p}' is not a hexadecimal {what} in '{s}'"))?;
        if v > max {
            return Err(format!("the {what} {p} in '{s}' is larger than {max:#x}"));
        }
        Ok(v)
    };
    let generation = hex(g, "generation", 0x7FFF_FFFF)?;
    let isec = hex(sec, "sector", 0xFFFF)?;
    let ib = hex(ib, "offset", 0xFFFF)?;
    Ok(Lgpos {
        generation: i32::try_from(generation).unwrap_or(i32::MAX),
        isec: u16::try_from(isec).unwrap_or(u16::MAX),
        ib: u16::try_from(ib).unwrap_or(u16::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A redo sink with a canned behaviour: it fails on its first page operation (`fail`), and
    /// otherwise hands back `pages` as the redo outcome.
    struct Canned {
        fail: bool,
        pages: Vec<(u32, Vec<u8>)>,
    }
    impl Sink for Canned {
        fn page_dbtime(&mut self, _: u32) -> Result<Option<u64>, SinkError> {
            Ok(None)
        }
        fn redo(&mut self, op: &Redo<'_>) -> Result<(), SinkError> {
            if self.fail {
                return Err(SinkError(format!("injected failure at {}", op.lgpos)));
            }
            Ok(())
        }
        fn create_database(&mut self, _: Lgpos, _: &[u8]) -> Result<(), SinkError> {
            Ok(())
        }
        crate::driver::dbtime_only_sink!();
    }
    impl Redoer for Canned {
        fn into_outcome(self: Box<Self>) -> RedoOutcome {
            RedoOutcome { pages: self.pages.into_iter().collect(), ..RedoOutcome::default() }
        }
    }
    /// Fails on its first page operation.
    fn failing<'a>(_: usize, _: Option<&'a dyn PageSource>) -> Box<dyn Redoer + 'a> {
        Box::new(Canned { fail: true, pages: Vec::new() })
    }
    /// Hands back one page the writer cannot place (not a page size): the failure comes after
    /// the temporary copy exists.
    fn bad_page<'a>(_: usize, _: Option<&'a dyn PageSource>) -> Box<dyn Redoer + 'a> {
        Box::new(Canned { fail: false, pages: vec![(3, vec![0u8; 100])] })
    }
    /// Hands back a garbage database root (pgno 1): the copy's checksums are stamped and pass,
    /// its structure does not.
    fn garbage_root<'a>(_: usize, _: Option<&'a dyn PageSource>) -> Box<dyn Redoer + 'a> {
        Box::new(Canned { fail: false, pages: vec![(1, vec![0x11u8; 4096])] })
    }

    #[test]
    fn a_copy_failing_the_structure_check_is_not_written() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
        let dir = std::env::temp_dir().join(format!("esehdr-recover-verify-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("X.dat");
        let mut o = RecoverOptions::new(root.join("logs/srum-server2022"), out.clone());
        o.database = Some(root.join("db/srum-server2022-clean.dat"));
        o.redo = garbage_root;
        let r = recover(&o).unwrap();
        assert!(!r.ok);
        let v = r.verify.unwrap();
        assert_eq!(v.bad_checksums, 0, "the page was stamped");
        assert!(v.structure_problems.unwrap() > 0);
        assert_eq!(r.error.unwrap().code, -1206);
        assert!(!out.exists());
        no_temp_left(&dir);
        // The same set with the real redo: sound.
        o.redo = apply_sink;
        let r = recover(&o).unwrap();
        assert!(r.ok, "{:?}", r.error);
        assert_eq!(r.verify.unwrap().structure_problems, Some(0));
        assert!(out.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn no_temp_left(dir: &std::path::Path) {
        let left: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("esehdr-tmp"))
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }

    #[test]
    fn the_temporary_copy_never_survives_an_error() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
        let dir = std::env::temp_dir().join(format!("esehdr-recover-fail-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("X.dat");
        // The Server 2022 logs create the database: the first page record reaches the sink.
        let mut o = RecoverOptions::new(root.join("logs/srum-server2022"), out.clone());
        o.redo = failing;
        let e = recover(&o).unwrap_err();
        assert!(e.to_string().contains("injected failure at (0x1,2,3A)"), "{e}");
        assert!(!out.exists());
        no_temp_left(&dir);
        // A failure once the temporary copy is written (a page of the wrong size).
        o.redo = bad_page;
        o.database = Some(root.join("db/srum-server2022-clean.dat"));
        let e = recover(&o).unwrap_err();
        assert!(e.to_string().contains("page 3"), "{e}");
        assert!(!out.exists());
        no_temp_left(&dir);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn until_notation() {
        let want = Lgpos { generation: 1, isec: 5, ib: 0x1A0 };
        assert_eq!(parse_lgpos("0x1,5,1A0"), Ok(want));
        assert_eq!(parse_lgpos("(0x1,5,1A0)"), Ok(want));
        assert_eq!(parse_lgpos(" ( 0x1 , 5 , 1a0 ) "), Ok(want));
        assert_eq!(parse_lgpos("1,0x5,0x1A0"), Ok(want));
        assert_eq!(parse_lgpos("(0x2,1,606)"), Ok(Lgpos { generation: 2, isec: 1, ib: 0x606 }));
        for bad in ["", "0x1,5", "0x1,5,1A0,3", "0x1,5,zz", "(0x1,5,1A0", "0x1,10000,0", "0x80000000,0,0", "-1,0,0"] {
            assert!(parse_lgpos(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
