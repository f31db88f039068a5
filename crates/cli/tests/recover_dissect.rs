//! Databases re-created by `esehdr recover --logs DIR --out COPY` read by an independent reader,
//! dissect.esedb (PyPI), table by table and row by row, against the engine's own files
//! (issue 11, "Done means"): the Server 2022 SRUM stream of `../shared/corpus`, generations 1-2
//! against the first snapshot's `SRUDB.dat`, generations 1-5 against the second's.
//!
//! `ESEHDR_DISSECT_PYTHON` names a Python that has dissect.esedb (`.ci/run` makes one in
//! `target/ci-venv`); `testdata/dissect-dump.py` prints every table and row. Without it the tests
//! are skipped, except under CI, where they fail. dissect.esedb also returns rows whose leaf line
//! is flagged deleted: both sides are read by the same reader, so that does not matter here.

use std::path::{Path, PathBuf};
use std::process::Command;

const SERVER_2022: &str = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM/";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn under_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// The Python with dissect.esedb, or `None` (skip) outside CI.
fn dissect_python() -> Option<PathBuf> {
    match std::env::var_os("ESEHDR_DISSECT_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            assert!(!under_ci(), "CI is set but ESEHDR_DISSECT_PYTHON is not: .ci/run makes it");
            eprintln!("skipped: ESEHDR_DISSECT_PYTHON is not set");
            None
        }
    }
}

fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir);
    }
    assert!(!under_ci(), "CI is set but {} is missing", dir.display());
    None
}

