//! [`VersionStore`]: the version-store entries (RCEs) redo builds per session, their levels, the
//! deferred ones waiting for an UndoInfo, and the rollbacks that use them.
//!
//! Keying: an RCE belongs to its session (`procid`) and is named by `le_rceid`; it records the
//! database, the tree (`le_pgnoFDP`, `le_objidFDP`), the node's bookmark, the level and the
//! transaction (`le_trxBegin0`). During recovery a session's RCEs are ordered by level, then by
//! rceid (`VERIInsertRCEIntoSessionList`), so "newest first" is (level, rceid) descending.
//!
//! Memory is bounded ([`Limits`]): each RCE costs its bookmark, its before-image and a fixed
//! overhead; past the bound the record is refused with [`UndoError::VersionStoreFull`] (ESE
//! fails with -1069 `JET_errVersionStoreOutOfMemory`). Commit0 and rollbacks release entries.
//!
//! Sources: docs/log-records.md §3.10, §3.15, §5.6; docs/page-internals.md §4.2 (right
//! column: which record makes which RCE, redone or not), §5.1, §5.2; Microsoft's
//! `ErrLGRIRedoNodeOperation` (`ese/_log/logredo.cxx`: cases Insert, FlagInsert,
//! FlagInsertAndReplaceData, Replace/ReplaceD, FlagDelete, Delta, UndoInfo, Undo; the
//! transaction cases Begin, Commit, Commit0, Rollback), `VERRedoPhysicalUndo`, `ErrVERRollback`,
//! `PIB::ErrRegisterDeferredRceid` (`ese/ver.cxx`, `ese/pib.cxx`).

use std::collections::{BTreeMap, BTreeSet};

use esehdr_format::log::records::decode::{Delta, FlagInsert, Insert, Undo, UndoInfo};
use esehdr_format::log::records::{NodeHeader, Record};
use esehdr_format::Lgpos;
use serde::Serialize;

use super::action::UndoAction;
use super::error::{Result, UndoError};
use super::search::{locate, matches, Bookmark, PageAccess, Tree};
use crate::page::{PageMut, PageView};

/// `operInsert` (`inc/ver.hxx`): Insert, FlagInsert and the insert part of
/// FlagInsertAndReplaceData.
pub const OPER_INSERT: u16 = 1;
/// `operReplace`.
pub const OPER_REPLACE: u16 = 2;
/// `operFlagDelete`.
pub const OPER_FLAG_DELETE: u16 = 3;
/// `operDelta`.
pub const OPER_DELTA: u16 = 4;
/// `operDelta64`.
pub const OPER_DELTA64: u16 = 9;

/// `m_fLRPageFlags` 0x01: the operation is versioned.
const LR_VERSIONED: u8 = 0x01;
/// `m_fLRPageFlags` 0x04: the tree has unique keys (the bookmark is the key alone).
const LR_UNIQUE: u8 = 0x04;
/// Bytes counted per RCE besides its bookmark and before-image.
const RCE_OVERHEAD: usize = 96;

/// What an RCE undoes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Oper {
    /// An Insert (`operInsert`).
    Insert,
    /// A FlagInsert (`operInsert`): the node was flag-deleted and is live again.
    FlagInsert,
    /// The insert part of a FlagInsertAndReplaceData (`operInsert`); its replace part is a
    /// separate [`Oper::Replace`] RCE (`le_rceidReplace`).
    FlagInsertAndReplaceData,
    /// A Replace, ReplaceD or the replace part of a FlagInsertAndReplaceData (`operReplace`),
    /// with the node's data before it.
    Replace {
        /// The before-image: the node's data before the change.
        #[serde(skip)]
        before: Vec<u8>,
    },
    /// A FlagDelete (`operFlagDelete`).
    FlagDelete,
    /// A Delta (`operDelta`).
    Delta {
        /// `cbOffset`.
        offset: u16,
        /// The delta added.
        delta: i32,
    },
    /// A Delta64 (`operDelta64`).
    Delta64 {
        /// `cbOffset`.
        offset: u16,
        /// The delta added.
        delta: i64,
    },
}

