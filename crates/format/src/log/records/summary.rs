//! What the records of a log add up to: counts per type, database page references (as
//! eseutil's `Number of database page references` and its DBID table count them), the databases
//! touched with their create / attach / detach events and dbtime range, and the transactions
//! begun, ended and left open.
//!
//! [`Summarizer`] takes the records one by one (from [`crate::log::records::RecordWalker`]) and
//! keeps only counters and per-database page sets, so a walk stays streaming. Summaries of
//! consecutive logs of one stream merge with [`RecordSummary::merge`] (in generation order).
//!
//! Sources: docs/log-records.md §3.5-3.7 (CreateDB, AttachDB, DetachDB), §3.10
//! (transactions), §3.22-3.23 (where dbid, pgno and dbtime live), §4.5 (statistics), §4.6
//! (`ErrLrToPageRef`, the DBID table and its I/O-coalescing model), §5.1 (records that end
//! every session), §8 item 2 (`LRBEGIN` nibbles), item 3 (an empty v8 log counts 0 records
//! here; eseutil shows one synthetic NOP).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::log::records::decode::{PageAccess, Record};
use crate::log::records::types::{LrType, LRTYP_MAX};
use crate::log::records::walk::{RawRecord, Stop};
use crate::log::records::RecordError;
use crate::primitives::{Lgpos, Signature};

/// `dbtimeInvalid`; it and `dbtimeNil` (all ones) are not dbtimes of a page.
const DBTIME_INVALID: u64 = 0xFFFF_FFFF_FFFF_FFFE;

/// `JET_paramMaxCoalesceReadGapSize`, `JET_paramMaxCoalesceReadSize` and
/// `JET_paramMaxCoalesceWriteSize` defaults (`cbReadSizeMax`, `cbWriteSizeMax`): 512 KiB.
const COALESCE_MAX: u64 = 512 * 1024;

/// At most this many pages of one ExtentFreed record enter the distinct-page sets; the rest are
/// only counted (a hostile `cpgExtent` must not grow a set by billions of pages).
pub const EXTENT_PAGES_MAX: u32 = 1 << 16;

/// Calls `f(dbid, pgno, read, write)` for every page reference of one record, as
/// [`Record::for_each_page_ref`] lists them (docs/log-records.md §4.6, the shared decoder's one
/// table), and returns how many references the record adds. An ExtentFreed record reports at
/// most [`EXTENT_PAGES_MAX`] pages but counts all.
pub fn page_references(record: &Record<'_>, mut f: impl FnMut(u8, u32, bool, bool)) -> u64 {
    if let Record::ExtentFreed(e) = record {
        let cpg = u32::try_from(e.cpg_extent).unwrap_or(0);
        for i in 0..cpg.min(EXTENT_PAGES_MAX) {
            f(e.dbid, e.pgno_first.wrapping_add(i), true, false);
        }
        return u64::from(cpg);
    }
    let mut n = 0u64;
    record.for_each_page_ref(|p| {
        n += 1;
        let (read, write) = match p.access {
            PageAccess::ReadWrite => (true, true),
            PageAccess::Write => (false, true),
            PageAccess::Read => (true, false),
        };
        f(p.dbid, p.pgno, read, write);
    });
    n
}

/// The dbid and dbtime a record gives the page it changes (`le_dbtime` of the `LRPAGE_`
/// family, NewPage's and RootPageMove's `le_dbtimeAfter`), `None` for other records and for
/// `dbtimeNil` / `dbtimeInvalid` (docs/log-records.md §3.22).
pub fn dbtime_after(record: &Record<'_>) -> Option<(u8, u64)> {
    let (dbid, dbtime) = match record {
        Record::NewPage(n) => (n.dbid, n.dbtime),
        Record::RootPageMove(m) => (m.dbid, m.dbtime),
        r => r.page_header().map(|h| (h.dbid, h.dbtime))?,
    };
    (dbtime < DBTIME_INVALID).then_some((dbid, dbtime))
}

