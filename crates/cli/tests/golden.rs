//! Golden outputs: the `mh` text and JSON reports of selected testdata files, compared byte for
//! byte with `tests/golden/`. Regenerate with `UPDATE_GOLDEN=1 cargo test -p esehdr --test golden`
//! and review the diff.

use std::path::{Path, PathBuf};
use std::time::Duration;

use esehdr::mh::{render_text, MhOptions};
use esehdr::{inspect, FileJson, Inspected, Options};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Compares `actual` with the golden file, or rewrites it under `UPDATE_GOLDEN=1`.
fn check(golden: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(golden);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", path.display()));
    if expected != actual {
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b);
        panic!(
            "{golden} differs from its golden file (first differing line {:?});\n--- expected\n{expected}\n--- actual\n{actual}",
            first.map(|i| i + 1)
        );
    }
}

fn golden_case(rel: &str, verbose: bool) {
    let path = repo().join(rel);
    let Inspected::Database(db) = inspect(&path) else { panic!("{rel}: not read as a database") };
    let stem = Path::new(rel).file_name().unwrap().to_string_lossy().into_owned();
    let suffix = if verbose { ".v" } else { "" };

    let mut text = Vec::new();
    render_text(&mut text, rel, &db, MhOptions { verbose }, Duration::ZERO).unwrap();
    check(&format!("{stem}{suffix}.mh.txt"), &String::from_utf8(text).unwrap());

    if !verbose {
        let json = serde_json::to_string_pretty(&FileJson::Database { file: rel, db: &db }).unwrap() + "\n";
        check(&format!("{stem}.mh.json"), &json);
    }
}

/// Text and JSON of a log or checkpoint through the same renderer `esehdr FILE` uses; paths
/// found beside the file (the checkpoint of a log) are made relative to the repository.
fn golden_other(rel: &str) {
    let path = repo().join(rel);
    let found = inspect(&path);
    let stem = Path::new(rel).file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!("{}/", repo().display());
    let mut text = Vec::new();
    esehdr::render_text(&mut text, rel, &found, Options::default(), Duration::ZERO).unwrap();
    check(&format!("{stem}.txt"), &String::from_utf8(text).unwrap().replace(&prefix, ""));
    let json = match &found {
        Inspected::Log(log, beside, content, records) => FileJson::Log {
            file: rel,
            log,
            beside: esehdr::ml::BesideJson::of(beside.as_ref()),
            content: esehdr::ContentJson::of(content.as_ref()),
            records: records.as_deref(),
        },
        Inspected::Checkpoint(checkpoint) => FileJson::Checkpoint { file: rel, checkpoint },
        other => panic!("{rel}: {other:?}"),
    };
    check(&format!("{stem}.json"), &(serde_json::to_string_pretty(&json).unwrap().replace(&prefix, "") + "\n"));
}

#[test]
fn log_v8_first_generation_lists_no_database() {
    golden_other("testdata/logs/srum-server2022/SRU00001.log");
}

#[test]
fn log_v8_current_with_checkpoint_beside() {
    golden_other("testdata/logs/srum-server2022/SRU.log");
}

#[test]
fn log_v7_legacy_two_ansi_databases() {
    golden_other("testdata/logs/catroot2-server2003/edb0007E.log");
}

#[test]
fn checkpoints_v8_and_legacy() {
    golden_other("testdata/logs/srum-server2022/SRU.chk");
    golden_other("testdata/logs/catroot2-server2003/edb.chk");
}

#[test]
fn damaged_log_and_checkpoint() {
    golden_other("testdata/corrupt/log-bad-header-checksum.log");
    golden_other("testdata/corrupt/chk-bad-primary.chk");
}

#[test]
fn clean_4k_server_2022() {
    golden_case("testdata/db/srum-server2022-clean.dat", false);
}

#[test]
fn dirty_16k_windows_11() {
    golden_case("testdata/db/qmgr-win11-dirty-16k.db", false);
}

#[test]
fn just_created_8k() {
    golden_case("testdata/db/ntds-temp-2012r2-just-created-8k.edb", false);
}

#[test]
fn legacy_server_2003_local_times() {
    golden_case("testdata/db/catdb-server2003-clean", false);
}

#[test]
fn header_only_32k() {
    golden_case("testdata/db/large-32k-header-only.edb", false);
}

#[test]
fn dirty_4k_verbose_prints_both_copies() {
    golden_case("testdata/db/ual-server2019-dirty.mdb", true);
}

