//! Undo: the version store fed as redo would feed it, the physical undo actions on hand-built
//! pages, Undo records met during redo, the end-of-log rollback, refusals; and a model-based
//! test (random operations in random, nested, interleaved transactions on a page and on a plain
//! map of live rows, committed, rolled back with logged compensations, rolled back without
//! them, or left open for the end-of-log rollback; compared after every step).
//!
//! The expected live rows never come from the undo code: they are the rows as they were before
//! the transaction (hand tests), or the committed operations replayed on a `BTreeMap` (model).
//!
//! Sources: docs/page-internals.md §5, §2.4; docs/log-records.md §3.10, §3.15, §5.6.

use std::collections::BTreeMap;

use esehdr_format::log::records::decode::{
    Begin, Commit, Delta, Fdp, FlagInsert, Hex, Insert, NodeHeader, NodeOnly, PageHeader, Replace, Rollback, Undo,
    UndoInfo,
};
use esehdr_format::log::records::Record;
use esehdr_format::Lgpos;
use esehdr_recover::page::{check_page, LineFlags, Node, PageBuilder, PageFlags, PageMut, PageView};
use esehdr_recover::undo::{
    Effect, Limits, PageAccess, UndoAction, UndoError, VersionStore, OPER_DELTA, OPER_FLAG_DELETE, OPER_INSERT,
    OPER_REPLACE,
};
use proptest::prelude::*;

const PS: usize = 4096;
const PGNO: u32 = 5;
const OBJID: u32 = 7;
const DBID: u8 = 1;
/// `m_fLRPageFlags`: Versioned | Unique.
const VERSIONED_UNIQUE: u8 = 0x05;

/// A 16-byte `SPACE_HEADER` for the external header of an FDP root (docs/page-internals.md §2.5).
const SPACE_HEADER: [u8; 16] = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

fn root_leaf(pgno: u32, rows: &[(&[u8], &[u8])]) -> Vec<u8> {
    let flags = PageFlags(PageFlags::ROOT | PageFlags::LEAF | PageFlags::NEW_RECORD_FORMAT);
    let mut page =
        PageBuilder::new(PS).unwrap().pgno(pgno).objid_fdp(OBJID).dbtime(100).consumed(flags, &SPACE_HEADER).unwrap();
    let mut p = PageMut::new(&mut page).unwrap();
    for (i, (k, d)) in rows.iter().enumerate() {
        p.insert(i, &Node { flags: LineFlags::NONE, key: k, cb_prefix: 0, data: d }).unwrap();
    }
    page
}

/// The live rows (lines not flagged deleted) of a page, in line order, whatever their place.
fn live(page: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let v = PageView::new(page).unwrap();
    v.lines()
        .map(|l| l.unwrap())
        .filter(|l| !l.flags.contains(LineFlags::DELETED))
        .map(|l| (l.key().to_vec(), l.data.to_vec()))
        .collect()
}

fn rows(r: &[(&[u8], &[u8])]) -> Vec<(Vec<u8>, Vec<u8>)> {
    r.iter().map(|(k, d)| (k.to_vec(), d.to_vec())).collect()
}

/// The records of a tiny "redo": every record goes to the store first (before the page
/// changes), then its page operation is applied with the page model, as redo's ApplySink does.
struct World {
    pages: BTreeMap<u32, Vec<u8>>,
    store: VersionStore,
    rceid: u32,
    dbtime: u64,
    isec: u16,
}

