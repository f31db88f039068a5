//! `esehdr recover [DB] --logs DIR --out COPY`: recovery on a copy (issues 11 and 12). The sets
//! are real SRUM folders of `../shared/corpus` (and `testdata/`) copied into temporary folders;
//! the expected header values are the engine's own (its Clean Shutdown files) and the oracle of
//! `testdata/expected-recover.tsv`.
//!
//! What is checked: exit codes, an existing COPY refused without `--force`, COPY naming an input
//! (same path, hard link, symbolic link) refused, the inputs byte for byte unchanged, no
//! temporary file left after an error or a Ctrl-C, `--until` parsing, the copy's header
//! (`esehdr mh`) and page checksums (`esehdr k`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SRUM: &str = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} is missing", dir.display());
    None
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("esehdr-cli-recover-copy-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
    fn copy_from(name: &str, src: &Path) -> Dir {
        let d = Dir::new(name);
        std::fs::create_dir_all(d.0.join("set")).unwrap();
        for e in std::fs::read_dir(src).unwrap().flatten() {
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), d.0.join("set").join(e.file_name())).unwrap();
            }
        }
        d
    }
    fn set(&self) -> PathBuf {
        self.0.join("set")
    }
    fn path(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
    /// Every file of the set with its bytes.
    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(self.set())
            .unwrap()
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
            .collect();
        v.sort();
        v
    }
    fn temporaries(&self) -> Vec<String> {
        let mut v = Vec::new();
        for dir in [self.0.clone(), self.set()] {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.contains("esehdr-tmp") {
                    v.push(n);
                }
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

/// `recover DB --logs SET --out COPY [extra]`.
fn recover(db: &Path, logs: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<&std::ffi::OsStr> =
        vec![os("recover"), db.as_os_str(), os("--logs"), logs.as_os_str(), os("--out"), out.as_os_str()];
    args.extend(extra.iter().map(|s| os(s)));
    esehdr(&args)
}

/// The Windows 11 RathbunVM Dirty Shutdown SRUM set (the dry run: nothing on the pages, the
/// attach and the header), or None without the corpus.
fn dirty_set(name: &str) -> Option<Dir> {
    let src = corpus()?.join(SRUM).join("Win11/RathbunVM/Dirty");
    Some(Dir::copy_from(name, &src))
}

#[test]
fn dirty_srum_sets_recover_to_clean_copies_and_the_inputs_stay_unchanged() {
    let Some(c) = corpus() else { return };
    for (name, set) in [("win11", "Win11/RathbunVM/Dirty"), ("win10", "Win10/BelkasoftCTF_InsiderThreat/Dirty")] {
        let d = Dir::copy_from(name, &c.join(SRUM).join(set));
        let before = d.snapshot();
        let out = d.path("X.dat");
        let (code, stdout, stderr) = recover(&d.set().join("SRUDB.dat"), &d.set(), &out, &["--json"]);
        assert_eq!(code, 0, "{name}: {stdout}{stderr}");
        let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        // The JSON contract of issue 11, key for key.
        let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = vec![
            "database",
            "output",
            "base_name",
            "start",
            "end",
            "created",
            "applied",
            "already_on_disk",
            "rollback",
            "header",
            "verify",
            "seconds",
            "ok",
            "error",
        ];
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(j["ok"], true);
        assert!(j["error"].is_null());
        assert_eq!(j["created"], false);
        assert_eq!(j["applied"]["records"], 0, "{name}: the dry run says nothing is applied to the pages");
        assert_eq!(j["header"]["state"], "clean_shutdown");
        assert_eq!(j["header"]["log_required"]["min"], 0);
        assert_eq!(j["verify"]["bad_checksums"], 0);
        assert_eq!(j["verify"]["structure_problems"], 0);
        assert_eq!(d.snapshot(), before, "{name}: an input changed");
        assert!(d.temporaries().is_empty());

        // esehdr mh reads the copy as Clean Shutdown, esehdr k passes it.
        let (code, mh, _) = esehdr(&[os("mh"), out.as_os_str(), os("--fail-if-dirty")]);
        assert_eq!(code, 0, "{mh}");
        assert!(mh.contains("State: Clean Shutdown"), "{mh}");
        let (code, k, _) = esehdr(&[os("k"), out.as_os_str()]);
        assert_eq!(code, 0, "{k}");
        // The pages are the original's (nothing was redone): byte for byte after the headers.
        let orig = std::fs::read(d.set().join("SRUDB.dat")).unwrap();
        let copy = std::fs::read(&out).unwrap();
        let ps = usize::try_from(j["verify"]["pages_seen"].as_u64().unwrap()).map(|n| orig.len() / n).unwrap();
        assert_eq!(orig.len(), copy.len());
        assert!(orig[2 * ps..] == copy[2 * ps..], "{name}: a page changed");
    }
}

#[test]
fn text_report_says_the_copy_is_standalone() {
    let Some(d) = dirty_set("text") else { return };
    let out = d.path("X.dat");
    let (code, stdout, _) = recover(&d.set().join("SRUDB.dat"), &d.set(), &out, &["--nologo"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("is a standalone Clean Shutdown database"), "{stdout}");
    assert!(stdout.contains("Do not put it\n  back beside the original logs"), "{stdout}");
}

#[test]
fn an_existing_copy_is_refused_without_force() {
    let Some(d) = dirty_set("force") else { return };
    let out = d.path("X.dat");
    std::fs::write(&out, b"keep me").unwrap();
    let (code, _, stderr) = recover(&d.set().join("SRUDB.dat"), &d.set(), &out, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("exists; give --force"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    let (code, stdout, stderr) = recover(&d.set().join("SRUDB.dat"), &d.set(), &out, &["--force"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_ne!(std::fs::read(&out).unwrap(), b"keep me");
    assert!(d.temporaries().is_empty());
}

#[test]
fn the_copy_can_never_be_an_input() {
    let Some(d) = dirty_set("same") else { return };
    let db = d.set().join("SRUDB.dat");
    let before = d.snapshot();
    let hard = d.path("hard.dat");
    std::fs::hard_link(&db, &hard).unwrap();
    let mut targets =
        vec![db.clone(), d.set().join("./SRUDB.dat"), hard, d.set().join("SRU.log"), d.set().join("SRU.chk")];
    #[cfg(unix)]
    {
        let link = d.path("link.dat");
        std::os::unix::fs::symlink(&db, &link).unwrap();
        targets.push(link);
    }
    for t in &targets {
        for extra in [&[][..], &["--force"][..]] {
            let (code, _, stderr) = recover(&db, &d.set(), t, extra);
            assert_eq!(code, 2, "{}: {stderr}", t.display());
            assert!(stderr.contains("the copy may never be one of the inputs"), "{stderr}");
        }
    }
    assert_eq!(d.snapshot(), before);
    assert!(d.temporaries().is_empty());
}

#[test]
fn until_is_parsed_in_eseutils_notation() {
    // The Server 2022 stream ends `ShutDownMark (2,1,606)`, `Term`: stopping at the mark replays
    // everything before it, so the copy is the whole database, and Last Consistent is the stop.
    let d = Dir::copy_from("until", &repo().join("testdata/logs/srum-server2022"));
    for (i, good) in ["0x2,1,606", "(0x2,1,606)", "( 0x2 , 1 , 0x606 )"].iter().enumerate() {
        let out = d.path(&format!("U{i}.dat"));
        let (code, stdout, stderr) = esehdr(&[
            os("recover"),
            os("--logs"),
            d.set().as_os_str(),
            os("--out"),
            out.as_os_str(),
            os("--until"),
            os(good),
            os("--json"),
        ]);
        assert_eq!(code, 0, "{good}: {stdout}{stderr}");
        let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let at = serde_json::json!({"generation": 2, "sector": 1, "offset": 0x606});
        assert_eq!(j["end"], at, "{good}");
        assert_eq!(j["header"]["last_consistent"], at, "{good}");
        assert_eq!(j["header"]["dbtime"], 457, "{good}");
    }
    for bad in ["0x2,1", "zz,1,2", "(0x2,1,606", "0x1,10000,0", ""] {
        let out = d.path("B.dat");
        let (code, _, stderr) = esehdr(&[
            os("recover"),
            os("--logs"),
            d.set().as_os_str(),
            os("--out"),
            out.as_os_str(),
            os("--until"),
            os(bad),
        ]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains("--until"), "{stderr}");
        assert!(!out.exists());
    }
}

#[test]
fn until_before_the_attach_leaves_the_database_dirty() {
    // Win11 RathbunVM: replay starts at the checkpoint (0x5C,8,0); the attachment of SRUDB.dat
    // comes after (0x5C,9,0). Stopping there, the record at the stop and later ones are not
    // replayed: recovery would leave the database in Dirty Shutdown (-550), nothing is written.
    let Some(d) = dirty_set("until-dirty") else { return };
    let out = d.path("U.dat");
    let (code, stdout, _) = recover(&d.set().join("SRUDB.dat"), &d.set(), &out, &["--until", "0x5C,9,0", "--json"]);
    assert_eq!(code, 1, "{stdout}");
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["error"]["code"], -550);
    assert_eq!(j["ok"], false);
    assert!(!out.exists());
    assert!(d.temporaries().is_empty());
}

#[test]
fn out_is_required_without_dry_run() {
    let Some(d) = dirty_set("noout") else { return };
    let (code, _, stderr) =
        esehdr(&[os("recover"), d.set().join("SRUDB.dat").as_os_str(), os("--logs"), d.set().as_os_str()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--out COPY"), "{stderr}");
}

#[test]
fn a_log_damaged_in_the_middle_stops_recovery_and_writes_nothing() {
    // Generation 1 of the Server 2022 stream with two bits flipped inside segment 5: the
    // replay stops with -501 (JET_errLogFileCorrupt) and COPY is not written.
    let d = Dir::copy_from("damaged", &repo().join("testdata/logs/srum-server2022"));
    let log = d.set().join("SRU00001.log");
    let mut bytes = std::fs::read(&log).unwrap();
    // Two bits in two words (one bit alone is corrected by the segment ECC; whole words
    // flipped in pairs cancel out in the XOR).
    bytes[5 * 4096 + 0x200] ^= 0x01;
    bytes[5 * 4096 + 0x305] ^= 0x10;
    std::fs::write(&log, &bytes).unwrap();
    let before = d.snapshot();
    let out = d.path("X.dat");
    let (code, stdout, stderr) =
        esehdr(&[os("recover"), os("--logs"), d.set().as_os_str(), os("--out"), out.as_os_str(), os("--json")]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["error"]["code"], -501, "{stdout}");
    assert_eq!(j["ok"], false);
    assert!(j["header"].is_null() && j["verify"].is_null());
    assert!(!out.exists());
    assert!(d.temporaries().is_empty());
    assert_eq!(d.snapshot(), before);
}

#[cfg(unix)]
#[test]
fn ctrl_c_removes_the_temporary_copy() {
    let Some(d) = dirty_set("sigint") else { return };
    let out = d.path("X.dat");
    let child = Command::new(env!("CARGO_BIN_EXE_esehdr"))
        .args([os("recover"), d.set().join("SRUDB.dat").as_os_str(), os("--logs"), d.set().as_os_str()])
        .arg("--out")
        .arg(&out)
        .env("ESEHDR_TEST_RECOVER_DELAY_MS", "20000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the temporary copy exists (the run then sleeps 20 s).
    let started = std::time::Instant::now();
    while d.temporaries().is_empty() {
        assert!(started.elapsed().as_secs() < 15, "no temporary file appeared");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = Command::new("kill").arg("-INT").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(String::from_utf8_lossy(&done.stderr).contains("interrupted"));
    assert!(started.elapsed().as_secs() < 15, "the run was not interrupted");
    assert!(d.temporaries().is_empty(), "{:?}", d.temporaries());
    assert!(!out.exists());
}

/// The end-to-end of issue 11: generations 1-2 of the first Server 2022 snapshot create
/// `SRUDB.dat`; the copy reads as Clean Shutdown and passes `esehdr k`.
#[test]
fn server_2022_logs_recreate_a_clean_database() {
    let d = Dir::copy_from("recreate", &repo().join("testdata/logs/srum-server2022"));
    let out = d.path("X.dat");
    let (code, stdout, stderr) =
        esehdr(&[os("recover"), os("--logs"), d.set().as_os_str(), os("--out"), out.as_os_str(), os("--json")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["created"], true);
    // The engine's file: Last Consistent (0x2,1,606), dbtime 457 (testdata/expected-db.tsv).
    assert_eq!(j["header"]["last_consistent"], serde_json::json!({"generation": 2, "sector": 1, "offset": 0x606}));
    assert_eq!(j["header"]["dbtime"], 457);
    assert_eq!(j["verify"]["structure_problems"], 0);
    let (code, mh, _) = esehdr(&[os("mh"), out.as_os_str()]);
    assert_eq!(code, 0);
    assert!(mh.contains("State: Clean Shutdown"), "{mh}");
    let (code, k, _) = esehdr(&[os("k"), out.as_os_str()]);
    assert_eq!(code, 0, "{k}");
    // The logged size: ExtendDB [1:46], a file of 48 pages (docs/page-internals.md §10 F8).
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 48 * 4096);
    // Every database page equals the engine's, apart from the flush type (bits 15-16 of fFlags
    // @36) and the checksum it feeds (docs/page-internals.md §10 F7).
    let engine = std::fs::read(repo().join("testdata/db/srum-server2022-clean.dat")).unwrap();
    let copy = std::fs::read(&out).unwrap();
    let mask = |p: &[u8]| {
        let mut p = p.to_vec();
        p[0..8].fill(0);
        let f = u32::from_le_bytes(p[36..40].try_into().unwrap()) & !0x18000;
        p[36..40].copy_from_slice(&f.to_le_bytes());
        p
    };
    let (mut identical, mut modulo_flush) = (0, 0);
    for k in 2..48 {
        let (a, b) = (&copy[k * 4096..(k + 1) * 4096], &engine[k * 4096..(k + 1) * 4096]);
        if a == b {
            identical += 1;
        } else {
            assert_eq!(mask(a), mask(b), "page {} differs beyond the flush type", k - 1);
            modulo_flush += 1;
        }
    }
    eprintln!("pages byte-identical: {identical}, identical apart from the flush type: {modulo_flush}");
    assert_eq!(identical + modulo_flush, 46);
}

#[test]
fn verbose_lists_every_applied_record() {
    let d = Dir::copy_from("verbose", &repo().join("testdata/logs/srum-server2022"));
    let out = d.path("X.dat");
    let (code, text, _) = esehdr(&[
        os("recover"),
        os("-v"),
        os("--nologo"),
        os("--logs"),
        d.set().as_os_str(),
        os("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(code, 0, "{text}");
    let listed: Vec<&str> = text.lines().filter(|l| l.starts_with('>')).collect();
    let (_, json, _) = esehdr(&[
        os("recover"),
        os("--logs"),
        d.set().as_os_str(),
        os("--out"),
        d.path("Y.dat").as_os_str(),
        os("--json"),
    ]);
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(listed.len() as u64, j["applied"]["records"].as_u64().unwrap());
    // The first applied record of the creation: `ml -v` prints it so.
    assert!(
        listed[0].starts_with(">00000001,0002,003A Create M  49,4:1(5,FDP:[1:1],OE:[1:2],AE:[1:3]"),
        "{}",
        listed[0]
    );
}

#[test]
fn the_dry_run_predicts_what_recover_does() {
    let Some(c) = corpus() else { return };
    for (name, set) in
        [("pred-win11", "Win11/RathbunVM/Dirty"), ("pred-win10", "Win10/BelkasoftCTF_InsiderThreat/Dirty")]
    {
        let d = Dir::copy_from(name, &c.join(SRUM).join(set));
        let db = d.set().join("SRUDB.dat");
        let (_, dry, _) =
            esehdr(&[os("recover"), os("--dry-run"), db.as_os_str(), os("--logs"), d.set().as_os_str(), os("--json")]);
        let (code, rec, _) = recover(&db, &d.set(), &d.path("X.dat"), &["--json"]);
        assert_eq!(code, 0);
        let (dry, rec): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(&dry).unwrap(), serde_json::from_str(&rec).unwrap());
        assert_eq!(dry["apply"], rec["applied"], "{name}");
        for k in ["start", "end", "already_on_disk", "rollback", "base_name"] {
            assert_eq!(dry[k], rec[k], "{name}: {k}");
        }
        assert_eq!(dry["create"], rec["created"]);
    }
}

#[test]
fn a_database_the_replayed_logs_do_not_touch_keeps_its_last_consistent() {
    // The first Server 2022 snapshot's SRUDB.dat (Clean Shutdown, Last Consistent (0x2,1,606))
    // with the second snapshot's logs and checkpoint (at (0x5,6,0)): replay starts at the
    // checkpoint, no attachment names the database, nothing is applied. The copy must not claim
    // a consistency at the end of logs that never applied to it.
    let Some(c) = corpus() else { return };
    let d = Dir::copy_from(
        "untouched",
        &c.join(SRUM).join("Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU"),
    );
    std::fs::remove_file(d.set().join("SRUDB.dat")).unwrap();
    let db = d.path("SRUDB.dat");
    std::fs::copy(repo().join("testdata/db/srum-server2022-clean.dat"), &db).unwrap();
    let (code, stdout, stderr) = recover(&db, &d.set(), &d.path("X.dat"), &["--json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["applied"]["records"], 0);
    assert_eq!(j["header"]["last_consistent"], serde_json::json!({"generation": 2, "sector": 1, "offset": 0x606}));
}

#[test]
fn recovering_twice_gives_the_same_pages() {
    // Two recoveries of the same input: byte-identical copies except the header's times and
    // flush signature (and the checksum over them); recovering the recovered copy again with
    // the same logs changes no page.
    let d = Dir::copy_from("twice", &repo().join("testdata/logs/srum-server2022"));
    let (a, b, c) = (d.path("A.dat"), d.path("B.dat"), d.path("C.dat"));
    for out in [&a, &b] {
        let (code, o, e) =
            esehdr(&[os("recover"), os("--logs"), d.set().as_os_str(), os("--out"), out.as_os_str(), os("--json")]);
        assert_eq!(code, 0, "{o}{e}");
    }
    let (code, o, e) = recover(&a, &d.set(), &c, &["--json"]);
    assert_eq!(code, 0, "{o}{e}");
    let (a, b, c) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap(), std::fs::read(c).unwrap());
    assert_eq!(a.len(), b.len());
    assert_eq!(a.len(), c.len());
    assert!(a[2 * 4096..] == b[2 * 4096..], "two recoveries differ in their pages");
    assert!(a[2 * 4096..] == c[2 * 4096..], "recovering the recovered copy changed a page");
    // Header: only le_ulChecksum, logtimeConsistent, logtimeDetach and signDbHdrFlush differ.
    let volatile =
        |i: usize| i < 4 || (0x40..0x48).contains(&i) || (0x58..0x60).contains(&i) || (0x248..0x264).contains(&i);
    for i in 0..4096 {
        if !volatile(i) {
            assert_eq!(a[i], b[i], "header byte {i:#x} differs between two recoveries");
            assert_eq!(a[i], c[i], "header byte {i:#x} differs after recovering the copy");
        }
    }
    assert!(a[..4096] == a[4096..8192], "primary and shadow header");
}
