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

/// `../shared/corpus` beside the repository, if present (required under CI, as in the corpus
/// tests of `esehdr-format`).
fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} is missing", dir.display());
    eprintln!("note: {} not found; corpus scenario skipped", dir.display());
    None
}

/// The Server 2022 SRUM sets of the corpus (PROVENANCE.md): the first snapshot (checkpoint at
/// generation 2) and the one a day later (logs 3-5, checkpoint at 5, SRUDB.dat clean at 5).
const SERVER2022: &str = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM";

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
    /// A copy of one folder of the corpus, as it is (every file of it, flat; not its subfolders).
    fn corpus(name: &str, folder: &Path) -> Set {
        let dir = std::env::temp_dir().join(format!("esehdr-plan-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(folder).unwrap() {
            let e = e.unwrap();
            if e.path().is_file() {
                std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
            }
        }
        Set { dir }
    }
    /// The text report, with the set's folder left out of the paths.
    fn text(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_esehdr"))
            .args(["plan", "--nologo"])
            .arg(&self.dir)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().replace(&format!("{}/", self.dir.display()), "")
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

fn check_messages(s: &serde_json::Value, rule: &str, status: &str) -> Vec<String> {
    s["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule"] == rule && c["status"] == status)
        .map(|c| c["message"].as_str().unwrap().to_string())
        .collect()
}

fn moved_out(names: &[&str]) -> Vec<(String, String)> {
    names.iter().map(|n| ("move_out".to_string(), n.to_string())).collect()
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
    assert_eq!(code, 1, "KB296788: a point-in-time restore needs a valid checkpoint");
    let s = stream(&j, "E00");
    assert_eq!(s["checkpoint"]["generation"], 7);
    assert_eq!(s["checkpoint"]["valid_for_point_in_time"], false);
    // Point-in-time: NOT possible (R5), -1216, and no action touching a log or the checkpoint (R6).
    assert_eq!(verdict(s, "point_in_time"), (false, false));
    let blockers = s["verdicts"]["point_in_time"]["blockers"].as_array().unwrap();
    assert_eq!(blockers.len(), 1);
    assert_eq!(blockers[0]["rule"], "R5");
    assert!(blockers[0]["message"]
        .as_str()
        .unwrap()
        .contains("E00.chk is at generation 7 (0x7), but the current log is generation 9 (0x9)"));
    assert!(actions(s, "point_in_time").is_empty());
    assert_eq!(errors(s, "point_in_time"), vec![-1216]);
    assert_eq!(check_messages(s, "R6", "passed").len(), 1);
    // Starting without logs is a verdict of its own, with its own actions.
    let wl = &s["verdicts"]["without_logs"];
    let mut keys: Vec<&str> = wl.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["actions", "blockers", "possible", "predicted_errors", "ready"]);
    assert_eq!(verdict(s, "without_logs"), (true, false));
    assert_eq!(
        actions(s, "without_logs"),
        moved_out(&[
            "E0000003.log",
            "E0000004.log",
            "E0000005.log",
            "E0000006.log",
            "E0000007.log",
            "E0000008.log",
            "E00.log",
            "E00.chk"
        ])
    );
    assert_eq!(errors(s, "without_logs"), vec![-1216]);
    let (code, _) = set.plan(&["--expect", "without-logs"]);
    assert_eq!(code, 0);
    assert!(verdict(s, "roll_forward").0, "roll-forward deletes the checkpoint anyway");
    // The text says it in words.
    let text = set.text(&[]);
    assert!(
        text.contains("\n    point-in-time restore: NOT possible\n      because (R5) no valid checkpoint: "),
        "{text}"
    );
    assert!(text.contains(
        "\n    start without logs (data after the backup is lost): possible after these actions, in this order:\n      1. [R10] move logs/E0000003.log out of the folder (keep it)\n"
    ), "{text}");
}

#[test]
fn a_checkpoint_of_an_earlier_generation_copied_back() {
    // The day-later Server 2022 SRUM set with the checkpoint of the first snapshot copied over
    // its own: same stream (ed8673f7), generation 2, while the current log is generation 5.
    let Some(corpus) = corpus() else { return };
    let root = corpus.join(SERVER2022);
    let set = Set::corpus("oldchk", &root.join("APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU"));
    std::fs::copy(root.join("APTSimulatorVM_SRUM_Clean_Server2022/SRU/SRU.chk"), set.p("SRU.chk")).unwrap();
    let (code, j) = set.plan(&["--expect", "point-in-time"]);
    assert_eq!(code, 1);
    let s = stream(&j, "SRU");
    assert_eq!(s["log_signature"]["random"], 0xED86_73F7u32);
    assert_eq!(s["checkpoint"]["generation"], 2);
    assert_eq!(s["logs"]["current_generation"], 5);
    let r5 = check_messages(s, "R5", "failed");
    assert_eq!(r5.len(), 1);
    assert!(r5[0].contains("SRU.chk is at generation 2 (0x2), but the current log is generation 5 (0x5)"), "{}", r5[0]);
    assert_eq!(verdict(s, "point_in_time"), (false, false));
    assert_eq!(errors(s, "point_in_time"), vec![-1216]);
    assert!(actions(s, "point_in_time").is_empty());
    assert_eq!(verdict(s, "without_logs"), (true, false));
    assert_eq!(actions(s, "without_logs"), moved_out(&["SRU00003.log", "SRU00004.log", "SRU.log", "SRU.chk"]));
    // SRUDB.dat is consistent: a soft recovery is the same mount, and meets the same -1216.
    assert_eq!(verdict(s, "soft_recovery"), (false, false));
    assert_eq!(errors(s, "soft_recovery"), vec![-1216]);
    assert_eq!(s["case"], 1, "restore the backup and start it without logs");
    // Without the copied checkpoint the set is what it was: point-in-time ready.
    std::fs::copy(root.join("APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU/SRU.chk"), set.p("SRU.chk")).unwrap();
    let (code, j) = set.plan(&["--expect", "point-in-time"]);
    assert_eq!(code, 0);
    assert_eq!(verdict(stream(&j, "SRU"), "point_in_time"), (true, true));
}

