//! Every log and checkpoint of `../shared/corpus` against `testdata/expected-logs.tsv`, which
//! `testdata/derive-expected-logs.py` decodes from the bytes independently of this crate, and that
//! TSV against the corpus's PROVENANCE.md: every log and checkpoint PROVENANCE.md lists has its row
//! (generation, sectors, checkpoint position, log signature agreeing), and the counts come from
//! PROVENANCE.md, so a grown corpus is a data change, not a code change.

mod common;

use common::{number_after, number_before, ProvKind};

use esehdr_format::checkpoint::{read_checkpoint, CHECKPOINT_FILE_SIZE};
use esehdr_format::log::header::{read_log_header, LOG_HEADER_SIZE};
use esehdr_format::{sniff, FileKind, LogTime};

fn iso(t: LogTime) -> String {
    t.iso8601().unwrap_or_else(|| "null".into())
}

fn flag(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

#[test]
fn every_corpus_log_and_checkpoint_matches_the_oracle() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rows = common::tsv(&common::testdata().join("expected-logs.tsv"));
    let (mut logs, mut checkpoints, mut header_only) = (0, 0, 0);
    for row in rows {
        let name = &row["file"];
        let path = corpus.join(name);
        let file_len = std::fs::metadata(&path).unwrap().len();
        let bytes = common::head(&path, 65536);
        let ctx = |f: &str| format!("{name}: {f}");
        assert_eq!(file_len.to_string(), row["file_size"], "{}", ctx("size"));
        match row["kind"].as_str() {
            "log" => {
                logs += 1;
                assert_eq!(sniff(&bytes, file_len).kind, FileKind::Log, "{}", ctx("sniff"));
                let log = read_log_header(&bytes[..LOG_HEADER_SIZE.min(bytes.len())], file_len).unwrap();
                let h = &log.header;
                assert_eq!(flag(log.checksum_valid()), row["checksum_ok"], "{}", ctx("checksum"));
                assert_eq!(h.generation.to_string(), row["generation"], "{}", ctx("lGeneration"));
                assert_eq!(format!("{:08x}", h.log_signature.random), row["sig_random"], "{}", ctx("signLog random"));
                assert_eq!(iso(h.log_signature.created), row["sig_created"], "{}", ctx("signLog time"));
                assert_eq!(h.version.to_string(), row["format_version"], "{}", ctx("format version"));
                assert_eq!(h.sector_size.to_string(), row["sector_size"], "{}", ctx("cbSec"));
                assert_eq!(h.header_sectors.to_string(), row["header_sectors"], "{}", ctx("csecHeader"));
                assert_eq!(h.file_sectors.to_string(), row["file_sectors"], "{}", ctx("csecLGFile"));
                assert_eq!(flag(log.file_size_matches()), row["size_matches"], "{}", ctx("size matches"));
                assert_eq!(iso(h.created), row["created"], "{}", ctx("tmCreate"));
                assert_eq!(iso(h.previous_generation_created), row["prev_created"], "{}", ctx("tmPrevGen"));
                assert_eq!(flag(h.circular_logging()), row["circular_logging"], "{}", ctx("circular logging"));
                assert_eq!(h.flags.0.to_string(), row["lg_flags"], "{}", ctx("fLGFlags"));
                assert_eq!(h.dbms_param.system_path, row["system_path"], "{}", ctx("system path"));
                let attached: Vec<String> = h.attached.iter().map(|a| format!("{}:{}", a.dbid, a.path)).collect();
                assert_eq!(attached.join(" | "), row["attached"], "{}", ctx("attached"));
                let randoms: Vec<String> =
                    h.attached.iter().map(|a| format!("{:08x}", a.db_signature.random)).collect();
                assert_eq!(randoms.join(" | "), row["attached_db_random"], "{}", ctx("attached signDb"));
                // Header-only logs are truncated (size mismatch), never unreadable.
                if file_len == LOG_HEADER_SIZE as u64 {
                    header_only += 1;
                    assert!(log.findings.iter().any(|f| f.code == "size_mismatch"), "{}", ctx("size_mismatch finding"));
                } else {
                    assert!(log.is_sound(), "{}: {:?}", ctx("sound"), log.findings);
                }
            }
            "checkpoint" => {
                checkpoints += 1;
                assert_eq!(sniff(&bytes, file_len).kind, FileKind::Checkpoint, "{}", ctx("sniff"));
                let c = read_checkpoint(&bytes[..CHECKPOINT_FILE_SIZE.min(bytes.len())], file_len);
                let f = c.fields().unwrap_or_else(|| panic!("{}: {:?}", ctx("no valid copy"), c.findings));
                assert_eq!(
                    flag(c.primary.status == esehdr_format::CopyStatus::Valid),
                    row["checksum_ok"],
                    "{}",
                    ctx("checksum")
                );
                assert_eq!(f.checkpoint.generation.to_string(), row["generation"], "{}", ctx("checkpoint gen"));
                assert_eq!(f.checkpoint.isec.to_string(), row["chk_isec"], "{}", ctx("checkpoint isec"));
                assert_eq!(f.checkpoint.ib.to_string(), row["chk_ib"], "{}", ctx("checkpoint ib"));
                assert_eq!(format!("{:08x}", f.log_signature.random), row["sig_random"], "{}", ctx("signLog random"));
                assert_eq!(iso(f.log_signature.created), row["sig_created"], "{}", ctx("signLog time"));
                assert_eq!(flag(f.dbms_param.circular_logging()), row["circular_logging"], "{}", ctx("circular"));
                assert_eq!(f.dbms_param.system_path, row["system_path"], "{}", ctx("system path"));
                let attached: Vec<String> = f.attached.iter().map(|a| format!("{}:{}", a.dbid, a.path)).collect();
                assert_eq!(attached.join(" | "), row["attached"], "{}", ctx("attached"));
                assert!(c.is_sound() && c.identical, "{}: {:?}", ctx("sound"), c.findings);
            }
            other => panic!("{name}: unknown kind {other}"),
        }
    }
    let prov = common::provenance(&corpus);
    let count = |k: ProvKind| prov.iter().filter(|r| r.kind() == k).count();
    let prov_header_only =
        prov.iter().filter(|r| r.kind() == ProvKind::Log && whole_log_size(r) != Some(r.size)).count();
    assert_eq!((logs, checkpoints), (count(ProvKind::Log), count(ProvKind::Checkpoint)), "logs and checkpoints");
    assert_eq!(header_only, prov_header_only, "header-only logs");
}

