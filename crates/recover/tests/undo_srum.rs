//! Undo on a real stream: the Server 2022 SRUM logs (generation 1 of
//! `APTSimulatorVM_SRUM_Clean_Server2022/SRU/SRU00001.log`, the stream that creates its
//! database) replayed with redo's `ApplySink`, the version store fed as redo will feed it, then
//! the end-of-log rollback at a cut point.
//!
//! The oracle is the log itself, not the undo code: a cut inside a transaction that no other
//! session interleaves with must give the same live rows (leaf lines not flagged deleted, per
//! tree, whatever their page and place) as a cut just before that transaction's Begin0 — its
//! work undone, nothing else. The transactions used (eseutil `/ml` of the log, records listed
//! by LGPOS):
//! - trx 0x24, session 5, Begin0 at (1,B,0): three versioned Inserts into objid 6, each at its
//!   own level 2 committed to level 1; cut at (1,B,133), before its Commit0;
//! - trx 0x5c, session 6, Begin0 at (1,D,0): one versioned Insert into objid 7; cut at (1,D,D1);
//! - trx 0x68, session 5, Begin0 at (1,D,DD), open at the end of generation 1: it creates tables
//!   (CreateSingleExtentFDP at (1,D,12F)); a tree's creation makes no version
//!   (docs/page-internals.md §10 F13), so its catalog and data rows are undone and the new trees'
//!   pages stay allocated: the live rows of a cut before its Begin0.
//!
//! Sources: docs/page-internals.md §5.2, docs/log-records.md §5.6; the corpus provenance in
//! ../shared/corpus/PROVENANCE.md (AndrewRathbun-DFIRArtifactMuseum).

use std::collections::BTreeMap;
use std::path::PathBuf;

use esehdr_format::log::header::read_log_header;
use esehdr_format::log::records::{Record, RecordWalker};
use esehdr_format::Lgpos;
use esehdr_recover::driver::{replay, LogItem, LogSource, Redo, Sink, SinkError, Start, Target};
use esehdr_recover::page::{LineFlags, PageView};
use esehdr_recover::redo::ApplySink;
use esehdr_recover::undo::{PageAccess, RollbackOutcome, UndoError, VersionStore};
use esehdr_recover::{ReplayError, Report};

const PAGE: usize = 4096;

fn gen1() -> Option<Vec<u8>> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/corpus/AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022/SRU/SRU00001.log",
    );
    match std::fs::read(&p) {
        Ok(b) => Some(b),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "{}: {e}", p.display());
            eprintln!("note: {} not found; skipped", p.display());
            None
        }
    }
}

fn at(isec: u16, ib: u16) -> Lgpos {
    Lgpos { generation: 1, isec, ib }
}

struct Logs(Option<Vec<u8>>);
impl LogSource for Logs {
    fn next_log(&mut self) -> Option<LogItem> {
        self.0.take().map(|bytes| LogItem::Log { generation: 1, bytes })
    }
}

/// Pages of `ApplySink` offered to the store: a copy of the one page asked for (the store only
/// reads while redo runs).
struct Copy<'s, 'a>(&'s ApplySink<'a>, BTreeMap<u32, Vec<u8>>);
impl PageAccess for Copy<'_, '_> {
    fn page_mut(&mut self, pgno: u32) -> Result<&mut [u8], String> {
        let p = self.0.page(pgno).ok_or_else(|| format!("page {pgno} not touched"))?.to_vec();
        Ok(self.1.entry(pgno).or_insert(p).as_mut_slice())
    }
}

/// Redo's sink with the version store fed before each record is applied: the transaction
/// records (which reach no sink) in log order before the page record that follows them, and
/// every page record (a macro's records included) with the pages as they are before it.
struct Undoing<'a> {
    inner: ApplySink<'a>,
    store: VersionStore,
    /// The transaction records of the log, not yet fed.
    tx: std::vec::IntoIter<(Lgpos, Vec<u8>)>,
    next: Option<(Lgpos, Vec<u8>)>,
    error: Option<UndoError>,
}

impl Undoing<'_> {
    fn feed_tx(&mut self, before: Lgpos) {
        while let Some((lgpos, bytes)) = self.next.take() {
            if lgpos >= before {
                self.next = Some((lgpos, bytes));
                return;
            }
            let rec = Record::decode_bytes(&bytes, lgpos, 0).unwrap();
            if let Err(e) = self.store.record(lgpos, &rec, None) {
                self.error.get_or_insert(e);
            }
            self.next = self.tx.next();
        }
    }
    fn feed_page(&mut self, lgpos: Lgpos, bytes: &[u8]) {
        let rec = Record::decode_bytes(bytes, lgpos, 0).unwrap();
        let mut copy = Copy(&self.inner, BTreeMap::new());
        if let Err(e) = self.store.record(lgpos, &rec, Some(&mut copy)) {
            self.error.get_or_insert(e);
        }
    }
}