#[test]
fn no_current_log_makes_point_in_time_impossible() {
    let set = Set::new("nocurrent", true);
    std::fs::remove_file(set.p("logs/E00.log")).unwrap();
    let (code, j) = set.plan(&["--expect", "point-in-time"]);
    assert_eq!(code, 1);
    let s = stream(&j, "E00");
    let r5 = check_messages(s, "R5", "failed");
    assert!(r5.len() == 1 && r5[0].contains("E00.chk cannot be matched: there is no current log E00.log"), "{r5:?}");
    assert_eq!(verdict(s, "point_in_time"), (false, false));
    assert_eq!(errors(s, "point_in_time"), vec![-1216]);
    assert_eq!(verdict(s, "without_logs"), (true, false));
    assert_eq!(actions(s, "without_logs").len(), 7, "E0000003-8 and E00.chk");
}

#[test]
fn a_database_of_another_log_stream_in_the_storage_group() {
    // SRUDB.dat is the set's own database (stream 142ffd4d); pub1.edb is the Server 2022 SRUM
    // database (log signature ed8673f7, testdata/README.md), copied in beside it.
    let set = Set::new("otherdb", true);
    std::fs::copy(repo().join("testdata/db/srum-server2022-clean.dat"), set.p("db/pub1.edb")).unwrap();
    let (code, j) = set.plan(&[]);
    assert_eq!(code, 0);
    let streams = j["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 1, "no stream of its own for pub1.edb: {j}");
    let s = stream(&j, "E00");
    let dbs = s["databases"].as_array().unwrap();
    assert_eq!(dbs.len(), 2);
    assert!(dbs[0]["file"].as_str().unwrap().ends_with("db/SRUDB.dat"));
    assert_eq!(dbs[0]["log_signature_matches"], true);
    assert!(dbs[1]["file"].as_str().unwrap().ends_with("db/pub1.edb"));
    assert_eq!(dbs[1]["log_signature_matches"], false);
    assert_eq!(dbs[1]["restoring"], false);
    let r9 = check_messages(s, "R9", "failed");
    assert_eq!(r9.len(), 1);
    for part in [
        "pub1.edb: its log signature (Create time:10/18/2023 02:48:29.216 Rand:3985011703 Computer:)",
        "is not this stream's (Create time:02/05/2022 22:17:47.817 Rand:338689357 Computer:)",
        "it belongs to another log stream (a backup from another storage group or server)",
    ] {
        assert!(r9[0].contains(part), "{part}: {}", r9[0]);
    }
    // Left out of the anchors (pub1 is consistent at (0x2,1,606), testdata/README.md; SRUDB.dat at
    // 9) and of the verdicts.
    assert_eq!(s["low_anchor"]["generation"], 9);
    assert_eq!(s["high_anchor"]["generation"], 9);
    assert_eq!(verdict(s, "point_in_time"), (true, true));
    assert_eq!(verdict(s, "roll_forward"), (true, false));
    assert_eq!(actions(s, "roll_forward"), vec![("delete".to_string(), "E00.chk".to_string())]);
    assert_eq!(s["case"], 3);
    let text = set.text(&[]);
    assert!(
        text.contains("db/pub1.edb: clean_shutdown, Last Consistent (0x2,1,606), Log Required 0-0, log signature matches: no (another log stream: left out of the verdicts, R9)\n"),
        "{text}"
    );
    assert!(text.contains("[FAILED] R9  db/pub1.edb: its log signature ("), "{text}");
}

#[test]
fn a_database_from_another_srum_set_in_the_same_folder() {
    // The Windows 10 APTSimulatorVM SRUM folder of the corpus (stream 09a08e76, SRUDB.dat
    // consistent at 0x20) with the RathbunVM SRUDB.dat (stream 142ffd4d, consistent at 9)
    // copied in beside it.
    let Some(corpus) = corpus() else { return };
    let srum = corpus.join("AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win10");
    let set = Set::corpus("samefolder", &srum.join("APTSimulatorVM/Clean"));
    std::fs::copy(srum.join("RathbunVM/Clean/SRUDB.dat"), set.p("SRUDB-RathbunVM.dat")).unwrap();
    let (_, j) = set.plan(&[]);
    assert_eq!(j["streams"].as_array().unwrap().len(), 1, "{j}");
    let s = stream(&j, "SRU");
    assert_eq!(s["log_signature"]["random"], 0x09A0_8E76);
    let other = s["databases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"].as_str().unwrap().ends_with("SRUDB-RathbunVM.dat"))
        .unwrap();
    assert_eq!(other["log_signature_matches"], false);
    let r9 = check_messages(s, "R9", "failed");
    assert!(r9.len() == 1 && r9[0].contains("Rand:338689357") && r9[0].contains("Rand:161517174"), "{r9:?}");
    assert_eq!(
        (s["low_anchor"]["generation"].as_u64(), s["high_anchor"]["generation"].as_u64()),
        (Some(0x20), Some(0x20))
    );
    assert_eq!(verdict(s, "point_in_time"), (true, true));
}

