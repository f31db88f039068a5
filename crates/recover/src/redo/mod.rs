//! Redo: applying log records to database pages exactly as the engine's redo does, and
//! re-creating a database from its logs (CreateDB).
//!
//! [`ApplySink`] is the [`Sink`] of the replay driver that applies: the driver takes every
//! decision (attach, record filters, macros, the dbtime rule of docs/log-records.md §5.5) and
//! hands each page operation that needs redo to [`Sink::redo`] with the pages to write; the
//! sink checks that the record targets those pages and their object, applies the record with
//! the page model's primitives ([`crate::page::PageMut`]), stamps the record's dbtime
//! (docs/page-internals.md §3.7) and, in debug builds, runs [`crate::page::check_page`] on every
//! page it wrote. One function per record family:
//!
//! | records | module |
//! |---|---|
//! | Insert, FlagInsert, FlagInsertAndReplaceData, FlagDelete, Delete, Replace, ReplaceD, Delta, Delta64, SetExternalHeader, Scrub, Undo | [`node`] |
//! | NewPage, CreateSingleExtentFDP, CreateMultipleExtentFDP, ConvertFDP2, EmptyTree, ExtendDB, ShrinkDB, TrimDB, ExtentFreed | [`space`] |
//! | the Split2 macro (and its pre-image; Xpress pre-images through [`xpress`]) | [`split`] |
//! | the Merge2 macro (and its pre-image) | [`merge`] |
//! | PageMove, RootPageMove | refused: not implemented ([`space::refuse_macro`]) |
//!
//! Pages are read lazily from the database being recovered ([`PageSource`]) and kept in
//! memory only once touched; [`ApplySink::into_outcome`] gives every changed page (dbtime set,
//! checksum not stamped: the output writes it) and the facts the header needs.
//!
//! A record the sink cannot apply stops the replay with an engine error naming the record
//! type, its LGPOS, the page and why ([`Sink::take_stop`]); the pages are then partial and must
//! not be written.
//!
//! Sources: docs/page-internals.md §3 (primitives), §4 (redo), §10 F1-F12; docs/log-records.md
//! §3 (layouts), §5 (redo), §8 item 9.

pub mod merge;
pub mod node;
pub mod space;
pub mod split;
pub mod xpress;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;

use esehdr_format::engine::EngineError;
use esehdr_format::log::records::{LrType, Record};
use esehdr_format::{Lgpos, Signature};

use crate::driver::{Redo, Sink, SinkError};
use crate::page::{check_page, PageError, PageMut, PageView};
use crate::report::ReplayError;
use crate::undo::{Effect, PageAccess, RollbackOutcome, UndoError, VersionStore};

/// Where the pages of the database being recovered come from.
pub trait PageSource {
    /// Reads page `pgno` (file offset `(pgno + 1) × page size`) into `buf` (one page); `false`
    /// when the page lies beyond the end of the file.
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool>;
    /// Pages in the file after the two header pages (`file size / page size − 2`).
    fn page_count(&self) -> u32;
}

/// The decoded CreateDB record (docs/log-records.md §3.5): what the output needs to write the
/// header the engine's create writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateDbInfo {
    /// LGPOS of the CreateDB record (the header's `lgposAttach`).
    pub lgpos: Lgpos,
    /// `rgwchPath`/`szPath`: the database path as logged.
    pub path: String,
    /// DBID in this stream.
    pub dbid: u8,
    /// `signDb` of the new database.
    pub db_signature: Signature,
    /// `le_grbit` (`JetCreateDatabase` grbits).
    pub grbit: u32,
    /// `le_cpgDatabaseSizeMax` (0 = no limit).
    pub cpg_database_size_max: u32,
    /// `m_fLRCreateDbFlags` (0x04 VersionInfo, 0x08 UTF-16 names, 0x10 sparse file).
    pub flags: u8,
    /// `VersionInfo` (`usVersion`, `usUpdateMajor`): (2, 0) for the fully logged creation.
    pub version: (u16, u16),
    /// The page size the replay was given.
    pub page_size: usize,
    /// LGPOS of the CreateDBFinish record, when replayed.
    pub finish: Option<Lgpos>,
}