impl World {
    fn new(rows: &[(&[u8], &[u8])]) -> Self {
        let mut pages = BTreeMap::new();
        pages.insert(PGNO, root_leaf(PGNO, rows));
        World { pages, store: VersionStore::new(Limits::default()), rceid: 0x100, dbtime: 100, isec: 1 }
    }
    fn at(&mut self) -> Lgpos {
        self.isec += 1;
        Lgpos { generation: 1, isec: self.isec, ib: 0 }
    }
    fn page(&self) -> &[u8] {
        &self.pages[&PGNO]
    }
    fn live(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        live(self.page())
    }
    fn iline_of(&self, key: &[u8]) -> Option<usize> {
        let v = PageView::new(self.page()).unwrap();
        let i = v.lines().map(|l| l.unwrap()).find(|l| l.key().to_vec() == key).map(|l| l.iline);
        i
    }
    /// Where a new key goes (the first line with a greater key).
    fn slot(&self, key: &[u8]) -> usize {
        let v = PageView::new(self.page()).unwrap();
        v.lines().map(|l| l.unwrap()).filter(|l| l.key().to_vec().as_slice() < key).count()
    }
    fn head(&mut self, procid: u16, level: u8, iline: usize, flags: u8) -> NodeHeader {
        self.rceid += 1;
        self.dbtime += 1;
        NodeHeader {
            page: PageHeader {
                procid,
                dbid: DBID,
                pgno: PGNO,
                dbtime: self.dbtime,
                dbtime_before: self.dbtime - 1,
                trx_begin0: 0x60 + u32::from(procid),
                level,
                iline: iline as u16,
                flags,
            },
            rceid: self.rceid,
            pgno_fdp: PGNO,
            objid_fdp: OBJID,
        }
    }
    fn tx(&mut self, rec: Record<'_>, with_pages: bool) -> Effect {
        let at = self.at();
        let pages: Option<&mut dyn PageAccess> = if with_pages { Some(&mut self.pages) } else { None };
        self.store.transaction(at, &rec, pages).unwrap()
    }
    fn begin0(&mut self, procid: u16) {
        let b = Begin { procid, level_begin_from: 0, clevels_to_begin: 1, trx_begin0: Some(0x60 + u32::from(procid)) };
        self.tx(Record::Begin(b), false);
    }
    fn begin(&mut self, procid: u16, from: u8) {
        self.tx(Record::Begin(Begin { procid, level_begin_from: from, clevels_to_begin: 1, trx_begin0: None }), false);
    }
    fn commit(&mut self, procid: u16, to: u8) {
        let trx_commit0 = if to == 0 { Some(0x99) } else { None };
        self.tx(Record::Commit(Commit { procid, level_commit_to: to, trx_commit0 }), false);
    }
    fn rollback(&mut self, procid: u16, levels: u8, with_pages: bool) -> Effect {
        self.tx(Record::Rollback(Rollback { procid, level_rollback: levels }), with_pages)
    }
    /// Feeds `rec` to the store (redone when `redo`), then applies `apply` to the page.
    fn record(&mut self, rec: &Record<'_>, redo: bool, apply: impl FnOnce(&mut PageMut<'_>)) -> Effect {
        let at = self.at();
        let pages: Option<&mut dyn PageAccess> = if redo { Some(&mut self.pages) } else { None };
        let e = self.store.page_record(at, rec, pages).unwrap();
        if redo {
            let dbtime = self.dbtime;
            let page = self.pages.get_mut(&PGNO).unwrap();
            let mut p = PageMut::new(page).unwrap();
            apply(&mut p);
            p.stamp_dbtime(dbtime);
            assert_eq!(check_page(&p.view()), vec![], "page checker after {rec:?}");
        }
        e
    }
    fn insert(&mut self, procid: u16, level: u8, key: &[u8], data: &[u8]) -> u32 {
        let iline = self.slot(key);
        let node = self.head(procid, level, iline, VERSIONED_UNIQUE);
        let rec = Record::Insert(Insert { node, key_prefix: Hex(&[]), key_suffix: Hex(key), data: Hex(data) });
        self.record(&rec, true, |p| {
            p.insert(iline, &Node { flags: LineFlags::VERSION, key, cb_prefix: 0, data }).unwrap();
        });
        node.rceid
    }
    fn replace(&mut self, procid: u16, level: u8, key: &[u8], data: &[u8], redo: bool) -> u32 {
        let iline = self.iline_of(key).unwrap();
        let node = self.head(procid, level, iline, VERSIONED_UNIQUE);
        let old_size = 0;
        let rec =
            Record::Replace(Replace { node, diff2: false, old_size, new_size: data.len() as u16, data: Hex(data) });
        self.record(&rec, redo, |p| {
            p.replace_data(iline, data).unwrap();
            p.set_line_flags(iline, LineFlags::VERSION).unwrap();
        });
        node.rceid
    }
    fn flag_delete(&mut self, procid: u16, level: u8, key: &[u8], redo: bool) -> u32 {
        let iline = self.iline_of(key).unwrap();
        let node = self.head(procid, level, iline, VERSIONED_UNIQUE);
        self.record(&Record::FlagDelete(NodeOnly { node }), redo, |p| {
            p.set_line_flags(iline, LineFlags::DELETED.union(LineFlags::VERSION)).unwrap();
        });
        node.rceid
    }
    /// FlagInsertAndReplaceData on a flag-deleted line: returns (rceid, rceidReplace).
    fn fiard(&mut self, procid: u16, level: u8, key: &[u8], data: &[u8]) -> (u32, u32) {
        let iline = self.iline_of(key).unwrap();
        let node = self.head(procid, level, iline, VERSIONED_UNIQUE);
        self.rceid += 1;
        let r2 = self.rceid;
        let rec = Record::FlagInsertAndReplaceData(FlagInsert {
            node,
            rceid_replace: Some(r2),
            key: Hex(key),
            data: Hex(data),
        });
        self.record(&rec, true, |p| {
            p.replace_data(iline, data).unwrap();
            p.clear_line_flags(iline, LineFlags::DELETED).unwrap();
            p.set_line_flags(iline, LineFlags::VERSION).unwrap();
        });
        (node.rceid, r2)
    }
    fn delta(&mut self, procid: u16, level: u8, key: &[u8], delta: i32) -> u32 {
        let iline = self.iline_of(key).unwrap();
        let node = self.head(procid, level, iline, VERSIONED_UNIQUE);
        let rec = Record::Delta(Delta {
            node,
            delta: i64::from(delta),
            offset: 0,
            bookmark_key: Hex(key),
            bookmark_data: Hex(&[]),
        });
        self.record(&rec, true, |p| {
            p.delta_i32(iline, 0, delta).unwrap();
            p.set_line_flags(iline, LineFlags::VERSION).unwrap();
        });
        node.rceid
    }
    /// The compensation a do-time rollback logs for version `rceid` (`ErrLGUndo`).
    fn undo(&mut self, procid: u16, level: u8, rceid: u32, oper: u16, key: &[u8], redo: bool) -> Effect {
        let iline = self.iline_of(key).unwrap();
        let mut node = self.head(procid, level, iline, VERSIONED_UNIQUE);
        node.rceid = rceid;
        let rec = Record::Undo(Undo { node, oper, undo_level: level, bookmark_key: Hex(key), bookmark_data: Hex(&[]) });
        // The store applies the physical undo itself; redo only stamps the page.
        self.record(&rec, redo, |_| {})
    }
    fn undo_info(&mut self, procid: u16, level: u8, rceid: u32, oper: u16, key: &[u8], before: &[u8]) -> Effect {
        let iline = self.iline_of(key).unwrap();
        let mut node = self.head(procid, level, iline, VERSIONED_UNIQUE);
        node.rceid = rceid;
        let rec = Record::UndoInfo(UndoInfo {
            node,
            oper,
            cb_max_size: before.len() as i16,
            cb_delta: 0,
            bookmark_key: Hex(key),
            bookmark_data: Hex(&[]),
            data: Hex(before),
        });
        self.record(&rec, false, |_| {})
    }
    fn rollback_all(&mut self) -> Result<esehdr_recover::undo::RollbackOutcome, UndoError> {
        let dbtime = self.dbtime;
        let r = self.store.rollback_all(&mut self.pages, dbtime);
        for (pgno, page) in &self.pages {
            assert_eq!(check_page(&PageView::new(page).unwrap()), vec![], "page {pgno} after rollback");
        }
        r
    }
}