#[test]
fn only_a_database_with_no_stream_to_compare_with_is_planned_on_its_own() {
    let set = Set::new("alone", false);
    // Two streams in folders of their own: a database in a third folder is as near to both.
    std::fs::create_dir_all(set.p("catroot2")).unwrap();
    for e in std::fs::read_dir(repo().join("testdata/logs/catroot2-server2003")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), set.p("catroot2").join(e.file_name())).unwrap();
    }
    std::fs::create_dir_all(set.p("elsewhere")).unwrap();
    std::fs::copy(repo().join("testdata/db/srum-server2022-clean.dat"), set.p("elsewhere/alone.dat")).unwrap();
    // ... but one in the folder of the SRU logs is found with them.
    std::fs::copy(repo().join("testdata/db/srum-server2022-clean.dat"), set.p("logs/other.dat")).unwrap();
    let (_, j) = set.plan(&[]);
    let alone = stream(&j, "");
    assert_eq!(alone["databases"].as_array().unwrap().len(), 1);
    assert!(alone["databases"][0]["file"].as_str().unwrap().ends_with("elsewhere/alone.dat"));
    assert_eq!(alone["databases"][0]["log_signature_matches"], true);
    assert_eq!(verdict(alone, "point_in_time"), (true, true), "no log, no checkpoint: a new stream");
    let sru = stream(&j, "SRU");
    let names: Vec<&str> = sru["databases"].as_array().unwrap().iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.iter().any(|n| n.ends_with("logs/other.dat")) && names.iter().any(|n| n.ends_with("db/SRUDB.dat")));
    assert_eq!(check_messages(sru, "R9", "failed").len(), 1);
    assert_eq!(stream(&j, "EDB")["databases"].as_array().unwrap().len(), 0);
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

#[test]
fn split_layouts_report_a_database_of_another_stream_under_the_stream() {
    // `--db` names a database far from the logs: with one stream found, it is compared with it.
    let set = Set::new("splitother", true);
    let other = repo().join("testdata/db/srum-server2022-clean.dat");
    let out = Command::new(env!("CARGO_BIN_EXE_esehdr"))
        .args(["plan", "--json", "--base", "E00"])
        .arg("--logs")
        .arg(set.p("logs"))
        .arg("--db")
        .arg(set.p("db/SRUDB.dat"))
        .arg("--db")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["streams"].as_array().unwrap().len(), 1);
    let s = stream(&j, "E00");
    let matches = |name: &str| {
        let d = s["databases"].as_array().unwrap().iter().find(|d| d["file"].as_str().unwrap().ends_with(name));
        d.unwrap()["log_signature_matches"].as_bool().unwrap()
    };
    assert_eq!(s["databases"].as_array().unwrap().len(), 2);
    assert!(matches("SRUDB.dat"));
    assert!(!matches("srum-server2022-clean.dat"));
    assert_eq!(check_messages(s, "R9", "failed").len(), 1);
    assert_eq!(verdict(s, "roll_forward"), (true, false));
}

#[test]
fn two_srum_folders_side_by_side_are_two_streams() {
    // The Windows 10 set, and the Server 2022 logs with their database (log signature ed8673f7,
    // testdata/README.md) in a folder beside it: same base name, two streams, no stranger.
    let set = Set::new("twofolders", false);
    std::fs::create_dir_all(set.p("server2022")).unwrap();
    for e in std::fs::read_dir(repo().join("testdata/logs/srum-server2022")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), set.p("server2022").join(e.file_name())).unwrap();
    }
    std::fs::copy(repo().join("testdata/db/srum-server2022-clean.dat"), set.p("server2022/SRUDB.dat")).unwrap();
    let (code, j) = set.plan(&[]);
    assert_eq!(code, 0);
    let streams = j["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 2, "{j}");
    let randoms: Vec<u64> = streams.iter().map(|s| s["log_signature"]["random"].as_u64().unwrap()).collect();
    assert_eq!(randoms, [0x142F_FD4D, 0xED86_73F7], "by base name, then folder: logs/, server2022/");
    for s in streams {
        assert_eq!(s["base_name"], "SRU");
        assert_eq!(s["databases"].as_array().unwrap().len(), 1);
        assert_eq!(s["databases"][0]["log_signature_matches"], true);
        assert!(s["logs"]["foreign"].as_array().unwrap().is_empty());
        assert_eq!(verdict(s, "point_in_time"), (true, true));
    }
}

