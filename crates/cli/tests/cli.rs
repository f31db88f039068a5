//! The `esehdr` binary end to end: exit codes, the one-line messages for bad input, JSON
//! findings for every corrupt sample of `testdata/corrupt/` (made by `testdata/make-corrupt.py`),
//! and the options.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn esehdr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_esehdr")).current_dir(repo()).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// What each corrupt sample must give: exit code, a piece of the stderr line (empty: no
/// stderr at all), and the finding codes (or, for non-databases, the JSON kind).
const CORRUPT: &[(&str, i32, &str, &[&str])] = &[
    ("truncated-100.edb", 1, "no valid header copy", &["primary_truncated", "shadow_truncated", "no_valid_header"]),
    (
        "truncated-700.edb",
        1,
        "should be 4096 bytes, but the file ends after 700 of them",
        &["primary_truncated", "no_valid_header"],
    ),
    (
        "truncated-3000.edb",
        1,
        "should be 4096 bytes, but the file ends after 3000 of them",
        &["primary_truncated", "no_valid_header"],
    ),
    ("truncated-6000.edb", 0, "", &["shadow_truncated"]),
    ("zero-filled.edb", 2, "the first 8192 bytes are all zero", &["kind:not_ese"]),
    ("random-bytes.edb", 2, "le_ulMagic at offset 0x4 should be 0x89abcdef, but it is 0xc735df5e", &["kind:not_ese"]),
    ("tiny-3-bytes.edb", 2, "only 3 bytes long, too short for le_ulMagic at offset 0x4", &["kind:not_ese"]),
    ("empty.edb", 2, "the file is empty (0 bytes)", &["kind:not_ese"]),
    ("bad-primary-checksum.edb", 0, "", &["primary_bad_checksum", "copies_differ"]),
    (
        "bad-both-checksums.edb",
        1,
        "le_ulChecksum at offset 0x0 should be",
        &["primary_bad_checksum", "shadow_bad_checksum", "no_valid_header"],
    ),
    ("bad-shadow-checksum.edb", 0, "", &["shadow_bad_checksum", "copies_differ"]),
    (
        "wrong-page-size-field.edb",
        1,
        "le_cbPageSize at offset 0xec should be 4096 (the size its checksum covers), but it is 8192",
        &["primary_page_size_mismatch", "shadow_page_size_mismatch", "no_valid_header"],
    ),
    ("shadow-differs.edb", 0, "", &["copies_differ"]),
    ("zeroed-checksum.edb", 0, "", &["primary_zeroed_checksum", "shadow_zeroed_checksum"]),
    ("unknown-state.edb", 0, "", &["unknown_state"]),
    ("old-version.edb", 0, "", &["old_version"]),
];

#[test]
fn every_corrupt_sample_gives_its_documented_message_and_exit_code() {
    // Every file the script makes has an expectation here, and the other way round.
    let mut on_disk: Vec<String> = std::fs::read_dir(repo().join("testdata/corrupt"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".edb"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CORRUPT.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);

    for &(name, exit, message, codes) in CORRUPT {
        let file = format!("testdata/corrupt/{name}");
        let out = esehdr(&["mh", &file]);
        let stderr = text(&out.stderr);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(exit), "{name}: exit code; stderr: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{name}: {stderr}");
        if message.is_empty() {
            assert!(stderr.is_empty(), "{name}: unexpected stderr: {stderr}");
        } else {
            assert!(stderr.contains(message), "{name}: stderr should contain {message:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{name}: one line on stderr: {stderr}");
            assert!(stderr.starts_with(&format!("esehdr: {file}: ")), "{name}: names the file: {stderr}");
        }
        match exit {
            0 => assert!(stdout.contains("Operation completed successfully"), "{name}: {stdout}"),
            1 => assert!(
                stdout.contains(
                    "Operation terminated with error -1206 (JET_errDatabaseCorrupted, Non database file or corrupted db)"
                ),
                "{name}: {stdout}"
            ),
            _ => assert!(!stdout.contains("Initiating"), "{name}: no dump for a non-database: {stdout}"),
        }

        let out = esehdr(&["mh", "--json", &file]);
        assert_eq!(out.status.code(), Some(exit), "{name}: --json exit code");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["file"], file.as_str());
        for code in codes {
            if let Some(kind) = code.strip_prefix("kind:") {
                assert_eq!(json["kind"], kind, "{name}");
                assert!(json["reason"].as_str().unwrap().contains(message), "{name}: {json}");
            } else {
                let found = json["findings"].as_array().unwrap().iter().any(|f| f["code"] == *code);
                assert!(found, "{name}: finding {code} missing in {}", json["findings"]);
            }
        }
        if exit == 1 {
            assert_eq!(json["valid"], false, "{name}");
            assert!(json["state"].is_null(), "{name}: no state from an invalid header");
        }
    }
}

