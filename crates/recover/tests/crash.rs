//! Crash images of the Server 2022 SRUM stream, recovered with undo (issue 12, "Done means"):
//! for cut points C inside open transactions and inside a split macro, a database whose pages
//! come at random from the redo states (before undo) at an earlier point and at C, replayed with
//! `until = C` and rolled back, equals a straight replay to C rolled back. And undo on its own:
//! a cut inside a transaction no other session interleaves with gives the same live rows as a
//! cut just before its Begin0.
//!
//! The oracles are the log's own structure (eseutil `/ml` of `SRU00001.log`: trx 0x24, session
//! 5, Begin0 at (1,B,0), three versioned Inserts into objid 6, cut at (1,B,133); trx 0x5c,
//! session 6, Begin0 at (1,D,0), one versioned Insert into objid 7, cut at (1,D,D1); trx 0x68,
//! Begin0 at (1,D,DD), creates tables at (1,D,12F); the first vertical split, MacroBegin at
//! (1,6,156), MacroCommit before (1,6,79F)) and the straight replay, which
//! `recreate.rs` shows equal to the engine's own database at the end of the stream.
//!
//! Sources: docs/page-internals.md §5.2 (undo at the end), §4.4 (split pre-image);
//! docs/log-records.md §5.5, §5.6; ../shared/corpus/PROVENANCE.md.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use esehdr_format::log::header::read_log_header;
use esehdr_format::log::records::RecordWalker;
use esehdr_format::Lgpos;
use esehdr_recover::driver::{replay, LogItem, LogSource, Start, Target};
use esehdr_recover::page::{LineFlags, PageView};
use esehdr_recover::redo::{ApplySink, PageSource};
use esehdr_recover::undo::RollbackOutcome;
use esehdr_recover::{ReplayError, Report};

const PAGE: usize = 4096;

fn first() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/corpus/AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022/SRU",
    )
}
fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
/// Generation 1, and generation 2 whole (the second snapshot's `SRUtmp.log`).
fn logs() -> Vec<(i32, Vec<u8>)> {
    let second = first().join("../../APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU/SRUtmp.log");
    vec![(1, read(&first().join("SRU00001.log"))), (2, read(&second))]
}
fn at(isec: u16, ib: u16) -> Lgpos {
    Lgpos { generation: 1, isec, ib }
}

struct Logs<I>(I);
impl<I: Iterator<Item = (i32, Vec<u8>)>> LogSource for Logs<I> {
    fn next_log(&mut self) -> Option<LogItem> {
        self.0.next().map(|(generation, bytes)| LogItem::Log { generation, bytes })
    }
}

/// The pages of a crash image.
struct Pages(BTreeMap<u32, Vec<u8>>);
impl PageSource for Pages {
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool> {
        match self.0.get(&pgno) {
            Some(p) => buf.copy_from_slice(p),
            None => buf.fill(0),
        }
        Ok(true)
    }
    fn page_count(&self) -> u32 {
        u32::MAX
    }
}

fn start_of(logs: &[(i32, Vec<u8>)]) -> Start {
    let (g, b) = &logs[0];
    let h = read_log_header(b, b.len() as u64).unwrap().header;
    Start {
        lgpos: Lgpos { generation: *g, isec: h.header_sectors.max(1), ib: 0 },
        whole_generation: false,
        attachments: Vec::new(),
        log_signature: h.log_signature,
    }
}

/// The header a crash leaves (docs/log-records.md §5.3, §5.5): Dirty Shutdown, attached at the
/// CreateDB record, Log Required covering every generation.
fn crash_header(create: Lgpos) -> esehdr_format::DbFileHeader {
    let b = read(&first().join("SRUDB.dat"));
    let mut h = esehdr_format::read_database_header(&b).unwrap().header().unwrap().clone();
    h.state = esehdr_format::DbState::DirtyShutdown;
    h.last_attach.lgpos = create;
    h.last_consistent.lgpos = Lgpos::default();
    h.log_required.min = 0;
    h.log_required.max = i32::MAX;
    h
}

/// What one replay gave.
struct Run {
    report: Report,
    /// All pages after redo (before undo): the crash image's pages overlaid with redo's.
    redone: BTreeMap<u32, Vec<u8>>,
    rollback: Result<RollbackOutcome, ReplayError>,
    /// All pages after the rollback.
    pages: BTreeMap<u32, Vec<u8>>,
}

