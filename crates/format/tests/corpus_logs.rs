//! Every log (59) and checkpoint (20) of `../shared/corpus` against `testdata/expected-logs.tsv`,
//! which `testdata/derive-expected-logs.py` decodes from the bytes independently of this crate
//! (and which was cross-checked against the corpus's PROVENANCE.md).

mod common;

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
    assert_eq!((logs, checkpoints), (59, 20), "logs and checkpoints of the corpus");
    assert_eq!(header_only, 19, "header-only logs");
}

#[test]
fn reserve_logs_of_the_corpus_are_classified_not_errors() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut found = 0;
    for rel in [
        "itdaniher-08673BEB64A2AFC69D33B9FB03ECD0833856E6D4/WINDOWS/system32/CatRoot2/res1.log",
        "itdaniher-08673BEB64A2AFC69D33B9FB03ECD0833856E6D4/WINDOWS/system32/CatRoot2/res2.log",
        "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win10/RathbunVM/Clean/SRUres00001.jrs",
        "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win10/RathbunVM/Clean/srures00002.jrs",
        "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win10/BelkasoftCTF_InsiderThreat/Dirty/SRUtmp.log",
    ] {
        let path = corpus.join(rel);
        let bytes = common::head(&path, 65536);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let s = esehdr_format::sniff_named(&name, &bytes, std::fs::metadata(&path).unwrap().len());
        assert_eq!(s.kind, FileKind::ReserveLog, "{rel}: {}", s.reason);
        found += 1;
    }
    assert_eq!(found, 5);
}