/// Every table and row of `db` as dissect.esedb reads it (parsed JSON).
fn rows(python: &Path, db: &Path) -> serde_json::Value {
    let out = Command::new(python).arg(repo().join("testdata/dissect-dump.py")).arg(db).output().unwrap();
    assert!(out.status.success(), "dissect.esedb on {}: {}", db.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("esehdr-recover-dissect-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("logs")).unwrap();
        Dir(dir)
    }
    /// Copies `from` into the log folder as `to`.
    fn log(&self, from: &Path, to: &str) {
        std::fs::copy(from, self.0.join("logs").join(to)).unwrap();
    }
    /// `esehdr recover --logs <logs> --out <dir>/copy.dat`: the copy's path.
    fn recover(&self) -> PathBuf {
        let out = self.0.join("copy.dat");
        let o = Command::new(env!("CARGO_BIN_EXE_esehdr"))
            .args(["recover", "--logs"])
            .arg(self.0.join("logs"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        out
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Both readings equal, table by table, with the counts in the test output.
fn assert_same_rows(ours: &serde_json::Value, engine: &serde_json::Value) {
    let (a, b) = (ours.as_object().unwrap(), engine.as_object().unwrap());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "tables");
    for (table, rows) in b {
        assert_eq!(&a[table], rows, "table {table}");
    }
    let counts: Vec<String> = b.iter().map(|(t, r)| format!("{t} {}", r.as_array().map_or(0, Vec::len))).collect();
    eprintln!("dissect.esedb reads the same rows: {}", counts.join(", "));
    assert!(b.len() >= 6, "the SRUM databases have at least the catalog, its shadow and the SRUM tables");
}

#[test]
fn generations_1_2_give_the_rows_of_the_first_snapshot() {
    let Some(python) = dissect_python() else { return };
    let Some(corpus) = corpus() else { return };
    let first = corpus.join(SERVER_2022).join("APTSimulatorVM_SRUM_Clean_Server2022/SRU");
    let d = Dir::new("gen1-2");
    d.log(&first.join("SRU00001.log"), "SRU00001.log");
    d.log(&first.join("SRU.log"), "SRU.log");
    let copy = d.recover();
    assert_same_rows(&rows(&python, &copy), &rows(&python, &first.join("SRUDB.dat")));
}

#[test]
fn generations_1_5_give_the_rows_of_the_second_snapshot() {
    let Some(python) = dissect_python() else { return };
    let Some(corpus) = corpus() else { return };
    let first = corpus.join(SERVER_2022).join("APTSimulatorVM_SRUM_Clean_Server2022/SRU");
    let later = corpus.join(SERVER_2022).join("APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU");
    let d = Dir::new("gen1-5");
    d.log(&first.join("SRU00001.log"), "SRU00001.log");
    // The whole generation 2 is the second snapshot's recycled SRUtmp.log (testdata/README.md,
    // "The Server 2022 SRUM chain").
    d.log(&later.join("SRUtmp.log"), "SRU00002.log");
    d.log(&later.join("SRU00003.log"), "SRU00003.log");
    d.log(&later.join("SRU00004.log"), "SRU00004.log");
    d.log(&later.join("SRU.log"), "SRU.log");
    let copy = d.recover();
    assert_same_rows(&rows(&python, &copy), &rows(&python, &later.join("SRUDB.dat")));
}

/// The two Dirty Shutdown SRUM sets: recovery applies nothing to their pages (the attach and the
/// header), so dissect.esedb reads every table of the Clean Shutdown copy whole, with the rows it
/// reads in the dirty original.
#[test]
fn recovered_dirty_srum_databases_read_whole() {
    let Some(python) = dissect_python() else { return };
    let Some(corpus) = corpus() else { return };
    for (name, set) in [
        ("win11", "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win11/RathbunVM/Dirty"),
        ("belkasoft", "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win10/BelkasoftCTF_InsiderThreat/Dirty"),
    ] {
        let d = Dir::new(name);
        for e in std::fs::read_dir(corpus.join(set)).unwrap().flatten() {
            if e.file_type().unwrap().is_file() {
                d.log(&e.path(), &e.file_name().to_string_lossy());
            }
        }
        let db = d.0.join("logs/SRUDB.dat");
        let out = d.0.join("copy.dat");
        let o = Command::new(env!("CARGO_BIN_EXE_esehdr"))
            .arg("recover")
            .arg(&db)
            .arg("--logs")
            .arg(d.0.join("logs"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        assert_same_rows(&rows(&python, &out), &rows(&python, &db));
    }
}

/// Two secedit.sdb streams of generation 1 (Windows security database, 4 KiB pages) re-create
/// their database through the corpus's only real Merge2 records (EmptyPage merges) and two
/// EmptyTree records. No engine-written file of those machines exists, so the oracle is an
/// engine-written secedit.sdb of another machine (`nishthebish-OS_HS`): every table it has, the
/// copy has; the tables secedit fills the same way everywhere (the 15 section names, the
/// locales) hold the same rows; and `esehdr k` and `esehdr check` pass the copy.
#[test]
fn secedit_streams_re_create_a_database_dissect_reads() {
    let Some(python) = dissect_python() else { return };
    let Some(corpus) = corpus() else { return };
    let engine = rows(&python, &corpus.join("nishthebish-OS_HS/secedit.sdb"));
    for folder in ["wildryry-math", "linuxwindows1234585-sys-github"] {
        let d = Dir::new(folder);
        d.log(&corpus.join(folder).join("edb.log"), "edb.log");
        let copy = d.recover();
        for mode in ["k", "check"] {
            let o = Command::new(env!("CARGO_BIN_EXE_esehdr")).arg(mode).arg(&copy).output().unwrap();
            assert_eq!(o.status.code(), Some(0), "{folder}: esehdr {mode}: {}", String::from_utf8_lossy(&o.stdout));
        }
        let ours = rows(&python, &copy);
        let (a, b) = (ours.as_object().unwrap(), engine.as_object().unwrap());
        for table in b.keys() {
            assert!(a.contains_key(table), "{folder}: table {table} missing");
        }
        for table in ["SmTblSection", "MSysLocales"] {
            assert_eq!(a[table], b[table], "{folder}: table {table}");
        }
        assert_eq!(a["SmTblSection"].as_array().map(Vec::len), Some(15));
        let counts: Vec<String> = a.iter().map(|(t, r)| format!("{t} {}", r.as_array().map_or(0, Vec::len))).collect();
        eprintln!("{folder}: dissect.esedb reads {}", counts.join(", "));
    }
}