impl Oper {
    /// The `OPER` value (`le_oper` of Undo and UndoInfo records).
    pub fn code(&self) -> u16 {
        match self {
            Oper::Insert | Oper::FlagInsert | Oper::FlagInsertAndReplaceData => OPER_INSERT,
            Oper::Replace { .. } => OPER_REPLACE,
            Oper::FlagDelete => OPER_FLAG_DELETE,
            Oper::Delta { .. } => OPER_DELTA,
            Oper::Delta64 { .. } => OPER_DELTA64,
        }
    }
    /// Its physical undo.
    pub fn action(&self) -> UndoAction<'_> {
        match self {
            Oper::Insert | Oper::FlagInsert | Oper::FlagInsertAndReplaceData => UndoAction::FlagDelete,
            Oper::Replace { before } => UndoAction::RestoreData(before),
            Oper::FlagDelete => UndoAction::ClearDeleted,
            Oper::Delta { offset, delta } => UndoAction::Delta32 { offset: *offset, delta: *delta },
            Oper::Delta64 { offset, delta } => UndoAction::Delta64 { offset: *offset, delta: *delta },
        }
    }
}

/// A version-store entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rce {
    /// `le_rceid`.
    pub rceid: u32,
    /// The session (`le_procid`).
    pub procid: u16,
    /// `le_trxBegin0`.
    pub trx: u32,
    /// The transaction level it belongs to (lowered by a Commit to a lower non-zero level).
    pub level: u8,
    /// `dbid`.
    pub dbid: u8,
    /// The tree.
    #[serde(skip)]
    pub tree: Tree,
    /// The node's bookmark.
    #[serde(skip)]
    pub bookmark: Bookmark,
    /// The operation and what undoing it needs.
    pub oper: Oper,
    /// The page the record named (where the search starts).
    pub pgno: u32,
    /// The record that made it (for a deferred RCE: the Replace or FlagDelete, not the
    /// UndoInfo).
    pub lgpos: Lgpos,
    /// That record's eseutil name.
    pub record: &'static str,
}

impl Rce {
    fn cost(&self) -> usize {
        let before = match &self.oper {
            Oper::Replace { before } => before.len(),
            _ => 0,
        };
        RCE_OVERHEAD + self.bookmark.len() + before
    }
}

/// A Replace or FlagDelete whose page already held the change: its RCE waits for the
/// before-image of an UndoInfo (`ErrRegisterDeferredRceid`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Deferred {
    level: u8,
    pgno: u32,
    lgpos: Lgpos,
    record: &'static str,
}

#[derive(Debug, Clone, Default)]
struct Session {
    level: u8,
    trx: u32,
    begin: Lgpos,
    /// Page records of this database since Begin0 (the dry run's count).
    records: u64,
    rces: BTreeMap<u32, Rce>,
    deferred: BTreeMap<u32, Deferred>,
}

/// Bounds of the version store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of RCEs held at most (bookmarks, before-images, a fixed overhead each).
    pub max_bytes: usize,
}

impl Default for Limits {
    /// 512 MiB: far above what one crash leaves (the corpus: tens of RCEs), far below what
    /// would exhaust a workstation.
    fn default() -> Self {
        Limits { max_bytes: 512 << 20 }
    }
}

/// What [`VersionStore::page_record`] or [`VersionStore::transaction`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing for the store (not versioned, no open transaction, not a record it follows).
    None,
    /// Counted in the session's records, or its level changed.
    Noted,
    /// RCEs made (1, or 2 for a redone FlagInsertAndReplaceData).
    Versioned(u8),
    /// The RCE `le_rceid` waits for an UndoInfo (the page already held the change).
    Deferred(u32),
    /// An UndoInfo made the RCE `le_rceid`.
    Filled(u32),
    /// An Undo record's physical undo applied on page `pgno`, line `iline` (the caller stamps
    /// the page's dbtime as for any redone record); its RCE removed.
    UndoApplied {
        /// The page.
        pgno: u32,
        /// The line.
        iline: usize,
    },
    /// An Undo record whose page already held the undo: its RCE removed.
    UndoDropped(u32),
    /// A Rollback, Commit0, Init or Term released RCEs; `undone` of them were still to undo
    /// (their compensations were not logged) and were undone physically.
    Released {
        /// RCEs released.
        released: u32,
        /// Of those, undone on the pages.
        undone: u32,
    },
}

/// One transaction rolled back at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolledBack {
    /// The session.
    pub procid: u16,
    /// `le_trxBegin0`.
    pub trx_begin0: u32,
    /// The level it was at.
    pub level: u8,
    /// Its Begin0.
    pub lgpos: Lgpos,
    /// Its page records of this database.
    pub records: u64,
    /// Versions undone on the pages.
    pub undone: u64,
}

/// What the end-of-log rollback did: `transactions` and `records` are the report's
/// `rollback: {transactions, records}` (the same counts as the dry run's prediction).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RollbackOutcome {
    /// Transactions rolled back.
    pub transactions: u64,
    /// Their page records of this database (replayed, then undone).
    pub records: u64,
    /// Versions undone (physical undo actions applied).
    pub undone: u64,
    /// Pages changed.
    pub pages: BTreeSet<u32>,
    /// The dbtime of the last page changed (`dbtimeMax` after undo; unchanged when nothing was
    /// undone).
    pub dbtime_max: u64,
    /// Each transaction, newest first.
    pub sessions: Vec<RolledBack>,
}

