//! Roll-forward (KB296788's offline-backup restore, on pages in memory): the first Server 2022
//! snapshot's `SRUDB.dat` (Clean Shutdown, Last Consistent `(0x2,1,606)`) with the second
//! snapshot's logs — generation 2 from its `SRUtmp.log` (a recycled log still holding all of
//! generation 2) copied as `SRU00002.log`, then generations 3-5 — becomes the second snapshot's
//! `SRUDB.dat`, page for page. With the first snapshot's early copy of generation 2 (its
//! `SRU.log`, cut at the detach) instead, the stream check stops with -590 before generation 3.
//! Replaying the same logs again onto the result changes no page.
//!
//! The oracle is the engine's own file (the second snapshot's `SRUDB.dat`); the setup (start,
//! attachments, stream check) is the dry run's (`set.rs`).
//!
//! Sources: docs/log-records.md §5.1 (start), §5.3 (attach), §5.5 (dbtime rule);
//! docs/page-internals.md §10 F7 (flush type); ../shared/corpus/PROVENANCE.md.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use esehdr_format::log::header::read_log_header;
use esehdr_format::Lgpos;
use esehdr_recover::driver::{replay, InitialAttachment, LogItem, LogSource, Start, Target};
use esehdr_recover::page::{PageFlags, PageView};
use esehdr_recover::redo::{ApplySink, PageSource};
use esehdr_recover::{dry_run, DryRunOptions, Report};

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
fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A log folder as a user would make it: generation 2 from `gen2`, then the second snapshot's
/// generations 3-5.
fn folder(tag: &str, gen2: &Path) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("esehdr-rollforward-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(gen2, dir.join("SRU00002.log")).unwrap();
    for n in ["SRU00003.log", "SRU00004.log", "SRU.log"] {
        std::fs::copy(second().join(n), dir.join(n)).unwrap();
    }
    dir
}

/// Database pages by pgno (file offset `(pgno + 1) × page size`).
struct FilePages(Vec<u8>);
impl PageSource for FilePages {
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool> {
        let off = (pgno as usize + 1) * PAGE;
        match self.0.get(off..off + PAGE) {
            Some(p) => {
                buf.copy_from_slice(p);
                Ok(true)
            }
            None => Ok(false),
        }
    }
    fn page_count(&self) -> u32 {
        (self.0.len() / PAGE).saturating_sub(2) as u32
    }
}

struct Logs<I>(I);
impl<I: Iterator<Item = (i32, Vec<u8>)>> LogSource for Logs<I> {
    fn next_log(&mut self) -> Option<LogItem> {
        self.0.next().map(|(generation, bytes)| LogItem::Log { generation, bytes })
    }
}

/// The logs of `dir` in generation order (their headers say which).
fn logs_of(dir: &Path) -> Vec<(i32, Vec<u8>)> {
    let mut v: Vec<(i32, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| read(&e.unwrap().path()))
        .map(|b| (read_log_header(&b, b.len() as u64).unwrap().header.generation, b))
        .collect();
    v.sort_by_key(|(g, _)| *g);
    v
}

/// The start the dry run takes without a checkpoint (docs/log-records.md §5.1): the lowest log,
/// its attachment list.
fn start_of(logs: &[(i32, Vec<u8>)]) -> Start {
    let (g, b) = &logs[0];
    let h = read_log_header(b, b.len() as u64).unwrap().header;
    Start {
        lgpos: Lgpos { generation: *g, isec: h.header_sectors.max(1), ib: 0 },
        whole_generation: !h.is_segment_format(),
        attachments: h
            .attached
            .iter()
            .map(|a| InitialAttachment {
                dbid: a.dbid,
                path: a.path.clone(),
                db_signature: a.db_signature,
                last_attach: a.last_attach,
                last_consistent: a.last_consistent,
            })
            .collect(),
        log_signature: h.log_signature,
    }
}

/// Replays `logs` into the database `db` (bytes of a whole file): the report, every page after
/// redo and rollback (the database's own pages where redo changed nothing), and the pages redo
/// wrote.
fn roll_forward(db: &[u8], logs: &[(i32, Vec<u8>)], crashed: bool) -> (Report, BTreeMap<u32, Vec<u8>>, usize) {
    let mut header = esehdr_format::read_database_header(db).unwrap().header().unwrap().clone();
    if crashed {
        // The recovered state's header: the one the engine wrote for the same pages (the
        // second snapshot's: Clean Shutdown, consistent at its last shutdown).
        let b = read(&second().join("SRUDB.dat"));
        header = esehdr_format::read_database_header(&b).unwrap().header().unwrap().clone();
    }
    let target = Target { header: Some(header), file_name: Some("SRUDB.dat".into()), dir_name: None };
    let base = FilePages(db.to_vec());
    let mut sink = ApplySink::new(PAGE, Some(&base as &dyn PageSource));
    let report = replay(&target, &start_of(logs), &mut Logs(logs.iter().cloned()), &mut sink, None).unwrap();
    assert!(report.error.is_none(), "replay stopped: {:?}", report.error);
    let rb = sink.rollback().unwrap();
    assert_eq!((rb.transactions, rb.records), (report.rollback.transactions, report.rollback.records));
    let out = sink.into_outcome();
    let mut pages: BTreeMap<u32, Vec<u8>> = (1..=base.page_count())
        .map(|pgno| {
            let mut b = vec![0u8; PAGE];
            base.read_page(pgno, &mut b).unwrap();
            (pgno, b)
        })
        .collect();
    let written = out.pages.len();
    pages.extend(out.pages);
    (report, pages, written)
}

