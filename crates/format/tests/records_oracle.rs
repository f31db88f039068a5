//! The record summary of every whole log of the shared corpus against
//! `testdata/expected-records.tsv`, written by `testdata/derive-expected-records.py` (Python,
//! from docs/log-records.md alone, not from esehdr's code): end of the walk, record count, records per
//! eseutil name, page references in total and per DBID, distinct pages per DBID, the dbtime range
//! per DBID, create / attach / detach events and the transactions left open.

mod common;

use esehdr_format::log::records::dump::{write_records, Level};
use esehdr_format::log::records::jsonl::write_jsonl;
use esehdr_format::log::records::summary::{summarize, EventKind, RecordSummary};

fn joined<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> String, sep: &str) -> String {
    items.into_iter().map(f).collect::<Vec<_>>().join(sep)
}

fn lgpos(p: &esehdr_format::Lgpos) -> String {
    format!("{},{},{}", p.generation, p.isec, p.ib)
}

fn events(s: &RecordSummary) -> String {
    let mut all: Vec<_> = s.databases.iter().flat_map(|d| d.events.iter().map(move |e| (d.dbid, e))).collect();
    all.sort_by_key(|(_, e)| e.lgpos);
    joined(
        all,
        |(dbid, e)| {
            let kind = match e.kind {
                EventKind::Create => "create",
                EventKind::Attach => "attach",
                EventKind::Detach => "detach",
            };
            format!(
                "{kind};{};{dbid};{};{};{};{}",
                lgpos(&e.lgpos),
                e.db_signature.map(|s| format!("{:08x}", s.random)).unwrap_or_default(),
                e.log_signature.map(|s| format!("{:08x}", s.random)).unwrap_or_default(),
                e.last_consistent.as_ref().map(lgpos).unwrap_or_default(),
                e.path
            )
        },
        " | ",
    )
}

#[test]
fn every_whole_corpus_log_summarizes_as_the_oracle_says() {
    let Some(corpus) = common::corpus() else { return };
    let rows = common::tsv(&common::testdata().join("expected-records.tsv"));
    assert!(rows.len() >= 52, "only {} rows in expected-records.tsv", rows.len());
    let mut records = 0u64;
    for row in &rows {
        let name = &row["file"];
        let bytes = std::fs::read(corpus.join(name)).unwrap();
        let s = summarize(&bytes).unwrap();
        assert_eq!(s.error, None, "{name}");
        let end = format!("{},{},{}", row["end_generation"], row["end_sector"], row["end_offset"]);
        assert_eq!(lgpos(&s.end), end, "{name}: end");
        assert_eq!(s.total.to_string(), row["records"], "{name}: records");
        assert_eq!(s.bytes.to_string(), row["record_bytes"], "{name}: record bytes");
        assert_eq!(joined(&s.by_type, |(k, v)| format!("{k}={v}"), ","), row["by_type"], "{name}: by_type");
        let per_lrtyp =
            joined(s.per_type.iter().enumerate().filter(|(_, c)| c.0 > 0), |(t, c)| format!("{t}={}", c.0), ",");
        assert_eq!(per_lrtyp, row["by_lrtyp"], "{name}: by_lrtyp");
        assert_eq!(s.page_references.to_string(), row["page_references"], "{name}: page references");
        let referenced: Vec<_> = s.databases.iter().filter(|d| d.page_references > 0).collect();
        assert_eq!(
            joined(&referenced, |d| format!("{}={}", d.dbid, d.page_references), ","),
            row["page_refs_by_dbid"],
            "{name}: page references per dbid"
        );
        assert_eq!(
            joined(&referenced, |d| format!("{}={}", d.dbid, d.pages_touched), ","),
            row["pages_by_dbid"],
            "{name}: pages per dbid"
        );
        let dbtimes = joined(
            s.databases.iter().filter_map(|d| Some((d.dbid, d.dbtime_min?, d.dbtime_max?))),
            |(d, lo, hi)| format!("{d}={lo}-{hi}"),
            ",",
        );
        assert_eq!(dbtimes, row["dbtime_by_dbid"], "{name}: dbtime per dbid");
        assert_eq!(events(&s), row["events"], "{name}: events");
        let open =
            joined(&s.transactions.open_at_end, |o| format!("{}:{}@{}", o.procid, o.trx_begin0, lgpos(&o.lgpos)), " ");
        assert_eq!(open, row["tx_open_at_end"], "{name}: transactions open at the end");
        // The eseutil dump and the JSON Lines read the same records: one JSON line per record,
        // one dump line per record except the NOPs after the first of a run.
        let header = esehdr_format::log::header::LgFileHeader::decode(&bytes).unwrap();
        let verdict = esehdr_format::log::content::verify_log_content(&bytes, &header);
        let mut text = Vec::new();
        let d = write_records(&mut text, &bytes, &header, &verdict, Level::Data).unwrap();
        assert_eq!(d, s, "{name}: the dump's summary");
        let text = String::from_utf8(text).unwrap();
        let record_lines: Vec<&str> = text.lines().filter(|l| l.starts_with(">0")).collect();
        let nops = s.per_type[0].0;
        let non_nop = record_lines.iter().filter(|l| l.get(19..29) != Some(" NOP      ")).count() as u64;
        assert_eq!(non_nop, s.total - nops, "{name}: one dump line per record");
        let nop_end: u64 = text
            .lines()
            .filter_map(|l| l.strip_prefix(">                 NOPEnd    (Total NOPs: "))
            .map(|n| n.trim_end_matches(')').parse::<u64>().unwrap())
            .sum();
        assert!(nop_end <= nops && (nops == 0) == (non_nop == record_lines.len() as u64), "{name}: NOP runs");
        if s.total == 0 {
            assert!(text.contains("no records in the valid data"), "{name}");
        }
        let mut jl = Vec::new();
        let j = write_jsonl(&mut jl, &bytes, &header, &verdict).unwrap();
        assert_eq!(j, s, "{name}: the JSON Lines' summary");
        assert_eq!(String::from_utf8(jl).unwrap().lines().count() as u64, s.total, "{name}: JSON lines");
        records += s.total;
    }
    eprintln!("{} logs, {records} records checked against expected-records.tsv", rows.len());
}