#[test]
fn bad_primary_uses_the_shadow_copy_with_its_real_values() {
    let out = esehdr(&["mh", "--json", "testdata/corrupt/bad-primary-checksum.edb"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["header"]["primary"], "bad_checksum");
    assert_eq!(json["header"]["shadow"], "valid");
    assert_eq!(json["header"]["used"], "shadow");
    assert_eq!(json["state"], "clean_shutdown");
    assert_eq!(json["log_signature"]["random"], 0xed86_73f7u32);
}

#[test]
fn unknown_state_keeps_the_raw_number() {
    let out = esehdr(&["mh", "--json", "testdata/corrupt/unknown-state.edb"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["state"], "illegal");
    assert_eq!(json["state_code"], 42);
    let out = esehdr(&["mh", "testdata/corrupt/unknown-state.edb"]);
    assert!(text(&out.stdout).contains("            State: Illegal\n"));
}

#[test]
fn a_log_or_checkpoint_given_to_mh_is_named_with_the_command_that_reads_it() {
    for (file, what, cmd) in [
        ("testdata/logs/srum-server2022/SRU00001.log", "ESE transaction log", "esehdr ml"),
        ("testdata/logs/srum-server2022/SRU.log", "ESE transaction log", "esehdr ml"),
        ("testdata/logs/srum-server2022/SRU.chk", "ESE checkpoint file", "esehdr mk"),
        ("testdata/logs/srum-server2022/SRUDB.jfm", "ESE flush map", ""),
    ] {
        let out = esehdr(&["mh", file]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert_eq!(stderr.lines().count(), 1, "{file}: {stderr}");
        assert!(stderr.contains(what) && stderr.contains(cmd), "{file}: {stderr}");
        assert!(out.stdout.is_empty() || !text(&out.stdout).contains("Initiating"), "{file}");
    }
}

#[test]
fn a_missing_file_or_a_directory_is_an_error_naming_it() {
    let out = esehdr(&["mh", "testdata/no-such-file.edb"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("esehdr: testdata/no-such-file.edb: cannot read the file:"));
    let out = esehdr(&["mh", "testdata"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is a directory"), "{}", text(&out.stderr));
}

#[test]
fn fail_if_dirty_is_opt_in() {
    let dirty = "testdata/db/qmgr-win11-dirty-16k.db";
    let clean = "testdata/db/srum-server2022-clean.dat";
    assert_eq!(esehdr(&["mh", dirty]).status.code(), Some(0), "like eseutil: a dirty header is read fine");
    let out = esehdr(&["mh", "--fail-if-dirty", dirty]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Dirty Shutdown"));
    assert_eq!(esehdr(&["mh", "--fail-if-dirty", clean]).status.code(), Some(0));
    assert_eq!(esehdr(&["mh", "--fail-if-dirty", clean, dirty]).status.code(), Some(1));
}

#[test]
fn several_files_give_a_json_array_and_the_worst_exit_code() {
    let out = esehdr(&[
        "mh",
        "--json",
        "testdata/db/srum-server2022-clean.dat",
        "testdata/db/ntds-temp-2012r2-just-created-8k.edb",
        "testdata/corrupt/zero-filled.edb",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["state"], "clean_shutdown");
    assert_eq!(items[0]["log_signature"]["created"], "2023-10-18T02:48:29.216Z");
    assert_eq!(items[1]["state"], "just_created");
    assert_eq!(items[1]["page_size"], 8192);
    assert_eq!(items[2]["kind"], "not_ese");
}

#[test]
fn eseutil_spelling_and_no_mode_both_work() {
    let a = esehdr(&["/mh", "testdata/db/srum-server2022-clean.dat"]);
    let b = esehdr(&["mh", "testdata/db/srum-server2022-clean.dat"]);
    let c = esehdr(&["testdata/db/srum-server2022-clean.dat"]);
    assert_eq!(a.status.code(), Some(0));
    // The closing line carries the elapsed time, which differs between runs on a loaded machine.
    let timeless = |o: &std::process::Output| -> String {
        text(&o.stdout)
            .lines()
            .filter(|l| !l.starts_with("Operation completed successfully in "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(text(&b.stdout).contains("\nOperation completed successfully in "));
    assert_eq!(timeless(&a), timeless(&b));
    assert_eq!(timeless(&c), timeless(&b));
    // The first line names esehdr and its version; --nologo drops it.
    assert!(text(&b.stdout).starts_with(&format!("esehdr {}", env!("CARGO_PKG_VERSION"))));
    let d = esehdr(&["mh", "--nologo", "testdata/db/srum-server2022-clean.dat"]);
    assert!(text(&d.stdout).starts_with("Initiating FILE DUMP mode...\n"));
}

#[test]
fn lines_scripts_grep_for_are_there() {
    // `eseutil /mh x | find /i "State"` and `findstr /c:"Log Required"` keep working.
    let out = text(&esehdr(&["mh", "testdata/db/ual-server2019-dirty.mdb"]).stdout);
    assert!(out.contains("\n            State: Dirty Shutdown\n"), "{out}");
    assert!(out.contains("\n     Log Required: 124-124 (0x7c-0x7c) [Min. Req. Pre-Redo: 0 (0x0)]\n"), "{out}");
    assert!(out.contains("\n  Last Consistent: (0x7C,4DB,0)  06/23/2021 11:48:36.167 UTC\n"), "{out}");
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(esehdr(&["mh"]).status.code(), Some(2));
    assert_eq!(esehdr(&[]).status.code(), Some(2));
    assert_eq!(esehdr(&["--bogus"]).status.code(), Some(2));
    assert_eq!(esehdr(&["--help"]).status.code(), Some(0));
    assert_eq!(esehdr(&["--version"]).status.code(), Some(0));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_esehdr"))
        .current_dir(repo())
        .args(["mh", "-v", "testdata/db/srum-server2022-clean.dat", "testdata/db/qmgr-win11-dirty-16k.db"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// Damaged logs and checkpoints (made by `testdata/make-corrupt.py`): file, mode, exit code, a
/// piece of the stderr line (empty: none), the JSON finding codes (or `kind:`).
const CORRUPT_LOGS: &[(&str, &str, i32, &str, &[&str])] = &[
    ("log-bad-header-checksum.log", "ml", 1, "le_ulChecksum at offset 0x0 should be 0xf335e18d", &["bad_checksum"]),
    ("log-header-only.log", "ml", 1, "16 x 4096 = 65536 bytes, but it is 4096 bytes (truncated)", &["size_mismatch"]),
    ("log-too-long.log", "ml", 1, "but it is 69632 bytes", &["size_mismatch"]),
    ("log-cut-in-attach-area.log", "ml", 1, "the header is cut short (2000 of 4096 bytes)", &["kind:log"]),
    ("log-attach-overflow.log", "ml", 1, "256 x 512 = 131072 bytes", &["size_mismatch", "attach_list_overflow"]),
    ("chk-bad-primary.chk", "mk", 0, "", &["primary_bad_checksum", "copies_differ"]),
    (
        "chk-bad-both.chk",
        "mk",
        1,
        "neither checkpoint copy is valid",
        &["primary_bad_checksum", "shadow_bad_checksum", "no_valid_copy"],
    ),
    ("chk-truncated-4096.chk", "mk", 0, "", &["shadow_truncated"]),
    ("chk-zero-filled.chk", "mk", 2, "the first 8192 bytes are all zero", &["kind:not_ese"]),
];

#[test]
fn every_corrupt_log_and_checkpoint_gives_its_message_and_exit_code() {
    let mut on_disk: Vec<String> = std::fs::read_dir(repo().join("testdata/corrupt"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".log") || n.ends_with(".chk"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CORRUPT_LOGS.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    for &(name, mode, exit, message, codes) in CORRUPT_LOGS {
        let file = format!("testdata/corrupt/{name}");
        for args in [vec![mode, file.as_str()], vec![file.as_str()]] {
            let out = esehdr(&args);
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(exit), "{name} {args:?}: {stderr}");
            if message.is_empty() {
                assert!(stderr.is_empty(), "{name}: {stderr}");
            } else {
                assert!(stderr.contains(message), "{name}: want {message:?} in {stderr}");
                assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
            }
        }
        let out = esehdr(&[mode, "--json", &file]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for code in codes {
            match code.strip_prefix("kind:") {
                Some(kind) => assert_eq!(json["kind"], kind, "{name}: {json}"),
                None => assert!(
                    json["findings"].as_array().unwrap().iter().any(|f| f["code"] == *code),
                    "{name}: {code} missing in {}",
                    json["findings"]
                ),
            }
        }
    }
}

#[test]
fn logs_and_checkpoints_report_their_real_values() {
    let out = esehdr(&["ml", "--json", "testdata/logs/catroot2-server2003/edb0007F.log"]);
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["kind"], "log");
    assert_eq!(j["generation"], 0x7F);
    assert_eq!(j["sector_size"], 512);
    assert_eq!(j["header_sectors"], 8);
    assert_eq!(j["file_sectors"], 256);
    assert_eq!(j["file_size_matches"], true);
    assert_eq!(j["format_version"]["major"], 7);
    assert_eq!(j["format_version"]["minor"], 3704);
    assert_eq!(j["circular_logging"], true);
    assert_eq!(j["log_signature"]["random"], 0xFCED);
    assert_eq!(j["checkpoint"]["generation"], 0x83, "the checkpoint beside the log");
    assert_eq!(
        j["attached"][1]["path"],
        "C:\\WINDOWS\\system32\\CatRoot2\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}\\catdb"
    );
    assert_eq!(j["attached"][1]["unicode_names"], false);
    assert_eq!(j["header"]["valid"], true);

    let out = esehdr(&["mk", "--json", "testdata/logs/srum-server2022/SRU.chk"]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["kind"], "checkpoint");
    assert_eq!(j["checkpoint"], serde_json::json!({"generation": 2, "sector": 2, "offset": 0}));
    assert_eq!(j["log_signature"]["random"], 0xED86_73F7u32);
    assert_eq!(j["header"]["primary"], "valid");
    assert_eq!(j["header"]["identical"], true);

    let text_out = text(&esehdr(&["ml", "testdata/logs/srum-server2022/SRU00001.log"]).stdout);
    assert!(text_out.contains("\n      lGeneration: 1 (0x1)\n"), "{text_out}");
    assert!(text_out.contains("\n      Checkpoint: (0x2,2,0)\n"), "{text_out}");
}

#[test]
fn reserve_logs_and_flush_maps_are_classified_without_a_mode_and_refused_by_one() {
    for file in ["testdata/logs/catroot2-server2003/res1.log", "testdata/logs/srum-server2022/SRUres00001.jrs"] {
        let out = esehdr(&[file]);
        assert_eq!(out.status.code(), Some(0), "{file}");
        assert!(text(&out.stdout).contains("reserve log"), "{}", text(&out.stdout));
        let out = esehdr(&["ml", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(text(&out.stderr).contains("reserve log"));
        let j: serde_json::Value = serde_json::from_slice(&esehdr(&["--json", file]).stdout).unwrap();
        assert_eq!(j["kind"], "reserve_log");
    }
    let out = esehdr(&["testdata/logs/srum-server2022/SRUDB.jfm"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("flush map"));
}

#[test]
fn each_mode_names_the_command_for_the_wrong_kind() {
    let out = esehdr(&["ml", "testdata/db/srum-server2022-clean.dat"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("this is an ESE database, not a log file; read it with 'esehdr mh"));
    let out = esehdr(&["mk", "testdata/logs/srum-server2022/SRU.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a checkpoint; read it with 'esehdr ml"));
    let out = esehdr(&["ml", "testdata/logs/srum-server2022/SRU.chk"]);
    assert!(text(&out.stderr).contains("read it with 'esehdr mk"));
}

#[test]
fn auto_mode_reports_every_kind_in_one_run() {
    let out = esehdr(&[
        "--json",
        "testdata/db/srum-server2022-clean.dat",
        "testdata/logs/srum-server2022/SRU.log",
        "testdata/logs/srum-server2022/SRU.chk",
        "testdata/logs/srum-server2022/SRUres00001.jrs",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = j.as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["database", "log", "checkpoint", "reserve_log"]);
}