#[test]
fn base_keeps_one_stream_after_every_database_found_its_own() {
    // Two streams in one folder: E00 (the set) and edb (the Server 2003 catroot2 logs, with their
    // catdb, log signature 0000fced, beside SRUDB.dat).
    let set = Set::new("twobases", true);
    for e in std::fs::read_dir(repo().join("testdata/logs/catroot2-server2003")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), set.p("logs").join(e.file_name())).unwrap();
    }
    std::fs::copy(repo().join("testdata/db/catdb-server2003-clean"), set.p("db/catdb")).unwrap();
    let (_, j) = set.plan(&[]);
    let edb = stream(&j, "EDB");
    assert_eq!(edb["log_signature"]["random"], 0xFCED);
    assert!(edb["databases"][0]["file"].as_str().unwrap().ends_with("db/catdb"));
    assert_eq!(edb["databases"][0]["log_signature_matches"], true);
    let (_, j) = set.plan(&["--base", "E00"]);
    assert_eq!(j["streams"].as_array().unwrap().len(), 1);
    let s = stream(&j, "E00");
    assert_eq!(s["databases"].as_array().unwrap().len(), 1, "catdb is edb's, not a stranger of E00: {s}");
    assert!(check_messages(s, "R9", "failed").is_empty());
}

// --- The Server 2022 SRUM stream across its two snapshots (generations 1-5) --------------------
//
// The first snapshot holds generation 1, an early copy of generation 2 (its `SRU.log`) and its
// database (Clean Shutdown, Last Consistent generation 2); the second, a day later, holds
// generations 3-5, its checkpoint and `SRUtmp.log`, a recycled log holding the whole generation 2.
// The oracle for the chain is `testdata/check-log-chain.py` (bytes read straight from the files,
// see testdata/README.md) and docs/log-records.md §8 (its note on this set): generation 3's
// `checksumPrevLogAllSegments` is 0x06fb06fbbf6c8257, the early copy accumulates
// 0x58fe2701a7baa8ee, `SRUtmp.log` accumulates 0x06fb06fbbf6c8257.

const SRUM2022: &str = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM";

/// A folder of files from the two snapshots (`first`/`later`, name in the snapshot, name here);
/// `exchange` turns circular logging off in every log and checkpoint, as `Set::new` does. `None`
/// when `../shared/corpus` is not beside the repository (an error under CI, as for the corpus
/// tests of esehdr-format).
fn srum2022(name: &str, files: &[(&str, &str, &str)], exchange: bool) -> Option<Set> {
    let corpus = repo().join("../shared/corpus").join(SRUM2022);
    if !corpus.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "CI is set but {} is missing", corpus.display());
        eprintln!("note: {} not found; test skipped", corpus.display());
        return None;
    }
    let dir = std::env::temp_dir().join(format!("esehdr-plan-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (snapshot, from, to) in files {
        let snap = match *snapshot {
            "first" => "APTSimulatorVM_SRUM_Clean_Server2022",
            _ => "APTSimulatorVM_SRUM_Clean_Server2022_1DayLater",
        };
        let mut b = std::fs::read(corpus.join(snap).join("SRU").join(from)).unwrap();
        if exchange && from.ends_with(".chk") {
            for copy in [0, 4096] {
                b[copy + 48 + 522] &= !0x01; // fDBMSPARAMCircularLogging
                fix_4k(&mut b, copy);
            }
        } else if exchange && from.ends_with(".log") {
            b[72 + 522] &= !0x01; // fDBMSPARAMCircularLogging
            b[639] &= !0x06; // fLGFlags circular current/history
            fix_4k(&mut b, 0);
        }
        std::fs::write(dir.join(to), b).unwrap();
    }
    Some(Set { dir })
}

impl Set {
    /// `esehdr ml --json <dir>/SRU`: (exit code, JSON).
    fn ml(&self) -> (i32, serde_json::Value) {
        let out = Command::new(env!("CARGO_BIN_EXE_esehdr"))
            .arg("ml")
            .arg("--json")
            .arg(self.dir.join("SRU"))
            .output()
            .unwrap();
        (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap())
    }
    /// The text report of `esehdr <args> <dir>` (`ml`: of `<dir>/SRU`), paths relative to the folder.
    fn command_text(&self, args: &[&str]) -> String {
        let target = if args[0] == "ml" { self.dir.join("SRU") } else { self.dir.clone() };
        let out = Command::new(env!("CARGO_BIN_EXE_esehdr")).args(args).arg(target).output().unwrap();
        String::from_utf8(out.stdout).unwrap().replace(&format!("{}/", self.dir.display()), "")
    }
}

/// Generations 1-5 with the early copy of generation 2 in place.
fn early_copy_set(name: &str, exchange: bool, checkpoint: &str) -> Option<Set> {
    srum2022(
        name,
        &[
            ("first", "SRU00001.log", "SRU00001.log"),
            ("first", "SRU.log", "SRU00002.log"),
            ("later", "SRU00003.log", "SRU00003.log"),
            ("later", "SRU00004.log", "SRU00004.log"),
            ("later", "SRU.log", "SRU.log"),
            (checkpoint, "SRU.chk", "SRU.chk"),
            ("first", "SRUDB.dat", "SRUDB.dat"),
        ],
        exchange,
    )
}