const ROWS: &[(&[u8], &[u8])] = &[(b"k1", b"\x01\0\0\0one"), (b"k3", b"\x03\0\0\0three"), (b"k5", b"\x05\0\0\0five")];

#[test]
fn open_transaction_is_rolled_back_to_the_live_rows() {
    let mut w = World::new(ROWS);
    let before = w.live();
    w.begin0(5);
    w.insert(5, 1, b"k2", b"\x02\0\0\0two");
    w.replace(5, 1, b"k3", b"\x03\0\0\0THREE, longer than before", true);
    w.delta(5, 1, b"k1", 41);
    w.flag_delete(5, 1, b"k5", true);
    w.delta(5, 1, b"k3", -7);
    assert_ne!(w.live(), before);
    assert_eq!(w.store.rces(5).count(), 5);
    let dbtime = w.dbtime;
    let out = w.rollback_all().unwrap();
    assert_eq!(w.live(), before, "the transaction's work is undone, the rows are as before it");
    assert_eq!((out.transactions, out.records, out.undone), (1, 5, 5));
    assert_eq!(out.pages.iter().copied().collect::<Vec<_>>(), vec![PGNO]);
    assert_eq!(out.dbtime_max, dbtime + 5, "one new dbtime per undo step (§5.2)");
    assert_eq!(PageView::new(w.page()).unwrap().dbtime_dirtied(), dbtime + 5);
    // The inserted node stays, flag-deleted (cleanup would remove it); fNDVersion stays (§10 F10).
    let v = PageView::new(w.page()).unwrap();
    let k2 = v.line(1).unwrap();
    assert_eq!((k2.key().to_vec(), k2.flags), (b"k2".to_vec(), LineFlags::DELETED.union(LineFlags::VERSION)));
    assert_eq!(w.store.bytes(), 0);
}

#[test]
fn committed_transaction_is_not_undone() {
    let mut w = World::new(ROWS);
    w.begin0(5);
    w.insert(5, 1, b"k2", b"\x02\0\0\0two");
    w.replace(5, 1, b"k3", b"\x03\0\0\0new", true);
    w.flag_delete(5, 1, b"k5", true);
    w.commit(5, 0);
    let after = w.live();
    let bytes = w.page().to_vec();
    let out = w.rollback_all().unwrap();
    assert_eq!((out.transactions, out.records, out.undone), (0, 0, 0));
    assert_eq!(w.page(), bytes.as_slice(), "nothing undone, not a byte changed");
    assert_eq!(after, rows(&[(b"k1", b"\x01\0\0\0one"), (b"k2", b"\x02\0\0\0two"), (b"k3", b"\x03\0\0\0new")]));
}

