//! `esehdr plan` on real sets and on Exchange-style sets derived from them by the code below
//! (the committed "script"): the Windows 10 SRUM stream of `testdata/logs/srum-win10/` is renamed
//! to base `E00`, its circular logging turned off, header fields rewritten and every checksum
//! recomputed, then damaged the way each scenario says.

use std::path::{Path, PathBuf};
use std::process::Command;

use esehdr_format::checksum::xor32_legacy;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Set {
    dir: PathBuf,
}

impl Drop for Set {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fix_4k(b: &mut [u8], at: usize) {
    let c = xor32_legacy(&b[at..at + 4096]);
    b[at..at + 4].copy_from_slice(&c.to_le_bytes());
}

impl Set {
    /// A copy of the real SRUM set; `exchange` renames it to E00 and turns circular logging off.
    fn new(name: &str, exchange: bool) -> Set {
        let dir = std::env::temp_dir().join(format!("esehdr-plan-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("logs")).unwrap();
        std::fs::create_dir_all(dir.join("db")).unwrap();
        for e in std::fs::read_dir(repo().join("testdata/logs/srum-win10")).unwrap() {
            let e = e.unwrap();
            let n = e.file_name().to_string_lossy().into_owned();
            let (sub, to) = if n.ends_with(".dat") {
                ("db", n.clone())
            } else if exchange {
                ("logs", n.replacen("SRU", "E00", 1))
            } else {
                ("logs", n.clone())
            };
            let mut b = std::fs::read(e.path()).unwrap();
            if exchange && sub == "logs" {
                if n.ends_with(".chk") {
                    for copy in [0, 4096] {
                        b[copy + 48 + 522] &= !0x01; // fDBMSPARAMCircularLogging
                        fix_4k(&mut b, copy);
                    }
                } else {
                    b[72 + 522] &= !0x01; // fDBMSPARAMCircularLogging
                    b[639] &= !0x06; // fLGFlags circular current/history
                    fix_4k(&mut b, 0);
                }
            }
            std::fs::write(dir.join(sub).join(to), b).unwrap();
        }
        Set { dir }
    }
    fn p(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }
    fn edit(&self, rel: &str, f: impl FnOnce(&mut Vec<u8>)) {
        let mut b = std::fs::read(self.p(rel)).unwrap();
        f(&mut b);
        std::fs::write(self.p(rel), b).unwrap();
    }
    /// A second database: the first with a new DB signature and Last Consistent generation,
    /// both header copies re-checksummed.
    fn second_db(&self, consistent_gen: i32) {
        let mut b = std::fs::read(self.p("db/SRUDB.dat")).unwrap();
        for copy in [0, 4096] {
            b[copy + 24..copy + 28].copy_from_slice(&0x5EC0_0D0Bu32.to_le_bytes()); // signDb random
            b[copy + 60..copy + 64].copy_from_slice(&consistent_gen.to_le_bytes()); // lgposConsistent gen
            fix_4k(&mut b, copy);
        }
        std::fs::write(self.p("db/SECOND.dat"), b).unwrap();
    }
    fn plan(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let out = Command::new(env!("CARGO_BIN_EXE_esehdr"))
            .arg("plan")
            .arg("--json")
            .arg(&self.dir)
            .args(args)
            .output()
            .unwrap();
        let j: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), j)
    }
}

fn stream<'a>(j: &'a serde_json::Value, base: &str) -> &'a serde_json::Value {
    j["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["base_name"] == base)
        .unwrap_or_else(|| panic!("no stream {base}: {j}"))
}

fn verdict(s: &serde_json::Value, v: &str) -> (bool, bool) {
    (s["verdicts"][v]["possible"].as_bool().unwrap(), s["verdicts"][v]["ready"].as_bool().unwrap())
}

fn actions(s: &serde_json::Value, v: &str) -> Vec<(String, String)> {
    s["verdicts"][v]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let a = &s["actions"][i.as_u64().unwrap() as usize];
            let path = a["path"].as_str().unwrap();
            (
                a["action"].as_str().unwrap().to_string(),
                Path::new(path).file_name().unwrap().to_string_lossy().into_owned(),
            )
        })
        .collect()
}

fn errors(s: &serde_json::Value, v: &str) -> Vec<i64> {
    s["verdicts"][v]["predicted_errors"].as_array().unwrap().iter().map(|e| e["code"].as_i64().unwrap()).collect()
}

#[test]
fn the_real_srum_set_with_circular_logging_allows_only_point_in_time() {
    let set = Set::new("srum", false);
    let (code, j) = set.plan(&[]);
    assert_eq!(code, 0);
    let s = stream(&j, "SRU");
    assert_eq!(s["circular_logging"], true);
    assert_eq!(s["log_signature"]["random"], 0x142F_FD4D);
    assert_eq!(s["databases"][0]["state"], "clean_shutdown");
    assert_eq!(s["databases"][0]["last_consistent"]["generation"], 9);
    assert_eq!(s["logs"]["first_generation"], 3);
    assert_eq!(s["logs"]["current_generation"], 9);
    assert_eq!(s["checkpoint"]["valid_for_point_in_time"], true);
    assert_eq!(verdict(s, "point_in_time"), (true, true));
    assert!(!verdict(s, "roll_forward").0);
    assert!(s["backup_logs"].as_array().unwrap().is_empty());
    let (code, _) = set.plan(&["--expect", "roll-forward"]);
    assert_eq!(code, 1);
    let (code, _) = set.plan(&["--expect", "point-in-time"]);
    assert_eq!(code, 0);
}