/// What a database event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// CreateDB (14).
    Create,
    /// AttachDB (15).
    Attach,
    /// DetachDB (16).
    Detach,
}

/// A CreateDB, AttachDB or DetachDB record (docs/log-records.md §3.5-3.7, §3.23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbEvent {
    /// Which record.
    pub kind: EventKind,
    /// The record's LGPOS (for create and attach, the `lgposAttach` the database header gets).
    pub lgpos: Lgpos,
    /// The DBID the record names (the JSON lists events under their database).
    #[serde(skip)]
    pub dbid: u8,
    /// The database path, as logged.
    pub path: String,
    /// `signDb`: CreateDB @12 (the new database's), AttachDB @16; `None` for DetachDB.
    pub db_signature: Option<Signature>,
    /// `signLog` @44 of AttachDB (the database header's at attach time); `None` otherwise.
    pub log_signature: Option<Signature>,
    /// `lgposConsistent` @8 of AttachDB; `None` otherwise.
    pub last_consistent: Option<Lgpos>,
}

/// The event a record is, if it is one.
pub fn db_event(lgpos: Lgpos, record: &Record<'_>) -> Option<DbEvent> {
    let ev = |kind, dbid, path: &str| DbEvent {
        kind,
        lgpos,
        dbid,
        path: path.to_string(),
        db_signature: None,
        log_signature: None,
        last_consistent: None,
    };
    Some(match record {
        Record::CreateDb(c) => DbEvent { db_signature: Some(c.db_signature), ..ev(EventKind::Create, c.dbid, &c.path) },
        Record::AttachDb(a) => DbEvent {
            db_signature: Some(a.db_signature),
            log_signature: Some(a.log_signature),
            last_consistent: Some(a.last_consistent),
            ..ev(EventKind::Attach, a.dbid, &a.path)
        },
        Record::DetachDb(d) => ev(EventKind::Detach, d.dbid, &d.path),
        _ => return None,
    })
}

/// One database (DBID) of a log or stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DatabaseRecords {
    /// The DBID (a slot number within the log stream).
    pub dbid: u8,
    /// Its path: the last create / attach / detach record's, else the log header's attachment
    /// list's; `None` when neither names it.
    pub path: Option<String>,
    /// Page references (docs/log-records.md §4.6), duplicates included.
    pub page_references: u64,
    /// Distinct pages referenced (eseutil's `# Cache Pages`).
    pub pages_touched: u64,
    /// Lowest page dbtime the records set (`dbtimeAfter`).
    pub dbtime_min: Option<u64>,
    /// Highest.
    pub dbtime_max: Option<u64>,
    /// Create, attach and detach records, in log order.
    pub events: Vec<DbEvent>,
    /// Distinct pages with their access (bit 0 read, bit 1 write), for the DBID table.
    #[serde(skip)]
    pub pages: BTreeMap<u32, u8>,
}

/// A transaction begun (Begin0) and not ended at the end of the log (or stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpenTransaction {
    /// `le_procid`: the session.
    pub procid: u16,
    /// `le_trxBegin0` of its Begin0.
    pub trx_begin0: u32,
    /// LGPOS of its Begin0.
    pub lgpos: Lgpos,
}

/// Transactions, per session (`procid`, docs/log-records.md §3.10).
///
/// `begun` counts Begin0 records, `committed` Commit0 records, `rolled_back` Rollback records
/// that take a session whose Begin0 was seen back to level 0. A session's level follows
/// Begin0/Begin (`levelBeginFrom` + `clevelsToBegin`), Commit (`levelCommitTo`) and Rollback
/// (minus `levelRollback`); Init, Term and RecoveryQuit records end every session. Sessions
/// whose Begin0 lies before the log (or stream) are not followed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Transactions {
    /// Begin0 records.
    pub begun: u64,
    /// Commit0 records.
    pub committed: u64,
    /// Transactions ended by a Rollback.
    pub rolled_back: u64,
    /// Still open at the end, in Begin0 order.
    pub open_at_end: Vec<OpenTransaction>,
}