#[test]
fn nested_levels_commit_to_the_level_below_and_roll_back_one_level() {
    let mut w = World::new(ROWS);
    w.begin0(5);
    w.insert(5, 1, b"k2", b"\x02\0\0\0two");
    w.begin(5, 1);
    w.replace(5, 2, b"k1", b"\x01\0\0\0level two", true);
    // Rollback of level 2 with its compensation logged (the do-time rollback): the Undo record.
    let r = w.store.rces(5).last().unwrap().rceid;
    assert!(matches!(w.undo(5, 2, r, OPER_REPLACE, b"k1", true), Effect::UndoApplied { .. }));
    assert!(matches!(w.rollback(5, 1, true), Effect::Released { released: 0, undone: 0 }));
    assert_eq!(w.store.level(5), 1);
    assert_eq!(
        w.live(),
        rows(&[
            (b"k1", b"\x01\0\0\0one"),
            (b"k2", b"\x02\0\0\0two"),
            (b"k3", b"\x03\0\0\0three"),
            (b"k5", b"\x05\0\0\0five")
        ])
    );
    // Level 2 again, committed into level 1: its version now belongs to level 1.
    w.begin(5, 1);
    w.flag_delete(5, 2, b"k3", true);
    w.commit(5, 1);
    assert!(w.store.rces(5).all(|r| r.level == 1));
    // Level 2 rolled back without a logged compensation: the store undoes what is left (ErrVERRollback).
    w.begin(5, 1);
    w.delta(5, 2, b"k5", 9);
    assert!(matches!(w.rollback(5, 1, true), Effect::Released { released: 1, undone: 1 }));
    assert_eq!(w.live(), rows(&[(b"k1", b"\x01\0\0\0one"), (b"k2", b"\x02\0\0\0two"), (b"k5", b"\x05\0\0\0five")]));
    // The end: level 1 (the insert and the committed-to-1 flag-delete) is rolled back.
    let out = w.rollback_all().unwrap();
    assert_eq!((out.transactions, out.undone), (1, 2));
    assert_eq!(w.live(), rows(ROWS));
}

#[test]
fn deferred_replace_is_filled_by_undo_info() {
    // The page already holds the replace (flushed after it): the RCE waits for UndoInfo.
    let mut w = World::new(&[(b"k1", b"\x01\0\0\0one"), (b"k3", b"\x03\0\0\0NEW")]);
    w.begin0(5);
    let r = w.replace(5, 1, b"k3", b"\x03\0\0\0NEW", false);
    assert_eq!(w.store.deferred(5), vec![r]);
    let f = w.flag_delete(5, 1, b"k1", false);
    assert_eq!(w.store.deferred(5), vec![r, f]);
    // Without the UndoInfo the rollback refuses before touching a page.
    let bytes = w.page().to_vec();
    let mut w2 = World { pages: w.pages.clone(), store: VersionStore::default(), ..World::new(&[]) };
    w2.begin0(5);
    w2.replace(5, 1, b"k3", b"\x03\0\0\0NEW", false);
    match w2.rollback_all() {
        Err(UndoError::NoBeforeImage { record: "Replace", procid: 5, .. }) => {}
        other => panic!("expected NoBeforeImage, got {other:?}"),
    }
    assert_eq!(w2.page(), bytes.as_slice());
    // The UndoInfo records the buffer manager logged before flushing.
    assert_eq!(w.undo_info(5, 1, r, OPER_REPLACE, b"k3", b"\x03\0\0\0three"), Effect::Filled(r));
    // k1 is not flag-deleted on our page: write the flag so the page matches "already on disk".
    let i = w.iline_of(b"k1").unwrap();
    PageMut::new(w.pages.get_mut(&PGNO).unwrap()).unwrap().set_line_flags(i, LineFlags::DELETED).unwrap();
    assert_eq!(w.undo_info(5, 1, f, OPER_FLAG_DELETE, b"k1", b""), Effect::Filled(f));
    assert!(w.store.deferred(5).is_empty());
    let rce = w.store.rces(5).find(|x| x.rceid == r).unwrap();
    assert_eq!((rce.record, rce.pgno), ("Replace", PGNO), "the deferred RCE names the Replace, not the UndoInfo");
    w.rollback_all().unwrap();
    assert_eq!(w.live(), rows(&[(b"k1", b"\x01\0\0\0one"), (b"k3", b"\x03\0\0\0three")]));
}

#[test]
fn undo_record_already_on_disk_only_removes_its_version() {
    let mut w = World::new(ROWS);
    w.begin0(5);
    let r = w.insert(5, 1, b"k4", b"\x04\0\0\0four");
    // The page was flushed after the do-time undo: set the flag as it would be on disk.
    let i = w.iline_of(b"k4").unwrap();
    PageMut::new(w.pages.get_mut(&PGNO).unwrap()).unwrap().set_line_flags(i, LineFlags::DELETED).unwrap();
    let bytes = w.page().to_vec();
    assert_eq!(w.undo(5, 1, r, OPER_INSERT, b"k4", false), Effect::UndoDropped(r));
    assert_eq!(w.page(), bytes.as_slice());
    assert_eq!(w.store.rces(5).count(), 0);
    let out = w.rollback_all().unwrap();
    assert_eq!((out.transactions, out.records, out.undone), (1, 2, 0));
    assert_eq!(w.page(), bytes.as_slice());
}

