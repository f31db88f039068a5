//! The driver's decisions on the real Server 2022 stream of `testdata/logs/srum-server2022`
//! (generations 1 and 2, which create `SRUDB.dat` and fill it), replayed into a database whose
//! header says it was attached at that CreateDB and whose page dbtimes a test sink chooses:
//! the dbtime rule of docs/log-records.md §5.5 (already on disk, -566, -567, -625) and the attach
//! table of §5.3, each shown on its own.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use esehdr_format::log::records::Record;
use esehdr_format::{read_database_header, DbFileHeader, DbState, Lgpos};
use esehdr_recover::attach::{decide, AttachInput, AttachSource, Decision, Reason};
use esehdr_recover::driver::InitialAttachment;
use esehdr_recover::{replay, LogItem, LogSource, Redo, ReplayError, Report, Sink, SinkError, Start, Target, Verdict};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// The Clean Shutdown header of the first snapshot's SRUDB.dat, made the header of a database
/// attached at the stream's CreateDB `(1,1,268)` and dirty, needing generations 1-`max`.
fn header(max: i32) -> DbFileHeader {
    let bytes = std::fs::read(testdata().join("db/srum-server2022-clean.dat")).unwrap();
    let mut h = read_database_header(&bytes[..bytes.len().min(65536)]).unwrap().header().unwrap().clone();
    h.state = DbState::DirtyShutdown;
    h.last_consistent.lgpos = Lgpos::default();
    h.last_attach.lgpos = Lgpos { generation: 1, isec: 1, ib: 0x268 };
    h.log_required.min = 1;
    h.log_required.max = max;
    h
}

struct Logs(Vec<(i32, Vec<u8>)>);

impl LogSource for Logs {
    fn next_log(&mut self) -> Option<LogItem> {
        if self.0.is_empty() {
            return None;
        }
        let (generation, bytes) = self.0.remove(0);
        Some(LogItem::Log { generation, bytes })
    }
}

fn logs() -> Logs {
    let dir = testdata().join("logs/srum-server2022");
    Logs(vec![(1, std::fs::read(dir.join("SRU00001.log")).unwrap()), (2, std::fs::read(dir.join("SRU.log")).unwrap())])
}

/// Every page at `all`, except those in `pages`.
struct Pages {
    all: u64,
    pages: HashMap<u32, u64>,
    redone: Vec<u32>,
}

impl Sink for Pages {
    fn page_dbtime(&mut self, pgno: u32) -> Result<Option<u64>, SinkError> {
        Ok(Some(*self.pages.get(&pgno).unwrap_or(&self.all)))
    }
    fn redo(&mut self, op: &Redo<'_>) -> Result<(), SinkError> {
        for (p, d) in op.pages {
            self.pages.insert(*p, *d);
            self.redone.push(*p);
        }
        Ok(())
    }
    fn create_database(&mut self, _: Lgpos, _: &[u8]) -> Result<(), SinkError> {
        panic!("the database exists")
    }
    // Only the decisions are under test: no database records, counters or version store.
    fn database_record(&mut self, _: Lgpos, _: &Record<'_>) -> Result<(), SinkError> {
        Ok(())
    }
    fn observe(&mut self, _: Lgpos, _: u64, _: u32) {}
    fn version(&mut self, _: Lgpos, _: &Record<'_>, _: bool) -> Result<(), SinkError> {
        Ok(())
    }
    fn take_stop(&mut self) -> Option<ReplayError> {
        None
    }
}

fn run(max: i32, sink: &mut Pages) -> Report {
    let h = header(max);
    let sig = h.log_signature;
    let target = Target { header: Some(h), file_name: Some("SRUDB.dat".into()), dir_name: None };
    let start = Start {
        lgpos: Lgpos { generation: 1, isec: 1, ib: 0 },
        whole_generation: false,
        attachments: vec![],
        log_signature: sig,
    };
    replay(&target, &start, &mut logs(), sink, None).unwrap()
}

/// The records the create set applies (testdata/expected-recover.tsv, server2022-create).
const PAGE_RECORDS: u64 = 343;

#[test]
fn every_page_at_the_final_dbtime_is_already_on_disk() {
    // 0x1C9 is the database's dbtime at its clean shutdown, past every record of the stream.
    let mut sink = Pages { all: 0x1C9, pages: HashMap::new(), redone: vec![] };
    let r = run(2, &mut sink);
    assert_eq!(r.verdict, Verdict::WouldSucceed, "{:?}", r.error);
    assert_eq!(
        r.attach.first().map(|a| (a.decision, a.lgpos)),
        Some((Decision::Attach, Lgpos { generation: 1, isec: 1, ib: 0x268 }))
    );
    assert_eq!((r.apply.records, r.already_on_disk), (0, PAGE_RECORDS));
    assert!(sink.redone.is_empty());
}

#[test]
fn a_page_between_before_and_after_is_567() {
    // Page 31 (created at (0x1,D,12F) with dbtime 0x16F) at 0x180 on disk: the ConvertFDP at
    // (0x1,D,758) expects 0x16F before it and gives 0x185, so the page is newer than the record
    // expects and older than its result.
    let mut sink = Pages { all: 0x1C9, pages: HashMap::from([(31, 0x180)]), redone: vec![] };
    let r = run(2, &mut sink);
    let e = r.error.unwrap();
    assert_eq!((e.code, e.name, e.pgno), (-567, "JET_errDbTimeTooNew", Some(31)));
    assert_eq!(e.lgpos, Some(Lgpos { generation: 1, isec: 0xD, ib: 0x758 }));
    assert!(e.message.contains("0x180") && e.message.contains("0x16f"), "{}", e.message);
    assert_eq!(r.end, Lgpos { generation: 1, isec: 0xD, ib: 0x758 }, "the report ends at the error");
}