/// The record that ended a walk early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryError {
    /// Its LGPOS.
    pub lgpos: Lgpos,
    /// What was wrong.
    pub message: String,
}

/// A transaction record, kept so that summaries of consecutive logs can follow sessions across
/// files when they are merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxOp {
    EndAll,
    Begin0 { procid: u16, level: u8, trx: u32, lgpos: Lgpos },
    Begin { procid: u16, level: u8 },
    Commit { procid: u16, to: u8 },
    Commit0 { procid: u16 },
    Rollback { procid: u16, levels: u8 },
}

/// What the records of one log (or of a stream, merged) add up to. Serialized as the `records`
/// object of `esehdr ml --json` (the JSON contract, README "JSON").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordSummary {
    /// Records read (an empty v8 log has 0; eseutil prints one synthetic NOP for it).
    pub total: u64,
    /// Records per eseutil name without padding (`Insert`, `Begin0`, `McroComit`, ...; types
    /// sharing a name are summed: Init = 1 + 49, Term = 2 + 50, ...).
    pub by_type: BTreeMap<&'static str, u64>,
    /// `Number of database page references` (docs/log-records.md §4.6).
    pub page_references: u64,
    /// Where reading ended: the end of the valid data (eseutil's `Last Lgpos`), or the LGPOS of
    /// the record that could not be read.
    pub end: Lgpos,
    /// Every DBID the header attachment list or a record names, ascending.
    pub databases: Vec<DatabaseRecords>,
    /// Transactions.
    pub transactions: Transactions,
    /// The record that ended the walk early, or `None`.
    pub error: Option<SummaryError>,
    /// Records and bytes per type byte (eseutil's statistics block), indexed by `lrtyp`.
    #[serde(skip)]
    pub per_type: Vec<(u64, u64)>,
    /// Sum of the record sizes (`cbTotal`).
    #[serde(skip)]
    pub bytes: u64,
    #[serde(skip)]
    tx_ops: Vec<TxOp>,
}

impl Default for RecordSummary {
    fn default() -> Self {
        Self {
            total: 0,
            by_type: BTreeMap::new(),
            page_references: 0,
            end: Lgpos::default(),
            databases: Vec::new(),
            transactions: Transactions::default(),
            error: None,
            per_type: vec![(0, 0); usize::from(LRTYP_MAX)],
            bytes: 0,
            tx_ops: Vec::new(),
        }
    }
}

/// Follows sessions through transaction records.
#[derive(Debug, Default)]
struct Sessions {
    open: HashMap<u16, (u8, u32, Lgpos)>,
    tx: Transactions,
}

impl Sessions {
    fn apply(&mut self, op: TxOp) {
        match op {
            TxOp::EndAll => self.open.clear(),
            TxOp::Begin0 { procid, level, trx, lgpos } => {
                self.tx.begun += 1;
                self.open.insert(procid, (level, trx, lgpos));
            }
            TxOp::Begin { procid, level } | TxOp::Commit { procid, to: level } => {
                if let Some(s) = self.open.get_mut(&procid) {
                    s.0 = level;
                }
            }
            TxOp::Commit0 { procid } => {
                self.tx.committed += 1;
                self.open.remove(&procid);
            }
            TxOp::Rollback { procid, levels } => {
                if let Some(s) = self.open.get_mut(&procid) {
                    if s.0 <= levels {
                        self.open.remove(&procid);
                        self.tx.rolled_back += 1;
                    } else {
                        s.0 -= levels;
                    }
                }
            }
        }
    }