#[test]
fn fiard_undo_restores_data_and_deletes_again() {
    let mut w = World::new(ROWS);
    w.begin0(5);
    w.flag_delete(5, 1, b"k3", true);
    w.commit(5, 0);
    let committed = w.live();
    w.begin0(6);
    w.fiard(6, 1, b"k3", b"\x03\0\0\0reborn");
    assert_eq!(w.store.rces(6).count(), 2, "an insert RCE and a replace RCE");
    assert!(w.live().iter().any(|(k, d)| k == b"k3" && d == b"\x03\0\0\0reborn"));
    w.rollback_all().unwrap();
    assert_eq!(w.live(), committed);
    let v = PageView::new(w.page()).unwrap();
    assert_eq!(v.line(w.iline_of(b"k3").unwrap()).unwrap().data, b"\x03\0\0\0three", "the before-image is back");
}

#[test]
/// A tree created inside the transaction makes no version (docs/page-internals.md §10 F13):
/// rolling the transaction back undoes its insert and leaves the new tree's space as it is.
fn tree_creation_in_an_open_transaction_makes_no_version() {
    let mut w = World::new(ROWS);
    w.begin0(5);
    w.insert(5, 1, b"k2", b"\x02\0\0\0two");
    let page = PageHeader {
        procid: 5,
        dbid: DBID,
        pgno: 40,
        dbtime: 300,
        dbtime_before: 0,
        trx_begin0: 0x65,
        level: 1,
        iline: 0,
        flags: 0,
    };
    let fdp = Fdp {
        page,
        objid_fdp: 30,
        pgno_oe: None,
        pgno_ae: None,
        pgno_fdp_parent: 1,
        pgno_secondary_first: None,
        cpg_primary: 1,
        cpg_secondary: None,
        page_flags: Some(0),
        rgbit_avail: None,
        cpage_flags: None,
    };
    let at = w.at();
    assert_eq!(w.store.page_record(at, &Record::CreateSingleExtentFdp(fdp), None).unwrap(), Effect::Noted);
    let o = w.rollback_all().unwrap();
    assert_eq!((o.transactions, o.undone), (1, 1), "the insert of k2 is undone, nothing else");
}

#[test]
fn undo_of_a_ddl_operation_is_refused() {
    let mut w = World::new(ROWS);
    w.begin0(5);
    let r = w.insert(5, 1, b"k2", b"\x02\0\0\0two");
    let iline = w.iline_of(b"k2").unwrap();
    let mut node = w.head(5, 1, iline, VERSIONED_UNIQUE);
    node.rceid = r;
    let rec =
        Record::Undo(Undo { node, oper: 0x100, undo_level: 1, bookmark_key: Hex(b"k2"), bookmark_data: Hex(&[]) });
    let at = w.at();
    let e = w.store.page_record(at, &rec, Some(&mut w.pages)).unwrap_err();
    assert!(matches!(e, UndoError::Refused { record: "Undo", .. }), "{e:?}");
    assert!(e.to_string().contains("0x100 (a DDL operation"), "{e}");
}

#[test]
fn a_rejected_action_leaves_the_page_unchanged() {
    // A before-image that cannot fit: the page model refuses, not a byte written.
    let mut page = root_leaf(PGNO, &[(b"a", b"x")]);
    let mut filler = 0u8;
    loop {
        let mut p = PageMut::new(&mut page).unwrap();
        let key = [b'b', filler];
        if p.insert(usize::from(filler) + 1, &Node { flags: LineFlags::NONE, key: &key, cb_prefix: 0, data: &[0; 200] })
            .is_err()
        {
            break;
        }
        filler += 1;
    }
    let before = page.clone();
    let huge = vec![7u8; 1000];
    let mut p = PageMut::new(&mut page).unwrap();
    assert!(UndoAction::RestoreData(&huge).apply(&mut p, 0).is_err());
    assert!(UndoAction::ClearDeleted.apply(&mut p, 99).is_err());
    assert!(UndoAction::Delta32 { offset: 0, delta: 1 }.apply(&mut p, 0).is_err(), "1-byte data has no i32 at 0");
    assert_eq!(page, before);
}