/// What a replay with [`ApplySink`] produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedoOutcome {
    /// Every page changed, by pgno: `dbtimeDirtied` set, the checksum **not** stamped (and the
    /// flush type left as redo leaves it, docs/page-internals.md §10 F6-F7).
    pub pages: BTreeMap<u32, Vec<u8>>,
    /// The CreateDB the replay re-created the database from.
    pub create: Option<CreateDbInfo>,
    /// The largest record dbtime seen for the database, skipped records included (header
    /// `le_dbtimeDirtied`, docs/page-internals.md §4.9).
    pub dbtime_max: u64,
    /// The largest objidFDP seen (header `le_objidLast`).
    pub objid_max: u32,
    /// The logged size: the largest `le_pgnoLast` of the ExtendDB records replayed (0 when
    /// none); the file holds pages 1..=pgno_last (docs/page-internals.md §4.8, §10 F8, F12).
    pub pgno_last: u32,
    /// The last SetDbVersion replayed: (`ulDbMajorVersion`, `ulDbUpdateMajor`,
    /// `ulDbUpdateMinor`).
    pub db_version: Option<(u32, u32, u32)>,
    /// LGPOS of the last record of the database the sink saw (applied or not).
    pub last_lgpos: Option<Lgpos>,
    /// Records applied (a macro's records each count).
    pub records_applied: u64,
    /// What the end rollback did ([`ApplySink::rollback`]; empty when it was not called or
    /// nothing was open).
    pub rollback: RollbackOutcome,
}

/// -1001 `JET_errFeatureNotAvailable`: esehdr does not implement the redo of this record.
pub const FEATURE_NOT_AVAILABLE: EngineError =
    EngineError { code: -1001, name: "JET_errFeatureNotAvailable", description: "API not supported" };
/// -626 `JET_errLogOperationInconsistentWithDatabase`: the record does not fit the page.
pub const LOG_OPERATION_INCONSISTENT: EngineError = EngineError {
    code: -626,
    name: "JET_errLogOperationInconsistentWithDatabase",
    description: "Log operation is inconsistent with the database",
};
/// -1206 `JET_errDatabaseCorrupted`: a page that does not decode, or of another object.
pub const DATABASE_CORRUPTED: EngineError = esehdr_format::engine::DATABASE_CORRUPTED;
/// -1019 `JET_errPageNotInitialized`: a record names a page beyond the end or never written.
pub const PAGE_NOT_INITIALIZED: EngineError =
    EngineError { code: -1019, name: "JET_errPageNotInitialized", description: "Blank database page" };
/// -1852 `JET_errLogCorrupted`: a ReplaceD diff that does not give `cbNewData` bytes.
pub const LOG_CORRUPTED: EngineError =
    EngineError { code: -1852, name: "JET_errLogCorrupted", description: "Logs could not be interpreted" };
/// -1225 `JET_errInvalidCreateDbVersion` (docs/log-records.md §5.4).
pub const INVALID_CREATE_DB_VERSION: EngineError = EngineError {
    code: -1225,
    name: "JET_errInvalidCreateDbVersion",
    description: "recovery tried to replay a database creation, but the database was originally created with an incompatible (likely older) version of the database engine",
};
/// -255 `JET_errDatabaseBufferDependenciesCorrupted`: a split needs its pre-image and the
/// record has none (docs/page-internals.md §4.4).
pub const BUFFER_DEPENDENCIES_CORRUPTED: EngineError = EngineError {
    code: -255,
    name: "JET_errDatabaseBufferDependenciesCorrupted",
    description: "Buffer dependencies improperly set. Recovery failure",
};

/// Why a record cannot be applied: the engine error, the page, the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    /// The engine error.
    pub error: EngineError,
    /// The page, if one.
    pub pgno: Option<u32>,
    /// Why.
    pub why: String,
}

/// Result of a redo step.
pub type RedoResult<T = ()> = Result<T, Fail>;

impl Fail {
    /// A failure of `error` on page `pgno`.
    pub fn new(error: EngineError, pgno: impl Into<Option<u32>>, why: impl Into<String>) -> Self {
        Fail { error, pgno: pgno.into(), why: why.into() }
    }
    /// A page-model refusal: the record does not fit the page (-626), or the page does not
    /// decode (-1206).
    pub fn page(pgno: u32, e: PageError) -> Self {
        let error = match e {
            PageError::Field { .. } | PageError::BadPageSize { .. } | PageError::InvariantBroken { .. } => {
                DATABASE_CORRUPTED
            }
            _ => LOG_OPERATION_INCONSISTENT,
        };
        Fail::new(error, pgno, e.to_string())
    }
    /// esehdr does not implement this.
    pub fn unsupported(pgno: impl Into<Option<u32>>, why: impl Into<String>) -> Self {
        Fail::new(FEATURE_NOT_AVAILABLE, pgno, why)
    }
}