/// `16 sectors = 65536 bytes`: the size the row says the whole log has.
fn whole_log_size(row: &common::ProvRow) -> Option<u64> {
    number_before(&row.what, " bytes").map(|n| n as u64)
}

/// Every log and checkpoint row of PROVENANCE.md has its row in expected-logs.tsv, and the two
/// oracles agree on what both state.
#[test]
fn expected_logs_tsv_agrees_with_provenance() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rows = common::tsv(&common::testdata().join("expected-logs.tsv"));
    let by_file: std::collections::BTreeMap<&str, _> = rows.iter().map(|r| (r["file"].as_str(), r)).collect();
    let mut checked = 0;
    for p in common::provenance(&corpus) {
        let kind = match p.kind() {
            ProvKind::Log => "log",
            ProvKind::Checkpoint => "checkpoint",
            _ => continue,
        };
        let t = by_file.get(p.file.as_str()).unwrap_or_else(|| {
            panic!("{}: in PROVENANCE.md but not in expected-logs.tsv: run testdata/derive-expected-logs.py", p.file)
        });
        let w = &p.what;
        let ctx = |f: &str| format!("{}: {f} (provenance: {w})", p.file);
        assert_eq!(t["kind"], kind, "{}", ctx("kind"));
        let stated_gen = number_after(w, "log gen ")
            .or_else(|| number_after(w, "lgpos gen "))
            .or_else(|| number_after(w, "at gen "));
        assert_eq!(Some(t["generation"].parse::<i64>().unwrap()), stated_gen, "{}", ctx("generation"));
        if kind == "log" {
            assert_eq!(Some(t["sector_size"].parse().unwrap()), number_before(w, "-byte sectors"), "{}", ctx("cbSec"));
            assert_eq!(
                Some(t["file_sectors"].parse().unwrap()),
                number_before(w, " sectors ="),
                "{}",
                ctx("csecLGFile")
            );
            let format = w.rsplit(", format ").next().and_then(|f| f.split([',', ' ']).next()).unwrap_or_default();
            assert!(t["format_version"].starts_with(format) && !format.is_empty(), "{}", ctx("format version"));
            assert_eq!(t["size_matches"] == "1", whole_log_size(&p) == Some(p.size), "{}", ctx("whole file"));
        } else {
            assert_eq!(Some(t["chk_isec"].parse().unwrap()), number_after(w, " sec "), "{}", ctx("checkpoint sector"));
            assert_eq!(Some(t["chk_ib"].parse().unwrap()), number_after(w, " ib "), "{}", ctx("checkpoint offset"));
        }
        assert_eq!(t["file_size"], p.size.to_string(), "{}", ctx("size"));
        match p.log_signature() {
            Some(Some((random, time))) => {
                assert_eq!(t["sig_random"], random, "{}", ctx("signLog random"));
                // Older tables give the time to the second with a space, later ones ISO 8601.
                let ours =
                    if time.contains('T') { t["sig_created"].clone() } else { t["sig_created"].replace('T', " ") };
                assert!(ours.starts_with(&time), "{}: {ours}", ctx("signLog time"));
            }
            Some(None) => assert_eq!(t["sig_random"], "00000000", "{}", ctx("null signature")),
            None => panic!("{}", ctx("no log signature stated")),
        }
        checked += 1;
    }
    assert_eq!(checked, rows.len(), "every expected-logs.tsv row is a log or checkpoint of PROVENANCE.md");
}

#[test]
fn reserve_logs_of_the_corpus_are_classified_not_errors() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    // Every headerless reserve or temporary log PROVENANCE.md lists (all-zero, 0xDA fill,
    // leftover bytes).
    let mut found = 0;
    for row in common::provenance(&corpus) {
        if row.kind() != ProvKind::Other || !row.what.contains("reserve") {
            continue;
        }
        let rel = &row.file;
        let path = corpus.join(rel);
        let bytes = common::head(&path, 65536);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let s = esehdr_format::sniff_named(&name, &bytes, std::fs::metadata(&path).unwrap().len());
        assert_eq!(s.kind, FileKind::ReserveLog, "{rel}: {}", s.reason);
        found += 1;
    }
    assert!(found >= 5, "only {found} reserve logs in PROVENANCE.md");
}