#[test]
fn version_store_is_bounded() {
    let mut w = World::new(ROWS);
    w.store = VersionStore::new(Limits { max_bytes: 300 });
    w.begin0(5);
    w.insert(5, 1, b"k2", b"\x02\0\0\0two");
    let iline = w.slot(b"k4");
    let node = w.head(5, 1, iline, VERSIONED_UNIQUE);
    let big = vec![9u8; 400];
    let rec = Record::Insert(Insert { node, key_prefix: Hex(&[]), key_suffix: Hex(&big), data: Hex(b"d") });
    let at = w.at();
    match w.store.page_record(at, &rec, Some(&mut w.pages)) {
        Err(UndoError::VersionStoreFull { limit: 300, .. }) => {}
        other => panic!("expected VersionStoreFull, got {other:?}"),
    }
}

// ------------------------------------------------------------------ bookmark search after a split

/// A two-level tree: root 10 (internal: {"m" → 11}, {null → 12}), leaves 11 (keys < "m") and
/// 12 (keys ≥ "m").
fn two_level() -> BTreeMap<u32, Vec<u8>> {
    let mut pages = BTreeMap::new();
    let root_flags = PageFlags(PageFlags::ROOT | PageFlags::PARENT_OF_LEAF | PageFlags::NEW_RECORD_FORMAT);
    let mut root = PageBuilder::new(PS)
        .unwrap()
        .pgno(10)
        .objid_fdp(OBJID)
        .dbtime(100)
        .consumed(root_flags, &SPACE_HEADER)
        .unwrap();
    {
        let mut p = PageMut::new(&mut root).unwrap();
        p.insert(0, &Node { flags: LineFlags::NONE, key: b"m", cb_prefix: 0, data: &11u32.to_le_bytes() }).unwrap();
        p.insert(1, &Node { flags: LineFlags::NONE, key: b"", cb_prefix: 0, data: &12u32.to_le_bytes() }).unwrap();
    }
    let leaf_flags = PageFlags(PageFlags::LEAF | PageFlags::NEW_RECORD_FORMAT);
    let mut l11 =
        PageBuilder::new(PS).unwrap().pgno(11).objid_fdp(OBJID).dbtime(100).consumed(leaf_flags, b"").unwrap();
    let mut l12 = l11.clone();
    {
        let mut p = PageMut::new(&mut l11).unwrap();
        p.insert(0, &Node { flags: LineFlags::NONE, key: b"c", cb_prefix: 0, data: b"C" }).unwrap();
        p.set_pgno_next(12);
        let mut p = PageMut::new(&mut l12).unwrap();
        for (i, k) in [&b"m"[..], b"p", b"x"].iter().enumerate() {
            p.insert(i, &Node { flags: LineFlags::VERSION, key: k, cb_prefix: 0, data: b"V" }).unwrap();
        }
        p.set_pgno_prev(11);
    }
    pages.insert(10, root);
    pages.insert(11, l11);
    pages.insert(12, l12);
    pages
}

#[test]
fn node_moved_by_a_split_is_found_from_the_fdp_root() {
    let mut pages = two_level();
    let tree = esehdr_recover::undo::Tree { pgno_fdp: 10, objid_fdp: OBJID };
    let bm = |k: &[u8]| esehdr_recover::undo::Bookmark { key: k.to_vec(), data: vec![] };
    // Hint page 11 (where the insert was logged) no longer holds "p": the separators lead to 12.
    assert_eq!(esehdr_recover::undo::locate(&mut pages, tree, &bm(b"p"), Some(11)).unwrap(), Ok((12, 1)));
    assert_eq!(
        esehdr_recover::undo::locate(&mut pages, tree, &bm(b"m"), None).unwrap(),
        Ok((12, 0)),
        "S = K goes right"
    );
    assert_eq!(esehdr_recover::undo::locate(&mut pages, tree, &bm(b"c"), Some(12)).unwrap(), Ok((11, 0)));
    assert!(esehdr_recover::undo::locate(&mut pages, tree, &bm(b"q"), Some(11)).unwrap().is_err());
    // The whole path: an Insert logged on page 11, then a split moved it; the rollback finds it.
    let mut store = VersionStore::default();
    let at = |isec| Lgpos { generation: 1, isec, ib: 0 };
    store
        .transaction(
            at(2),
            &Record::Begin(Begin { procid: 9, level_begin_from: 0, clevels_to_begin: 1, trx_begin0: Some(1) }),
            None,
        )
        .unwrap();
    let node = NodeHeader {
        page: PageHeader {
            procid: 9,
            dbid: DBID,
            pgno: 11,
            dbtime: 90,
            dbtime_before: 89,
            trx_begin0: 1,
            level: 1,
            iline: 1,
            flags: VERSIONED_UNIQUE,
        },
        rceid: 77,
        pgno_fdp: 10,
        objid_fdp: OBJID,
    };
    let rec = Record::Insert(Insert { node, key_prefix: Hex(&[]), key_suffix: Hex(b"p"), data: Hex(b"V") });
    assert_eq!(
        store.page_record(at(3), &rec, None).unwrap(),
        Effect::Versioned(1),
        "an insert RCE even when not redone"
    );
    let out = store.rollback_all(&mut pages, 500).unwrap();
    assert_eq!(out.pages.into_iter().collect::<Vec<_>>(), vec![12]);
    let v = PageView::new(&pages[&12]).unwrap();
    assert!(v.line(1).unwrap().flags.contains(LineFlags::DELETED));
    assert_eq!(v.dbtime_dirtied(), 501);
    // A node that is nowhere: a clear error naming the record.
    let mut store = VersionStore::default();
    store
        .transaction(
            at(2),
            &Record::Begin(Begin { procid: 9, level_begin_from: 0, clevels_to_begin: 1, trx_begin0: Some(1) }),
            None,
        )
        .unwrap();
    let rec = Record::Insert(Insert { node, key_prefix: Hex(&[]), key_suffix: Hex(b"zz"), data: Hex(b"V") });
    store.page_record(at(3), &rec, None).unwrap();
    let e = store.rollback_all(&mut pages, 600).unwrap_err();
    assert!(matches!(e, UndoError::NodeNotFound { record: "Insert", pgno_fdp: 10, pgno_hint: 11, .. }), "{e:?}");
}