    fn finish(mut self) -> Transactions {
        let mut open: Vec<OpenTransaction> = self
            .open
            .into_iter()
            .map(|(procid, (_, trx_begin0, lgpos))| OpenTransaction { procid, trx_begin0, lgpos })
            .collect();
        open.sort_by_key(|o| (o.lgpos, o.procid));
        self.tx.open_at_end = open;
        self.tx
    }
}

/// The transaction record `record` (of type `t`) is, if any (docs/log-records.md §3.10, §8 item 2).
fn tx_op(lgpos: Lgpos, t: LrType, record: &Record<'_>) -> Option<TxOp> {
    Some(match record {
        Record::Init(_) | Record::Term(_) | Record::RecoveryQuit(_) => TxOp::EndAll,
        Record::Begin(b) => {
            let level = b.level_begin_from.saturating_add(b.clevels_to_begin);
            match (t, b.trx_begin0) {
                (LrType::BEGIN0, Some(trx)) => TxOp::Begin0 { procid: b.procid, level, trx, lgpos },
                (LrType::BEGIN, _) => TxOp::Begin { procid: b.procid, level },
                _ => return None,
            }
        }
        Record::Commit(c) if t == LrType::COMMIT0 => TxOp::Commit0 { procid: c.procid },
        Record::Commit(c) => TxOp::Commit { procid: c.procid, to: c.level_commit_to },
        Record::Rollback(r) => TxOp::Rollback { procid: r.procid, levels: r.level_rollback },
        _ => return None,
    })
}

/// Builds a [`RecordSummary`] from records given one at a time.
#[derive(Debug, Default)]
pub struct Summarizer {
    s: RecordSummary,
    dbs: BTreeMap<u8, DatabaseRecords>,
    sessions: Sessions,
}

impl Summarizer {
    /// A summarizer for a log whose header attachment list names these databases
    /// (`(dbid, path)`).
    pub fn new<'a>(attached: impl IntoIterator<Item = (u8, &'a str)>) -> Self {
        let mut me = Self::default();
        for (dbid, p) in attached {
            me.db(dbid).path = Some(p.to_string());
        }
        me
    }

    fn db(&mut self, dbid: u8) -> &mut DatabaseRecords {
        self.dbs.entry(dbid).or_insert_with(|| DatabaseRecords { dbid, ..DatabaseRecords::default() })
    }

    /// Adds one record.
    pub fn add(&mut self, rec: &RawRecord<'_>) {
        self.add_bytes(rec.lgpos, rec.bytes);
    }

    /// Adds one record given by its LGPOS and bytes.
    pub fn add_bytes(&mut self, lgpos: Lgpos, bytes: &[u8]) {
        let t = LrType(bytes.first().copied().unwrap_or_default());
        self.s.total += 1;
        self.s.bytes += bytes.len() as u64;
        if let Some(slot) = self.s.per_type.get_mut(usize::from(t.0)) {
            slot.0 += 1;
            slot.1 += bytes.len() as u64;
        }
        *self.s.by_type.entry(t.name()).or_default() += 1;
        // A record the decoder refuses (its length fields do not add up) is only counted.
        let Ok(record) = Record::decode_bytes(bytes, lgpos, 0) else { return };
        let dbs = &mut self.dbs;
        let mut extent_dbid = None;
        let mut listed = 0u64;
        let refs = page_references(&record, |dbid, pgno, read, write| {
            listed += 1;
            extent_dbid = Some(dbid);
            let db = dbs.entry(dbid).or_insert_with(|| DatabaseRecords { dbid, ..Default::default() });
            db.page_references += 1;
            *db.pages.entry(pgno).or_default() |= u8::from(read) | (u8::from(write) << 1);
        });
        // References of a large extent counted but not listed: they belong to its database.
        if let (Some(dbid), true) = (extent_dbid, refs > listed) {
            self.db(dbid).page_references += refs - listed;
        }
        self.s.page_references += refs;
        if let Some((dbid, dbtime)) = dbtime_after(&record) {
            let db = self.db(dbid);
            db.dbtime_min = Some(db.dbtime_min.map_or(dbtime, |m| m.min(dbtime)));
            db.dbtime_max = Some(db.dbtime_max.map_or(dbtime, |m| m.max(dbtime)));
        }
        if let Some(ev) = db_event(lgpos, &record) {
            let db = self.db(ev.dbid);
            db.path = Some(ev.path.clone());
            db.events.push(ev);
        }
        if let Some(op) = tx_op(lgpos, t, &record) {
            self.sessions.apply(op);
            self.s.tx_ops.push(op);
        }
    }

    /// The summary, given where and why the walk ended.
    pub fn finish(self, stop: Option<&Stop>) -> RecordSummary {
        let mut s = self.s;
        if let Some(stop) = stop {
            s.end = stop.position;
            s.error = stop.error.as_ref().map(summary_error);
        }
        s.databases = self
            .dbs
            .into_values()
            .map(|mut d| {
                d.pages_touched = d.pages.len() as u64;
                d
            })
            .collect();
        s.transactions = self.sessions.finish();
        s
    }
}