/// `fLRPageVersioned` (docs/log-records.md §3.1).
pub(crate) const LR_VERSIONED: u8 = 0x01;
/// `fLRPageUnique`.
pub(crate) const LR_UNIQUE: u8 = 0x04;

/// The replay driver's sink that applies records to pages (see the module documentation).
pub struct ApplySink<'a> {
    page_size: usize,
    base: Option<&'a dyn PageSource>,
    /// Pages touched (read from `base` or created), by pgno.
    pages: HashMap<u32, Vec<u8>>,
    /// Pages written.
    changed: BTreeSet<u32>,
    /// The database was (re)created from a CreateDB: `base` is not read any more.
    created: bool,
    stop: Option<ReplayError>,
    out: RedoOutcome,
    /// The version store redo feeds ([`Sink::version`]) and the end rollback empties.
    store: VersionStore,
    /// LGPOS of the `Undo` record whose physical undo the store just applied (its redo then
    /// only stamps the dbtime).
    undo_applied: Option<Lgpos>,
    /// The record being redone is that `Undo` record.
    pub(crate) undo_ready: bool,
    /// Pages handed to the version store since the last [`Self::take_touched`].
    touched: BTreeSet<u32>,
}

impl std::fmt::Debug for ApplySink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplySink")
            .field("page_size", &self.page_size)
            .field("pages", &self.pages.len())
            .field("changed", &self.changed.len())
            .field("created", &self.created)
            .finish()
    }
}

impl<'a> ApplySink<'a> {
    /// A sink for pages of `page_size` bytes, reading untouched pages from `base` (`None`: no
    /// database; the logs create it).
    pub fn new(page_size: usize, base: Option<&'a dyn PageSource>) -> Self {
        ApplySink {
            page_size,
            base,
            pages: HashMap::new(),
            changed: BTreeSet::new(),
            created: false,
            stop: None,
            out: RedoOutcome::default(),
            store: VersionStore::default(),
            undo_applied: None,
            undo_ready: false,
            touched: BTreeSet::new(),
        }
    }

    /// Rolls back every transaction still open where the replay ended (the end of the logs,
    /// or `until`), in memory (docs/page-internals.md §5.2, docs/log-records.md §5.6): call it
    /// once, after [`crate::driver::replay`] returned a report without error and before
    /// [`Self::into_outcome`]:
    ///
    /// ```text
    /// let report = driver::replay(&target, &start, &mut logs, &mut sink, until)?;
    /// if report.error.is_none() { let rb = sink.rollback()?; /* rb.transactions, rb.records */ }
    /// let outcome = sink.into_outcome(); // outcome.rollback == rb, outcome.dbtime_max after undo
    /// ```
    ///
    /// Each page undone gets `dbtimeDirtied = ++dbtime_max` and counts as changed; the
    /// outcome's `dbtime_max` becomes the last one given. A transaction the store cannot roll
    /// back (an Undo record of an operation that is not undo-logged; a version without its
    /// before-image; a node not found) is an error naming the record type and LGPOS: the
    /// pages may then be partly undone and the copy must not be written.
    pub fn rollback(&mut self) -> Result<RollbackOutcome, ReplayError> {
        if let Some(e) = self.stop.clone() {
            return Err(e);
        }
        let mut store = std::mem::take(&mut self.store);
        let dbtime_max = self.out.dbtime_max;
        let r = store.rollback_all(self, dbtime_max);
        self.store = store;
        self.touched.clear();
        match r {
            Ok(o) => {
                self.changed.extend(o.pages.iter().copied());
                self.out.dbtime_max = self.out.dbtime_max.max(o.dbtime_max);
                self.out.rollback = o.clone();
                Ok(o)
            }
            Err(e) => Err(undo_stop(None, &e)),
        }
    }

    /// The open transactions the version store follows: (procid, level, trxBegin0, Begin0
    /// LGPOS, page records).
    pub fn open_transactions(&self) -> Vec<(u16, u8, u32, Lgpos, u64)> {
        self.store.open_transactions()
    }