// ----------------------------------------------------------------------------- model-based test

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    /// An operation by session `s` (begins its transaction if needed): `kind` picks insert,
    /// replace, flag-delete, FlagInsertAndReplaceData, delta; `pick` the row; `data` the bytes.
    Op { s: u8, kind: u8, pick: u8, data: Vec<u8>, delta: i32 },
    /// Session `s` opens one more level.
    Nest { s: u8 },
    /// Session `s` ends its top level: 0 commit, 1 rollback with logged compensations
    /// (Undo records), 2 rollback without them.
    End { s: u8, how: u8 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0u8..2, 0u8..5, any::<u8>(), proptest::collection::vec(any::<u8>(), 4..24), any::<i32>())
            .prop_map(|(s, kind, pick, data, delta)| Step::Op { s, kind, pick, data, delta }),
        1 => (0u8..2).prop_map(|s| Step::Nest { s }),
        2 => (0u8..2, 0u8..3).prop_map(|(s, how)| Step::End { s, how }),
    ]
}

/// A row change, kept by the model per session and level.
#[derive(Debug, Clone)]
enum Change {
    Put(Vec<u8>, Vec<u8>),
    Del(Vec<u8>),
}

/// Versions made per level, for the logged compensations: (rceid, oper, key).
type Versions = Vec<Vec<(u32, u16, Vec<u8>)>>;

/// The model: committed rows, and each session's uncommitted changes per level.
#[derive(Debug, Default)]
struct Model {
    committed: BTreeMap<Vec<u8>, Vec<u8>>,
    levels: [Vec<Vec<Change>>; 2],
    /// Versions made by each session per level, for its logged compensations: (rceid, oper, key).
    versions: [Versions; 2],
}

impl Model {
    fn apply(rows: &mut BTreeMap<Vec<u8>, Vec<u8>>, c: &Change) {
        match c {
            Change::Put(k, d) => {
                rows.insert(k.clone(), d.clone());
            }
            Change::Del(k) => {
                rows.remove(k);
            }
        }
    }
    fn current(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let mut rows = self.committed.clone();
        for s in &self.levels {
            for c in s.iter().flatten() {
                Model::apply(&mut rows, c);
            }
        }
        rows
    }
}

