//! The dry run on real SRUM sets of `../shared/corpus`, copied into temporary folders and changed
//! the way a restore could change them, against `testdata/expected-recover.tsv`: the oracle
//! written by `testdata/derive-expected-recover.py` (Python, from docs/log-records.md §5, walking the
//! records with `derive-expected-records.py` and reading page dbtimes with `struct`), not from
//! esehdr's output.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use esehdr_recover::{dry_run, Decision, DryRunOptions, Report, Verdict};

const SRUM: &str = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/corpus`, if present (required under CI: a corpus test that checks nothing cannot fail).
fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} is missing", dir.display());
    eprintln!("note: {} not found; corpus tests skipped", dir.display());
    None
}

fn expected() -> HashMap<String, HashMap<String, String>> {
    let text = std::fs::read_to_string(repo().join("testdata/expected-recover.tsv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|l| {
            let row: HashMap<String, String> =
                head.iter().zip(l.split('\t')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
            (row["set"].clone(), row)
        })
        .collect()
}

/// A temporary copy of a corpus folder, removed when dropped.
struct Set {
    dir: PathBuf,
}

impl Set {
    fn new(name: &str, source: &Path, files: &[&str]) -> Set {
        let dir = std::env::temp_dir().join(format!("esehdr-recover-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in files {
            std::fs::copy(source.join(f), dir.join(f)).unwrap();
        }
        Set { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn run(&self, db: Option<&str>) -> Report {
        dry_run(&DryRunOptions {
            database: db.map(|d| self.path(d)),
            logs: self.dir.clone(),
            system: None,
            base: None,
            until: None,
        })
        .unwrap()
    }
}

impl Drop for Set {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn xor32(page: &[u8]) -> u32 {
    page[4..].chunks_exact(4).fold(0x89AB_CDEF, |acc, w| acc ^ u32::from_le_bytes(w.try_into().unwrap()))
}

/// The database made one of another stream: `signLog` (docs/format-database.md §1.2 @0x6C) random XOR
/// 0x5A5A5A5A in both header copies, each re-checksummed (legacy XOR-32, docs/format-page.md §6.1).
fn other_stream(path: &Path) {
    let mut b = std::fs::read(path).unwrap();
    let cb = match u32::from_le_bytes(b[236..240].try_into().unwrap()) {
        0 => 4096,
        n => n as usize,
    };
    for base in [0, cb] {
        let r = u32::from_le_bytes(b[base + 108..base + 112].try_into().unwrap()) ^ 0x5A5A_5A5A;
        b[base + 108..base + 112].copy_from_slice(&r.to_le_bytes());
        let c = xor32(&b[base..base + cb]);
        b[base..base + 4].copy_from_slice(&c.to_le_bytes());
    }
    std::fs::write(path, b).unwrap();
}

fn lgpos(l: &esehdr_format::Lgpos) -> String {
    format!("{},{},{}", l.generation, l.isec, l.ib)
}

fn decision(d: Decision) -> &'static str {
    match d {
        Decision::Attach => "attach",
        Decision::Defer => "defer",
        Decision::Skip => "skip",
        Decision::Fail => "fail",
    }
}

/// Every column of the oracle's row against the report.
fn check(set: &str, r: &Report) {
    let all = expected();
    let row = all.get(set).unwrap_or_else(|| panic!("{set} is not in expected-recover.tsv"));
    let verdict = match r.verdict {
        Verdict::WouldSucceed => "would_succeed",
        Verdict::WouldFail => "would_fail",
    };
    let attach: Vec<String> =
        r.attach.iter().map(|a| format!("{}@{}={}", a.dbid, lgpos(&a.lgpos), decision(a.decision))).collect();
    let by_type: Vec<String> = r.apply.by_type.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let got: Vec<(&str, String)> = vec![
        ("verdict", verdict.to_string()),
        ("error_code", r.error.as_ref().map(|e| e.code.to_string()).unwrap_or_default()),
        ("start", lgpos(&r.start)),
        ("attach", attach.join(" ")),
        ("create", r.create.to_string()),
        ("records_read", r.records_read.to_string()),
        ("apply_records", r.apply.records.to_string()),
        ("apply_pages", r.apply.pages.to_string()),
        ("apply_by_type", by_type.join(",")),
        ("macros", r.apply.macros.to_string()),
        ("already_on_disk", r.already_on_disk.to_string()),
        ("rollback_transactions", r.rollback.transactions.to_string()),
        ("rollback_records", r.rollback.records.to_string()),
    ];
    for (column, value) in got {
        assert_eq!(&value, &row[column], "{set}: {column}");
    }
}

const WIN11_DIRTY: &[&str] =
    &["SRU.chk", "SRU.log", "SRU00059.log", "SRU0005A.log", "SRU0005B.log", "SRUDB.dat", "SRUtmp.log"];
const BELK_DIRTY: &[&str] = &[
    "SRU.chk",
    "SRU.log",
    "SRU0004E.log",
    "SRU0004F.log",
    "SRU00050.log",
    "SRU00051.log",
    "SRUDB.dat",
    "SRUtmp.log",
    "SRUres00001.jrs",
];

#[test]
fn dirty_win11_succeeds_with_the_attach_alone() {
    let Some(c) = corpus() else { return };
    let src = c.join(SRUM).join("Win11/RathbunVM/Dirty");
    let set = Set::new("w11", &src, WIN11_DIRTY);
    let before = std::fs::read(set.path("SRUDB.dat")).unwrap();
    let r = set.run(Some("SRUDB.dat"));
    check("win11-rathbun-dirty", &r);
    assert_eq!(r.verdict, Verdict::WouldSucceed);
    assert_eq!((r.apply.records, r.error.is_none()), (0, true), "nothing to write on the pages");
    assert_eq!(std::fs::read(set.path("SRUDB.dat")).unwrap(), before, "the database is never written");
    // Without the checkpoint (a restore that left it behind): from the lowest log, the earlier
    // attachments are deferred and the last one attaches.
    std::fs::remove_file(set.path("SRU.chk")).unwrap();
    let r = set.run(Some("SRUDB.dat"));
    check("win11-rathbun-dirty-no-checkpoint", &r);
    assert_eq!(r.attach.iter().filter(|a| a.decision == Decision::Defer).count(), 4);
}

#[test]
fn dirty_belkasoft_succeeds_fails_without_its_log_and_as_another_streams() {
    let Some(c) = corpus() else { return };
    let src = c.join(SRUM).join("Win10/BelkasoftCTF_InsiderThreat/Dirty");
    let set = Set::new("belk", &src, BELK_DIRTY);
    let r = set.run(Some("SRUDB.dat"));
    check("win10-belkasoft-dirty", &r);
    assert_eq!(r.verdict, Verdict::WouldSucceed);

    // The database's log signature changed: a database of another stream, skipped, -1216 at the end.
    let other = Set::new("belk-other", &src, BELK_DIRTY);
    other_stream(&other.path("SRUDB.dat"));
    let r = other.run(Some("SRUDB.dat"));
    check("win10-belkasoft-other-stream", &r);
    let e = r.error.as_ref().unwrap();
    assert_eq!(
        (e.code, e.name, e.lgpos.map(|l| lgpos(&l))),
        (-1216, "JET_errAttachedDatabaseMismatch", Some("82,1,0".into()))
    );
    assert_eq!(r.attach.last().map(|a| a.decision), Some(Decision::Skip));

    // Without its required log (generation 0x51): -543.
    let missing = Set::new("belk-543", &src, BELK_DIRTY);
    std::fs::remove_file(missing.path("SRU00051.log")).unwrap();
    let r = missing.run(Some("SRUDB.dat"));
    check("win10-belkasoft-no-required-log", &r);
    assert_eq!(r.error.as_ref().map(|e| (e.code, e.name)), Some((-543, "JET_errRequiredLogFilesMissing")));

    // Without the checkpoint.
    std::fs::remove_file(set.path("SRU.chk")).unwrap();
    let r = set.run(Some("SRUDB.dat"));
    check("win10-belkasoft-dirty-no-checkpoint", &r);
}

#[test]
fn server2022_stream_creates_the_database_and_applies_every_page_record() {
    let Some(c) = corpus() else { return };
    let src = c.join(SRUM).join("Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022/SRU");
    let set = Set::new("s22", &src, &["SRU00001.log", "SRU.log"]);
    let r = set.run(None);
    check("server2022-create", &r);
    assert!(r.create);
    assert_eq!(r.database.as_deref(), Some("C:\\Windows\\system32\\sru\\SRUDB.dat"));
    // The same with a database path that does not exist: the CreateDB names it.
    let r2 = set.run(Some("SRUDB.dat"));
    assert_eq!((r2.create, r2.apply.clone(), r2.verdict), (true, r.apply.clone(), Verdict::WouldSucceed));

    // Generation 1 alone as the current log: its last transaction is rolled back.
    let gen1 = Set::new("s22-gen1", &src, &["SRU00001.log"]);
    std::fs::rename(gen1.path("SRU00001.log"), gen1.path("SRU.log")).unwrap();
    let r = gen1.run(None);
    check("server2022-create-gen1", &r);
    let t = r.open_transactions.first().unwrap();
    assert_eq!((t.procid, t.trx_begin0, lgpos(&t.lgpos)), (5, 0x68, "1,13,221".into()));
}

/// Two secedit.sdb streams (generation 1 alone, no database): the corpus's only real Merge2
/// records, all EmptyPage merges (a page emptied by deletes, unlinked from its siblings, its
/// pointer deleted from the parent), and two EmptyTree records. The dry run applies them in
/// memory as recovery does: it once predicted success where the page model refused the third
/// merge (-626, NDEmptyPage's null prefix set while lines still used the old one), because it
/// read only page dbtimes. The oracle's rows count every record and page.
#[test]
fn secedit_streams_create_their_database_through_emptypage_merges() {
    let Some(c) = corpus() else { return };
    for (set_name, folder, merges) in [
        ("secedit-wildryry-create", "wildryry-math", 20),
        ("secedit-linuxwindows-create", "linuxwindows1234585-sys-github", 22),
    ] {
        let set = Set::new(set_name, &c.join(folder), &["edb.log"]);
        let r = set.run(None);
        check(set_name, &r);
        assert_eq!(r.verdict, Verdict::WouldSucceed, "{set_name}: {:?}", r.error);
        assert!(r.create);
        assert_eq!(r.apply.by_type.get("Merge2").copied(), Some(merges), "{set_name}");
        assert_eq!(r.database.as_deref(), Some("C:\\WINDOWS\\Security\\Database\\secedit.sdb"));
    }
}

#[test]
fn a_checksum_chain_break_stops_the_replay_with_590() {
    // testdata/logs/srum-server2022 holds SRU00001.log and SRU.log of the same stream; a log whose
    // checksumPrevLogAllSegments does not continue the previous one stops recovery (-590).
    let src = repo().join("testdata/logs/srum-server2022");
    let set = Set::new("s22-590", &src, &["SRU00001.log", "SRU.log"]);
    let path = set.path("SRU.log");
    let mut b = std::fs::read(&path).unwrap();
    // The header's checksumPrevLogAllSegments changed and the header re-checksummed.
    // checksumPrevLogAllSegments @0x28D (docs/format-log.md §4.2).
    b[0x28D] ^= 0xFF;
    let c = xor32(&b[..4096]);
    b[..4].copy_from_slice(&c.to_le_bytes());
    std::fs::write(&path, b).unwrap();
    let r = set.run(None);
    let e = r.error.as_ref().unwrap();
    assert_eq!((e.code, e.lgpos.map(|l| l.generation)), (-590, Some(2)), "{e:?}");
    assert!(r.create, "generation 1 was replayed first");
}