fn failed(s: &serde_json::Value, rule: &str) -> Vec<String> {
    s["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule"] == rule && c["status"] == "failed")
        .map(|c| c["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_early_copy_of_a_generation_is_a_sequence_break_for_ml_and_plan_alike() {
    let Some(set) = early_copy_set("earlycopy", false, "later") else { return };
    let (code, ml) = set.ml();
    assert_eq!(code, 1);
    assert_eq!(ml["error"], serde_json::json!({"code": -590, "name": "JET_errLogSequenceChecksumMismatch"}));
    assert_eq!(ml["logs"][2]["status"], "sequence_break");
    let message = ml["logs"][2]["problems"][0]["message"].as_str().unwrap();
    assert!(message.ends_with("is 0x06fb06fbbf6c8257, but expected 0x58fe2701a7baa8ee."), "{message}");

    let (_, j) = set.plan(&[]);
    let s = stream(&j, "SRU");
    // The planner carries the break `ml BASE` found, with the same error.
    let breaks = s["logs"]["sequence_breaks"].as_array().unwrap();
    assert_eq!(breaks.len(), 1);
    assert!(breaks[0]["file"].as_str().unwrap().ends_with("SRU00003.log"));
    assert!(breaks[0]["previous"].as_str().unwrap().ends_with("SRU00002.log"));
    assert_eq!(breaks[0]["error"], ml["error"]);
    assert_eq!(breaks[0]["message"], message);
    // R12 fails naming both logs: replay from the database (generation 2) stops there.
    let r12 = failed(s, "R12");
    let named = |m: &String| m.contains("SRU00003.log does not continue ") && m.contains("SRU00002.log");
    assert_eq!(r12.iter().filter(|m| named(m)).count(), 1, "{r12:?}");
    assert!(errors(s, "roll_forward").contains(&-590));
    // Soft recovery would replay generations 2-5 into the database: not possible, with ml's error.
    assert_eq!(verdict(s, "soft_recovery"), (false, false));
    assert_eq!(errors(s, "soft_recovery"), vec![-590]);
    assert!(failed(s, "R18").iter().any(named));
    assert!(!verdict(s, "roll_forward").1);
    assert_ne!(s["case"], 3, "a broken sequence is not an intact set of logs");

    // With circular logging off the roll-forward stops at generation 2: every later log leaves
    // the folder and generation 2 becomes the current log (data after it is lost).
    let Some(set) = early_copy_set("earlycopy-e", true, "later") else { return };
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "SRU");
    assert_eq!(verdict(s, "roll_forward"), (true, false));
    let a = actions(s, "roll_forward");
    for f in ["SRU00003.log", "SRU00004.log", "SRU.log"] {
        assert!(a.contains(&("delete".to_string(), f.to_string())), "{a:?}");
    }
    assert!(a.contains(&("rename".to_string(), "SRU00002.log".to_string())), "{a:?}");
    assert_eq!(errors(s, "roll_forward")[0], -590);

    // With the first snapshot's checkpoint (generation 2) recovery on mount replays 2-5 too.
    let Some(set) = early_copy_set("earlycopy-chk", false, "first") else { return };
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "SRU");
    assert_eq!(s["checkpoint"]["generation"], 2);
    for v in ["point_in_time", "roll_forward", "soft_recovery"] {
        assert!(!verdict(s, v).1, "{v} is ready across the break");
    }
    let text = set.command_text(&["plan"]);
    assert!(text.contains("    sequence break: SRU00003.log does not continue SRU00002.log: -590 (JET_errLogSequenceChecksumMismatch)"), "{text}");
}

/// Generations 1, 3-5 and the second snapshot's `SRUtmp.log` (generation 2) and reserve logs,
/// with the first snapshot's database.
fn tmp_log_set(name: &str, exchange: bool) -> Option<Set> {
    srum2022(
        name,
        &[
            ("first", "SRU00001.log", "SRU00001.log"),
            ("later", "SRU00003.log", "SRU00003.log"),
            ("later", "SRU00004.log", "SRU00004.log"),
            ("later", "SRU.log", "SRU.log"),
            ("later", "SRU.chk", "SRU.chk"),
            ("later", "SRUtmp.log", "SRUtmp.log"),
            ("later", "SRUres00001.jrs", "SRUres00001.jrs"),
            ("later", "SRUres00002.jrs", "SRUres00002.jrs"),
            ("first", "SRUDB.dat", "SRUDB.dat"),
        ],
        exchange,
    )
}

#[test]
fn the_temporary_log_is_named_apart_from_the_reserve_logs() {
    let Some(set) = tmp_log_set("tmpnamed", false) else { return };
    let (_, ml) = set.ml();
    assert!(ml["temporary_log"]["file"].as_str().unwrap().ends_with("SRUtmp.log"));
    let reserve: Vec<&str> = ml["reserve_files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(reserve.len(), 2);
    assert!(reserve[0].ends_with("SRUres00001.jrs") && reserve[1].ends_with("SRUres00002.jrs"));
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "SRU");
    assert!(s["logs"]["temporary_log"]["file"].as_str().unwrap().ends_with("SRUtmp.log"));
    assert_eq!(s["logs"]["reserve_files"].as_array().unwrap().len(), 2);
    let text = set.command_text(&["plan"]);
    assert!(text.contains("    temporary log (not part of the stream): SRUtmp.log\n"), "{text}");
    assert!(text.contains("    reserve log (not part of the stream): SRUres00001.jrs\n"), "{text}");
}