fn summary_error(e: &RecordError) -> SummaryError {
    SummaryError { lgpos: e.lgpos, message: e.to_string() }
}

/// Walks a whole log in memory and summarizes its records.
pub fn summarize(file: &[u8]) -> crate::Result<RecordSummary> {
    let header = crate::log::header::LgFileHeader::decode(file)?;
    let verdict = crate::log::content::verify_log_content(file, &header);
    Ok(summarize_with(file, &header, &verdict))
}

/// [`summarize`] with the header and content verdict the caller already has.
pub fn summarize_with(
    file: &[u8],
    header: &crate::log::header::LgFileHeader,
    verdict: &crate::log::content::ContentVerdict,
) -> RecordSummary {
    let mut walker = crate::log::records::RecordWalker::with_verdict(file, header, verdict);
    let mut sum = Summarizer::new(header.attached.iter().map(|a| (a.dbid, a.path.as_str())));
    while let Some(Ok(rec)) = walker.next_record() {
        sum.add(&rec);
    }
    sum.finish(walker.stop())
}

/// One row of eseutil's DBID table (docs/log-records.md §4.6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IoRow {
    /// `# Page Refs`.
    pub page_refs: u64,
    /// `# Cache Pages`: distinct pages.
    pub cache_pages: u64,
    /// `# Reads`.
    pub reads: u64,
    /// `# Pages Read` (gap pages of a coalesced read included).
    pub pages_read: u64,
    /// `# Writes`.
    pub writes: u64,
    /// `# Pages Written`.
    pub pages_written: u64,
}

impl IoRow {
    fn add(&mut self, o: &IoRow) {
        self.page_refs += o.page_refs;
        self.cache_pages += o.cache_pages;
        self.reads += o.reads;
        self.pages_read += o.pages_read;
        self.writes += o.writes;
        self.pages_written += o.pages_written;
    }
}

