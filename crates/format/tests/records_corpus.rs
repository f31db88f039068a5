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

#[test]
fn every_record_of_the_corpus_decodes() {
    use esehdr_format::log::records::Record;
    let logs = whole_logs();
    let mut raw_types = std::collections::BTreeMap::new();
    let mut refs = 0u64;
    for path in &logs {
        let bytes = std::fs::read(path).unwrap();
        let mut walker = RecordWalker::new(&bytes).unwrap();
        while let Some(r) = walker.next_record() {
            let r = r.unwrap();
            let rec = Record::decode(&r).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            refs += rec.page_ref_count();
            if matches!(rec, Record::Raw(_) | Record::Ignored(_)) {
                *raw_types.entry(r.lrtyp.name()).or_insert(0) += 1;
            }
            if std::env::var_os("DUMP").is_some() {
                eprintln!("{} {} {}", r.lgpos, r.lrtyp.name(), serde_json::to_string(&rec).unwrap());
            }
        }
    }
    eprintln!("raw: {raw_types:?}; page refs {refs}");
    if logs.is_empty() {
        return;
    }
    // Only the debug-only Trace records and the NOP2 filler have no typed view in the corpus.
    assert_eq!(raw_types.keys().copied().collect::<Vec<_>>(), vec!["NOP2", "Trace"]);
}

/// All decoded records of one corpus log, with their LGPOS.
fn decoded(rel: &str) -> Vec<(esehdr_format::Lgpos, String)> {
    use esehdr_format::log::records::Record;
    let Some(corpus) = common::corpus() else {
        return Vec::new();
    };
    let bytes = std::fs::read(corpus.join(rel)).unwrap();
    let mut walker = RecordWalker::new(&bytes).unwrap();
    let mut out = Vec::new();
    while let Some(r) = walker.next_record() {
        let r = r.unwrap();
        let rec = Record::decode(&r).unwrap();
        out.push((r.lgpos, format!("{} {}", r.lrtyp.name(), serde_json::to_string(&rec).unwrap())));
    }
    out
}

#[test]
fn known_records_of_the_corpus() {
    // FORMAT-LOGREC §8 item 1: the Term2 at (5C,2,0) carries the LGPOS of the Init2 of its run, (5B,E,0).
    let recs = decoded("AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win11/RathbunVM/Dirty/SRU.log");
    if recs.is_empty() {
        return;
    }
    let (_, term) = recs.iter().find(|(l, _)| l.eseutil() == "(0x5C,2,0)").unwrap();
    assert!(term.starts_with("Term {\"lgpos_init\":{\"generation\":91,\"sector\":14,\"offset\":0}"), "{term}");
    // The Server 2022 stream creates its database in generation 1: the CreateDB carries the
    // path and the signDb that the database header holds (testdata/expected-db.tsv: 67b58b71).
    let recs = decoded(
        "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022/SRU/SRU00001.log",
    );
    let rows = common::tsv(&common::testdata().join("expected-db.tsv"));
    let row = rows.iter().find(|r| r["file"] == "srum-server2022-clean.dat").unwrap();
    let random = u32::from_str_radix(&row["db_sig_random"], 16).unwrap();
    let creates: Vec<_> = recs.iter().filter(|(_, r)| r.starts_with("CreateDB ")).collect();
    assert_eq!(creates.len(), 1);
    assert!(creates[0].1.contains(&format!("\"db_signature\":{{\"random\":{random},")), "{}", creates[0].1);
    assert!(creates[0].1.contains("\"path\":\"C:\\\\Windows\\\\system32\\\\sru\\\\SRUDB.dat\""), "{}", creates[0].1);
    assert_eq!(
        recs.first().map(|(l, r)| (l.eseutil(), r.split(' ').next().unwrap())),
        Some(("(0x1,1,0)".into(), "Init"))
    );
}