#[test]
fn a_temporary_log_holding_the_missing_generation_is_copied_to_its_archived_name() {
    let Some(set) = tmp_log_set("tmpgen", false) else { return };
    let (code, ml) = set.ml();
    assert_eq!(code, 1, "generation 2 is still missing for ml BASE");
    assert_eq!(ml["missing"], serde_json::json!([{"from": 2, "to": 2}]));
    assert_eq!(ml["temporary_log"]["generation"], 2);
    let r = &ml["recoverable_generations"][0];
    assert!(r["file"].as_str().unwrap().ends_with("SRUtmp.log"));
    assert_eq!(r["generation"], 2);
    assert_eq!(r["archived_name"], "SRU00002.log");
    let text = set.command_text(&["ml", "--nologo"]);
    assert!(text.contains("SRUtmp.log holds generation 2 of this stream"), "{text}");

    let (_, j) = set.plan(&[]);
    let s = stream(&j, "SRU");
    assert_eq!(s["logs"]["missing"], serde_json::json!([{"from": 2, "to": 2}]));
    assert_eq!(s["logs"]["recoverable_generations"][0]["generation"], 2);
    assert_eq!(s["logs"]["recoverable_generations"][0]["archived_name"], "SRU00002.log");
    assert!(s["low_anchor"]["file"].as_str().unwrap().ends_with("SRUtmp.log"));
    assert_eq!(verdict(s, "soft_recovery"), (true, false));
    assert_eq!(actions(s, "soft_recovery"), vec![("copy".to_string(), "SRUtmp.log".to_string())]);
    let copy = s["actions"].as_array().unwrap().iter().find(|a| a["action"] == "copy").unwrap();
    assert_eq!(copy["rule"], "R12");
    assert!(copy["to"].as_str().unwrap().ends_with("/SRU00002.log"));
    let text = set.command_text(&["plan"]);
    assert!(
        text.contains("    SRUtmp.log holds generation 2 of this stream (0x2): a copy named SRU00002.log fills it\n"),
        "{text}"
    );
    assert!(text.contains("      1. [R12] copy SRUtmp.log to SRU00002.log\n"), "{text}");

    // With circular logging off the roll-forward from generation 2 becomes possible: copy the
    // temporary log, delete the checkpoint.
    let Some(set) = tmp_log_set("tmpgen-e", true) else { return };
    let (code, j) = set.plan(&["--expect", "roll-forward"]);
    assert_eq!(code, 0);
    let s = stream(&j, "SRU");
    assert_eq!(verdict(s, "roll_forward"), (true, false));
    assert_eq!(
        actions(s, "roll_forward"),
        vec![("copy".to_string(), "SRUtmp.log".to_string()), ("delete".to_string(), "SRU.chk".to_string())]
    );
    assert!(failed(s, "R12").is_empty(), "{:?}", failed(s, "R12"));
    // Without the temporary log nothing links the database to generations 3-5.
    std::fs::remove_file(set.p("SRUtmp.log")).unwrap();
    let (code, j) = set.plan(&["--expect", "roll-forward"]);
    assert_eq!(code, 1);
    assert!(!verdict(stream(&j, "SRU"), "roll_forward").0);
}

#[test]
fn an_early_copy_in_the_temporary_log_is_not_offered() {
    // The first snapshot's early copy of generation 2 as the temporary log: sound, of the
    // stream, but generation 3 does not continue it, so copying it would not close the gap.
    let Some(set) = srum2022(
        "tmpearly",
        &[
            ("first", "SRU00001.log", "SRU00001.log"),
            ("first", "SRU.log", "SRUtmp.log"),
            ("later", "SRU00003.log", "SRU00003.log"),
            ("later", "SRU00004.log", "SRU00004.log"),
            ("later", "SRU.log", "SRU.log"),
            ("later", "SRU.chk", "SRU.chk"),
            ("first", "SRUDB.dat", "SRUDB.dat"),
        ],
        false,
    ) else {
        return;
    };
    let (_, ml) = set.ml();
    assert_eq!(ml["temporary_log"]["generation"], 2);
    assert!(ml["recoverable_generations"].as_array().unwrap().is_empty());
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "SRU");
    assert!(s["actions"].as_array().unwrap().iter().all(|a| a["action"] != "copy"));
}

/// A row of an oracle TSV under `testdata/` (`key` column equal to `value`).
fn oracle_row(file: &str, key: &str, value: &str) -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string(repo().join("testdata").join(file)).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|l| head.iter().zip(l.split('\t')).map(|(k, v)| (k.to_string(), v.to_string())).collect())
        .find(|row: &std::collections::HashMap<String, String>| row[key] == value)
        .unwrap_or_else(|| panic!("{value} is not in {file}"))
}

/// The create/attach/detach records of the logs of a corpus folder with the DB signature
/// `db_random` (attach and create) or any detach, as `kind@gen,isec,ib=dbid:path`, in generation
/// order, from `testdata/expected-records.tsv` (the Python oracle `derive-expected-records.py`).
fn oracle_events(folder: &str, logs: &[&str], db_random: u64) -> Vec<String> {
    let mut out = Vec::new();
    for log in logs {
        let row = oracle_row("expected-records.tsv", "file", &format!("{folder}/{log}"));
        for e in row["events"].split(" | ").filter(|e| !e.is_empty()) {
            let f: Vec<&str> = e.split(';').collect();
            // kind;gen,isec,ib;dbid;signDb random (hex);signLog random;lgposConsistent;path
            if f[0] == "detach" || u64::from_str_radix(f[3], 16).unwrap() == db_random {
                out.push(format!("{}@{}={}:{}", f[0], f[1], f[2], f[6]));
            }
        }
    }
    out
}