/// The I/O-coalescing model of eseutil's DBID table over one database's distinct pages
/// (ascending), with `page_size` bytes per page (docs/log-records.md §4.6). A page referenced both
/// for reading and for writing counts for both: eseutil lets whichever duplicate its unstable
/// sort puts first decide (§7 item 6); esehdr takes the union, which is deterministic.
pub fn io_model(db: &DatabaseRecords, page_size: u64) -> IoRow {
    let mut row = IoRow { page_refs: db.page_references, cache_pages: db.pages.len() as u64, ..IoRow::default() };
    let (mut last_read, mut run_read): (Option<u64>, u64) = (None, 0);
    let (mut last_write, mut run_write): (Option<u64>, u64) = (None, 0);
    for (&pgno, &access) in &db.pages {
        let pgno = u64::from(pgno);
        if access & 1 != 0 {
            match last_read {
                Some(last) if pgno.wrapping_sub(last) == 1 => {
                    if (pgno - run_read + 1) * page_size > COALESCE_MAX {
                        run_read = pgno;
                        row.reads += 1;
                    }
                    row.pages_read += 1;
                }
                Some(last)
                    if (pgno - last - 1) * page_size <= COALESCE_MAX
                        && (pgno - run_read + 1) * page_size <= COALESCE_MAX =>
                {
                    // Near enough: one read over the gap, whose pages are read too.
                    row.pages_read += pgno - last;
                }
                _ => {
                    run_read = pgno;
                    row.reads += 1;
                    row.pages_read += 1;
                }
            }
            last_read = Some(pgno);
        }
        if access & 2 != 0 {
            match last_write {
                Some(last) if pgno.wrapping_sub(last) == 1 => {
                    if (pgno - run_write + 1) * page_size > COALESCE_MAX {
                        run_write = pgno;
                        row.writes += 1;
                    }
                    row.pages_written += 1;
                }
                // Writes are not coalesced over gaps.
                _ => {
                    run_write = pgno;
                    row.writes += 1;
                    row.pages_written += 1;
                }
            }
            last_write = Some(pgno);
        }
    }
    row
}

/// The DBID table: one row per database with at least one reference, and the total row.
pub fn dbid_table(s: &RecordSummary, page_size: u64) -> (Vec<(u8, IoRow)>, IoRow) {
    let mut total = IoRow::default();
    let rows: Vec<(u8, IoRow)> = s
        .databases
        .iter()
        .filter(|d| d.page_references > 0)
        .map(|d| {
            let row = io_model(d, page_size);
            total.add(&row);
            (d.dbid, row)
        })
        .collect();
    (rows, total)
}