fn run(steps: &[Step]) {
    let mut w = World::new(&[]);
    let mut m = Model::default();
    // Session s owns the keys starting with byte s (no write conflicts, as the engine ensures).
    for st in steps {
        match st {
            Step::Op { s, kind, pick, data, delta } => {
                let (si, procid) = (usize::from(*s), u16::from(*s) + 5);
                if m.levels[si].is_empty() {
                    w.begin0(procid);
                    m.levels[si].push(Vec::new());
                    m.versions[si].push(Vec::new());
                }
                let level = m.levels[si].len() as u8;
                let cur = m.current();
                let mine: Vec<Vec<u8>> = cur.keys().filter(|k| k[0] == *s).cloned().collect();
                let deleted: Vec<Vec<u8>> = {
                    let v = PageView::new(w.page()).unwrap();
                    v.lines()
                        .map(|l| l.unwrap())
                        .filter(|l| l.flags.contains(LineFlags::DELETED) && l.key().to_vec()[0] == *s)
                        .map(|l| l.key().to_vec())
                        .collect()
                };
                let (change, version) = match (kind, mine.is_empty()) {
                    (3, _) if !deleted.is_empty() => {
                        let k = deleted[usize::from(*pick) % deleted.len()].clone();
                        let (r1, r2) = w.fiard(procid, level, &k, data);
                        let v = vec![(r1, OPER_INSERT, k.clone()), (r2, OPER_REPLACE, k.clone())];
                        (Change::Put(k, data.clone()), v)
                    }
                    (1, false) => {
                        let k = mine[usize::from(*pick) % mine.len()].clone();
                        let r = w.replace(procid, level, &k, data, true);
                        (Change::Put(k.clone(), data.clone()), vec![(r, OPER_REPLACE, k)])
                    }
                    (2, false) => {
                        let k = mine[usize::from(*pick) % mine.len()].clone();
                        let r = w.flag_delete(procid, level, &k, true);
                        (Change::Del(k.clone()), vec![(r, OPER_FLAG_DELETE, k)])
                    }
                    (4, false) => {
                        let k = mine[usize::from(*pick) % mine.len()].clone();
                        let r = w.delta(procid, level, &k, *delta);
                        let mut d = cur[&k].clone();
                        let old = i32::from_le_bytes([d[0], d[1], d[2], d[3]]);
                        d[..4].copy_from_slice(&old.wrapping_add(*delta).to_le_bytes());
                        (Change::Put(k.clone(), d), vec![(r, OPER_DELTA, k)])
                    }
                    _ => {
                        // Insert a key this session has never used (absent from the page).
                        let k = vec![*s, *pick, w.isec as u8, (w.isec >> 8) as u8];
                        if w.iline_of(&k).is_some() {
                            continue;
                        }
                        let r = w.insert(procid, level, &k, data);
                        (Change::Put(k.clone(), data.clone()), vec![(r, OPER_INSERT, k)])
                    }
                };
                m.levels[si].last_mut().unwrap().push(change);
                m.versions[si].last_mut().unwrap().extend(version);
            }
            Step::Nest { s } => {
                let (si, procid) = (usize::from(*s), u16::from(*s) + 5);
                if !m.levels[si].is_empty() && m.levels[si].len() < 4 {
                    w.begin(procid, m.levels[si].len() as u8);
                    m.levels[si].push(Vec::new());
                    m.versions[si].push(Vec::new());
                }
            }
            Step::End { s, how } => {
                let (si, procid) = (usize::from(*s), u16::from(*s) + 5);
                let Some(top) = m.levels[si].pop() else { continue };
                let versions = m.versions[si].pop().unwrap();
                let level = m.levels[si].len() as u8;
                match how {
                    0 => {
                        w.commit(procid, level);
                        match m.levels[si].last_mut() {
                            Some(below) => {
                                below.extend(top);
                                m.versions[si].last_mut().unwrap().extend(versions);
                            }
                            None => top.iter().for_each(|c| Model::apply(&mut m.committed, c)),
                        }
                    }
                    1 => {
                        for (rceid, oper, key) in versions.iter().rev() {
                            let e = w.undo(procid, level + 1, *rceid, *oper, key, true);
                            assert!(matches!(e, Effect::UndoApplied { .. }), "{e:?}");
                        }
                        let e = w.rollback(procid, 1, true);
                        assert!(matches!(e, Effect::Released { released: 0, .. }), "{e:?}");
                    }
                    _ => {
                        let e = w.rollback(procid, 1, true);
                        assert!(
                            matches!(e, Effect::Released { released, undone } if released as usize == versions.len() && undone == released),
                            "{e:?}"
                        );
                    }
                }
                if m.levels[si].is_empty() {
                    m.versions[si].clear();
                }
            }
        }
        let expected: Vec<_> = m.current().into_iter().collect();
        assert_eq!(w.live(), expected, "after {st:?}");
    }
    // The end of the logs: every open transaction is rolled back.
    let open = m.levels.iter().filter(|l| !l.is_empty()).count() as u64;
    let out = w.rollback_all().unwrap();
    assert_eq!(out.transactions, open);
    let expected: Vec<_> = m.committed.into_iter().collect();
    assert_eq!(w.live(), expected, "after the end-of-log rollback");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn model_random_transactions(steps in proptest::collection::vec(step(), 1..60)) {
        run(&steps);
    }
}

/// A fixed history through every branch (kept as a named regression of the model test).
#[test]
fn model_fixed_history() {
    use Step::*;
    let d = |b: u8| vec![b, 0, 0, 0, b];
    run(&[
        Op { s: 0, kind: 0, pick: 1, data: d(1), delta: 0 },
        Op { s: 1, kind: 0, pick: 2, data: d(2), delta: 0 },
        End { s: 0, how: 0 },
        Op { s: 0, kind: 2, pick: 0, data: d(3), delta: 0 },
        Nest { s: 0 },
        Op { s: 0, kind: 3, pick: 0, data: d(4), delta: 0 },
        Op { s: 0, kind: 4, pick: 0, data: d(4), delta: -5 },
        End { s: 0, how: 1 },
        Op { s: 1, kind: 1, pick: 0, data: d(9), delta: 0 },
        Nest { s: 1 },
        Op { s: 1, kind: 4, pick: 0, data: d(9), delta: 77 },
        End { s: 1, how: 2 },
        Op { s: 0, kind: 0, pick: 9, data: d(5), delta: 0 },
    ]);
}