#[test]
fn bad_primary_falls_back_to_shadow() {
    golden_case("testdata/corrupt/bad-primary-checksum.edb", false);
    golden_case("testdata/corrupt/bad-primary-checksum.edb", true);
}

#[test]
fn both_copies_bad_ends_with_1206() {
    golden_case("testdata/corrupt/bad-both-checksums.edb", false);
}

/// `esehdr ml BASE` (text, and JSON) over a real set, folder names made repository-relative.
fn golden_stream(rel_base: &str, golden: &str, verbose: bool) {
    let prefix = format!("{}/", repo().display());
    let base = repo().join(rel_base);
    for json in [false, true] {
        if json && verbose {
            continue;
        }
        let opts = esehdr::stream::StreamOptions { verbose, json, ..Default::default() };
        let mut out = Vec::new();
        let status = esehdr::stream::run_stream(&base, opts, &mut out, || Duration::ZERO).unwrap();
        assert_eq!(status, esehdr::Status::Ok);
        let text = String::from_utf8(out).unwrap().replace(&prefix, "");
        check(&format!("{golden}{}", if json { ".json" } else { ".txt" }), &text);
    }
}

#[test]
fn stream_v7_catroot2() {
    golden_stream("testdata/logs/catroot2-server2003/edb", "stream-catroot2", false);
}

#[test]
fn stream_v8_srum_verbose() {
    golden_stream("testdata/logs/srum-server2022/SRU", "stream-srum-server2022.v", true);
}

#[test]
fn plan_srum_win10() {
    let prefix = format!("{}/", repo().display());
    for json in [false, true] {
        let opts = esehdr::plan::PlanOptions {
            inputs: vec![repo().join("testdata/logs/srum-win10")],
            json,
            ..Default::default()
        };
        let mut out = Vec::new();
        let status = esehdr::plan::run_plan(&opts, None, &mut out).unwrap();
        assert_eq!(status, esehdr::Status::Ok);
        let text = String::from_utf8(out).unwrap().replace(&prefix, "");
        check(if json { "plan-srum-win10.json" } else { "plan-srum-win10.txt" }, &text);
    }
}

/// `esehdr ml FILE -v` / `--records=structure`: the header dump, every record in eseutil's
/// `/ml /v` form, the statistics, the page references and the DBID table.
fn golden_records(rel: &str, level: esehdr_format::log::records::dump::Level, golden: &str) {
    let path = repo().join(rel);
    let found = inspect(&path);
    let prefix = format!("{}/", repo().display());
    let mut text = Vec::new();
    let opts = Options { records: Some(level), ..Options::default() };
    esehdr::render_text(&mut text, &path.display().to_string(), &found, opts, Duration::ZERO).unwrap();
    check(golden, &String::from_utf8(text).unwrap().replace(&prefix, ""));
}

#[test]
fn record_dump_v7_catroot2() {
    // The current log of the CatRoot2 set: LRCHECKSUM records, a NOP run with its NOPEnd line,
    // Init/Term pairs, attach and detach of two ANSI-named databases, ReplaceD with ReplDiff.
    golden_records(
        "testdata/logs/catroot2-server2003/edb.log",
        esehdr_format::log::records::dump::Level::Data,
        "edb.log.records.txt",
    );
}

#[test]
fn record_dump_v8_srum_server2022() {
    // Segment lines, fragments reassembled at their FragmentBegin, NOP2, CreateDB and the
    // records of a fully logged database creation, Split2 macros.
    golden_records(
        "testdata/logs/srum-server2022/SRU00001.log",
        esehdr_format::log::records::dump::Level::Data,
        "SRU00001.log.records.txt",
    );
    golden_records(
        "testdata/logs/srum-server2022/SRU.log",
        esehdr_format::log::records::dump::Level::Structure,
        "SRU.log.records-structure.txt",
    );
}

#[test]
fn record_json_lines_v8() {
    let path = repo().join("testdata/logs/srum-server2022/SRU.log");
    let mut out = Vec::new();
    let status = esehdr::records::run_jsonl(&[path.as_path()], &mut out, &mut Vec::new()).unwrap();
    assert_eq!(status, esehdr::Status::Ok);
    let text = String::from_utf8(out).unwrap();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["lgpos"]["generation"].is_u64() && v["name"].is_string(), "{line}");
    }
    check("SRU.log.records.jsonl", &text);
}