/// Replays the stream up to `until`, from nothing (`image` `None`: the logs create the
/// database) or into a crash image, then rolls back what is open there.
fn run(logs: &[(i32, Vec<u8>)], image: Option<(BTreeMap<u32, Vec<u8>>, Lgpos)>, until: Lgpos) -> Run {
    let (base, target) = match image {
        Some((pages, create)) => (
            Some(Pages(pages)),
            Target { header: Some(crash_header(create)), file_name: Some("SRUDB.dat".into()), dir_name: None },
        ),
        None => (None, Target::default()),
    };
    let mut sink = ApplySink::new(PAGE, base.as_ref().map(|b| b as &dyn PageSource));
    let report = replay(&target, &start_of(logs), &mut Logs(logs.iter().cloned()), &mut sink, Some(until)).unwrap();
    assert!(report.error.is_none() || still_creating(&report), "replay to {until} stopped: {:?}", report.error);
    let mut redone = base.as_ref().map(|b| b.0.clone()).unwrap_or_default();
    let mut pages = redone.clone();
    let rollback = sink.rollback();
    pages.extend(sink.into_outcome().pages);
    // The redo state before undo: the same replay without the rollback.
    redone.extend(redo_state(logs, &target, base.as_ref(), until));
    Run { report, redone, rollback, pages }
}

/// The pages redo leaves at `until` (no rollback).
fn redo_state(logs: &[(i32, Vec<u8>)], target: &Target, base: Option<&Pages>, until: Lgpos) -> BTreeMap<u32, Vec<u8>> {
    let mut sink = ApplySink::new(PAGE, base.map(|b| b as &dyn PageSource));
    let report = replay(target, &start_of(logs), &mut Logs(logs.iter().cloned()), &mut sink, Some(until)).unwrap();
    assert!(report.error.is_none() || still_creating(&report), "{:?}", report.error);
    sink.into_outcome().pages
}

/// A replay from nothing that ends before the CreateDBFinish (at (0x1,9,36)) has no database to
/// write (the engine discards one still being created), but its pages are the state a crash
/// during the creation leaves on disk: a crash image like any other.
fn still_creating(r: &Report) -> bool {
    r.error.as_ref().is_some_and(|e| e.code == -1206 && e.message.contains("before the CreateDBFinish"))
}

/// Every record LGPOS of the stream.
fn positions(logs: &[(i32, Vec<u8>)]) -> Vec<Lgpos> {
    let mut v = Vec::new();
    for (_, b) in logs {
        let mut w = RecordWalker::new(b).unwrap();
        while let Some(r) = w.next_record() {
            v.push(r.unwrap().lgpos);
        }
    }
    v
}

/// A small deterministic generator (the mixes are reproducible).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn differing(a: &BTreeMap<u32, Vec<u8>>, b: &BTreeMap<u32, Vec<u8>>) -> Vec<u32> {
    let zero = vec![0u8; PAGE];
    a.keys()
        .chain(b.keys())
        .filter(|p| a.get(p).unwrap_or(&zero) != b.get(p).unwrap_or(&zero))
        .copied()
        .collect::<BTreeSet<u32>>()
        .into_iter()
        .collect()
}

#[test]
fn crash_images_recover_to_the_straight_replay_with_undo() {
    let logs = logs();
    let all = positions(&logs);
    let create = run(&logs, None, at(0xB, 0)).report.attach.first().map(|a| a.lgpos).expect("the CreateDB attach");
    // C: inside trx 0x24 (3 inserts), inside trx 0x5c (1 insert), inside the split macro of
    // trx 0x38 (ParentOfSplitPage at (2,4,BC4), Append at (2,4,C32)), and a point where no
    // transaction is open.
    let in_split = Lgpos { generation: 2, isec: 0xE, ib: 0x750 };
    let cuts = [at(0xB, 0x133), at(0xD, 0xD1), in_split, at(0xB, 0)];
    let mut rng = Lcg(0x5eed);
    let mut images = 0;
    let mut undone_total = 0;
    for c in cuts {
        let straight = run(&logs, None, c);
        let rb = straight.rollback.as_ref().unwrap_or_else(|e| panic!("straight rollback at {c}: {e:?}"));
        // The dry run's prediction (the report) names the same transactions; its record count
        // also holds the records of a macro still open at C, which the store never saw
        // (they were not replayed): at the split cut, its Split2 ParentOfSplitPage at (2,E,722).
        assert_eq!(rb.transactions, straight.report.rollback.transactions);
        let open_macro = if c == in_split { 1 } else { 0 };
        assert_eq!(rb.records + open_macro, straight.report.rollback.records, "cut {c}");
        undone_total += rb.undone;
        eprintln!("cut {c}: {} transaction(s), {} records, {} versions undone", rb.transactions, rb.records, rb.undone);
        let late = straight.redone.clone();
        let earlier: Vec<Lgpos> = all.iter().copied().filter(|p| *p > create && *p < c).collect();
        for _ in 0..4 {
            let e = earlier[(rng.next() as usize) % earlier.len()];
            let early = run(&logs, None, e).redone;
            let mut mix = BTreeMap::new();
            for pgno in early.keys().chain(late.keys()).copied().collect::<BTreeSet<u32>>() {
                let page = if rng.next() % 2 == 0 { late.get(&pgno).or(early.get(&pgno)) } else { early.get(&pgno) };
                if let Some(p) = page {
                    mix.insert(pgno, p.clone());
                }
            }
            let done = run(&logs, Some((mix, create)), c);
            let rb2 = done.rollback.as_ref().unwrap_or_else(|x| panic!("crash image ({e}, {c}) rollback: {x:?}"));
            assert_eq!(rb2.transactions, rb.transactions, "({e}, {c})");
            let d = differing(&done.pages, &straight.pages);
            assert!(d.is_empty(), "crash image of {e} and {c}: pages {d:?} differ from the straight replay");
            images += 1;
        }
    }
    eprintln!(
        "crash images: {images} recovered to the straight replay's pages; {undone_total} versions undone at the cuts"
    );
    assert!(undone_total > 4, "trx 0x24's three inserts, trx 0x5c's one, and trx 0x38's work");
}