/// The version store of one database's recovery.
#[derive(Debug, Default)]
pub struct VersionStore {
    limits: Limits,
    sessions: BTreeMap<u16, Session>,
    bytes: usize,
}

/// The eseutil name of a record the store deals with.
fn name(rec: &Record<'_>) -> &'static str {
    match rec {
        Record::Insert(_) => "Insert",
        Record::FlagInsert(_) => "FlagInsert",
        Record::FlagInsertAndReplaceData(_) => "FlagInsertAndReplaceData",
        Record::FlagDelete(_) => "FlagDelete",
        Record::Delete(_) => "Delete",
        Record::Replace(_) => "Replace",
        Record::ReplaceD(_) => "ReplaceD",
        Record::Delta(_) => "Delta",
        Record::Delta64(_) => "Delta64",
        Record::Undo(_) => "Undo",
        Record::UndoInfo(_) => "UndoInfo",
        Record::EmptyTree(_) => "EmptyTree",
        Record::CreateSingleExtentFdp(_) => "CreateSingleExtentFDP",
        Record::CreateMultipleExtentFdp(_) => "CreateMultipleExtentFDP",
        Record::ConvertFdp(_) => "ConvertFDP",
        Record::Split(_) => "Split",
        Record::Merge(_) => "Merge",
        Record::Begin(_) => "Begin",
        Record::Commit(_) => "Commit",
        Record::Rollback(_) => "Rollback",
        _ => "record",
    }
}

fn oper_name(code: u16) -> String {
    match code {
        OPER_INSERT => "1 (Insert)".into(),
        OPER_REPLACE => "2 (Replace)".into(),
        OPER_FLAG_DELETE => "3 (FlagDelete)".into(),
        OPER_DELTA => "4 (Delta)".into(),
        OPER_DELTA64 => "9 (Delta64)".into(),
        c if c >= 0x100 => format!("{c:#x} (a DDL operation: catalog-level undo)"),
        c => format!("{c} (not an undo-logged operation)"),
    }
}

impl VersionStore {
    /// An empty store with the given bounds.
    pub fn new(limits: Limits) -> Self {
        VersionStore { limits, ..Default::default() }
    }

    /// Bytes held (bookmarks, before-images, overhead).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The transaction level of session `procid` (0 when it is not in a transaction).
    pub fn level(&self, procid: u16) -> u8 {
        self.sessions.get(&procid).map_or(0, |s| s.level)
    }

    /// The RCEs of session `procid`, in rceid order.
    pub fn rces(&self, procid: u16) -> impl Iterator<Item = &Rce> + '_ {
        self.sessions.get(&procid).into_iter().flat_map(|s| s.rces.values())
    }

    /// The rceids of session `procid` still waiting for an UndoInfo.
    pub fn deferred(&self, procid: u16) -> Vec<u32> {
        self.sessions.get(&procid).map(|s| s.deferred.keys().copied().collect()).unwrap_or_default()
    }

    /// The sessions in a transaction: (procid, level, trxBegin0, Begin0 LGPOS, page records).
    pub fn open_transactions(&self) -> Vec<(u16, u8, u32, Lgpos, u64)> {
        self.sessions
            .iter()
            .filter(|(_, s)| s.level > 0)
            .map(|(p, s)| (*p, s.level, s.trx, s.begin, s.records))
            .collect()
    }

    /// One entry point for redo: a transaction record (Begin, Commit, Rollback, Init, Term,
    /// RecoveryQuit) goes to [`Self::transaction`], any other record to [`Self::page_record`].
    /// Call it for every transaction record and for every page record of the target that the
    /// driver replays (UndoInfo and macro records included), in log order, **before** the
    /// record is applied; `redo` is `Some(pages)` when the record's page needs redo (for a
    /// transaction record: to undo on the pages what a Rollback leaves), `None` otherwise.
    pub fn record(&mut self, lgpos: Lgpos, rec: &Record<'_>, redo: Option<&mut dyn PageAccess>) -> Result<Effect> {
        match rec {
            Record::Begin(_)
            | Record::Commit(_)
            | Record::Rollback(_)
            | Record::Init(_)
            | Record::Term(_)
            | Record::RecoveryQuit(_) => self.transaction(lgpos, rec, redo),
            _ => self.page_record(lgpos, rec, redo),
        }
    }

    // ------------------------------------------------------------------ transaction records

    /// A transaction record (Begin, Begin0, Commit, Commit0, Rollback) or a record that ends
    /// every session (Init, Term, RecoveryQuit), in log order, for every session (the store
    /// follows a session from its first Begin0, as the driver's `FAfterFirstBT`).
    ///
    /// RCEs a Rollback (or the end of a run) leaves at the levels it closes had no logged
    /// compensation; like `ErrVERRollback` the store undoes them on `pages` when given (without
    /// changing the page dbtime, which the later records of redo rely on), else drops them.
    pub fn transaction(
        &mut self,
        lgpos: Lgpos,
        rec: &Record<'_>,
        mut pages: Option<&mut dyn PageAccess>,
    ) -> Result<Effect> {
        match rec {
            Record::Begin(b) => {
                let to = b.level_begin_from.saturating_add(b.clevels_to_begin);
                if b.level_begin_from == 0 {
                    if let Some(old) = self.sessions.remove(&b.procid) {
                        self.release(&old);
                    }
                    let s = Session { level: to, trx: b.trx_begin0.unwrap_or(0), begin: lgpos, ..Default::default() };
                    self.sessions.insert(b.procid, s);
                    Ok(Effect::Noted)
                } else if let Some(s) = self.sessions.get_mut(&b.procid) {
                    s.level = s.level.max(to);
                    Ok(Effect::Noted)
                } else {
                    Ok(Effect::None)
                }
            }
            Record::Commit(c) => {
                let Some(s) = self.sessions.get_mut(&c.procid) else { return Ok(Effect::None) };
                let to = c.level_commit_to;
                if to == 0 {
                    let n = s.rces.len() as u32;
                    if let Some(old) = self.sessions.remove(&c.procid) {
                        self.release(&old);
                    }
                    return Ok(Effect::Released { released: n, undone: 0 });
                }
                // VERCommitTransaction to a level > 0: the level's RCEs join the level below.
                for r in s.rces.values_mut() {
                    r.level = r.level.min(to);
                }
                for d in s.deferred.values_mut() {
                    d.level = d.level.min(to);
                }
                s.level = s.level.min(to);
                Ok(Effect::Noted)
            }
            Record::Rollback(r) => {
                let procid = r.procid;
                let Some(level) = self.sessions.get(&procid).map(|s| s.level) else { return Ok(Effect::None) };
                let n = r.level_rollback.min(level);
                let (mut released, mut undone) = (0, 0);
                for _ in 0..n {
                    let (a, b) = self.close_level(procid, &mut pages)?;
                    released += a;
                    undone += b;
                }
                if self.level(procid) == 0 {
                    if let Some(old) = self.sessions.remove(&procid) {
                        self.release(&old);
                    }
                }
                Ok(Effect::Released { released, undone })
            }
            Record::Init(_) | Record::Term(_) | Record::RecoveryQuit(_) => {
                let procids: Vec<u16> = self.sessions.keys().copied().collect();
                let (mut released, mut undone) = (0, 0);
                for procid in procids {
                    while self.level(procid) > 0 {
                        let (a, b) = self.close_level(procid, &mut pages)?;
                        released += a;
                        undone += b;
                    }
                }
                self.sessions.clear();
                self.bytes = 0;
                Ok(Effect::Released { released, undone })
            }
            _ => Ok(Effect::None),
        }
    }

    /// Rolls back the session's current level: its RCEs newest first (undone when `pages` is
    /// given), its deferred entries and DDL marks dropped; the level goes down by one.
    fn close_level(&mut self, procid: u16, pages: &mut Option<&mut dyn PageAccess>) -> Result<(u32, u32)> {
        let Some(s) = self.sessions.get_mut(&procid) else { return Ok((0, 0)) };
        let level = s.level;
        let ids: Vec<u32> = s.rces.values().filter(|r| r.level >= level).map(|r| r.rceid).rev().collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(r) = s.rces.remove(id) {
                out.push(r);
            }
        }
        s.deferred.retain(|_, d| d.level < level);
        s.level = level.saturating_sub(1);
        let released = out.len() as u32;
        for r in &out {
            self.bytes = self.bytes.saturating_sub(r.cost());
        }
        let mut undone = 0;
        if let Some(pages) = pages {
            for r in &out {
                undo_rce(&mut **pages, r, None)?;
                undone += 1;
            }
        }
        Ok((released, undone))
    }

    fn release(&mut self, s: &Session) {
        let n: usize = s.rces.values().map(Rce::cost).sum();
        self.bytes = self.bytes.saturating_sub(n);
    }

    // ------------------------------------------------------------------------ page records

    /// A page record of this database, in log order, **before** redo changes any page for it,
    /// for every record the driver replays (the filters of docs/page-internals.md §4.1 passed;
    /// macro records included, before the macro is applied), whether or not its page needs
    /// redo. `redo` is `Some(pages)` when the record's page needs redo (the store then reads the
    /// before-image from `pages`, and for an Undo record applies the physical undo itself),
    /// `None` when the page already holds the record.
    pub fn page_record(&mut self, lgpos: Lgpos, rec: &Record<'_>, redo: Option<&mut dyn PageAccess>) -> Result<Effect> {
        if let Record::UndoInfo(u) = rec {
            return self.undo_info(lgpos, u);
        }
        let Some(h) = rec.page_header() else {
            // A page record without a node header (Split2, Merge2, NewPage, ...): counted in
            // its session's records as the driver counts it (the report's rollback.records).
            if let Some(s) = crate::fields::page_key(rec).and_then(|k| self.sessions.get_mut(&k.procid)) {
                s.records += 1;
                return Ok(Effect::Noted);
            }
            return Ok(Effect::None);
        };
        let procid = h.procid;
        let Some(s) = self.sessions.get_mut(&procid) else { return Ok(Effect::None) };
        s.records += 1;
        if s.level == 0 {
            return Ok(Effect::Noted);
        }
        let record = name(rec);
        match rec {
            Record::Insert(x) => self.insert(lgpos, x),
            Record::FlagInsert(x) => self.flag_insert(lgpos, x, Oper::FlagInsert, record),
            Record::FlagInsertAndReplaceData(x) => {
                let made = match self.flag_insert(lgpos, x, Oper::FlagInsertAndReplaceData, record)? {
                    Effect::Versioned(n) => n,
                    _ => return Ok(Effect::Noted),
                };
                let rceid = x.rceid_replace.unwrap_or(0);
                match redo {
                    Some(pages) => {
                        let (bm, before) = self.line_bookmark(pages, &x.node, lgpos, record, false)?;
                        self.add(lgpos, &x.node, rceid, bm, Oper::Replace { before }, record)?;
                        Ok(Effect::Versioned(made + 1))
                    }
                    None => self.defer(lgpos, &x.node, rceid, record),
                }
            }
            Record::Replace(x) | Record::ReplaceD(x) => {
                if x.node.page.flags & LR_VERSIONED == 0 {
                    return Ok(Effect::Noted);
                }
                match redo {
                    Some(pages) => {
                        let (bm, before) = self.line_bookmark(pages, &x.node, lgpos, record, true)?;
                        self.add(lgpos, &x.node, x.node.rceid, bm, Oper::Replace { before }, record)?;
                        Ok(Effect::Versioned(1))
                    }
                    None => self.defer(lgpos, &x.node, x.node.rceid, record),
                }
            }
            Record::FlagDelete(x) => {
                if x.node.page.flags & LR_VERSIONED == 0 {
                    return Ok(Effect::Noted);
                }
                match redo {
                    Some(pages) => {
                        let (bm, _) = self.line_bookmark(pages, &x.node, lgpos, record, false)?;
                        self.add(lgpos, &x.node, x.node.rceid, bm, Oper::FlagDelete, record)?;
                        Ok(Effect::Versioned(1))
                    }
                    None => self.defer(lgpos, &x.node, x.node.rceid, record),
                }
            }
            Record::Delta(x) => self.delta(lgpos, x, false, record),
            Record::Delta64(x) => self.delta(lgpos, x, true, record),
            Record::Undo(u) => self.undo_record(lgpos, u, redo),
            // Tree creation (CreateSingleExtentFDP, CreateMultipleExtentFDP), ConvertFDP and
            // EmptyTree make no version: redo builds versions only from the node operations
            // (docs/page-internals.md §10 F13), so rolling back a transaction that created a
            // table undoes its catalog and data rows and leaves the new tree's space allocated,
            // as the engine's recovery does.
            _ => Ok(Effect::Noted),
        }
    }

    fn insert(&mut self, lgpos: Lgpos, x: &Insert<'_>) -> Result<Effect> {
        if x.node.page.flags & LR_VERSIONED == 0 {
            return Ok(Effect::Noted);
        }
        let mut key = x.key_prefix.0.to_vec();
        key.extend_from_slice(x.key_suffix.0);
        let data = if x.node.page.flags & LR_UNIQUE != 0 { Vec::new() } else { x.data.0.to_vec() };
        self.add(lgpos, &x.node, x.node.rceid, Bookmark { key, data }, Oper::Insert, "Insert")?;
        Ok(Effect::Versioned(1))
    }

    fn flag_insert(&mut self, lgpos: Lgpos, x: &FlagInsert<'_>, oper: Oper, record: &'static str) -> Result<Effect> {
        if x.node.page.flags & LR_VERSIONED == 0 {
            return Ok(Effect::Noted);
        }
        let data = if x.node.page.flags & LR_UNIQUE != 0 { Vec::new() } else { x.data.0.to_vec() };
        self.add(lgpos, &x.node, x.node.rceid, Bookmark { key: x.key.0.to_vec(), data }, oper, record)?;
        Ok(Effect::Versioned(1))
    }

    fn delta(&mut self, lgpos: Lgpos, x: &Delta<'_>, wide: bool, record: &'static str) -> Result<Effect> {
        if x.node.page.flags & LR_VERSIONED == 0 {
            return Ok(Effect::Noted);
        }
        let oper = if wide {
            Oper::Delta64 { offset: x.offset, delta: x.delta }
        } else {
            // Delta (37) holds an i32 (§3.15); the decoder widened it.
            let delta = i32::try_from(x.delta).map_err(|_| UndoError::Inconsistent {
                record,
                lgpos,
                what: "delta",
                expected: "a 32-bit value".into(),
                found: x.delta.to_string(),
            })?;
            Oper::Delta { offset: x.offset, delta }
        };
        let bm = Bookmark { key: x.bookmark_key.0.to_vec(), data: x.bookmark_data.0.to_vec() };
        self.add(lgpos, &x.node, x.node.rceid, bm, oper, record)?;
        Ok(Effect::Versioned(1))
    }

    /// The bookmark (and the data, the before-image) of the line the record names, read from
    /// the page before redo changes it. `unique_only`: Replace runs on unique trees only, its
    /// bookmark is the key alone (`ErrLGRIRedoNodeOperation` nullifies the data).
    fn line_bookmark(
        &self,
        pages: &mut dyn PageAccess,
        node: &NodeHeader,
        lgpos: Lgpos,
        record: &'static str,
        unique_only: bool,
    ) -> Result<(Bookmark, Vec<u8>)> {
        let pgno = node.page.pgno;
        let bytes = pages.page_mut(pgno).map_err(|message| UndoError::Access { pgno, message })?;
        let iline = usize::from(node.page.iline);
        let line = PageView::new(bytes).and_then(|v| v.line(iline).map(|l| (l.key().to_vec(), l.data.to_vec())));
        let (key, data) = line.map_err(|e| UndoError::Inconsistent {
            record,
            lgpos,
            what: "the record's line",
            expected: format!("line {iline} of page {pgno}, readable"),
            found: e.to_string(),
        })?;
        let unique = unique_only || node.page.flags & LR_UNIQUE != 0;
        let bm = Bookmark { key, data: if unique { Vec::new() } else { data.clone() } };
        Ok((bm, data))
    }

    /// Registers an RCE (an existing one with the same rceid is kept: `JET_errPreviousVersion`).
    fn add(
        &mut self,
        lgpos: Lgpos,
        node: &NodeHeader,
        rceid: u32,
        bookmark: Bookmark,
        oper: Oper,
        record: &'static str,
    ) -> Result<()> {
        let limit = self.limits.max_bytes;
        let used = self.bytes;
        let Some(s) = self.sessions.get_mut(&node.page.procid) else { return Ok(()) };
        if s.rces.contains_key(&rceid) {
            return Ok(());
        }
        let level = if node.page.level == 0 { s.level } else { node.page.level.min(s.level) };
        let rce = Rce {
            rceid,
            procid: node.page.procid,
            trx: node.page.trx_begin0,
            level,
            dbid: node.page.dbid,
            tree: Tree { pgno_fdp: node.pgno_fdp, objid_fdp: node.objid_fdp },
            bookmark,
            oper,
            pgno: node.page.pgno,
            lgpos,
            record,
        };
        let needed = used + rce.cost();
        if needed > limit {
            return Err(UndoError::VersionStoreFull { record, lgpos, limit, needed });
        }
        s.deferred.remove(&rceid);
        s.rces.insert(rceid, rce);
        self.bytes = needed;
        Ok(())
    }

    fn defer(&mut self, lgpos: Lgpos, node: &NodeHeader, rceid: u32, record: &'static str) -> Result<Effect> {
        let Some(s) = self.sessions.get_mut(&node.page.procid) else { return Ok(Effect::None) };
        if s.rces.contains_key(&rceid) {
            return Ok(Effect::Noted);
        }
        let level = if node.page.level == 0 { s.level } else { node.page.level.min(s.level) };
        s.deferred.insert(rceid, Deferred { level, pgno: node.page.pgno, lgpos, record });
        Ok(Effect::Deferred(rceid))
    }

    /// UndoInfo (never redone): the before-image of an RCE whose page already held the change.
    fn undo_info(&mut self, lgpos: Lgpos, u: &UndoInfo<'_>) -> Result<Effect> {
        let procid = u.node.page.procid;
        let Some(s) = self.sessions.get_mut(&procid) else { return Ok(Effect::None) };
        if s.level == 0 {
            // "RCE is not useful, since there is no transaction to roll back."
            return Ok(Effect::None);
        }
        let oper = match u.oper {
            OPER_REPLACE => Oper::Replace { before: u.data.0.to_vec() },
            OPER_FLAG_DELETE => Oper::FlagDelete,
            other => {
                return Err(UndoError::Refused {
                    record: "UndoInfo",
                    lgpos,
                    procid,
                    why: format!("le_oper should be 2 (Replace) or 3 (FlagDelete), but it is {}", oper_name(other)),
                })
            }
        };
        let rceid = u.node.rceid;
        let (at, record) = match s.deferred.get(&rceid) {
            Some(d) => (d.lgpos, d.record),
            None => (lgpos, "UndoInfo"),
        };
        if s.rces.contains_key(&rceid) {
            s.deferred.remove(&rceid);
            return Ok(Effect::Noted);
        }
        let bm = Bookmark { key: u.bookmark_key.0.to_vec(), data: u.bookmark_data.0.to_vec() };
        self.add(at, &u.node, rceid, bm, oper, record)?;
        Ok(Effect::Filled(rceid))
    }

    /// Undo (a compensation logged before the crash): `VERRedoPhysicalUndo`.
    fn undo_record(&mut self, lgpos: Lgpos, u: &Undo<'_>, redo: Option<&mut dyn PageAccess>) -> Result<Effect> {
        let procid = u.node.page.procid;
        let rceid = u.node.rceid;
        if !matches!(u.oper, OPER_INSERT | OPER_REPLACE | OPER_FLAG_DELETE | OPER_DELTA | OPER_DELTA64) {
            return Err(UndoError::Refused {
                record: "Undo",
                lgpos,
                procid,
                why: format!(
                    "le_oper should be an undoable logged operation (1, 2, 3, 4, 9), but it is {}",
                    oper_name(u.oper)
                ),
            });
        }
        let bm = Bookmark { key: u.bookmark_key.0.to_vec(), data: u.bookmark_data.0.to_vec() };
        let tree = Tree { pgno_fdp: u.node.pgno_fdp, objid_fdp: u.node.objid_fdp };
        let rce = self.take(procid, rceid, tree, &bm);
        let Some(pages) = redo else { return Ok(Effect::UndoDropped(rceid)) };
        let Some(rce) = rce else { return Err(UndoError::NoVersion { lgpos, procid, rceid, oper: u.oper }) };
        if rce.oper.code() != u.oper {
            return Err(UndoError::Inconsistent {
                record: "Undo",
                lgpos,
                what: "le_oper",
                expected: format!(
                    "{} (the version's operation, made by {} at {})",
                    oper_name(rce.oper.code()),
                    rce.record,
                    rce.lgpos
                ),
                found: oper_name(u.oper),
            });
        }
        // The compensation names its page and line (the CSR of the do-time undo).
        let pgno = u.node.page.pgno;
        let iline = usize::from(u.node.page.iline);
        let bytes = pages.page_mut(pgno).map_err(|message| UndoError::Access { pgno, message })?;
        let at = {
            let v = PageView::new(bytes).map_err(|e| page_error(&rce, pgno, iline, e))?;
            match v.line(iline) {
                Ok(l) if matches(&l, &rce.bookmark) => Some(iline),
                _ => v.lines().flatten().find(|l| matches(l, &rce.bookmark)).map(|l| l.iline),
            }
        };
        let Some(iline) = at else {
            return Err(UndoError::NodeNotFound {
                record: "Undo",
                lgpos,
                bookmark: rce.bookmark.to_string(),
                pgno_fdp: rce.tree.pgno_fdp,
                pgno_hint: pgno,
                why: format!("page {pgno}, which the Undo record names, has no such node"),
            });
        };
        let mut p = PageMut::new(bytes).map_err(|e| page_error(&rce, pgno, iline, e))?;
        rce.oper.action().apply(&mut p, iline).map_err(|e| page_error(&rce, pgno, iline, e))?;
        Ok(Effect::UndoApplied { pgno, iline })
    }

    /// Removes and returns the RCE `rceid` of session `procid` (else of any session) whose tree
    /// and bookmark match; drops a deferred entry of that rceid.
    fn take(&mut self, procid: u16, rceid: u32, tree: Tree, bm: &Bookmark) -> Option<Rce> {
        let same = |r: &Rce| r.rceid == rceid && r.tree.pgno_fdp == tree.pgno_fdp && r.bookmark.key == bm.key;
        let mut owner = None;
        if let Some(s) = self.sessions.get_mut(&procid) {
            s.deferred.remove(&rceid);
            if s.rces.get(&rceid).is_some_and(same) {
                owner = Some(procid);
            }
        }
        if owner.is_none() {
            owner = self.sessions.iter().find(|(_, s)| s.rces.get(&rceid).is_some_and(same)).map(|(p, _)| *p);
        }
        let rce = self.sessions.get_mut(&owner?)?.rces.remove(&rceid)?;
        self.bytes = self.bytes.saturating_sub(rce.cost());
        Some(rce)
    }

    // ---------------------------------------------------------------------- the end of the logs

    /// Rolls back every session still in a transaction (at the end of the logs, or at
    /// `until`): sessions newest Begin0 first, each one's versions newest first (level, then
    /// rceid, descending); each node found from its recorded page, else from its tree's FDP
    /// root; each page changed gets `dbtimeDirtied = ++dbtime_max` (docs/page-internals.md §5.2).
    ///
    /// Refusals (a Replace or FlagDelete whose before-image never came) are found before the
    /// first page is changed. A failure after that leaves the
    /// pages partly undone: the copy must be discarded (§5.2). The store is empty afterwards.
    pub fn rollback_all(&mut self, pages: &mut dyn PageAccess, dbtime_max: u64) -> Result<RollbackOutcome> {
        let mut open: Vec<(u16, &Session)> =
            self.sessions.iter().filter(|(_, s)| s.level > 0).map(|(p, s)| (*p, s)).collect();
        open.sort_by_key(|(p, s)| std::cmp::Reverse((s.begin, *p)));
        for (procid, s) in &open {
            if let Some((rceid, d)) = s.deferred.iter().next() {
                return Err(UndoError::NoBeforeImage {
                    record: d.record,
                    lgpos: d.lgpos,
                    procid: *procid,
                    rceid: *rceid,
                });
            }
        }
        let mut out = RollbackOutcome { dbtime_max, ..Default::default() };
        let mut dbtime = dbtime_max;
        for (procid, s) in &open {
            let mut rces: Vec<&Rce> = s.rces.values().collect();
            rces.sort_by_key(|r| std::cmp::Reverse((r.level, r.rceid)));
            let mut undone = 0;
            for r in rces {
                let pgno = undo_rce(pages, r, Some(&mut dbtime))?;
                out.pages.insert(pgno);
                undone += 1;
            }
            out.transactions += 1;
            out.records += s.records;
            out.undone += undone;
            out.sessions.push(RolledBack {
                procid: *procid,
                trx_begin0: s.trx,
                level: s.level,
                lgpos: s.begin,
                records: s.records,
                undone,
            });
        }
        out.dbtime_max = dbtime;
        self.sessions.clear();
        self.bytes = 0;
        Ok(out)
    }
}