fn plan_events(d: &serde_json::Value) -> Vec<String> {
    d["log_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let l = &e["lgpos"];
            format!(
                "{}@{},{},{}={}:{}",
                e["kind"].as_str().unwrap(),
                l["generation"],
                l["sector"],
                l["offset"],
                e["dbid"],
                e["path"].as_str().unwrap()
            )
        })
        .collect()
}

const SRUM_DIR: &str = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM";

/// A Dirty Shutdown SRUM set of the corpus: its attach records come from the records (checked
/// against the Python record oracle), R11 names the AttachDB its header reflects with its LGPOS,
/// and soft recovery is possible with the dry run's verdict (checked against the recover oracle).
fn dirty_set_recovers(name: &str, folder: &str, logs: &[&str], recover_row: &str) {
    let Some(corpus) = corpus() else { return };
    let set = Set::corpus(name, &corpus.join(folder));
    let (code, j) = set.plan(&["--expect", "soft-recovery"]);
    assert_eq!(code, 0, "{j}");
    let s = stream(&j, "SRU");
    let d = &s["databases"][0];
    assert_eq!(d["state"], "dirty_shutdown");
    // The keys of docs/json.md.
    let keys =
        |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<std::collections::BTreeSet<String>>();
    let set_of = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<std::collections::BTreeSet<String>>();
    assert_eq!(
        keys(&d["dry_run"]),
        set_of(&["verdict", "error", "start", "end", "apply_records", "already_on_disk", "note"])
    );
    assert_eq!(keys(&d["log_events"][0]), set_of(&["kind", "lgpos", "log", "dbid", "path"]));
    assert_eq!(keys(&d["log_events"][0]["lgpos"]), set_of(&["generation", "sector", "offset"]));
    let expected = oracle_events(folder, logs, d["db_signature"]["random"].as_u64().unwrap());
    assert!(!expected.is_empty());
    assert_eq!(plan_events(d), expected);
    // The attach its header reflects: the last at or before Last Consistent.
    let lc = &d["last_consistent"];
    let key = |l: &serde_json::Value| {
        (l["generation"].as_i64().unwrap(), l["sector"].as_i64().unwrap(), l["offset"].as_i64().unwrap())
    };
    let reflected = d["log_events"].as_array().unwrap().iter().rfind(|e| key(&e["lgpos"]) <= key(lc)).unwrap();
    let (g, sec, off) = key(&reflected["lgpos"]);
    let r11 = check_messages(s, "R11", "passed");
    assert_eq!(r11.len(), 1);
    assert!(r11[0].contains(&format!("recorded by the AttachDB at (0x{g:X},{sec:X},{off:X}) in ")), "{}", r11[0]);
    assert_eq!(d["replay_stop"], serde_json::Value::Null);
    // The dry run: verdict and counts from the recover oracle.
    let row = oracle_row("expected-recover.tsv", "set", recover_row);
    assert_eq!(d["dry_run"]["verdict"], row["verdict"].as_str());
    assert_eq!(d["dry_run"]["error"], serde_json::Value::Null);
    assert_eq!(d["dry_run"]["apply_records"].to_string(), row["apply_records"]);
    assert_eq!(d["dry_run"]["already_on_disk"].to_string(), row["already_on_disk"]);
    let start: Vec<String> =
        ["generation", "sector", "offset"].iter().map(|k| d["dry_run"]["start"][k].to_string()).collect();
    assert_eq!(start.join(","), row["start"]);
    assert_eq!(verdict(s, "soft_recovery"), (true, true));
    let r18 = check_messages(s, "R18", "passed");
    assert!(r18.iter().any(|m| m.contains("the dry run of soft recovery with these logs would succeed")), "{r18:?}");
}

#[test]
fn dirty_win11_srum_recovers_with_the_dry_run_verdict() {
    dirty_set_recovers(
        "w11dirty",
        &format!("{SRUM_DIR}/Win11/RathbunVM/Dirty"),
        &["SRU00059.log", "SRU0005A.log", "SRU0005B.log", "SRU.log"],
        "win11-rathbun-dirty",
    );
}