    /// The page size.
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// The current bytes of page `pgno` as redo sees it (changed, read, or `None` when it was
    /// never touched).
    pub fn page(&self, pgno: u32) -> Option<&[u8]> {
        self.pages.get(&pgno).map(Vec::as_slice)
    }

    /// The result: every changed page and the header facts.
    pub fn into_outcome(mut self) -> RedoOutcome {
        let mut pages = BTreeMap::new();
        for pgno in &self.changed {
            if let Some(p) = self.pages.remove(pgno) {
                pages.insert(*pgno, p);
            }
        }
        self.out.pages = pages;
        self.out
    }

    /// Loads page `pgno` into the cache; `Ok(false)` when it does not exist (beyond the end
    /// of the file, or a created database that never wrote it).
    fn load(&mut self, pgno: u32) -> Result<bool, SinkError> {
        if self.pages.contains_key(&pgno) {
            return Ok(true);
        }
        let Some(base) = self.base.filter(|_| !self.created) else { return Ok(false) };
        let mut buf = vec![0u8; self.page_size];
        match base.read_page(pgno, &mut buf) {
            Ok(true) => {
                self.pages.insert(pgno, buf);
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(e) => Err(SinkError(format!("page {pgno}: {e}"))),
        }
    }

    /// The page `pgno` for a record that changes it: it must exist and be initialised.
    pub(crate) fn existing(&mut self, pgno: u32) -> RedoResult<&mut Vec<u8>> {
        match self.load(pgno) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Fail::new(PAGE_NOT_INITIALIZED, pgno, "the page lies beyond the end of the database"))
            }
            Err(e) => return Err(Fail::new(DATABASE_CORRUPTED, pgno, e.0)),
        }
        self.changed.insert(pgno);
        let p = self.pages.get_mut(&pgno).ok_or_else(|| Fail::new(PAGE_NOT_INITIALIZED, pgno, "page not loaded"))?;
        if p.iter().all(|b| *b == 0) {
            return Err(Fail::new(PAGE_NOT_INITIALIZED, pgno, "the page is all zeros (never initialised)"));
        }
        Ok(p)
    }

    /// A page the record (re)creates: its buffer, whatever it held.
    pub(crate) fn fresh(&mut self, pgno: u32) -> &mut Vec<u8> {
        self.changed.insert(pgno);
        let size = self.page_size;
        self.pages.entry(pgno).or_insert_with(|| vec![0u8; size])
    }

    /// Opens page `pgno` (already loaded with [`Self::existing`] or [`Self::fresh`]) for change.
    pub(crate) fn with_page<T>(
        &mut self,
        pgno: u32,
        f: impl FnOnce(&mut PageMut<'_>) -> RedoResult<T>,
    ) -> RedoResult<T> {
        let buf = self.pages.get_mut(&pgno).ok_or_else(|| Fail::new(PAGE_NOT_INITIALIZED, pgno, "page not loaded"))?;
        let mut p = PageMut::new(buf).map_err(|e| Fail::page(pgno, e))?;
        f(&mut p)
    }

    /// The dbtime of page `pgno` now (0 for a page that does not exist).
    pub(crate) fn dbtime_of(&mut self, pgno: u32) -> Result<u64, SinkError> {
        if !self.load(pgno)? {
            return Ok(0);
        }
        Ok(self.pages.get(&pgno).and_then(|p| PageView::new(p).ok()).map_or(0, |v| v.dbtime_dirtied()))
    }

    fn fail(&mut self, lgpos: Lgpos, t: LrType, f: Fail) {
        let page = f.pgno.map(|p| format!(" on page {p}")).unwrap_or_default();
        self.stop.get_or_insert(ReplayError {
            code: f.error.code,
            name: f.error.name,
            lgpos: Some(lgpos),
            pgno: f.pgno,
            message: format!("{} at {lgpos}{page} cannot be applied: {}", t.name(), f.why),
        });
    }

    /// Debug builds: the full page check on every page written by a record.
    fn debug_check(&self, pages: &[(u32, u64)]) -> RedoResult {
        if !cfg!(debug_assertions) {
            return Ok(());
        }
        for (pgno, _) in pages {
            let Some(b) = self.pages.get(pgno) else { continue };
            let v = PageView::new(b).map_err(|e| Fail::page(*pgno, e))?;
            if let Some(p) = check_page(&v).into_iter().next() {
                return Err(Fail::new(DATABASE_CORRUPTED, *pgno, format!("after redo the page breaks {p}")));
            }
        }
        Ok(())
    }

    fn apply(&mut self, op: &Redo<'_>) -> RedoResult {
        if !op.macro_records.is_empty() {
            return match op.lrtyp {
                LrType::SPLIT2 => split::redo_split(self, op),
                LrType::MERGE2 => merge::redo_merge(self, op),
                _ => space::refuse_macro(op),
            };
        }
        let rec = Record::decode_bytes(op.bytes, op.lgpos, 0)
            .map_err(|e| Fail::new(LOG_CORRUPTED, op.pages.first().map(|p| p.0), e.to_string()))?;
        let needs = |pgno: u32| op.pages.iter().find(|(p, _)| *p == pgno).map(|(_, d)| *d);
        match &rec {
            Record::NewPage(x) => space::new_page(self, x, needs(x.pgno)),
            Record::CreateSingleExtentFdp(f) | Record::CreateMultipleExtentFdp(f) => {
                space::create_fdp(self, f, op.lrtyp == LrType::CREATE_MULTIPLE_EXTENT_FDP, &needs)
            }
            Record::ConvertFdp(f) => space::convert_fdp(self, op.lrtyp, f, &needs),
            Record::EmptyTree(e) => space::empty_tree(self, e, &needs),
            _ => node::redo_node(self, &rec, op.pages),
        }
    }
}