/// Decoded equality apart from the write stamps (checksum, flush type, new-checksum flag:
/// docs/page-internals.md §6.3, §10 F7), then the bytes apart from those.
fn same_page(ours: &[u8], engine: &[u8]) -> Result<(), String> {
    if engine.iter().all(|b| *b == 0) {
        return if ours.iter().all(|b| *b == 0) { Ok(()) } else { Err("zero in the engine's file".into()) };
    }
    let (o, e) = (PageView::new(ours).map_err(|x| x.to_string())?, PageView::new(engine).unwrap());
    let mask = !(PageFlags::FLUSH_TYPE_MASK | PageFlags::NEW_CHECKSUM_FORMAT);
    let h = |v: &PageView<'_>| {
        let h = v.header();
        (
            h.dbtime_dirtied,
            h.pgno_prev,
            h.pgno_next,
            h.objid_fdp,
            h.cb_free,
            h.ib_mic_free,
            h.itag_state,
            h.flags.bits() & mask,
        )
    };
    if h(&o) != h(&e) {
        return Err(format!("header: ours {:?}, engine {:?}", h(&o), h(&e)));
    }
    let lines = |v: &PageView<'_>| {
        v.lines().map(|l| l.map(|l| (l.flags, l.key().to_vec(), l.data.to_vec())).unwrap()).collect::<Vec<_>>()
    };
    if lines(&o) != lines(&e) || o.external_header().unwrap() != e.external_header().unwrap() {
        return Err("lines differ".into());
    }
    // Bytes after the checksum (offset 8) and the flags (36..40), which the output stamps.
    if ours[8..36] != engine[8..36] || ours[40..] != engine[40..] {
        return Err("logically equal, bytes differ".into());
    }
    Ok(())
}

#[test]
fn the_first_snapshot_rolled_forward_with_generations_2_5_becomes_the_second() {
    let db = read(&first().join("SRUDB.dat"));
    let h = esehdr_format::read_database_header(&db).unwrap().header().unwrap().clone();
    assert_eq!(h.state, esehdr_format::DbState::CleanShutdown);
    assert_eq!(h.last_consistent.lgpos, Lgpos { generation: 2, isec: 1, ib: 0x606 });
    let dir = folder("good", &second().join("SRUtmp.log"));
    // The dry run (set.rs: the start, the stream check) predicts success.
    let dry =
        dry_run(&DryRunOptions { database: Some(first().join("SRUDB.dat")), logs: dir.clone(), ..Default::default() })
            .unwrap();
    assert!(dry.error.is_none(), "dry run: {:?} {:?}", dry.error, dry.attach);
    let logs = logs_of(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(logs.iter().map(|(g, _)| *g).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
    let (report, pages, written) = roll_forward(&db, &logs, false);
    assert_eq!(report.start, dry.start);
    assert_eq!((report.apply.records, report.already_on_disk), (dry.apply.records, dry.already_on_disk));
    let engine = read(&second().join("SRUDB.dat"));
    let engine_pages: Vec<&[u8]> = engine.chunks(PAGE).skip(2).collect();
    let zero = vec![0u8; PAGE];
    let mut problems = Vec::new();
    let mut identical = 0;
    for (i, e) in engine_pages.iter().enumerate() {
        let pgno = i as u32 + 1;
        let ours = pages.get(&pgno).unwrap_or(&zero);
        match same_page(ours, e) {
            Ok(()) => identical += 1,
            Err(d) => problems.push(format!("page {pgno}: {d}")),
        }
    }
    eprintln!(
        "roll-forward: {} records applied, {} already on disk, {written} pages written; {identical} of {} pages equal the engine's; {} problems",
        report.apply.records,
        report.already_on_disk,
        engine_pages.len(),
        problems.len()
    );
    for p in problems.iter().take(20) {
        eprintln!("  {p}");
    }
    assert!(problems.is_empty());
    assert!(pages.keys().all(|p| (*p as usize) <= engine_pages.len()), "no page beyond the engine's file");

    // Recovering the recovered state again changes no page: every record is already on disk.
    let mut again_db = db[..2 * PAGE].to_vec();
    for pgno in 1..=engine_pages.len() as u32 {
        again_db.extend_from_slice(pages.get(&pgno).unwrap_or(&zero));
    }
    let (again, pages2, written2) = roll_forward(&again_db, &logs, true);
    assert_eq!(again.apply.records, 0, "nothing to apply the second time");
    eprintln!(
        "again: {} applied, {} already on disk, {:?} skipped",
        again.apply.records, again.already_on_disk, again.skipped
    );
    assert_eq!(written2, 0);
    let differ: Vec<u32> = pages
        .keys()
        .chain(pages2.keys())
        .filter(|p| pages.get(p).unwrap_or(&zero) != pages2.get(p).unwrap_or(&zero))
        .copied()
        .collect();
    assert!(differ.is_empty(), "re-recovery changed pages {differ:?}");
}

#[test]
fn the_early_copy_of_generation_2_stops_with_590_and_produces_nothing() {
    let dir = folder("early", &first().join("SRU.log"));
    let dry =
        dry_run(&DryRunOptions { database: Some(first().join("SRUDB.dat")), logs: dir.clone(), ..Default::default() })
            .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let e = dry.error.as_ref().expect("the stream check stops");
    assert_eq!(e.code, -590, "{e:?}");
    assert_eq!(e.lgpos.map(|l| l.generation), Some(3), "{e:?}");
    eprintln!("early generation 2: {} {} at {:?}: {}", e.code, e.name, e.lgpos, e.message);
}