impl Sink for Undoing<'_> {
    fn page_dbtime(&mut self, pgno: u32) -> Result<Option<u64>, SinkError> {
        self.inner.page_dbtime(pgno)
    }
    fn redo(&mut self, op: &Redo<'_>) -> Result<(), SinkError> {
        if op.macro_records.is_empty() {
            self.feed_tx(op.lgpos);
            self.feed_page(op.lgpos, op.bytes);
        } else {
            for r in op.macro_records {
                self.feed_tx(r.lgpos);
                self.feed_page(r.lgpos, &r.bytes);
            }
        }
        self.inner.redo(op)
    }
    fn create_database(&mut self, lgpos: Lgpos, record: &[u8]) -> Result<(), SinkError> {
        self.inner.create_database(lgpos, record)
    }
    fn database_record(&mut self, lgpos: Lgpos, record: &Record<'_>) -> Result<(), SinkError> {
        self.inner.database_record(lgpos, record)
    }
    fn observe(&mut self, lgpos: Lgpos, dbtime: u64, objid: u32) {
        self.inner.observe(lgpos, dbtime, objid)
    }
    /// Not passed on: this harness feeds its own store from the log (`feed_tx`, `feed_page`), so
    /// that the store is tested apart from the driver's feed; the end-to-end tests below run
    /// the driver's feed through `recover`.
    fn version(&mut self, _: Lgpos, _: &Record<'_>, _: bool) -> Result<(), SinkError> {
        Ok(())
    }
    fn take_stop(&mut self) -> Option<ReplayError> {
        self.inner.take_stop()
    }
}

/// Replays generation 1 up to `until`, then rolls back what is open there.
/// Returns the report, the pages after redo (before undo), the rollback and the pages after it.
type Recovered = (Report, BTreeMap<u32, Vec<u8>>, Result<RollbackOutcome, UndoError>, BTreeMap<u32, Vec<u8>>);

fn recover_until(log: &[u8], until: Lgpos) -> Recovered {
    let h = read_log_header(log, log.len() as u64).unwrap().header;
    let start = Start {
        lgpos: Lgpos { generation: 1, isec: h.header_sectors.max(1), ib: 0 },
        whole_generation: false,
        attachments: Vec::new(),
        log_signature: h.log_signature,
    };
    let mut tx = Vec::new();
    let mut w = RecordWalker::new(log).unwrap();
    while let Some(r) = w.next_record() {
        let r = r.unwrap();
        if r.lgpos >= until {
            break;
        }
        if matches!(
            Record::decode(&r).unwrap(),
            Record::Begin(_) | Record::Commit(_) | Record::Rollback(_) | Record::Init(_) | Record::Term(_)
        ) {
            tx.push((r.lgpos, r.bytes.to_vec()));
        }
    }
    let mut tx = tx.into_iter();
    let next = tx.next();
    let mut sink = Undoing { inner: ApplySink::new(PAGE, None), store: VersionStore::default(), tx, next, error: None };
    let report = replay(&Target::default(), &start, &mut Logs(Some(log.to_vec())), &mut sink, Some(until)).unwrap();
    assert!(report.error.is_none(), "replay stopped: {:?}", report.error);
    sink.feed_tx(until);
    assert!(sink.error.is_none(), "version store: {:?}", sink.error);
    let Undoing { inner, mut store, .. } = sink;
    let out = inner.into_outcome();
    let redone = out.pages.clone();
    let mut pages = out.pages;
    let rolled = store.rollback_all(&mut pages, out.dbtime_max);
    (report, redone, rolled, pages)
}

/// Live rows per tree: leaf lines not flagged deleted, as (key, data), sorted, from every leaf
/// page outside the space trees.
/// (key, data) rows by objidFDP.
type Rows = BTreeMap<u32, Vec<(Vec<u8>, Vec<u8>)>>;