/// An undo failure as the replay's error: -1001 for what esehdr refuses (an operation that is not
/// undo-logged, a before-image that never came),
/// -626 for a version that does not fit the pages; the record and its LGPOS in the message.
fn undo_stop(at: Option<Lgpos>, e: &UndoError) -> ReplayError {
    let (error, lgpos, pgno) = match e {
        UndoError::Refused { lgpos, .. } | UndoError::NoBeforeImage { lgpos, .. } => {
            (FEATURE_NOT_AVAILABLE, Some(*lgpos), None)
        }
        UndoError::NoVersion { lgpos, .. } => (LOG_OPERATION_INCONSISTENT, Some(*lgpos), None),
        UndoError::NodeNotFound { lgpos, pgno_hint, .. } => {
            (LOG_OPERATION_INCONSISTENT, Some(*lgpos), Some(*pgno_hint))
        }
        UndoError::Page { lgpos, pgno, .. } => (LOG_OPERATION_INCONSISTENT, Some(*lgpos), Some(*pgno)),
        UndoError::Access { pgno, .. } => (DATABASE_CORRUPTED, at, Some(*pgno)),
        _ => (LOG_OPERATION_INCONSISTENT, at, None),
    };
    ReplayError { code: error.code, name: error.name, lgpos: lgpos.or(at), pgno, message: format!("undo: {e}") }
}

/// The version store reads and changes pages through the sink's cache (read from `base` on
/// first touch); every page it gets is noted, so the caller can mark the ones it changed.
impl PageAccess for ApplySink<'_> {
    fn page_mut(&mut self, pgno: u32) -> Result<&mut [u8], String> {
        match self.load(pgno) {
            Ok(true) => {}
            Ok(false) => return Err(format!("page {pgno} lies beyond the end of the database")),
            Err(e) => return Err(e.0),
        }
        self.touched.insert(pgno);
        self.pages.get_mut(&pgno).map(Vec::as_mut_slice).ok_or_else(|| format!("page {pgno} is not loaded"))
    }
}