#[test]
fn an_exchange_style_set_rolls_forward_after_deleting_the_checkpoint() {
    let set = Set::new("e00", true);
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "E00");
    assert_eq!(s["circular_logging"], false);
    assert_eq!(s["low_anchor"]["generation"], 9);
    assert!(s["low_anchor"]["file"].as_str().unwrap().ends_with("E00.log"), "the low anchor is still the current log");
    assert_eq!(verdict(s, "roll_forward"), (true, false));
    assert_eq!(actions(s, "roll_forward"), vec![("delete".to_string(), "E00.chk".to_string())]);
    assert_eq!(errors(s, "roll_forward"), vec![-1216]);
    assert_eq!(verdict(s, "point_in_time"), (true, true));
    assert_eq!(s["case"], 3);
    assert_eq!(s["backup_logs"].as_array().unwrap().len(), 6);
    assert_eq!(s["deletable_logs"].as_array().unwrap().len(), 6, "generations 3-8 are below the checkpoint (9)");
    // The recorded path of the database comes from the logs (R11).
    assert!(s["checks"].as_array().unwrap().iter().any(|c| c["rule"] == "R11"
        && c["status"] == "passed"
        && c["message"].as_str().unwrap().contains("C:\\Windows\\system32\\SRU\\SRUDB.dat")));
}

#[test]
fn two_databases_with_different_last_consistent_generations() {
    let set = Set::new("two", true);
    set.second_db(5);
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "E00");
    assert_eq!(s["databases"].as_array().unwrap().len(), 2);
    assert_eq!(s["low_anchor"]["generation"], 5);
    assert!(s["low_anchor"]["file"].as_str().unwrap().ends_with("E0000005.log"));
    assert_eq!(s["high_anchor"]["generation"], 9);
    assert!(verdict(s, "roll_forward").0);
}

#[test]
fn a_missing_low_anchor() {
    let set = Set::new("lowmissing", true);
    set.second_db(5);
    std::fs::remove_file(set.p("logs/E0000005.log")).unwrap();
    let (code, j) = set.plan(&["--expect", "roll-forward"]);
    assert_eq!(code, 1);
    let s = stream(&j, "E00");
    assert!(s["low_anchor"]["file"].is_null());
    assert!(!verdict(s, "roll_forward").0);
    let blockers = s["verdicts"]["roll_forward"]["blockers"].as_array().unwrap();
    assert!(blockers.iter().any(|b| b["rule"] == "R10"));
    assert_eq!(s["case"], 1);
}

#[test]
fn a_foreign_log_in_the_folder() {
    let set = Set::new("foreign", true);
    std::fs::copy(repo().join("testdata/logs/srum-server2022/SRU00001.log"), set.p("logs/E000000A.log")).unwrap();
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "E00");
    assert!(s["logs"]["foreign"][0].as_str().unwrap().ends_with("E000000A.log"));
    assert!(actions(s, "roll_forward").contains(&("remove_foreign_log".to_string(), "E000000A.log".to_string())));
    assert!(errors(s, "roll_forward").contains(&-530));
}

#[test]
fn a_stale_checkpoint() {
    let set = Set::new("stalechk", true);
    set.edit("logs/E00.chk", |b| {
        for copy in [0, 4096] {
            b[copy + 16..copy + 20].copy_from_slice(&7i32.to_le_bytes()); // le_lgposCheckpoint generation
            fix_4k(b, copy);
        }
    });
    let (code, j) = set.plan(&["--expect", "point-in-time"]);
    assert_eq!(code, 0, "possible by starting without logs");
    let s = stream(&j, "E00");
    assert_eq!(verdict(s, "point_in_time"), (true, false));
    assert!(actions(s, "point_in_time").contains(&("delete".to_string(), "E00.chk".to_string())));
    assert_eq!(s["checkpoint"]["generation"], 7);
    assert_eq!(s["checkpoint"]["valid_for_point_in_time"], false);
    assert_eq!(errors(s, "point_in_time"), vec![-1216]);
    assert!(verdict(s, "roll_forward").0, "roll-forward deletes the checkpoint anyway");
}

#[test]
fn the_last_log_not_yet_renamed() {
    let set = Set::new("norename", true);
    std::fs::remove_file(set.p("logs/E00.log")).unwrap();
    set.second_db(6);
    let (_, j) = set.plan(&["--restoring", "SECOND.dat"]);
    let s = stream(&j, "E00");
    let a = actions(s, "roll_forward");
    assert!(a.contains(&("rename".to_string(), "E0000008.log".to_string())), "{a:?}");
    let rename = s["actions"].as_array().unwrap().iter().find(|x| x["action"] == "rename").unwrap();
    assert!(rename["to"].as_str().unwrap().ends_with("E00.log"));
    assert_eq!(s["databases"].as_array().unwrap().iter().filter(|d| d["restoring"] == true).count(), 1);
}

#[test]
fn usage_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_esehdr")).args(["plan", "/no/such/folder"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_esehdr")).args(["plan", ".", "--expect", "sometime"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn split_layouts_with_logs_system_and_db_apart() {
    let set = Set::new("split", true);
    std::fs::create_dir_all(set.p("system")).unwrap();
    std::fs::rename(set.p("logs/E00.chk"), set.p("system/E00.chk")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_esehdr"))
        .args(["plan", "--json", "--base", "E00"])
        .arg("--logs")
        .arg(set.p("logs"))
        .arg("--system")
        .arg(set.p("system"))
        .arg("--db")
        .arg(set.p("db/SRUDB.dat"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["streams"].as_array().unwrap().len(), 1);
    let s = stream(&j, "E00");
    assert!(s["checkpoint"]["file"].as_str().unwrap().ends_with("system/E00.chk"));
    assert_eq!(s["databases"].as_array().unwrap().len(), 1);
    assert_eq!(verdict(s, "roll_forward"), (true, false));
    assert_eq!(actions(s, "roll_forward"), vec![("delete".to_string(), "E00.chk".to_string())]);
}
