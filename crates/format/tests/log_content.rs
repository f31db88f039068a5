//! Log contents: every whole log of `testdata/logs/` and of the corpus verifies, and damage is found.

mod common;

use esehdr_format::log::content::verify_log_content;
use esehdr_format::log::header::read_log_header;

fn verify(
    path: &std::path::Path,
) -> (esehdr_format::log::header::LogHeader, esehdr_format::log::content::ContentVerdict) {
    let bytes = std::fs::read(path).unwrap();
    let log = read_log_header(&bytes[..4096], bytes.len() as u64).unwrap();
    let v = verify_log_content(&bytes, &log.header);
    (log, v)
}

#[test]
fn every_whole_corpus_log_verifies() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rows = common::tsv(&common::testdata().join("expected-logs.tsv"));
    let mut checked = 0;
    for row in rows.iter().filter(|r| r["kind"] == "log" && r["size_matches"] == "1") {
        let (log, v) = verify(&corpus.join(&row["file"]));
        eprintln!(
            "{}: ok={} last={} acc={:#x} problems={:?}",
            row["file"], v.ok, v.last_lgpos, v.accumulated_checksum, v.problems
        );
        assert!(v.ok, "{}: {:?}", row["file"], v.problems);
        assert_eq!(v.last_lgpos.generation, log.header.generation);
        checked += 1;
    }
    // Every whole log PROVENANCE.md lists (its size is the "N sectors = M bytes" it states).
    let whole = common::provenance(&corpus)
        .iter()
        .filter(|r| r.kind() == common::ProvKind::Log)
        .filter(|r| common::number_before(&r.what, " bytes").is_some_and(|b| b as u64 == r.size))
        .count();
    assert_eq!(checked, whole, "whole corpus logs verified");
}