fn live_rows(pages: &BTreeMap<u32, Vec<u8>>) -> Rows {
    let mut out = Rows::new();
    for page in pages.values() {
        let v = PageView::new(page).unwrap();
        let f = v.flags();
        if f.is_pre_init() || !f.is_leaf() || f.is_space_tree() || f.is_empty() {
            continue;
        }
        let rows = out.entry(v.objid_fdp()).or_default();
        for l in v.lines() {
            let l = l.unwrap();
            if !l.flags.contains(LineFlags::DELETED) {
                rows.push((l.key().to_vec(), l.data.to_vec()));
            }
        }
    }
    for rows in out.values_mut() {
        rows.sort();
    }
    out.retain(|_, r| !r.is_empty());
    out
}

fn undo_equals_cut_before_begin0(begin0: Lgpos, cut: Lgpos, procid: u16, trx: u32, inserts: u64, objid: u32) {
    let Some(log) = gen1() else { return };
    let (before_report, _, before_roll, before_pages) = recover_until(&log, begin0);
    assert_eq!(before_report.rollback.transactions, 0, "no transaction open just before the Begin0");
    assert_eq!(before_roll.unwrap().undone, 0);
    let (report, redone, roll, pages) = recover_until(&log, cut);
    let roll = roll.unwrap();
    // The same counts as the dry run's prediction (report.rollback).
    assert_eq!((roll.transactions, roll.records), (report.rollback.transactions, report.rollback.records));
    assert_eq!(roll.transactions, 1);
    assert_eq!((roll.sessions[0].procid, roll.sessions[0].trx_begin0, roll.sessions[0].lgpos), (procid, trx, begin0));
    assert_eq!(roll.undone, inserts, "one version per versioned Insert of the transaction");
    let before = live_rows(&before_pages);
    let after = live_rows(&pages);
    assert_eq!(after, before, "the transaction's work is undone, nothing else is");
    // Without the undo the rows differ: the transaction inserted its rows into objid `objid`.
    let redone = live_rows(&redone);
    let n = |m: &Rows| m.get(&objid).map_or(0, Vec::len) as u64;
    assert_eq!(n(&redone), n(&before) + inserts);
    assert_eq!(
        redone.iter().filter(|(o, _)| **o != objid).collect::<Vec<_>>(),
        before.iter().filter(|(o, _)| **o != objid).collect::<Vec<_>>()
    );
}

#[test]
fn trx_0x24_undone_equals_cut_before_its_begin0() {
    undo_equals_cut_before_begin0(at(0xB, 0), at(0xB, 0x133), 5, 0x24, 3, 6);
}

#[test]
fn trx_0x5c_undone_equals_cut_before_its_begin0() {
    undo_equals_cut_before_begin0(at(0xD, 0), at(0xD, 0xD1), 6, 0x5c, 1, 7);
}

#[test]
fn trx_0x68_creates_tables_and_its_rows_are_undone() {
    let Some(log) = gen1() else { return };
    let (before_report, _, before_roll, before_pages) = recover_until(&log, at(0xD, 0xDD));
    assert_eq!(before_report.rollback.transactions, 0);
    assert_eq!(before_roll.unwrap().undone, 0);
    // The end of generation 1 (its last macro, which generation 2 completes, stays unapplied).
    let (report, _, roll, pages) = recover_until(&log, at(0xFFFF, 0));
    assert_eq!((report.rollback.transactions, report.rollback.records), (1, 69));
    let roll = roll.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((roll.sessions[0].procid, roll.sessions[0].trx_begin0), (5, 0x68));
    assert_eq!(live_rows(&pages), live_rows(&before_pages), "trx 0x68 undone, nothing else");
}

/// The same through [`esehdr_recover::recover`], the code behind `esehdr recover --until`: the
/// copy written for a cut inside the transaction has the live rows of the copy written for a cut
/// just before its Begin0, also for the transaction that created tables. (The library's own wrapper once dropped the version store's feed, so a copy kept the
/// rows of an open transaction; these tests run the whole path, not the sinks alone.)
fn recover_copy(dir: &std::path::Path, name: &str, until: Lgpos) -> (esehdr_recover::RecoverReport, Option<Rows>) {
    let mut opts = esehdr_recover::RecoverOptions::new(dir.join("logs"), dir.join(name));
    opts.until = Some(until);
    let r = esehdr_recover::recover(&opts).unwrap();
    let rows = r.ok.then(|| {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        // Page pgno is at file offset (pgno + 1) × page size (docs/page-internals.md §1).
        let pages: BTreeMap<u32, Vec<u8>> = bytes
            .chunks_exact(PAGE)
            .enumerate()
            .skip(2)
            .filter(|(_, p)| p.iter().any(|b| *b != 0))
            .map(|(k, p)| (k as u32 - 1, p.to_vec()))
            .collect();
        live_rows(&pages)
    });
    (r, rows)
}

