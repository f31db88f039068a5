//! Issue 12's "Done means", end to end through the CLI: real sets of `../shared/corpus` copied
//! into temporary folders, `esehdr recover` run on them, and for each run the exit code, the
//! error (code, name, log position) where one is expected, no COPY and no temporary file left
//! after a failure, and the inputs byte for byte unchanged.
//!
//! Oracles: the engine's own files (the second Server 2022 snapshot's `SRUDB.dat` for the
//! roll-forward), the error codes of docs/log-records.md §5 and `testdata/expected-recover.tsv`
//! (derived from the spec by `testdata/derive-expected-recover.py`).

use std::path::{Path, PathBuf};
use std::process::Command;

const SRUM: &str = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/";
const FIRST: &str = "Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022/SRU";
const SECOND: &str = "Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU";
const BELK: &str = "Win10/BelkasoftCTF_InsiderThreat/Dirty";
const WIN11: &str = "Win11/RathbunVM/Dirty";
const PAGE: usize = 4096;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir.join(SRUM));
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} is missing", dir.display());
    None
}

/// A temporary folder holding the set in `set/`; COPY is written beside it.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("esehdr-cli-recover-scen-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("set")).unwrap();
        Dir(dir)
    }
    fn copy_from(name: &str, src: &Path) -> Dir {
        let d = Dir::new(name);
        for e in std::fs::read_dir(src).unwrap().flatten() {
            if e.file_type().unwrap().is_file() {
                d.put(&e.path(), &e.file_name().to_string_lossy());
            }
        }
        d
    }
    /// Copies `src` into the set as `name` (writable: the corpus files are read-only).
    fn put(&self, src: &Path, name: &str) {
        std::fs::write(self.set().join(name), std::fs::read(src).unwrap()).unwrap();
    }
    fn set(&self) -> PathBuf {
        self.0.join("set")
    }
    fn db(&self) -> PathBuf {
        self.set().join("SRUDB.dat")
    }
    fn path(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(self.set())
            .unwrap()
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
            .collect();
        v.sort();
        v
    }
    /// Every file beside the set (COPY, temporaries) and every temporary inside it.
    fn outputs(&self) -> Vec<String> {
        let mut v = Vec::new();
        for e in std::fs::read_dir(&self.0).unwrap().flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n != "set" {
                v.push(n);
            }
        }
        for e in std::fs::read_dir(self.set()).unwrap().flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.contains("esehdr-tmp") {
                v.push(n);
            }
        }
        v
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn esehdr(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_esehdr")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// `recover [DB] --logs SET --out COPY --json`: exit code and the parsed JSON.
fn recover(db: Option<&Path>, logs: &Path, out: &Path) -> (i32, serde_json::Value, String) {
    let mut args: Vec<&std::ffi::OsStr> = vec![os("recover")];
    if let Some(db) = db {
        args.push(db.as_os_str());
    }
    args.extend([os("--logs"), logs.as_os_str(), os("--out"), out.as_os_str(), os("--json")]);
    let (code, stdout, stderr) = esehdr(&args);
    let j = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    (code, j, format!("{stdout}{stderr}"))
}

/// `recover --dry-run [DB] --logs SET --json`.
fn dry_run(db: Option<&Path>, logs: &Path) -> serde_json::Value {
    let mut args: Vec<&std::ffi::OsStr> = vec![os("recover"), os("--dry-run")];
    if let Some(db) = db {
        args.push(db.as_os_str());
    }
    args.extend([os("--logs"), logs.as_os_str(), os("--json")]);
    let (_, stdout, stderr) = esehdr(&args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"))
}

/// A failed recovery: exit 1, the error expected, no COPY, no temporary file, inputs unchanged.
fn assert_fails(d: &Dir, db: Option<&Path>, code: i64, name: &str) -> serde_json::Value {
    let before = d.snapshot();
    let out = d.path("X.dat");
    let (exit, j, text) = recover(db, &d.set(), &out);
    assert_eq!(exit, 1, "{text}");
    assert_eq!(j["ok"], false, "{text}");
    assert_eq!(j["error"]["code"], code, "{text}");
    assert_eq!(j["error"]["name"], name, "{text}");
    assert!(!out.exists(), "COPY was written");
    assert!(d.outputs().is_empty(), "left behind: {:?}", d.outputs());
    assert_eq!(d.snapshot(), before, "an input changed");
    j
}

/// `esehdr k` and `esehdr check` pass the copy, `esehdr mh` reads it as Clean Shutdown.
fn assert_sound(out: &Path) {
    let (code, mh, _) = esehdr(&[os("mh"), out.as_os_str(), os("--fail-if-dirty")]);
    assert_eq!(code, 0, "{mh}");
    assert!(mh.contains("State: Clean Shutdown"), "{mh}");
    let (code, k, e) = esehdr(&[os("k"), out.as_os_str()]);
    assert_eq!(code, 0, "k: {k}{e}");
    let (code, c, e) = esehdr(&[os("check"), out.as_os_str()]);
    assert_eq!(code, 0, "check: {c}{e}");
}

/// The roll-forward set of KB296788's offline-backup restore: the first Server 2022 snapshot's
/// `SRUDB.dat` (Clean Shutdown, Last Consistent (0x2,1,606)) with generation 2 from `gen2` and
/// the second snapshot's generations 3-5, no checkpoint.
fn roll_forward_set(name: &str, gen2_of_first: bool) -> Option<Dir> {
    let c = corpus()?;
    let d = Dir::new(name);
    d.put(&c.join(FIRST).join("SRUDB.dat"), "SRUDB.dat");
    if gen2_of_first {
        // The first snapshot's SRU.log: generation 2 cut early, at the detach.
        d.put(&c.join(FIRST).join("SRU.log"), "SRU00002.log");
    } else {
        // The second snapshot's SRUtmp.log: the recycled generation 2, whole.
        d.put(&c.join(SECOND).join("SRUtmp.log"), "SRU00002.log");
    }
    for n in ["SRU00003.log", "SRU00004.log", "SRU.log"] {
        d.put(&c.join(SECOND).join(n), n);
    }
    Some(d)
}

/// A page without its checksum (@0..8) and the flush type (bits 15-16 of fFlags @36), which the
/// output stamps at each write (docs/page-internals.md §10 F7).
fn mask(p: &[u8]) -> Vec<u8> {
    let mut p = p.to_vec();
    p[0..8].fill(0);
    let f = u32::from_le_bytes(p[36..40].try_into().unwrap()) & !0x18000;
    p[36..40].copy_from_slice(&f.to_le_bytes());
    p
}

#[test]
fn roll_forward_of_the_first_server_2022_snapshot_gives_the_second() {
    let Some(d) = roll_forward_set("rf", false) else { return };
    let c = corpus().unwrap();
    let before = d.snapshot();
    let out = d.path("X.dat");
    let (code, j, text) = recover(Some(&d.db()), &d.set(), &out);
    assert_eq!(code, 0, "{text}");
    assert_eq!(j["ok"], true);
    assert_eq!(j["created"], false);
    assert_eq!(d.snapshot(), before, "an input changed");
    assert_sound(&out);
    let engine = std::fs::read(c.join(SECOND).join("SRUDB.dat")).unwrap();
    let copy = std::fs::read(&out).unwrap();
    // The copy has the logged size (142 pages after the two header copies); the engine's file
    // is 16 pages longer, all zero (grown past the last logged extension): the same pages.
    assert_eq!(copy.len(), 144 * PAGE);
    assert_eq!(engine.len(), 160 * PAGE);
    assert!(engine[copy.len()..].iter().all(|b| *b == 0), "the engine's pages past the copy are empty");
    let (mut identical, mut modulo_flush) = (0, 0);
    for k in 2..copy.len() / PAGE {
        let (a, b) = (&copy[k * PAGE..(k + 1) * PAGE], &engine[k * PAGE..(k + 1) * PAGE]);
        if a == b {
            identical += 1;
        } else {
            assert_eq!(mask(a), mask(b), "page {} differs beyond the write stamps", k - 1);
            modulo_flush += 1;
        }
    }
    eprintln!(
        "roll-forward: {} records applied, {} already on disk; pages byte-identical {identical}, apart from the flush type {modulo_flush}",
        j["applied"]["records"], j["already_on_disk"]
    );
    assert!(j["applied"]["records"].as_u64().unwrap() > 0);
    // The dry run predicted the same.
    let dry = dry_run(Some(&d.db()), &d.set());
    assert_eq!(dry["apply"], j["applied"]);
    for k in ["start", "end", "already_on_disk", "rollback"] {
        assert_eq!(dry[k], j[k], "{k}");
    }
}

#[test]
fn roll_forward_with_the_early_copy_of_generation_2_stops_with_590() {
    let Some(d) = roll_forward_set("rf-early", true) else { return };
    let j = assert_fails(&d, Some(&d.db()), -590, "JET_errLogSequenceChecksumMismatch");
    // The stream check stops before generation 3 (the early copy ends at the detach).
    assert_eq!(j["error"]["lgpos"]["generation"], 3, "{j}");
    let dry = dry_run(Some(&d.db()), &d.set());
    assert_eq!(dry["error"], j["error"], "the dry run predicts the same error");
}

#[test]
fn a_missing_log_stops_with_543() {
    let Some(c) = corpus() else { return };
    let d = Dir::copy_from("543", &c.join(BELK));
    std::fs::remove_file(d.set().join("SRU00051.log")).unwrap();
    let j = assert_fails(&d, Some(&d.db()), -543, "JET_errRequiredLogFilesMissing");
    assert_eq!(dry_run(Some(&d.db()), &d.set())["error"], j["error"]);
}

#[test]
fn a_database_of_another_stream_stops_with_1216_at_the_end() {
    let Some(c) = corpus() else { return };
    let d = Dir::copy_from("1216", &c.join(BELK));
    // signLog (docs/format-database.md §1.2 @0x6C) changed in both header copies, each
    // re-checksummed (legacy XOR-32, docs/format-page.md §6.1), as testdata/make-corrupt.py does.
    let mut b = std::fs::read(d.db()).unwrap();
    for base in [0, PAGE] {
        let r = u32::from_le_bytes(b[base + 108..base + 112].try_into().unwrap()) ^ 0x5A5A_5A5A;
        b[base + 108..base + 112].copy_from_slice(&r.to_le_bytes());
        let x = b[base + 4..base + PAGE]
            .chunks_exact(4)
            .fold(0x89AB_CDEF_u32, |acc, w| acc ^ u32::from_le_bytes(w.try_into().unwrap()));
        b[base..base + 4].copy_from_slice(&x.to_le_bytes());
    }
    std::fs::write(d.db(), b).unwrap();
    let j = assert_fails(&d, Some(&d.db()), -1216, "JET_errAttachedDatabaseMismatch");
    // At the end of the logs: generation 0x52, the first position after the last record
    // (testdata/expected-recover.tsv, row win10-belkasoft-other-stream).
    assert_eq!(j["error"]["lgpos"], serde_json::json!({"generation": 0x52, "sector": 1, "offset": 0}), "{j}");
    assert_eq!(dry_run(Some(&d.db()), &d.set())["error"], j["error"]);
}

#[test]
fn a_page_older_than_the_log_expects_stops_with_566() {
    // The roll-forward set of the first test with one page the logs change made older: its
    // dbtimeDirtied (@8) lowered to 1 and its checksum re-stamped, as if an image from long
    // before had been restored. The first record touching it expects a dbtime before it
    // greater than the page's: -566 (JET_errDbTimeTooOld).
    let Some(d) = roll_forward_set("566", false) else { return };
    let c = corpus().unwrap();
    let engine = std::fs::read(c.join(SECOND).join("SRUDB.dat")).unwrap();
    let mut b = std::fs::read(d.db()).unwrap();
    // The first page (pgno ≥ 2: pgno 1 is the root the attach reads) whose bytes the logs change.
    let k = (3..b.len() / PAGE)
        .find(|k| mask(&b[k * PAGE..(k + 1) * PAGE]) != mask(&engine[k * PAGE..(k + 1) * PAGE]))
        .unwrap();
    let pgno = u32::try_from(k - 1).unwrap();
    let page = &mut b[k * PAGE..(k + 1) * PAGE];
    let dbtime = u64::from_le_bytes(page[8..16].try_into().unwrap());
    assert!(dbtime > 1);
    page[8..16].copy_from_slice(&1u64.to_le_bytes());
    assert!(esehdr_format::page::write_page_checksum(page, pgno));
    std::fs::write(d.db(), &b).unwrap();
    eprintln!("page {pgno}: dbtime {dbtime:#x} lowered to 1");
    let j = assert_fails(&d, Some(&d.db()), -566, "JET_errDbTimeTooOld");
    assert!(j["error"]["lgpos"].is_object(), "{j}");
    assert_eq!(j["error"]["pgno"], pgno, "the error names the page: {j}");
    assert_eq!(dry_run(Some(&d.db()), &d.set())["error"], j["error"], "the dry run predicts -566 at the same place");
}

#[test]
fn both_dirty_srum_sets_recover_as_the_dry_run_said() {
    let Some(c) = corpus() else { return };
    for (name, set) in [("win11", WIN11), ("win10", BELK)] {
        let d = Dir::copy_from(name, &c.join(set));
        let before = d.snapshot();
        let dry = dry_run(Some(&d.db()), &d.set());
        assert_eq!(dry["verdict"], "would_succeed", "{name}: {dry}");
        let out = d.path("X.dat");
        let (code, j, text) = recover(Some(&d.db()), &d.set(), &out);
        assert_eq!(code, 0, "{name}: {text}");
        assert_eq!(d.snapshot(), before, "{name}: an input changed");
        // What was applied: the attach and the header, no page record.
        assert_eq!(j["applied"]["records"], 0, "{name}");
        assert_eq!(j["header"]["state"], "clean_shutdown");
        assert_eq!(dry["apply"], j["applied"], "{name}");
        assert_eq!(dry["already_on_disk"], j["already_on_disk"], "{name}");
        assert_eq!(dry["rollback"], j["rollback"], "{name}");
        assert_sound(&out);
        // Recovering the recovered copy with the same logs changes no page: its Last Consistent
        // is the end of the logs, where the engine would have appended its ShutDownMark, so the
        // attachments before it are deferred (ConsistentFuture) and nothing is replayed.
        let again = d.path("Y.dat");
        let (code, j2, text) = recover(Some(&out), &d.set(), &again);
        assert_eq!(code, 0, "{name}: recovering the copy: {text}");
        assert_eq!(j2["applied"]["records"], 0, "{name}");
        assert_eq!(j2["header"]["last_consistent"], j["header"]["last_consistent"], "{name}");
        let (a, b) = (std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
        assert_eq!(a.len(), b.len(), "{name}");
        assert!(a[2 * PAGE..] == b[2 * PAGE..], "{name}: recovering the recovered copy changed a page");
    }
}

#[test]
fn the_dry_run_starts_where_recover_starts_when_the_logs_create_the_database() {
    // testdata/logs/srum-server2022: no database, a checkpoint past the CreateDB. Recovery
    // creates the database from the lowest log (issue 11 item 4); the dry run predicts exactly
    // that run, from the same start, with the same counts.
    let d = Dir::copy_from("create", &repo().join("testdata/logs/srum-server2022"));
    let before = d.snapshot();
    let dry = dry_run(None, &d.set());
    let (code, j, text) = recover(None, &d.set(), &d.path("X.dat"));
    assert_eq!(code, 0, "{text}");
    assert_eq!(d.snapshot(), before);
    assert_eq!(dry["create"], true, "{dry}");
    assert_eq!(j["created"], true);
    // The start: generation 1, the lowest log (testdata/expected-recover.tsv, server2022-create).
    assert_eq!(dry["start"], serde_json::json!({"generation": 1, "sector": 1, "offset": 0}), "{dry}");
    assert_eq!(dry["verdict"], "would_succeed");
    assert_eq!(dry["apply"], j["applied"]);
    for k in ["start", "end", "already_on_disk", "rollback", "base_name"] {
        assert_eq!(dry[k], j[k], "{k}");
    }
    // The same with a database path that does not exist (the CreateDB's file name).
    let absent = d.path("SRUDB.dat");
    assert_eq!(dry_run(Some(&absent), &d.set())["apply"], j["applied"]);
}

#[test]
fn plan_offers_recover_for_a_dirty_shutdown_database_and_the_command_works() {
    let Some(c) = corpus() else { return };
    let d = Dir::copy_from("plan", &c.join(BELK));
    let (code, text, e) = esehdr(&[os("plan"), d.set().as_os_str()]);
    assert!(code == 0 || code == 1, "{text}{e}");
    let want = format!("esehdr recover {} --logs {} --out COPY", d.db().display(), d.set().display());
    assert!(text.contains(&format!("to read it without touching the evidence: {want}")), "{text}");
    let (_, json, _) = esehdr(&[os("plan"), os("--json"), d.set().as_os_str()]);
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    let commands = &j["streams"][0]["recover_commands"];
    assert_eq!(commands, &serde_json::json!([want]), "{json}");
    // The command, COPY chosen, does what it says.
    let out = d.path("X.dat");
    let args: Vec<String> =
        want.replace("COPY", &out.display().to_string()).split(' ').skip(1).map(String::from).collect();
    let before = d.snapshot();
    let (code, o, e) = esehdr(&args.iter().map(|s| os(s)).collect::<Vec<_>>());
    assert_eq!(code, 0, "{o}{e}");
    assert_eq!(d.snapshot(), before);
    assert_sound(&out);
    // A Clean Shutdown database gets none.
    let (_, json, _) = esehdr(&[os("plan"), os("--json"), c.join(FIRST).as_os_str()]);
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["streams"][0]["recover_commands"], serde_json::json!([]), "{json}");
}

/// `recover --dry-run --until C` predicts `recover --until C` (issue 12 item 4): generation 1 of
/// the Server 2022 stream alone (testdata/logs/srum-server2022/SRU00001.log, as the current log),
/// cut inside trx 0x24 (Begin0 at (1,B,0), three versioned Inserts; docs/log-records.md §5.6):
/// the same counts, end and open transaction, and the copy is written. To the end of the log,
/// both roll back the open trx 0x68, which created tables (its rows undone, the new trees' space
/// kept: docs/page-internals.md §10 F13).
#[test]
fn dry_run_until_predicts_recover_until() {
    let d = Dir::new("until");
    d.put(&repo().join("testdata/logs/srum-server2022/SRU00001.log"), "SRU.log");
    let out = d.path("X.dat");
    let set = d.set();
    let args = |dry: bool, until: Option<&str>| {
        let mut a = vec![os("recover"), os("--logs"), set.as_os_str(), os("--json")];
        if dry {
            a.push(os("--dry-run"));
        } else {
            a.extend([os("--out"), out.as_os_str(), os("--force")]);
        }
        if let Some(u) = until {
            a.extend([os("--until"), os(u)]);
        }
        let (code, stdout, stderr) = esehdr(&a);
        (code, serde_json::from_str::<serde_json::Value>(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}")))
    };
    let (dc, dry) = args(true, Some("0x1,B,133"));
    let (rc, rec) = args(false, Some("0x1,B,133"));
    assert_eq!((dc, rc), (0, 0), "{dry}\n{rec}");
    assert_eq!(rec["ok"], true);
    assert_eq!(dry["apply"], rec["applied"]);
    for k in ["start", "end", "already_on_disk", "rollback"] {
        assert_eq!(dry[k], rec[k], "{k}");
    }
    assert_eq!(dry["end"], serde_json::json!({"generation": 1, "sector": 11, "offset": 0x133}));
    assert_eq!(dry["rollback"]["transactions"], 1);
    assert_eq!(dry["rollback"]["records"], 3);

    std::fs::remove_file(&out).unwrap();
    let (dc, dry) = args(true, None);
    let (rc, rec) = args(false, None);
    assert_eq!((dc, rc), (0, 0), "{dry}\n{rec}");
    assert_eq!(rec["ok"], true);
    assert_eq!(dry["apply"], rec["applied"]);
    assert_eq!(dry["rollback"], rec["rollback"]);
    assert_eq!(dry["rollback"], serde_json::json!({"transactions": 1, "records": 69}));
    assert!(out.exists(), "the copy is written");
}

/// A replay that ends before the CreateDBFinish of the database it creates (generation 1 of the
/// Server 2022 stream: CreateDB at (0x1,1,268), CreateDBFinish at (0x1,9,36); docs/log-records.md
/// §3.5) has no database to write: the engine discards a database still being created at the end
/// of recovery. Both the dry run and `recover` say so (-1206, naming the CreateDB), and nothing is
/// written; a cut after the CreateDBFinish gives a copy.
#[test]
fn until_before_the_creation_finishes_writes_nothing() {
    let d = Dir::new("creating");
    d.put(&repo().join("testdata/logs/srum-server2022/SRU00001.log"), "SRU.log");
    let out = d.path("X.dat");
    let set = d.set();
    let go = |dry: bool, until: &str| {
        let mut a = vec![os("recover"), os("--logs"), set.as_os_str(), os("--json"), os("--until"), os(until)];
        if dry {
            a.push(os("--dry-run"));
        } else {
            a.extend([os("--out"), out.as_os_str()]);
        }
        let (code, stdout, stderr) = esehdr(&a);
        (code, serde_json::from_str::<serde_json::Value>(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}")))
    };
    for until in ["0x1,2,0", "0x1,9,36"] {
        let (dc, dry) = go(true, until);
        let (rc, rec) = go(false, until);
        assert_eq!((dc, rc), (1, 1), "{until}: {dry}\n{rec}");
        assert_eq!(dry["error"], rec["error"], "{until}");
        assert_eq!(rec["error"]["code"], -1206, "{until}");
        assert!(rec["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CreateDBFinish of the database it creates (CreateDB at (0x1,1,268))"));
        assert!(!out.exists(), "{until}: nothing written");
    }
    let (rc, rec) = go(false, "0x1,9,58");
    assert_eq!(rc, 0, "{rec}");
    assert!(out.exists());
}

/// Two independent ways to the same state: rolling the first snapshot's `SRUDB.dat` (the engine's
/// file) forward with the second snapshot's logs to a cut C, and re-creating the database from
/// generation 1 to the same C. At each C below (drawn at random once from generations 2-5; a
/// transaction is open at every one of them, so both roll it back) the two copies have the same
/// size and every page equal apart from the write stamps (checksum, flush type).
#[test]
fn roll_forward_and_re_creation_agree_at_cut_points() {
    let Some(rf) = roll_forward_set("rf-cuts", false) else { return };
    let c = corpus().unwrap();
    let cr = Dir::new("cr-cuts");
    cr.put(&c.join(FIRST).join("SRU00001.log"), "SRU00001.log");
    for n in ["SRU00002.log", "SRU00003.log", "SRU00004.log", "SRU.log"] {
        cr.put(&rf.set().join(n), n);
    }
    for cut in ["0x2,5,3A9", "0x2,6,EBE", "0x2,B,327", "0x3,E,B4C", "0x4,3,587", "0x5,2,958"] {
        let run = |db: Option<&Path>, set: &Path, out: &Path| {
            let mut a: Vec<&std::ffi::OsStr> = vec![os("recover")];
            if let Some(db) = db {
                a.push(db.as_os_str());
            }
            a.extend([
                os("--logs"),
                set.as_os_str(),
                os("--out"),
                out.as_os_str(),
                os("--until"),
                os(cut),
                os("--json"),
            ]);
            let (code, stdout, stderr) = esehdr(&a);
            assert_eq!(code, 0, "{cut}: {stdout}{stderr}");
            let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(j["rollback"]["transactions"], 1, "{cut}: {j}");
            std::fs::read(out).unwrap()
        };
        let (a_out, b_out) = (rf.path(&format!("rf-{cut}.dat")), cr.path(&format!("cr-{cut}.dat")));
        let a = run(Some(&rf.db()), &rf.set(), &a_out);
        let b = run(None, &cr.set(), &b_out);
        assert_eq!(a.len(), b.len(), "{cut}: sizes");
        for k in 2..a.len() / PAGE {
            let (x, y) = (&a[k * PAGE..(k + 1) * PAGE], &b[k * PAGE..(k + 1) * PAGE]);
            assert_eq!(mask(x), mask(y), "{cut}: page {} differs", k - 1);
        }
    }
}
