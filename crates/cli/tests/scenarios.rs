//! Log-stream scenarios derived from real sets: each test copies a real stream of
//! `testdata/logs/` into a fresh temporary folder, damages it the way the scenario says, runs
//! `esehdr ml BASE`, and checks the eseutil lines and the JSON contract.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A temporary copy of a real log folder, removed when dropped.
struct Scenario {
    dir: PathBuf,
}

impl Scenario {
    fn new(name: &str, source: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("esehdr-scenario-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(repo().join(source)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
        Scenario { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn remove(&self, name: &str) -> &Self {
        std::fs::remove_file(self.path(name)).unwrap();
        self
    }
    fn edit(&self, name: &str, f: impl FnOnce(&mut Vec<u8>)) -> &Self {
        let mut bytes = std::fs::read(self.path(name)).unwrap();
        f(&mut bytes);
        std::fs::write(self.path(name), bytes).unwrap();
        self
    }
    /// Runs `esehdr ml <dir>/<base> [args]`: (exit code, stdout, parsed JSON of the same run with --json).
    fn ml(&self, base: &str, args: &[&str]) -> (i32, String, serde_json::Value) {
        let arg = self.path(base);
        let run = |json: bool| -> Output {
            let mut c = Command::new(env!("CARGO_BIN_EXE_esehdr"));
            c.arg("ml").arg("--nologo").arg(&arg).args(args);
            if json {
                c.arg("--json");
            }
            c.output().unwrap()
        };
        let text = run(false);
        let json = run(true);
        assert_eq!(text.status.code(), json.status.code());
        let stdout = String::from_utf8(text.stdout).unwrap().replace(&format!("{}/", self.dir.display()), "");
        (text.status.code().unwrap(), stdout, serde_json::from_slice(&json.stdout).unwrap())
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Recomputes a log header's XOR checksum after an edit (docs/format-page.md §6.1).
fn fix_header_checksum(b: &mut [u8]) {
    let c = esehdr_format::checksum::xor32_legacy(&b[..4096]);
    b[..4].copy_from_slice(&c.to_le_bytes());
}

fn statuses(j: &serde_json::Value) -> Vec<String> {
    j["logs"].as_array().unwrap().iter().map(|l| l["status"].as_str().unwrap().to_string()).collect()
}

#[test]
fn real_sets_verify_ok() {
    for (dir, base, first, last) in [
        ("testdata/logs/srum-win10", "SRU", 3, 9),
        ("testdata/logs/catroot2-server2003", "edb", 0x7E, 0x83),
        ("testdata/logs/srum-server2022", "SRU", 1, 2),
    ] {
        let s = Scenario::new(&format!("ok-{base}-{first}"), dir);
        let (code, out, j) = s.ml(base, &[]);
        assert_eq!(code, 0, "{dir}: {out}");
        assert!(out.contains("\nNo damaged log files were found.\n"), "{out}");
        assert_eq!(j["ok"], true);
        assert_eq!((j["first_generation"].as_u64(), j["last_generation"].as_u64()), (Some(first), Some(last)));
        assert_eq!(j["current_log"]["generation"], last);
        assert!(j["error"].is_null());
        assert!(j["missing"].as_array().unwrap().is_empty());
        assert!(statuses(&j).iter().all(|s| s == "ok"));
        let lines = out.lines().filter(|l| l.starts_with("      Log file: ") && l.ends_with(" - OK")).count() as u64;
        assert_eq!(lines, last - first + 1, "{out}");
    }
}

#[test]
fn one_log_removed_is_a_single_gap() {
    let s = Scenario::new("gap1", "testdata/logs/srum-win10");
    s.remove("SRU00005.log");
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert!(out.contains("\n      Missing log file: SRU00005.log\n"), "{out}");
    assert!(
        out.contains("Operation terminated with error -528 (JET_errMissingLogFile, Current log file missing)"),
        "{out}"
    );
    assert!(!out.contains("No damaged log files were found."));
    assert_eq!(j["missing"], serde_json::json!([{"from": 5, "to": 5}]));
    assert_eq!(j["error"], serde_json::json!({"code": -528, "name": "JET_errMissingLogFile"}));
    assert_eq!(j["ok"], false);
}

#[test]
fn several_logs_removed_are_a_range_gap() {
    let s = Scenario::new("gap3", "testdata/logs/srum-win10");
    s.remove("SRU00005.log").remove("SRU00006.log").remove("SRU00007.log");
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert!(out.contains("\n      Missing log files: SRU{00005 - 00007}.log\n"), "{out}");
    assert_eq!(j["missing"], serde_json::json!([{"from": 5, "to": 7}]));
}

#[test]
fn a_log_of_another_stream_renamed_into_a_gap() {
    let s = Scenario::new("foreign", "testdata/logs/srum-win10");
    std::fs::copy(repo().join("testdata/logs/srum-server2022/SRU00001.log"), s.path("SRU00005.log")).unwrap();
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert!(out.contains("      Log file: SRU00005.log\n                ERROR: Invalid log signature: "), "{out}");
    assert!(out.contains("Expected signature: Create time:02/05/2022 22:17:47"), "{out}");
    let foreign = &j["logs"][2];
    assert_eq!(foreign["file"], s.path("SRU00005.log").display().to_string());
    assert_eq!(foreign["status"], "signature_mismatch");
    assert_eq!(j["error"]["code"], -530);
    assert_eq!(j["log_signature"]["random"], 0x142f_fd4d);
    // The logs around the foreign one are still sound.
    assert_eq!(statuses(&j)[1], "ok");
}

#[test]
fn a_changed_byte_inside_a_used_segment_is_damage() {
    let s = Scenario::new("v8byte", "testdata/logs/srum-win10");
    s.edit("SRU00006.log", |b| b[3 * 4096 + 700] ^= 0xFF);
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert!(out.contains("      Log file: SRU00006.log\n                ERROR: Log damaged (unusable). Last Lgpos: (0x6,3,0). Error -501."), "{out}");
    assert_eq!(j["logs"][3]["status"], "damaged");
    assert_eq!(j["logs"][3]["last_lgpos"], serde_json::json!({"generation": 6, "sector": 3, "offset": 0}));
    assert_eq!(j["error"]["code"], -501);
}

#[test]
fn a_changed_byte_inside_a_used_sector_of_a_legacy_log_is_damage() {
    let s = Scenario::new("v7byte", "testdata/logs/catroot2-server2003");
    s.edit("edb00080.log", |b| b[0x3000 + 77] ^= 0xFF);
    let (code, out, j) = s.ml("edb", &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("      Log file: edb00080.log\n                ERROR: Log damaged (unusable). Last Lgpos: (0x80,"),
        "{out}"
    );
    assert_eq!(j["logs"][2]["status"], "damaged");
    assert_eq!(j["error"]["code"], -501);
}

#[test]
fn a_single_flipped_bit_is_corrected_with_a_warning() {
    let s = Scenario::new("bit", "testdata/logs/srum-win10");
    s.edit("SRU00004.log", |b| b[2 * 4096 + 1000] ^= 0x08);
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "      Log file: SRU00004.log - OK\n                WARNING: segment 0x2: single-bit error at bit 8003"
        ),
        "{out}"
    );
    assert_eq!(j["logs"][1]["status"], "ok");
    assert_eq!(j["logs"][1]["corrected_bits"], serde_json::json!([{"segment": 2, "bit": 8003}]));
    assert_eq!(j["ok"], true);
}

#[test]
fn the_current_log_missing() {
    let s = Scenario::new("nocurrent", "testdata/logs/srum-win10");
    s.remove("SRU.log");
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert!(out.contains("\n      Missing log file: SRU.log\n"), "{out}");
    assert!(j["current_log"].is_null());
    assert_eq!(j["last_generation"], 8);
    assert_eq!(j["error"]["code"], -528);
}

#[test]
fn a_broken_tmprevgen_chain() {
    let s = Scenario::new("prevgen", "testdata/logs/srum-win10");
    s.edit("SRU00007.log", |b| {
        b[24] ^= 0x01; // tmPrevGen seconds
        fix_header_checksum(b);
    });
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "      Log file: SRU00007.log\n                ERROR: Invalid log sequence. Previous generation time is ["
        ),
        "{out}"
    );
    assert_eq!(j["logs"][4]["status"], "sequence_break");
    assert_eq!(j["error"], serde_json::json!({"code": -515, "name": "JET_errInvalidLogSequence"}));
}

#[test]
fn a_broken_accumulated_segment_checksum_chain() {
    let s = Scenario::new("accsum", "testdata/logs/srum-win10");
    s.edit("SRU00008.log", |b| {
        b[0x28D] ^= 0x01; // checksumPrevLogAllSegments
        fix_header_checksum(b);
    });
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert!(out.contains("Previous generation accumulated segment checksum is 0x"), "{out}");
    assert_eq!(j["logs"][5]["status"], "sequence_break");
    assert_eq!(j["error"]["code"], -590);
    // With --headers-only the contents are not read, so the chain cannot be checked.
    let (code, _, j) = s.ml("SRU", &["--headers-only"]);
    assert_eq!(code, 0);
    assert_eq!(j["content_checked"], false);
}

#[test]
fn a_log_whose_header_names_another_generation() {
    let s = Scenario::new("genmismatch", "testdata/logs/srum-win10");
    std::fs::copy(s.path("SRU00004.log"), s.path("SRU00005.log")).unwrap();
    let (code, out, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("ERROR: Mismatched log generation 4 (0x4) with log file name. Expected generation 5 (0x5)."),
        "{out}"
    );
    assert_eq!(j["logs"][2]["status"], "generation_mismatch");
    assert_eq!(j["error"]["code"], -513);
}

#[test]
fn range_limits_the_generations() {
    let s = Scenario::new("range", "testdata/logs/srum-win10");
    s.remove("SRU00003.log");
    let (code, out, j) = s.ml("SRU", &["--range", "0x5-0x7"]);
    assert_eq!(code, 0, "generation 3 is missing, but outside the range; so is the current log: {out}");
    assert!(out.contains("     Log generation range: 0x5-0x7\n"), "{out}");
    assert_eq!(j["first_generation"], 5);
    assert_eq!(j["logs"].as_array().unwrap().len(), 3);
    assert!(j["current_log"].is_null());
    let (code, _, j) = s.ml("SRU", &["--range", "0x3-0x9"]);
    assert_eq!(code, 1);
    assert_eq!(j["missing"], serde_json::json!([{"from": 3, "to": 3}]), "a gap at the start of the range");
}

#[test]
fn header_only_logs_are_size_mismatches() {
    let s = Scenario::new("headeronly", "testdata/logs/srum-win10");
    s.edit("SRU00005.log", |b| b.truncate(4096));
    let (code, _, j) = s.ml("SRU", &[]);
    assert_eq!(code, 1);
    assert_eq!(j["logs"][2]["status"], "size_mismatch");
}

#[test]
fn reserve_and_temporary_logs_are_listed_apart() {
    let s = Scenario::new("reserve", "testdata/logs/srum-server2022");
    let (code, _, j) = s.ml("SRU", &[]);
    assert_eq!(code, 0);
    let reserve: Vec<&str> = j["reserve_files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(reserve.len(), 1);
    assert!(reserve[0].ends_with("SRUres00001.jrs"));
    assert!(j["temporary_log"].is_null());
    assert!(j["recoverable_generations"].as_array().unwrap().is_empty(), "the reserve log is all zero bytes");
    // A temporary log is named for what it is, never a reserve log; an all-zero one holds no
    // generation.
    std::fs::copy(s.path("SRUres00001.jrs"), s.path("SRUtmp.log")).unwrap();
    let (code, _, j) = s.ml("SRU", &[]);
    assert_eq!(code, 0);
    assert!(j["temporary_log"]["file"].as_str().unwrap().ends_with("SRUtmp.log"));
    assert!(j["temporary_log"]["generation"].is_null());
    assert_eq!(j["reserve_files"].as_array().unwrap().len(), 1);
    let (_, out, _) = s.ml("SRU", &["-v"]);
    assert!(out.contains("      Temporary log file: SRUtmp.log (not part of the stream)\n"), "{out}");
}