fn page_error(r: &Rce, pgno: u32, iline: usize, source: crate::page::PageError) -> UndoError {
    UndoError::Page { record: r.record, lgpos: r.lgpos, pgno, iline, source: Box::new(source) }
}

/// Finds `r`'s node and applies its physical undo; with `dbtime`, stamps the page with the
/// next dbtime. Returns the page changed.
fn undo_rce(pages: &mut dyn PageAccess, r: &Rce, dbtime: Option<&mut u64>) -> Result<u32> {
    let found = locate(pages, r.tree, &r.bookmark, Some(r.pgno))
        .map_err(|(pgno, message)| UndoError::Access { pgno, message })?;
    let (pgno, iline) = found.map_err(|why| UndoError::NodeNotFound {
        record: r.record,
        lgpos: r.lgpos,
        bookmark: r.bookmark.to_string(),
        pgno_fdp: r.tree.pgno_fdp,
        pgno_hint: r.pgno,
        why,
    })?;
    let bytes = pages.page_mut(pgno).map_err(|message| UndoError::Access { pgno, message })?;
    let mut p = PageMut::new(bytes).map_err(|e| page_error(r, pgno, iline, e))?;
    r.oper.action().apply(&mut p, iline).map_err(|e| page_error(r, pgno, iline, e))?;
    if let Some(d) = dbtime {
        *d += 1;
        p.stamp_dbtime(*d);
    }
    Ok(pgno)
}