/// A fresh temporary folder with an empty `logs/` in it.
fn e2e_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("esehdr-undo-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    dir
}

fn end_to_end_dir(name: &str, log: &[u8]) -> PathBuf {
    let dir = e2e_dir(name);
    // Generation 1 alone, as the current log.
    std::fs::write(dir.join("logs/SRU.log"), log).unwrap();
    dir
}

#[test]
fn recover_until_inside_a_transaction_writes_the_rows_of_before_its_begin0() {
    let Some(log) = gen1() else { return };
    for (name, begin0, cut, trx, objid) in
        [("0x24", at(0xB, 0), at(0xB, 0x133), 0x24u32, 6u32), ("0x5c", at(0xD, 0), at(0xD, 0xD1), 0x5c, 7)]
    {
        let dir = end_to_end_dir(name, &log);
        let (before_r, before) = recover_copy(&dir, "before.dat", begin0);
        let (cut_r, after) = recover_copy(&dir, "cut.dat", cut);
        assert!(before_r.ok && cut_r.ok, "trx {trx:#x}: {:?} {:?}", before_r.error, cut_r.error);
        assert_eq!(cut_r.rollback.transactions, 1, "trx {trx:#x} is open at the cut");
        let (before, after) = (before.unwrap(), after.unwrap());
        assert_eq!(
            after, before,
            "trx {trx:#x}: its work (rows of objid {objid}) is undone in the copy, nothing else is"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn recover_to_the_end_of_generation_1_rolls_back_the_table_creating_transaction() {
    let Some(log) = gen1() else { return };
    let dir = end_to_end_dir("0x68", &log);
    let (before_r, before) = recover_copy(&dir, "before.dat", at(0xD, 0xDD));
    let (r, rows) = recover_copy(&dir, "end.dat", at(0xFFFF, 0));
    assert!(before_r.ok && r.ok, "{:?} {:?}", before_r.error, r.error);
    assert_eq!((r.rollback.transactions, r.rollback.records), (1, 69));
    assert_eq!(rows.unwrap(), before.unwrap(), "trx 0x68 undone in the copy, nothing else");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Generations 1-5 of the Server 2022 stream (generation 2 from the second snapshot's recycled
/// `SRUtmp.log`, as in `recreate.rs`), copied into a log folder.
fn generations_1_5_dir(name: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM");
    let (first, later) = (
        root.join("APTSimulatorVM_SRUM_Clean_Server2022/SRU"),
        root.join("APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU"),
    );
    if !first.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "{} is missing", first.display());
        return None;
    }
    let dir = e2e_dir(name);
    std::fs::copy(first.join("SRU00001.log"), dir.join("logs/SRU00001.log")).unwrap();
    std::fs::copy(later.join("SRUtmp.log"), dir.join("logs/SRU00002.log")).unwrap();
    for n in ["SRU00003.log", "SRU00004.log", "SRU.log"] {
        std::fs::copy(later.join(n), dir.join("logs").join(n)).unwrap();
    }
    Some(dir)
}

/// Trx 0x84 (session 7, Begin0 at (4,9,250)) is still open at the end of generation 4 with 192
/// page records, among them a ConvertFDP at (4,A,E82): its table grew from one extent into
/// space trees. A space change is never rolled back (no version operation exists for it), so
/// recovery to (5,1,0) undoes the transaction's data changes, keeps the converted space, and
/// gives the live rows of a recovery to its Begin0 (no other transaction commits in between).
#[test]
fn a_transaction_that_converted_its_tables_space_is_rolled_back_keeping_the_space() {
    let Some(dir) = generations_1_5_dir("0x84") else { return };
    let (before_r, before) = recover_copy(&dir, "before.dat", Lgpos { generation: 4, isec: 9, ib: 0x250 });
    let (cut_r, after) = recover_copy(&dir, "cut.dat", Lgpos { generation: 5, isec: 1, ib: 0 });
    assert!(before_r.ok && cut_r.ok, "{:?} {:?}", before_r.error, cut_r.error);
    assert_eq!((before_r.rollback.transactions, cut_r.rollback.transactions), (0, 1));
    assert_eq!(cut_r.rollback.records, 192);
    assert!(cut_r.applied.by_type.contains_key("Convert"), "{:?}", cut_r.applied.by_type);
    assert_eq!(after.unwrap(), before.unwrap(), "trx 0x84 undone, nothing else");
    let _ = std::fs::remove_dir_all(&dir);
}
