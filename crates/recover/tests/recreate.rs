//! Re-creating the Server 2022 SRUM database from its logs, compared page by page with the
//! engine's own files (the oracle: the `SRUDB.dat` each snapshot holds, written by ESE itself).
//!
//! - Generations 1-2 (the first snapshot's `SRU00001.log` and `SRU.log`, an early copy of
//!   generation 2 up to the detach) from nothing give the first snapshot's `SRUDB.dat`.
//! - Generations 1-5 (generation 2 from the second snapshot's `SRUtmp.log`, copied into a
//!   temporary folder as `SRU00002.log`) give the second snapshot's `SRUDB.dat`.
//!
//! Each page is compared decoded (header fields, external header, every line's flags, key and
//! data) and as bytes once the write stamps are put on (docs/page-internals.md §6.3: the
//! checksum and `fPageNewChecksumFormat`; the flush type of §10 F7 taken from the engine's page,
//! since no log holds it). Pages the engine's file has beyond the last logged extension are all
//! zero (§10 F8). Then the self-consistency of `until`: replaying to a cut point where no
//! transaction or macro is open and continuing from that state gives the straight replay's
//! pages, also when the intermediate pages are a random mix of two such states.
//!
//! Sources: docs/page-internals.md §10 (F1-F12), docs/log-records.md §8 item 9; corpus
//! provenance in ../shared/corpus/PROVENANCE.md (AndrewRathbun-DFIRArtifactMuseum).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use esehdr_format::log::header::read_log_header;
use esehdr_format::log::records::{LrType, Record, RecordWalker};
use esehdr_format::page::write_page_checksum;
use esehdr_format::Lgpos;
use esehdr_recover::driver::{replay, LogItem, LogSource, Start, Target};
use esehdr_recover::page::{PageFlags, PageView};
use esehdr_recover::redo::{ApplySink, PageSource, RedoOutcome};
use proptest::prelude::*;

const PAGE: usize = 4096;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM")
}
fn first() -> PathBuf {
    corpus().join("APTSimulatorVM_SRUM_Clean_Server2022/SRU")
}
fn second() -> PathBuf {
    corpus().join("APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU")
}

/// The logs of one re-creation, in generation order.
fn logs_1_2() -> Vec<(i32, Vec<u8>)> {
    vec![(1, read(&first().join("SRU00001.log"))), (2, read(&first().join("SRU.log")))]
}