impl RecordSummary {
    /// Adds the summary of the next log of the same stream (generation order): counts are
    /// summed, pages united per DBID, events appended, sessions followed across the two logs,
    /// `end` and `error` taken from the later log unless this one already has an error.
    pub fn merge(&mut self, next: &RecordSummary) {
        self.total += next.total;
        self.bytes += next.bytes;
        for (k, v) in &next.by_type {
            *self.by_type.entry(k).or_default() += v;
        }
        for (a, b) in self.per_type.iter_mut().zip(&next.per_type) {
            a.0 += b.0;
            a.1 += b.1;
        }
        self.page_references += next.page_references;
        self.end = next.end;
        if self.error.is_none() {
            self.error.clone_from(&next.error);
        }
        let mut dbs: BTreeMap<u8, DatabaseRecords> = self.databases.drain(..).map(|d| (d.dbid, d)).collect();
        for d in &next.databases {
            let m = dbs.entry(d.dbid).or_insert_with(|| DatabaseRecords { dbid: d.dbid, ..Default::default() });
            if d.path.is_some() {
                m.path.clone_from(&d.path);
            }
            m.page_references += d.page_references;
            for (p, a) in &d.pages {
                *m.pages.entry(*p).or_default() |= a;
            }
            m.pages_touched = m.pages.len() as u64;
            m.dbtime_min = match (m.dbtime_min, d.dbtime_min) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            m.dbtime_max = match (m.dbtime_max, d.dbtime_max) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            m.events.extend(d.events.iter().cloned());
        }
        self.databases = dbs.into_values().collect();
        self.tx_ops.extend(next.tx_ops.iter().copied());
        let mut sessions = Sessions::default();
        for op in &self.tx_ops {
            sessions.apply(*op);
        }
        self.transactions = sessions.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lgpos(isec: u16, ib: u16) -> Lgpos {
        Lgpos { generation: 1, isec, ib }
    }

    #[test]
    fn split_references_follow_the_table() {
        let mut r = vec![0u8; 110];
        r[0] = 62;
        r[3] = 1;
        r[4..8].copy_from_slice(&10u32.to_le_bytes());
        r[32..36].copy_from_slice(&11u32.to_le_bytes()); // pgnoNew
        r[48..52].copy_from_slice(&5u32.to_le_bytes()); // pgnoParent; pgnoRight 0: none
        let mut got = Vec::new();
        let n =
            page_references(&Record::decode_bytes(&r, lgpos(1, 0), 0).unwrap(), |_, p, rd, wr| got.push((p, rd, wr)));
        assert_eq!(got, [(10, true, true), (11, false, true), (5, true, true)]);
        assert_eq!(n, 3);
    }

    #[test]
    fn a_huge_extent_is_counted_but_listed_only_up_to_the_cap() {
        let mut r = vec![0u8; 11];
        r[0] = 100;
        r[1] = 2;
        r[2..6].copy_from_slice(&50u32.to_le_bytes());
        r[6..10].copy_from_slice(&i32::MAX.to_le_bytes());
        let mut listed = 0u64;
        let n = page_references(&Record::decode_bytes(&r, lgpos(1, 0), 0).unwrap(), |d, _, rd, wr| {
            assert_eq!((d, rd, wr), (2, true, false));
            listed += 1;
        });
        assert_eq!((n, listed), (i32::MAX as u64, u64::from(EXTENT_PAGES_MAX)));
        let mut s = Summarizer::new([]);
        s.add_bytes(lgpos(1, 0), &r);
        let sum = s.finish(None);
        assert_eq!(sum.page_references, i32::MAX as u64);
        assert_eq!(sum.databases[0].page_references, i32::MAX as u64);
        assert_eq!(sum.databases[0].pages.len(), EXTENT_PAGES_MAX as usize);
        r[6..10].copy_from_slice(&(-3i32).to_le_bytes());
        assert_eq!(page_references(&Record::decode_bytes(&r, lgpos(1, 0), 0).unwrap(), |_, _, _, _| {}), 0);
    }

    #[test]
    fn sessions_open_commit_and_roll_back() {
        let mut s = Summarizer::new([]);
        // Begin0 of session 5 (from 0, 1 level), trx 0x10; session 6 (from 0, 2 levels).
        s.add_bytes(lgpos(1, 0), &[8, 5, 0, 0x10, 0x10, 0, 0, 0]);
        s.add_bytes(lgpos(1, 8), &[8, 6, 0, 0x20, 0x11, 0, 0, 0]);
        // Session 6 rolls back one level: still open; session 5 commits.
        s.add_bytes(lgpos(1, 16), &[7, 6, 0, 1]);
        s.add_bytes(lgpos(1, 20), &[9, 5, 0, 0, 0x12, 0, 0, 0]);
        // A Rollback of an unknown session is not counted.
        s.add_bytes(lgpos(1, 28), &[7, 9, 0, 1]);
        let sum = s.finish(None);
        assert_eq!((sum.transactions.begun, sum.transactions.committed, sum.transactions.rolled_back), (2, 1, 0));
        assert_eq!(sum.transactions.open_at_end, [OpenTransaction { procid: 6, trx_begin0: 0x11, lgpos: lgpos(1, 8) }]);
        assert_eq!(sum.by_type.get("Begin0"), Some(&2));
        assert_eq!(sum.by_type.get("Rollback"), Some(&2));
    }

    #[test]
    fn reads_coalesce_over_small_gaps_and_writes_only_when_contiguous() {
        let mut db = DatabaseRecords { dbid: 1, page_references: 5, ..Default::default() };
        for (p, a) in [(10u32, 3u8), (11, 3), (14, 3), (1000, 1), (1001, 2)] {
            db.pages.insert(p, a);
        }
        let row = io_model(&db, 4096);
        // Reads: 10-14 one read over the gap (5 pages), 1000 a new one (too far: 985 pages).
        assert_eq!((row.reads, row.pages_read), (2, 6));
        // Writes: 10-11 one, 14 one, 1001 one.
        assert_eq!((row.writes, row.pages_written), (3, 4));
        assert_eq!(row.cache_pages, 5);
    }
}
