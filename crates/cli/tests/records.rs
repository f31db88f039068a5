//! `esehdr ml` and the log records end to end: `-v` / `--records`, the `records` JSON object,
//! JSON Lines for a file and for a stream (generation order), and what a non-log gives.
//! Expected counts come from `testdata/expected-records.tsv` (the independent oracle): the
//! testdata `SRU00001.log` is byte for byte the corpus log of the Server 2022 snapshot.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn esehdr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_esehdr")).current_dir(repo()).args(args).output().unwrap()
}

fn oracle(file_suffix: &str, column: &str) -> String {
    let text = std::fs::read_to_string(repo().join("testdata/expected-records.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = header.iter().position(|c| *c == column).unwrap();
    let row = lines.find(|l| l.split('\t').next().unwrap().ends_with(file_suffix)).unwrap();
    row.split('\t').nth(col).unwrap().to_string()
}

const SRU1: &str = "testdata/logs/srum-server2022/SRU00001.log";
const SRU1_ORACLE: &str = "APTSimulatorVM_SRUM_Clean_Server2022/SRU/SRU00001.log";

#[test]
fn plain_ml_prints_the_page_reference_count() {
    let out = esehdr(&["ml", "--nologo", SRU1]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let want = format!("Number of database page references:  {}", oracle(SRU1_ORACLE, "page_references"));
    assert!(text.contains(&want), "{text}");
    assert!(!text.contains("\n>00000001,"), "plain ml prints no record");
}

#[test]
fn verbose_ml_prints_every_record_and_the_statistics() {
    for args in [&["ml", "-v", SRU1][..], &["ml", "--records", SRU1], &["ml", "--records=structure", SRU1]] {
        let out = esehdr(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        let records = text.lines().filter(|l| l.starts_with(">00000001,")).count();
        assert_eq!(records.to_string(), oracle(SRU1_ORACLE, "records"), "{args:?}");
        assert!(text.contains(&format!("clrTotal    =  {records}\n")));
        assert!(text.contains("DBID   # Page Refs  # Cache Pages"));
        assert_eq!(text.contains("<Data>"), args[1] == "--records=structure", "{args:?}");
    }
}

#[test]
fn json_gains_the_records_object() {
    let out = esehdr(&["ml", "--json", SRU1]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["records"];
    assert_eq!(r["total"].to_string(), oracle(SRU1_ORACLE, "records"));
    assert_eq!(r["page_references"].to_string(), oracle(SRU1_ORACLE, "page_references"));
    assert!(oracle(SRU1_ORACLE, "by_type").contains(&format!("Insert={},", r["by_type"]["Insert"])));
    assert_eq!(r["end"], serde_json::json!({"generation": 1, "sector": 15, "offset": 0}));
    assert_eq!(r["databases"][0]["events"][0]["kind"], "create");
    assert_eq!(r["error"], serde_json::Value::Null);
}

#[test]
fn json_lines_for_a_file_and_for_a_stream_in_generation_order() {
    let out = esehdr(&["ml", "--records", "--json", SRU1]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len().to_string(), oracle(SRU1_ORACLE, "records"));
    assert_eq!(lines[1]["name"], "CreateDB");
    assert_eq!(lines[1]["path"], r"C:\Windows\system32\sru\SRUDB.dat");

    let out = esehdr(&["ml", "--records", "--json", "testdata/logs/srum-win10/SRU"]);
    assert_eq!(out.status.code(), Some(0));
    let gens: Vec<u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["lgpos"]["generation"].as_u64().unwrap())
        .collect();
    assert!(gens.windows(2).all(|w| w[0] <= w[1]), "generation order");
    assert_eq!((gens.first(), gens.last()), (Some(&3), Some(&9)));
    assert_eq!(gens.len(), 4188);
}

#[test]
fn stream_json_has_records_per_log_and_summed() {
    let out = esehdr(&["ml", "--json", "testdata/logs/catroot2-server2003/edb"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let per_log: u64 = v["logs"].as_array().unwrap().iter().map(|l| l["records"]["total"].as_u64().unwrap()).sum();
    assert_eq!(v["records"]["total"].as_u64(), Some(per_log));
    let refs: u64 =
        v["logs"].as_array().unwrap().iter().map(|l| l["records"]["page_references"].as_u64().unwrap()).sum();
    assert_eq!(v["records"]["page_references"].as_u64(), Some(refs));
    let out = esehdr(&["ml", "--json", "--headers-only", "testdata/logs/catroot2-server2003/edb"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], serde_json::Value::Null);
}

#[test]
fn json_lines_of_something_else_is_an_error() {
    let out = esehdr(&["ml", "--records", "--json", "testdata/db/srum-server2022-clean.dat"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a readable log"));
}
