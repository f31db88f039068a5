//! Log records: every whole log of the shared corpus walks to exactly the `Last Lgpos` its
//! content check reports, with every byte of the valid data accounted for.
//!
//! The whole logs are the rows of `testdata/expected-logs.tsv` (the independent header oracle)
//! with kind `log` whose size matches the header; the 4 KiB stubs under `header-only/` are not.

mod common;

use esehdr_format::log::content::verify_log_content;
use esehdr_format::log::header::LgFileHeader;
use esehdr_format::log::records::{LrType, RecordWalker, StopReason};

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
    // The counts come from the independent oracle (testdata/derive-expected-records.py), which
    // walks the same logs from the spec: one row per whole log, its records in `records`.
    let oracle = common::tsv(&common::testdata().join("expected-records.tsv"));
    assert_eq!(logs.len(), oracle.len(), "whole logs in expected-logs.tsv against rows of expected-records.tsv");
    let oracle_total: u64 = oracle.iter().map(|r| r["records"].parse::<u64>().unwrap()).sum();
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
    // docs/log-records.md §8 counted 35,599 records in the 40 logs the corpus had then; the
    // oracle's sum covers every whole log of today's corpus.
    assert_eq!(total, oracle_total);
}

#[test]
fn every_record_of_the_corpus_decodes() {
    use esehdr_format::log::records::Record;
    let logs = whole_logs();
    let mut raw_types = std::collections::BTreeMap::new();
    let mut refs = 0u64;
    let mut replace_d = 0;
    for path in &logs {
        let bytes = std::fs::read(path).unwrap();
        let mut walker = RecordWalker::new(&bytes).unwrap();
        while let Some(r) = walker.next_record() {
            let r = r.unwrap();
            let rec = Record::decode(&r).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            refs += rec.page_ref_count();
            if let Record::ReplaceD(d) = &rec {
                // Every diff list parses to its end, and its entries' lengths add up to it.
                let entries: Vec<_> =
                    d.diffs().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{}: {e}", r.lgpos));
                assert!(!entries.is_empty());
                replace_d += 1;
            }
            if matches!(rec, Record::Raw(_) | Record::Ignored(_)) {
                *raw_types.entry(r.lrtyp.name()).or_insert(0) += 1;
            }
            if std::env::var_os("DUMP").is_some() {
                eprintln!("{} {} {}", r.lgpos, r.lrtyp.name(), serde_json::to_string(&rec).unwrap());
            }
        }
    }
    eprintln!("raw: {raw_types:?}; page refs {refs}; ReplaceD {replace_d}");
    if logs.is_empty() {
        return;
    }
    // Only the NOP2 filler is read by its length alone in the corpus.
    assert_eq!(raw_types.keys().copied().collect::<Vec<_>>(), vec!["NOP2"]);
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
    // docs/log-records.md §8 item 1: the Term2 at (5C,2,0) carries the LGPOS of the Init2 of its run, (5B,E,0).
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

/// What the independent oracle (`testdata/derive-expected-records.py`, written from
/// docs/log-records.md without the Rust code) lists per log, recomputed here from the walker and the
/// decoder (every column but `file`).
fn summarize(bytes: &[u8]) -> std::collections::BTreeMap<&'static str, String> {
    use esehdr_format::log::records::{PageAccess, Record};
    use std::collections::{BTreeMap, BTreeSet};
    let header = LgFileHeader::decode(bytes).unwrap();
    let verdict = verify_log_content(bytes, &header);
    let mut w = RecordWalker::with_verdict(bytes, &header, &verdict);
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_lrtyp: BTreeMap<u8, u64> = BTreeMap::new();
    let (mut fragmented, mut refs) = (0u64, 0u64);
    let mut refs_by_dbid: BTreeMap<u8, u64> = BTreeMap::new();
    let mut pages: BTreeSet<(u8, u32)> = BTreeSet::new();
    let mut dbtimes: BTreeMap<u8, (u64, u64)> = BTreeMap::new();
    let mut events = Vec::new();
    let mut sessions: BTreeMap<u16, (u8, u32, esehdr_format::Lgpos)> = BTreeMap::new();
    let sig = |s: &esehdr_format::Signature| format!("{:08x}", s.random);
    let gsb = |l: esehdr_format::Lgpos| format!("{},{},{}", l.generation, l.isec, l.ib);
    while let Some(r) = w.next_record() {
        let r = r.unwrap();
        *by_type.entry(r.lrtyp.name().to_string()).or_default() += 1;
        *by_lrtyp.entry(r.lrtyp.0).or_default() += 1;
        fragmented += u64::from(r.fragmented);
        let rec = Record::decode(&r).unwrap();
        rec.for_each_page_ref(|p| {
            let _: PageAccess = p.access;
            refs += 1;
            *refs_by_dbid.entry(p.dbid).or_default() += 1;
            pages.insert((p.dbid, p.pgno));
        });
        let dbtime = match &rec {
            Record::NewPage(n) => Some((n.dbid, n.dbtime)),
            Record::RootPageMove(m) => Some((m.dbid, m.dbtime)),
            _ => rec.page_header().map(|h| (h.dbid, h.dbtime)),
        };
        if let Some((dbid, t)) = dbtime.filter(|(_, t)| *t < 0xFFFF_FFFF_FFFF_FFFE) {
            let e = dbtimes.entry(dbid).or_insert((t, t));
            *e = (e.0.min(t), e.1.max(t));
        }
        // Transactions begun in this file and open at its end (docs/log-records.md §3.10, §5.1).
        match (&rec, r.lrtyp) {
            (Record::Init(_) | Record::Term(_) | Record::RecoveryQuit(_), _) => sessions.clear(),
            (Record::Begin(b), LrType::BEGIN0) => {
                sessions.insert(b.procid, (b.level_begin_from + b.clevels_to_begin, b.trx_begin0.unwrap(), r.lgpos));
            }
            (Record::Begin(b), LrType::BEGIN) => {
                if let Some(s) = sessions.get_mut(&b.procid) {
                    s.0 = b.level_begin_from + b.clevels_to_begin;
                }
            }
            (Record::Commit(c), LrType::COMMIT) => {
                if let Some(s) = sessions.get_mut(&c.procid) {
                    s.0 = c.level_commit_to;
                }
            }
            (Record::Commit(c), LrType::COMMIT0) => {
                sessions.remove(&c.procid);
            }
            (Record::Rollback(rb), _) => {
                if let Some(s) = sessions.get_mut(&rb.procid) {
                    if s.0 <= rb.level_rollback {
                        sessions.remove(&rb.procid);
                    } else {
                        s.0 -= rb.level_rollback;
                    }
                }
            }
            _ => {}
        }
        match &rec {
            Record::CreateDb(c) => {
                events.push(format!("create;{};{};{};;;{}", gsb(r.lgpos), c.dbid, sig(&c.db_signature), c.path))
            }
            Record::AttachDb(a) => events.push(format!(
                "attach;{};{};{};{};{};{}",
                gsb(r.lgpos),
                a.dbid,
                sig(&a.db_signature),
                sig(&a.log_signature),
                gsb(a.last_consistent),
                a.path
            )),
            Record::DetachDb(d) => events.push(format!("detach;{};{};;;;{}", gsb(r.lgpos), d.dbid, d.path)),
            _ => {}
        }
    }
    let stop = w.stop().unwrap();
    let a = w.accounting();
    let mut fill = BTreeMap::new();
    for (k, v) in [
        ("segment_headers", a.segment_headers),
        ("zero_fill", a.fill),
        ("fragment_headers", a.fragment_headers),
        (if header.is_segment_format() { "dropped" } else { "skipped" }, a.skipped),
    ] {
        if v > 0 {
            fill.insert(k, v);
        }
    }
    let join = |m: Vec<String>| m.join(",");
    let mut out = BTreeMap::new();
    out.insert("format", if header.is_segment_format() { "v8" } else { "v7" }.to_string());
    out.insert("end_generation", stop.position.generation.to_string());
    out.insert("end_sector", stop.position.isec.to_string());
    out.insert("end_offset", stop.position.ib.to_string());
    // The `Last Lgpos:` line prints the generation in lower case (docs/format-common.md §3).
    let p = stop.position;
    out.insert("last_lgpos", format!("(0x{:x},{:X},{:X})", p.generation, p.isec, p.ib));
    out.insert("data_bytes", a.data.to_string());
    out.insert("record_bytes", a.record_bytes.to_string());
    out.insert("fill_bytes", (a.data - a.record_bytes).to_string());
    out.insert("records", a.records.to_string());
    out.insert("by_type", join(by_type.iter().map(|(k, v)| format!("{k}={v}")).collect()));
    out.insert("by_lrtyp", join(by_lrtyp.iter().map(|(k, v)| format!("{k}={v}")).collect()));
    out.insert("fill_detail", join(fill.iter().map(|(k, v)| format!("{k}={v}")).collect()));
    out.insert("fragmented_records", fragmented.to_string());
    out.insert("page_references", refs.to_string());
    out.insert("page_refs_by_dbid", join(refs_by_dbid.iter().map(|(k, v)| format!("{k}={v}")).collect()));
    let mut distinct: BTreeMap<u8, u64> = BTreeMap::new();
    pages.iter().for_each(|(d, _)| *distinct.entry(*d).or_default() += 1);
    out.insert("pages_by_dbid", join(distinct.iter().map(|(k, v)| format!("{k}={v}")).collect()));
    out.insert("dbtime_by_dbid", join(dbtimes.iter().map(|(k, (lo, hi))| format!("{k}={lo}-{hi}")).collect()));
    out.insert("events", events.join(" | "));
    let mut open: Vec<_> = sessions.iter().collect();
    open.sort_by_key(|(_, (_, _, lgpos))| *lgpos);
    let open: Vec<String> = open.iter().map(|(pid, (_, trx, l))| format!("{pid}:{trx}@{}", gsb(*l))).collect();
    out.insert("tx_open_at_end", open.join(" "));
    assert!(a.balanced(), "{a:?}");
    assert_eq!(stop.position, verdict.last_lgpos);
    out
}

/// Sorts the comma-separated `key=value` items of a column, so the comparison does not depend
/// on the order the oracle lists them in.
fn sorted_items(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.split(',').filter(|x| !x.is_empty()).collect();
    v.sort_unstable();
    v
}

#[test]
fn per_log_counts_match_the_independent_oracle() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rows = common::tsv(&common::testdata().join("expected-records.tsv"));
    assert_eq!(rows.len(), 52);
    let mut total = 0u64;
    for row in &rows {
        let bytes = std::fs::read(corpus.join(&row["file"])).unwrap();
        let got = summarize(&bytes);
        for (col, value) in &got {
            let want = row.get(*col).map(String::as_str).unwrap_or_default();
            if matches!(
                *col,
                "by_type" | "by_lrtyp" | "fill_detail" | "page_refs_by_dbid" | "pages_by_dbid" | "dbtime_by_dbid"
            ) {
                assert_eq!(sorted_items(value), sorted_items(want), "{} column {col}", row["file"]);
            } else {
                assert_eq!(value, want, "{} column {col}", row["file"]);
            }
        }
        total += got["records"].parse::<u64>().unwrap();
    }
    // testdata/README.md: the 52 whole logs of the corpus hold 43,282 records.
    assert_eq!(total, 43_282);
}