/// Generations 1-5; generation 2 is the second snapshot's `SRUtmp.log`, put in a temporary
/// folder under its archived name `SRU00002.log` as a user would.
fn logs_1_5() -> Vec<(i32, Vec<u8>)> {
    let dir = std::env::temp_dir().join(format!("esehdr-recreate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gen2 = dir.join("SRU00002.log");
    std::fs::copy(second().join("SRUtmp.log"), &gen2).unwrap();
    let v = vec![
        (1, read(&first().join("SRU00001.log"))),
        (2, read(&gen2)),
        (3, read(&second().join("SRU00003.log"))),
        (4, read(&second().join("SRU00004.log"))),
        (5, read(&second().join("SRU.log"))),
    ];
    let _ = std::fs::remove_dir_all(&dir);
    v
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

struct Logs<I>(I);

impl<I: Iterator<Item = (i32, Vec<u8>)>> LogSource for Logs<I> {
    fn next_log(&mut self) -> Option<LogItem> {
        self.0.next().map(|(generation, bytes)| LogItem::Log { generation, bytes })
    }
}

/// Pages of an intermediate state, served as the database being recovered.
struct Pages(BTreeMap<u32, Vec<u8>>, u32);

impl PageSource for Pages {
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool> {
        if pgno > self.1 {
            return Ok(false);
        }
        match self.0.get(&pgno) {
            Some(p) => buf.copy_from_slice(p),
            None => buf.fill(0),
        }
        Ok(true)
    }
    fn page_count(&self) -> u32 {
        self.1
    }
}

fn start_of(logs: &[(i32, Vec<u8>)]) -> Start {
    let (g, bytes) = logs.first().unwrap();
    let h = read_log_header(bytes, bytes.len() as u64).unwrap().header;
    Start {
        lgpos: Lgpos { generation: *g, isec: h.header_sectors.max(1), ib: 0 },
        whole_generation: false,
        attachments: Vec::new(),
        log_signature: h.log_signature,
    }
}

/// Replays `logs` (from `from` on, into `base` when given) up to `until`.
fn run(logs: &[(i32, Vec<u8>)], base: Option<&Pages>, until: Option<Lgpos>, from: Option<Lgpos>) -> RedoOutcome {
    let mut start = start_of(logs);
    if let Some(f) = from {
        start.lgpos = f;
    }
    let mut sink = ApplySink::new(PAGE, base.map(|b| b as &dyn PageSource));
    let mut target = Target::default();
    if base.is_some() {
        // Continue a database this replay created: the same stream, attached from its CreateDB.
        target.file_name = Some("SRUDB.dat".into());
    }
    let files: Vec<(i32, Vec<u8>)> =
        logs.iter().filter(|(g, _)| from.is_none_or(|f| *g >= f.generation)).cloned().collect();
    let report = replay(&target, &start, &mut Logs(files.into_iter()), &mut sink, until).unwrap();
    // A replay from nothing that ends before the CreateDBFinish has no database to write (the
    // engine discards one still being created), but its pages are the state a crash during the
    // creation leaves on disk: an intermediate state like any other.
    let still_creating = report
        .error
        .as_ref()
        .is_some_and(|e| e.code == -1206 && e.message.contains("before the CreateDBFinish") && base.is_none());
    assert!(report.error.is_none() || still_creating, "replay stopped: {:?}", report.error);
    sink.into_outcome()
}

/// The engine's file: database pages 1..=N.
fn engine_pages(path: &Path) -> Vec<Vec<u8>> {
    let b = read(path);
    b.chunks(PAGE).skip(2).map(<[u8]>::to_vec).collect()
}

/// Puts the write stamps on a redo page as the output does (docs/page-internals.md §6.3), with
/// the engine page's flush type (§10 F7).
fn stamped(ours: &[u8], engine: &[u8], pgno: u32) -> Vec<u8> {
    let mut p = ours.to_vec();
    let flush = u32::from_le_bytes(engine[36..40].try_into().unwrap()) & PageFlags::FLUSH_TYPE_MASK;
    let f = u32::from_le_bytes(p[36..40].try_into().unwrap());
    let f = (f & !PageFlags::FLUSH_TYPE_MASK) | flush | PageFlags::NEW_CHECKSUM_FORMAT;
    p[36..40].copy_from_slice(&f.to_le_bytes());
    assert!(write_page_checksum(&mut p, pgno));
    p
}

/// Compares a page decoded; `Err` names the first difference.
fn logically_equal(ours: &[u8], engine: &[u8]) -> Result<(), String> {
    let (o, e) = (PageView::new(ours).unwrap(), PageView::new(engine).unwrap());
    let mask = !(PageFlags::FLUSH_TYPE_MASK | PageFlags::NEW_CHECKSUM_FORMAT);
    let hdr = |v: &PageView<'_>| {
        let h = v.header();
        (
            h.dbtime_dirtied,
            h.pgno_prev,
            h.pgno_next,
            h.objid_fdp,
            h.cb_free,
            h.cb_uncommitted_free,
            h.ib_mic_free,
            h.itag_state,
            h.flags.bits() & mask,
        )
    };
    if hdr(&o) != hdr(&e) {
        return Err(format!("header (dbtime, prev, next, objid, cbFree, cbUncFree, ibMicFree, itagState, flags): ours {:?}, engine {:?}", hdr(&o), hdr(&e)));
    }
    if o.external_header().unwrap() != e.external_header().unwrap() {
        return Err("external header".into());
    }
    for (i, (a, b)) in o.lines().zip(e.lines()).enumerate() {
        let (a, b) = (a.unwrap(), b.unwrap());
        if (a.flags, a.key().to_vec(), a.data) != (b.flags, b.key().to_vec(), b.data) {
            return Err(format!(
                "line {i}: ours flags {} key {:02x?} data {:02x?}; engine flags {} key {:02x?} data {:02x?}",
                a.flags,
                a.key().to_vec(),
                a.data,
                b.flags,
                b.key().to_vec(),
                b.data
            ));
        }
    }
    Ok(())
}

/// Compares a re-creation with the engine's file; returns (used pages, byte-identical pages).
fn compare(out: &RedoOutcome, engine_file: &Path, label: &str) -> (usize, usize) {
    let engine = engine_pages(engine_file);
    let zero = vec![0u8; PAGE];
    let (mut used, mut identical) = (0, 0);
    let mut problems = Vec::new();
    for (i, e) in engine.iter().enumerate() {
        let pgno = i as u32 + 1;
        let ours = out.pages.get(&pgno).unwrap_or(&zero);
        if e.iter().all(|b| *b == 0) {
            // §10 F8: beyond the logged size the engine's file holds zero pages.
            if ours != &zero {
                problems.push(format!("page {pgno}: zero in the engine's file, written by redo"));
            }
            if pgno <= out.pgno_last && out.pages.contains_key(&pgno) {
                problems.push(format!("page {pgno}: zero in the engine's file but inside the logged size"));
            }
            continue;
        }
        used += 1;
        if let Err(d) = logically_equal(ours, e) {
            problems.push(format!("page {pgno}: {d}"));
            continue;
        }
        if stamped(ours, e, pgno) == *e {
            identical += 1;
        } else {
            problems.push(format!("page {pgno}: logically equal, bytes differ"));
        }
    }
    for pgno in out.pages.keys() {
        if *pgno as usize > engine.len() {
            problems.push(format!("page {pgno}: written by redo, beyond the engine's file"));
        }
    }
    eprintln!(
        "{label}: {used} used pages of {} in the engine's file (logged size {}); {identical} byte-identical apart from the flush type (docs/page-internals.md §10 F7); {} problems",
        engine.len(),
        out.pgno_last,
        problems.len()
    );
    for p in &problems {
        eprintln!("  {p}");
    }
    assert!(problems.is_empty(), "{label}: {} pages differ", problems.len());
    (used, identical)
}

/// The header facts redo gives the output equal the engine's header (docs/page-internals.md
/// §4.9): `le_dbtimeDirtied` = the largest dbtime, `le_objidLast` = the largest objidFDP, and
/// the CreateDB's `signDb`.
fn header_facts(out: &RedoOutcome, engine_file: &Path) {
    let b = read(engine_file);
    let h = esehdr_format::read_database_header(&b).unwrap().header().unwrap().clone();
    assert_eq!(out.dbtime_max, h.dbtime, "le_dbtimeDirtied");
    assert_eq!(out.objid_max, h.objid_last, "le_objidLast");
    assert_eq!(out.create.as_ref().map(|c| c.db_signature), Some(h.db_signature), "signDb");
}

#[test]
fn generations_1_2_give_the_first_snapshot() {
    let out = run(&logs_1_2(), None, None, None);
    let c = out.create.as_ref().expect("the CreateDB of generation 1");
    assert_eq!((c.dbid, c.version, c.path.rsplit('\\').next()), (1, (2, 0), Some("SRUDB.dat")));
    // The engine's header: 48 pages = 46 database pages + 2 header pages (§10 F12), dbtime 457.
    assert_eq!(out.pgno_last, 46);
    assert_eq!(out.dbtime_max, 457);
    header_facts(&out, &first().join("SRUDB.dat"));
    let (used, identical) = compare(&out, &first().join("SRUDB.dat"), "generations 1-2");
    assert_eq!(identical, used);
}

#[test]
fn generations_1_5_give_the_second_snapshot() {
    let out = run(&logs_1_5(), None, None, None);
    assert_eq!(out.pgno_last, 142, "the last ExtendDB is [1:142] (§10 F8)");
    header_facts(&out, &second().join("SRUDB.dat"));
    let (used, identical) = compare(&out, &second().join("SRUDB.dat"), "generations 1-5");
    assert_eq!(identical, used);
}

/// The LGPOS of every record at which no transaction and no macro is open (a clean cut).
fn quiet_points(logs: &[(i32, Vec<u8>)]) -> Vec<Lgpos> {
    let mut open: BTreeMap<u16, u8> = BTreeMap::new();
    let mut macros = 0i32;
    let mut out = Vec::new();
    for (_, bytes) in logs {
        let mut w = RecordWalker::new(bytes).unwrap();
        while let Some(r) = w.next_record() {
            let r = r.unwrap();
            if open.values().all(|l| *l == 0) && macros == 0 {
                out.push(r.lgpos);
            }
            match Record::decode(&r).unwrap() {
                Record::Begin(b) => {
                    open.insert(b.procid, b.level_begin_from + b.clevels_to_begin);
                }
                Record::Commit(c) => {
                    open.insert(c.procid, c.level_commit_to);
                }
                Record::Rollback(x) => {
                    let l = open.entry(x.procid).or_insert(0);
                    *l = l.saturating_sub(x.level_rollback);
                }
                _ if r.lrtyp == LrType::MACRO_BEGIN => macros += 1,
                _ if r.lrtyp == LrType::MACRO_COMMIT || r.lrtyp == LrType::MACRO_ABORT => macros -= 1,
                Record::Init(_) | Record::Term(_) => open.clear(),
                _ => {}
            }
        }
    }
    out
}

/// All pages of a state: the base's pages overlaid with what redo changed.
fn merged(base: &BTreeMap<u32, Vec<u8>>, out: &RedoOutcome) -> BTreeMap<u32, Vec<u8>> {
    let mut m = base.clone();
    m.extend(out.pages.iter().map(|(k, v)| (*k, v.clone())));
    m
}

/// The database header of a crash image of the re-created database (docs/log-records.md §5.3):
/// the engine's own header with the state a crash leaves — Dirty Shutdown, attached at the
/// CreateDB record, no Last Consistent — so recovery attaches it at the CreateDB and decides
/// every page by its dbtime. `le_lGenMinRequired` 0 and `le_lGenMaxRequired` past the logs:
/// every generation may hold pages from the future (§5.5), as in a crash image.
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

/// Replays all of `logs` into the crash image `pages` (recovery from the start of the stream).
fn recover(logs: &[(i32, Vec<u8>)], pages: BTreeMap<u32, Vec<u8>>, create: Lgpos) -> BTreeMap<u32, Vec<u8>> {
    recover_image(logs, pages, crash_header(create), "SRUDB.dat")
}

/// [`recover`] with the crash image's header and file name given.
fn recover_image(
    logs: &[(i32, Vec<u8>)],
    pages: BTreeMap<u32, Vec<u8>>,
    header: esehdr_format::DbFileHeader,
    file_name: &str,
) -> BTreeMap<u32, Vec<u8>> {
    let base = Pages(pages, u32::MAX);
    let mut sink = ApplySink::new(PAGE, Some(&base as &dyn PageSource));
    let target = Target { header: Some(header), file_name: Some(file_name.into()), dir_name: None };
    let report = replay(&target, &start_of(logs), &mut Logs(logs.iter().cloned()), &mut sink, None).unwrap();
    assert!(report.error.is_none(), "recovery of a crash image stopped: {:?}", report.error);
    let out = sink.into_outcome();
    merged(&base.0, &out)
}

/// Cut points spread over the stream: every `n`-th quiet point after the CreateDB.
fn cuts(logs: &[(i32, Vec<u8>)], create: Lgpos, n: usize) -> Vec<Lgpos> {
    let q: Vec<Lgpos> = quiet_points(logs).into_iter().filter(|l| *l > create).collect();
    let step = (q.len() / n).max(1);
    q.into_iter().step_by(step).skip(1).take(n).collect()
}

#[test]
fn until_then_continue_equals_a_straight_replay() {
    for (label, logs) in [("generations 1-2", logs_1_2()), ("generations 1-5", logs_1_5())] {
        let straight = run(&logs, None, None, None);
        let create = straight.create.as_ref().unwrap().lgpos;
        let end = straight.pages.clone();
        let points = cuts(&logs, create, 6);
        assert!(points.len() >= 4, "{label}: too few quiet points");
        let mut with_work = 0;
        for cut in points {
            let partial = run(&logs, None, Some(cut), None);
            assert!(partial.pages.len() <= end.len());
            with_work += usize::from(partial.pages != end);
            let done = recover(&logs, partial.pages.clone(), create);
            let differing: Vec<u32> = end.keys().filter(|p| done.get(p) != end.get(p)).copied().collect();
            assert!(differing.is_empty(), "{label}: continuing from {cut} gives other pages: {differing:?}");
            assert_eq!(done.len(), end.len(), "{label}: continuing from {cut}");
        }
        assert!(with_work >= 3, "{label}: only {with_work} cuts left work to do");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    /// A crash image whose pages come at random from two intermediate states (some pages
    /// flushed at the later cut, others still at the earlier one) recovers to the straight
    /// replay's pages.
    #[test]
    fn a_mix_of_two_states_recovers_to_the_same_end(a in 0usize..1000, b in 0usize..1000, picks in proptest::collection::vec(any::<bool>(), 64)) {
        let logs = logs_1_2();
        let straight = run(&logs, None, None, None);
        let create = straight.create.as_ref().unwrap().lgpos;
        let q: Vec<Lgpos> = quiet_points(&logs).into_iter().filter(|l| *l > create).collect();
        let (x, y) = (q[a % q.len()], q[b % q.len()]);
        let (early, late) = if x <= y { (x, y) } else { (y, x) };
        let s1 = run(&logs, None, Some(early), None).pages;
        let s2 = run(&logs, None, Some(late), None).pages;
        let mut mix = BTreeMap::new();
        for (i, pgno) in s1.keys().chain(s2.keys()).copied().collect::<std::collections::BTreeSet<u32>>().into_iter().enumerate() {
            let from_late = picks[i % picks.len()];
            let page = if from_late { s2.get(&pgno).or(s1.get(&pgno)) } else { s1.get(&pgno) };
            if let Some(p) = page {
                mix.insert(pgno, p.clone());
            }
        }
        let done = recover(&logs, mix, create);
        let differing: Vec<u32> = straight.pages.keys().filter(|p| done.get(p) != straight.pages.get(p)).copied().collect();
        prop_assert!(differing.is_empty(), "cuts {} and {}: pages {:?} differ", early, late, differing);
    }
}

/// The crash the Split2 pre-image exists for (docs/page-internals.md §4.4): the first vertical
/// split of generation 1 (`(1,6,161)`, root page 4 → new page 13) flushed on page 4 but not on
/// page 13. Recovery must take page 13's lines from the record's Xpress-compressed pre-image of
/// page 4; the result equals the straight replay's (and so the engine's) pages.
#[test]
fn a_split_page_flushed_without_its_new_page_recovers_from_the_pre_image() {
    let logs = logs_1_2();
    let straight = run(&logs, None, None, None);
    let create = straight.create.as_ref().unwrap().lgpos;
    let before = Lgpos { generation: 1, isec: 6, ib: 0x156 }; // MacroBegin of the split
    let after = Lgpos { generation: 1, isec: 6, ib: 0x79F }; // the MacroInfo after its MacroCommit
    let s1 = run(&logs, None, Some(before), None).pages;
    let s2 = run(&logs, None, Some(after), None).pages;
    assert!(s1.contains_key(&4) && !s1.contains_key(&13), "page 13 is written by the split");
    assert_ne!(s1.get(&4), s2.get(&4));
    let mut mix = s1.clone();
    mix.insert(4, s2[&4].clone());
    let done = recover(&logs, mix, create);
    let differing: Vec<u32> = straight.pages.keys().filter(|p| done.get(p) != straight.pages.get(p)).copied().collect();
    assert!(differing.is_empty(), "pages {differing:?} differ");
}

/// The two secedit.sdb streams of the corpus (generation 1 alone; `wildryry-math`,
/// `linuxwindows1234585-sys-github`) hold its only real Merge2 records (EmptyPage merges), two
/// EmptyTree records and two detach/attach pairs. No engine file of those databases exists, so
/// the oracle is the logs' own consistency: replaying to quiet points and continuing from each
/// state, or from a crash image mixing the pages of two such states, must give the straight
/// replay's pages (every record's dbtimeBefore checked on the way). A crash mix found that an
/// EmptyTree whose root was already on disk skipped the pages it empties: each is decided by its
/// own dbtimeBefore (docs/page-internals.md §4.6).
#[test]
fn secedit_streams_continue_from_cuts_and_crash_mixes_to_the_straight_replay() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    for folder in ["wildryry-math", "linuxwindows1234585-sys-github"] {
        let logs = vec![(1, read(&root.join(folder).join("edb.log")))];
        let straight = run(&logs, None, None, None);
        let create = straight.create.as_ref().unwrap();
        let (create_at, signature) = (create.lgpos, create.db_signature);
        // The crash image's header: the engine's header shape (crash_header) with this
        // database's signature and this stream's log signature.
        let mut header = crash_header(create_at);
        header.db_signature = signature;
        header.log_signature = start_of(&logs).log_signature;
        let end = straight.pages.clone();
        let points = cuts(&logs, create_at, 8);
        assert!(points.len() >= 6, "{folder}: too few quiet points");
        let mut states = Vec::new();
        for cut in &points {
            let partial = run(&logs, None, Some(*cut), None).pages;
            let done = recover_image(&logs, partial.clone(), header.clone(), "secedit.sdb");
            let differing: Vec<u32> = end.keys().filter(|p| done.get(p) != end.get(p)).copied().collect();
            assert!(differing.is_empty(), "{folder}: continuing from {cut} gives other pages: {differing:?}");
            states.push(partial);
        }
        // Crash images: pages alternately from one state and the next (by page number parity,
        // then the other way round).
        for pair in states.windows(2) {
            for parity in [0, 1] {
                let mut mix = BTreeMap::new();
                for pgno in pair[0].keys().chain(pair[1].keys()).copied().collect::<std::collections::BTreeSet<u32>>() {
                    let page =
                        if pgno % 2 == parity { pair[1].get(&pgno).or(pair[0].get(&pgno)) } else { pair[0].get(&pgno) };
                    if let Some(p) = page {
                        mix.insert(pgno, p.clone());
                    }
                }
                let done = recover_image(&logs, mix, header.clone(), "secedit.sdb");
                let differing: Vec<u32> = end.keys().filter(|p| done.get(p) != end.get(p)).copied().collect();
                assert!(differing.is_empty(), "{folder}: a crash mix gives other pages: {differing:?}");
            }
        }
    }
}