#[test]
fn an_older_page_is_redone_from_the_record_that_initialises_it() {
    // Page 31 at 0x100, older than everything: its NewPage at (0x1,D,11B) and
    // CreateSingleExtentFDP at (0x1,D,12F) re-initialise it (a new page has no before-check),
    // and the records after them chain on.
    let mut sink = Pages { all: 0x1C9, pages: HashMap::from([(31, 0x100)]), redone: vec![] };
    let r = run(2, &mut sink);
    assert_eq!(r.verdict, Verdict::WouldSucceed, "{:?}", r.error);
    assert_eq!(sink.redone.iter().filter(|p| **p == 31).count(), 5, "NewPage, CreateS, Convert, two Inserts");
    assert_eq!((r.apply.by_type.get("Create S"), r.apply.by_type.get("Convert")), (Some(&1), Some(&1)));
    assert_eq!(r.apply.records + r.already_on_disk, PAGE_RECORDS);
}

#[test]
fn a_page_newer_than_the_logs_allow_is_625() {
    // Log Required 1-1: in generation 2 the database no longer "contains data from future
    // logs", so a page already past a record of generation 2 is -625.
    let mut sink = Pages { all: 0x1C9, pages: HashMap::new(), redone: vec![] };
    let e = run(1, &mut sink).error.unwrap();
    assert_eq!((e.code, e.name), (-625, "JET_errDbTimeBeyondMaxRequired"));
    assert_eq!(e.lgpos.map(|l| l.generation), Some(2));
}

fn input(source: AttachSource, at: Lgpos, logged: Option<esehdr_format::Signature>) -> AttachInput {
    let h = header(2);
    AttachInput {
        source,
        db_signature: h.db_signature,
        last_consistent: Lgpos::default(),
        lgpos_attach: at,
        logged_log_signature: logged,
        current_generation: at.generation,
        current_lgpos: at,
    }
}

#[test]
fn attach_table() {
    let h = header(2);
    let stream = h.log_signature;
    let at = Lgpos { generation: 1, isec: 1, ib: 0x268 };
    let d = |h: &DbFileHeader, a: &AttachInput| {
        let o = decide(Some(h), a, &stream);
        (o.decision, o.reason, o.error.map(|e| e.code))
    };
    // The header's last attach is this record: attach.
    assert_eq!(d(&h, &input(AttachSource::CreateDb, at, None)), (Decision::Attach, Reason::Matches, None));
    // The file is absent: a CreateDB creates it, anything else defers.
    assert_eq!(decide(None, &input(AttachSource::CreateDb, at, None), &stream).reason, Reason::Create);
    assert_eq!(decide(None, &input(AttachSource::AttachDb, at, None), &stream).decision, Decision::Defer);
    // Another stream's database: skip.
    let mut other = h.clone();
    other.log_signature.random ^= 1;
    assert_eq!(
        d(&other, &input(AttachSource::AttachDb, at, Some(stream))),
        (Decision::Skip, Reason::LogSignatureMismatch, None)
    );
    // The header attached later than this record: defer (AttachFuture).
    let earlier = Lgpos { generation: 1, isec: 1, ib: 0 };
    assert_eq!(d(&h, &input(AttachSource::AttachDb, earlier, Some(stream))).1, Reason::AttachFuture);
    // The header attached earlier than a CreateDB: the attachment was skipped, -1216.
    let later = Lgpos { generation: 1, isec: 2, ib: 0 };
    assert_eq!(
        d(&h, &input(AttachSource::CreateDb, later, None)),
        (Decision::Fail, Reason::AttachSkipped, Some(-1216))
    );
    // Another database signature: defer.
    let mut copy = h.clone();
    copy.db_signature.random ^= 1;
    assert_eq!(d(&copy, &input(AttachSource::CreateDb, at, None)).1, Reason::DbSignatureMismatch);
    // An older copy: header consistent point before the logged one, same signDb: -551.
    let mut old = h.clone();
    old.last_consistent.lgpos = Lgpos { generation: 1, isec: 1, ib: 5 };
    let mut a = input(AttachSource::AttachDb, at, Some(stream));
    a.last_consistent = Lgpos { generation: 1, isec: 1, ib: 9 };
    assert_eq!(d(&old, &a), (Decision::Fail, Reason::ConsistentTimeMismatch, Some(-551)));
    // Made consistent after this point: defer (ConsistentFuture).
    a.last_consistent = Lgpos { generation: 1, isec: 1, ib: 1 };
    a.current_lgpos = Lgpos { generation: 1, isec: 1, ib: 2 };
    assert_eq!(d(&old, &a).1, Reason::ConsistentFuture);
    // The attach comes after the first generation the header requires: -543.
    let mut needs = h.clone();
    needs.log_required.min = 1;
    let g2 = Lgpos { generation: 2, isec: 1, ib: 0 };
    needs.last_attach.lgpos = g2;
    assert_eq!(d(&needs, &input(AttachSource::AttachDb, g2, Some(stream))).2, Some(-543));
    // Initial attachments come through the same table.
    let _ = InitialAttachment {
        dbid: 1,
        path: String::new(),
        db_signature: h.db_signature,
        last_attach: at,
        last_consistent: Lgpos::default(),
    };
}
