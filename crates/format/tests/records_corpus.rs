//! Log records: every whole log of the shared corpus walks to exactly the `Last Lgpos` its
//! content check reports, with every byte of the valid data accounted for.
//!
//! The whole logs are the rows of `testdata/expected-logs.tsv` (the independent header oracle)
//! with kind `log` whose size matches the header; the 4 KiB stubs under `header-only/` are not.

mod common;

use esehdr_format::log::content::verify_log_content;
use esehdr_format::log::header::LgFileHeader;
use esehdr_format::log::records::{RecordWalker, StopReason};

fn whole_logs() -> Vec<std::path::PathBuf> {
    let Some(corpus) = common::corpus() else {
        return Vec::new();
    };
    let rows = common::tsv(&common::testdata().join("expected-logs.tsv"));
    rows.iter().filter(|r| r["kind"] == "log" && r["size_matches"] == "1").map(|r| corpus.join(&r["file"])).collect()
}

#[test]
fn every_whole_corpus_log_walks_to_its_last_lgpos() {
    let logs = whole_logs();
    if logs.is_empty() {
        return;
    }
    assert_eq!(logs.len(), 40);
    let mut total = 0u64;
    for path in &logs {
        let bytes = std::fs::read(path).unwrap();
        let header = LgFileHeader::decode(&bytes).unwrap();
        let verdict = verify_log_content(&bytes, &header);
        let mut walker = RecordWalker::with_verdict(&bytes, &header, &verdict);
        let mut n = 0u64;
        while let Some(r) = walker.next_record() {
            let r = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(r.lrtyp.is_defined());
            n += 1;
        }
        let stop = walker.stop().unwrap();
        let acct = walker.accounting();
        eprintln!("{}: {n} records, {:?}, {:?}", path.display(), stop.reason, acct);
        assert_eq!(stop.position, verdict.last_lgpos, "{}", path.display());
        assert_eq!(stop.data_end, verdict.last_lgpos, "{}", path.display());
        assert!(matches!(stop.reason, StopReason::End | StopReason::ZeroFill), "{}: {stop:?}", path.display());
        assert!(acct.balanced(), "{}: {acct:?}", path.display());
        assert_eq!(acct.records, n);
        total += n;
    }
    // FORMAT-LOGREC §8 counted the records of the same 40 logs from the spec: 35,599.
    assert_eq!(total, 35_599);
}
