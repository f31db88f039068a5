//! `esehdr k`: page verification of the damaged copies made by `testdata/make-corrupt.py`, the
//! JSON contract, and the other kinds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn esehdr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_esehdr")).current_dir(repo()).args(args).output().unwrap()
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["k", "--json"];
    all.extend_from_slice(args);
    let out = esehdr(&all);
    (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn a_clean_database_has_no_bad_page() {
    let (code, j) = json(&["testdata/db/srum-server2022-clean.dat"]);
    assert_eq!(code, 0);
    for key in [
        "file",
        "page_size",
        "pages_seen",
        "bad_checksums",
        "correctable",
        "uninitialized",
        "wrong_page_numbers",
        "highest_dbtime",
        "bad_pages",
        "corrected",
        "bytes_read",
        "seconds",
        "ok",
    ] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    assert_eq!(j["page_size"], 4096);
    assert_eq!(j["pages_seen"], 196_608 / 4096);
    assert_eq!(j["bad_checksums"], 0);
    assert_eq!(j["uninitialized"], 16);
    // The header's dbtime (le_dbtimeDirtied) is 457 (0x1c9); the newest page carries it.
    assert_eq!(j["highest_dbtime"], serde_json::json!({"dbtime": 457, "page": 29}));
    assert_eq!(j["bytes_read"], 196_608);
    assert_eq!(j["ok"], true);
}

#[test]
fn every_damaged_copy_is_reported_as_what_it_is() {
    // (file, exit, bad, correctable, uninitialized, wrong pgno, first bad page and its kind)
    type Case = (&'static str, i32, u64, u64, u64, u64, Option<(i64, &'static str)>);
    let cases: &[Case] = &[
        ("pages-flipped-bit.dat", 0, 0, 1, 16, 0, Some((3, "correctable"))),
        ("pages-changed-bytes.dat", 1, 1, 0, 16, 0, Some((4, "bad_checksum"))),
        ("pages-page-copied.dat", 1, 0, 0, 16, 1, Some((6, "wrong_page_number"))),
        ("pages-zeroed-page.dat", 0, 0, 0, 17, 0, None),
        ("pages-bad-primary-header.dat", 1, 1, 0, 16, 0, Some((-1, "bad_checksum"))),
        ("pages-bad-shadow-header.dat", 1, 1, 0, 16, 0, Some((0, "bad_checksum"))),
        ("pages-legacy-changed-byte.db", 1, 1, 0, 233, 0, Some((2, "bad_checksum"))),
    ];
    for &(name, exit, bad, correctable, uninit, wrong, first) in cases {
        let (code, j) = json(&[&format!("testdata/corrupt/{name}")]);
        assert_eq!(code, exit, "{name}: {j}");
        assert_eq!(j["bad_checksums"], bad, "{name}");
        assert_eq!(j["correctable"], correctable, "{name}");
        assert_eq!(j["uninitialized"], uninit, "{name}");
        assert_eq!(j["wrong_page_numbers"], wrong, "{name}");
        match first {
            Some((page, kind)) => {
                assert_eq!(j["bad_pages"][0]["page"], page, "{name}");
                assert_eq!(j["bad_pages"][0]["kind"], kind, "{name}");
            }
            None => assert!(j["bad_pages"].as_array().unwrap().is_empty(), "{name}"),
        }
    }
    let (_, j) = json(&["testdata/corrupt/pages-flipped-bit.dat"]);
    assert_eq!(j["corrected"], serde_json::json!([{"page": 3, "bit": 804}]));
    let (_, j) = json(&["testdata/corrupt/pages-page-copied.dat"]);
    assert_eq!(j["bad_pages"][0]["detail"], "intact, but written as page 5");
}

#[test]
fn the_text_has_eseutils_statistics_and_one_line_per_bad_page() {
    let out = esehdr(&["k", "testdata/corrupt/pages-bad-primary-header.dat"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Initiating CHECKSUM mode...\n        Database: testdata/corrupt/pages-bad-primary-header.dat\n")
    );
    assert!(
        text.contains(
            "\nERROR: page -1 (header) checksum failed (header page: stored 0x2a961186, computed 0x2a961187)\n"
        ),
        "{text}"
    );
    for line in [
        "48 pages seen",
        "1 bad checksums",
        "0 correctable checksums",
        "16 uninitialized pages",
        "0 wrong page numbers",
        "0x1c9 highest dbtime (pgno 0x1d)",
    ] {
        assert!(text.contains(&format!("\n{line}\n")), "{line}: {text}");
    }
    assert!(text.contains("Operation terminated with error -1206 (JET_errDatabaseCorrupted"));
    let out = esehdr(&["k", "testdata/corrupt/pages-flipped-bit.dat"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("WARNING: page 3 checksum verification failed but the corruption ( bit 804 ) can be corrected"),
        "{text}"
    );
}

#[test]
fn logs_streams_and_checkpoints_get_their_own_checks() {
    let out = esehdr(&["k", "testdata/logs/catroot2-server2003/edb0007E.log"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("Integrity check passed for log file: testdata/logs/catroot2-server2003/edb0007E.log"));
    let out = esehdr(&["k", "testdata/logs/catroot2-server2003/edb"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No damaged log files were found."));
    let out = esehdr(&["k", "testdata/corrupt/chk-bad-both.chk"]);
    assert_eq!(out.status.code(), Some(1));
    let out = esehdr(&["k", "testdata/corrupt/random-bytes.edb"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_mmap_reads_in_plain_chunks_with_the_same_result() {
    for file in ["testdata/corrupt/pages-page-copied.dat", "testdata/db/qmgr-win11-dirty-16k.db"] {
        let (a_code, mut a) = json(&[file]);
        let (b_code, mut b) = json(&["--no-mmap", file]);
        assert_eq!(a_code, b_code, "{file}");
        for j in [&mut a, &mut b] {
            j.as_object_mut().unwrap().remove("seconds");
        }
        assert_eq!(a, b, "{file}");
    }
}