#[test]
fn dirty_belkasoft_srum_recovers_fails_without_its_log_and_is_another_streams_with_another_signature() {
    let folder = format!("{SRUM_DIR}/Win10/BelkasoftCTF_InsiderThreat/Dirty");
    dirty_set_recovers(
        "belkdirty",
        &folder,
        &["SRU0004E.log", "SRU0004F.log", "SRU00050.log", "SRU00051.log", "SRU.log"],
        "win10-belkasoft-dirty",
    );
    let Some(corpus) = corpus() else { return };

    // Without its required log (generation 0x51): the dry run's -543, once, with its LGPOS.
    let set = Set::corpus("belk543", &corpus.join(&folder));
    std::fs::remove_file(set.p("SRU00051.log")).unwrap();
    let (code, j) = set.plan(&["--expect", "soft-recovery"]);
    assert_eq!(code, 1);
    let s = stream(&j, "SRU");
    let row = oracle_row("expected-recover.tsv", "set", "win10-belkasoft-no-required-log");
    let d = &s["databases"][0];
    assert_eq!(d["dry_run"]["verdict"], row["verdict"].as_str());
    assert_eq!(d["dry_run"]["error"]["code"].to_string(), row["error_code"]);
    assert_eq!(d["dry_run"]["error"]["name"], "JET_errRequiredLogFilesMissing");
    assert!(!verdict(s, "soft_recovery").0);
    assert_eq!(errors(s, "soft_recovery"), vec![-543]);
    let e = &s["verdicts"]["soft_recovery"]["predicted_errors"][0];
    assert_eq!(e["rule"], "R18");
    assert!(
        e["message"].as_str().unwrap().contains("the dry run of soft recovery with these logs would stop with -543 (JET_errRequiredLogFilesMissing) at (0x51,0,0)"),
        "{e}"
    );

    // The database's log signature changed (random XOR 0x5A5A5A5A, both header copies
    // re-checksummed): a database of another stream, left out (R9), and the dry run says the
    // logs would skip it and end with -1216.
    let set = Set::corpus("belkother", &corpus.join(&folder));
    set.edit("SRUDB.dat", |b| {
        let cb = match u32::from_le_bytes(b[236..240].try_into().unwrap()) {
            0 => 4096,
            n => n as usize,
        };
        for base in [0, cb] {
            let r = u32::from_le_bytes(b[base + 108..base + 112].try_into().unwrap()) ^ 0x5A5A_5A5A;
            b[base + 108..base + 112].copy_from_slice(&r.to_le_bytes());
            let c = b[base + 4..base + cb]
                .chunks_exact(4)
                .fold(0x89AB_CDEFu32, |acc, w| acc ^ u32::from_le_bytes(w.try_into().unwrap()));
            b[base..base + 4].copy_from_slice(&c.to_le_bytes());
        }
    });
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "SRU");
    let d = &s["databases"][0];
    assert_eq!(d["log_signature_matches"], false);
    let row = oracle_row("expected-recover.tsv", "set", "win10-belkasoft-other-stream");
    assert_eq!(d["dry_run"]["error"]["code"].to_string(), row["error_code"]);
    let r9 = check_messages(s, "R9", "failed");
    assert_eq!(r9.len(), 1);
    assert!(r9[0].contains("it belongs to another log stream"), "{}", r9[0]);
    assert!(r9[0].contains("would stop with -1216 (JET_errAttachedDatabaseMismatch)"), "{}", r9[0]);
    assert!(!verdict(s, "soft_recovery").0);
}

#[test]
fn headers_only_reads_no_records_and_makes_no_dry_run() {
    let Some(corpus) = corpus() else { return };
    let set = Set::corpus("w11headers", &corpus.join(SRUM_DIR).join("Win11/RathbunVM/Dirty"));
    let (_, j) = set.plan(&["--headers-only"]);
    let d = &stream(&j, "SRU")["databases"][0];
    assert_eq!(d["log_events"], serde_json::json!([]));
    assert_eq!(d["dry_run"], serde_json::Value::Null);
    // R11 falls back to the header attach list.
    let r11 = check_messages(stream(&j, "SRU"), "R11", "passed");
    assert!(r11[0].contains("is recorded in ") && r11[0].ends_with(r"as C:\Windows\system32\SRU\SRUDB.dat"), "{r11:?}");
}

#[test]
fn catroot2_detaches_are_attributed_to_their_database() {
    // The v7 CatRoot2 stream with its two catdb databases: edb.log detaches both (DBIDs 1 and 2),
    // then attaches and detaches the second twice under DBID 1. The plan gives each database its
    // records by DB signature and by the DBID a record gave it (a detach whose DBID no record read
    // attached, by the header attach list); the oracle's records are matched here by path.
    let Some(corpus) = corpus() else { return };
    let folder = "itdaniher-08673BEB64A2AFC69D33B9FB03ECD0833856E6D4/WINDOWS/system32/CatRoot2";
    let set = Set::corpus("catroot2", &corpus.join(folder));
    for guid in ["{127D0A1D-4EF2-11D1-8608-00C04FC295EE}", "{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"] {
        std::fs::create_dir_all(set.p(guid)).unwrap();
        std::fs::copy(corpus.join(folder).join(guid).join("catdb"), set.p(&format!("{guid}/catdb"))).unwrap();
    }
    let (_, j) = set.plan(&[]);
    let s = stream(&j, "EDB");
    let row = oracle_row("expected-records.tsv", "file", &format!("{folder}/edb.log"));
    let mut total = 0;
    for d in s["databases"].as_array().unwrap() {
        let guid = Path::new(d["file"].as_str().unwrap())
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let expected: Vec<String> = row["events"]
            .split(" | ")
            .map(|e| e.split(';').collect::<Vec<&str>>())
            .filter(|f| f[6].contains(&guid))
            .map(|f| format!("{}@{}={}:{}", f[0], f[1], f[2], f[6]))
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(plan_events(d), expected, "{guid}");
        total += expected.len();
        // Each ends at its last detach, which is its Last Consistent: no stop to report.
        assert_eq!(d["replay_stop"], serde_json::Value::Null);
    }
    assert_eq!(total, 6, "every record of edb.log belongs to one of them");
    // R11 for the second names its last AttachDB before Last Consistent; the first has none
    // in these logs and keeps the header list.
    let r11 = check_messages(s, "R11", "passed");
    assert!(
        r11.iter().any(|m| m
            .contains("{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/catdb is recorded by the AttachDB at (0x83,2E,1D0) in ")),
        "{r11:?}"
    );
    assert!(r11.iter().any(|m| m.contains("{127D0A1D-4EF2-11D1-8608-00C04FC295EE}/catdb is recorded in ")), "{r11:?}");
}