/// (key, data) rows by objidFDP.
type Rows = BTreeMap<u32, Vec<(Vec<u8>, Vec<u8>)>>;

/// Live rows per tree: leaf lines not flagged deleted, as (key, data), sorted, outside the
/// space trees.
fn live_rows(pages: &BTreeMap<u32, Vec<u8>>) -> Rows {
    let mut out = Rows::new();
    for page in pages.values() {
        let Ok(v) = PageView::new(page) else { continue };
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
    for r in out.values_mut() {
        r.sort();
    }
    out.retain(|_, r| !r.is_empty());
    out
}

#[test]
fn a_cut_inside_a_transaction_gives_the_live_rows_of_a_cut_before_its_begin0() {
    let logs = logs();
    for (begin0, cut, objid, inserts) in [(at(0xB, 0), at(0xB, 0x133), 6u32, 3usize), (at(0xD, 0), at(0xD, 0xD1), 7, 1)]
    {
        let before = run(&logs, None, begin0);
        assert_eq!(before.rollback.as_ref().unwrap().transactions, 0);
        let inside = run(&logs, None, cut);
        assert_eq!(inside.rollback.as_ref().unwrap().transactions, 1);
        assert_eq!(
            live_rows(&inside.pages),
            live_rows(&before.pages),
            "cut {cut}: the transaction's work undone, nothing else"
        );
        // Without the undo its rows are there.
        let n = |m: &Rows| m.get(&objid).map_or(0, Vec::len);
        assert_eq!(n(&live_rows(&inside.redone)), n(&live_rows(&before.pages)) + inserts);
    }
}

/// Trx 0x68 (session 5, Begin0 at (1,D,DD)) is open at the end of generation 1 and created
/// tables (CreateSingleExtentFDP at (1,D,12F)). Recovery makes no version for a tree's creation
/// (docs/page-internals.md §10 F13): the rollback undoes the transaction's catalog and data rows,
/// which gives the live rows of a recovery to its Begin0; the new trees' pages stay allocated.
#[test]
fn a_transaction_that_created_tables_rolls_back_its_rows() {
    let logs = logs();
    let before = run(&logs, None, at(0xD, 0xDD));
    assert_eq!(before.rollback.as_ref().unwrap().transactions, 0);
    let end = run(&logs, None, at(0xFFFF, 0));
    let rb = end.rollback.as_ref().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(rb.transactions, 1);
    assert_eq!((end.report.rollback.transactions, end.report.rollback.records), (1, 69));
    assert!(rb.undone > 0);
    assert_eq!(live_rows(&end.pages), live_rows(&before.pages), "trx 0x68 undone, nothing else");
}

/// The re-creations of `recreate.rs` (generations 1-2 with the early copy of generation 2,
/// and generations 1-5) end with no transaction open: the end rollback changes nothing, so they
/// stay byte-identical to the engine's files.
#[test]
fn the_re_creations_end_with_nothing_to_roll_back() {
    let later = first().join("../../APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU");
    let g12 = vec![(1, read(&first().join("SRU00001.log"))), (2, read(&first().join("SRU.log")))];
    let mut g15 = logs();
    for (g, n) in [(3, "SRU00003.log"), (4, "SRU00004.log"), (5, "SRU.log")] {
        g15.push((g, read(&later.join(n))));
    }
    for (label, l) in [("generations 1-2", g12), ("generations 1-5", g15)] {
        let end = Lgpos { generation: 0x7fff_ffff, isec: 0, ib: 0 };
        let r = run(&l, None, end);
        let rb = r.rollback.unwrap_or_else(|e| panic!("{label}: {e:?}"));
        assert_eq!((rb.transactions, rb.undone), (0, 0), "{label}");
        assert_eq!(r.report.rollback.transactions, 0, "{label}");
        assert!(differing(&r.pages, &r.redone).is_empty(), "{label}");
    }
}