impl Sink for ApplySink<'_> {
    fn version(&mut self, lgpos: Lgpos, record: &Record<'_>, redone: bool) -> Result<(), SinkError> {
        if self.stop.is_some() {
            return Ok(());
        }
        let mut store = std::mem::take(&mut self.store);
        self.touched.clear();
        let r = store.record(lgpos, record, if redone { Some(self as &mut dyn PageAccess) } else { None });
        self.store = store;
        let touched = std::mem::take(&mut self.touched);
        match r {
            Ok(Effect::UndoApplied { pgno, .. }) => {
                self.changed.insert(pgno);
                self.undo_applied = Some(lgpos);
            }
            // A Rollback's versions without a logged compensation, undone on the pages.
            Ok(Effect::Released { undone, .. }) if undone > 0 => self.changed.extend(touched),
            Ok(_) => {}
            Err(e) => {
                self.stop.get_or_insert(undo_stop(Some(lgpos), &e));
            }
        }
        Ok(())
    }

    fn page_dbtime(&mut self, pgno: u32) -> Result<Option<u64>, SinkError> {
        if !self.load(pgno)? {
            return Ok(None);
        }
        Ok(self.pages.get(&pgno).and_then(|p| PageView::new(p).ok()).map(|v| v.dbtime_dirtied()))
    }

    fn redo(&mut self, op: &Redo<'_>) -> Result<(), SinkError> {
        if self.stop.is_some() {
            return Ok(());
        }
        self.out.last_lgpos = Some(op.lgpos);
        self.undo_ready = self.undo_applied.take() == Some(op.lgpos);
        let r = self.apply(op).and_then(|()| self.debug_check(op.pages));
        match r {
            Ok(()) => {
                self.out.records_applied += if op.macro_records.is_empty() { 1 } else { op.macro_records.len() as u64 };
            }
            Err(f) => self.fail(op.lgpos, op.lrtyp, f),
        }
        Ok(())
    }

    fn create_database(&mut self, lgpos: Lgpos, record: &[u8]) -> Result<(), SinkError> {
        let t = LrType::CREATE_DB;
        let c = match Record::decode_bytes(record, lgpos, 0) {
            Ok(Record::CreateDb(c)) => c,
            Ok(_) => return Ok(()),
            Err(e) => {
                self.fail(lgpos, t, Fail::new(LOG_CORRUPTED, None, e.to_string()));
                return Ok(());
            }
        };
        // docs/log-records.md §5.4: (2, 0) is the fully logged creation; (1, 0) builds the
        // initial content in redo (not reproduced here); anything else is -1225.
        match c.version {
            Some((2, 0)) => {}
            Some((1, 0)) => {
                self.fail(lgpos, t, Fail::unsupported(None, "VersionInfo (1, 0): the implicit creation builds the initial pages in redo itself, which esehdr does not reproduce"));
                return Ok(());
            }
            v => {
                let why = match v {
                    Some((a, b)) => format!("VersionInfo should be (2, 0) or (1, 0), but it is ({a}, {b})"),
                    None => "the record has no VersionInfo (logs before 7.3704.8)".to_string(),
                };
                self.fail(lgpos, t, Fail::new(INVALID_CREATE_DB_VERSION, None, why));
                return Ok(());
            }
        }
        self.created = true;
        self.pages.clear();
        self.changed.clear();
        self.out = RedoOutcome::default();
        self.out.last_lgpos = Some(lgpos);
        self.out.create = Some(CreateDbInfo {
            lgpos,
            path: c.path.clone(),
            dbid: c.dbid,
            db_signature: c.db_signature,
            grbit: c.grbit,
            cpg_database_size_max: c.cpg_database_size_max,
            flags: c.flags,
            version: (2, 0),
            page_size: self.page_size,
            finish: None,
        });
        Ok(())
    }

    fn database_record(&mut self, lgpos: Lgpos, record: &Record<'_>) -> Result<(), SinkError> {
        if self.stop.is_some() {
            return Ok(());
        }
        self.out.last_lgpos = Some(lgpos);
        let t = match record {
            Record::ExtendDb(_) => LrType::EXTEND_DB,
            Record::ShrinkDb(_) => LrType::SHRINK_DB,
            Record::TrimDb(_) => LrType::TRIM_DB,
            Record::ExtentFreed(_) => LrType::EXTENT_FREED,
            Record::SetDbVersion(_) => LrType::SET_DB_VERSION,
            _ => LrType::CREATE_DB_FINISH,
        };
        if let Err(f) = space::database_record(self, lgpos, record) {
            self.fail(lgpos, t, f);
        } else if !matches!(record, Record::SetDbVersion(_) | Record::CreateDbFinish(_)) {
            self.out.records_applied += 1;
        }
        Ok(())
    }

    fn observe(&mut self, lgpos: Lgpos, dbtime: u64, objid: u32) {
        if dbtime < crate::fields::DBTIME_INVALID {
            self.out.dbtime_max = self.out.dbtime_max.max(dbtime);
        }
        self.out.objid_max = self.out.objid_max.max(objid);
        self.out.last_lgpos = Some(lgpos);
    }

    fn take_stop(&mut self) -> Option<ReplayError> {
        self.stop.take()
    }
}
