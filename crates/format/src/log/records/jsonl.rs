//! JSON Lines: one JSON object per record, written as the walk goes (`esehdr ml FILE --records
//! --json`), so a stream of any size can be piped into `jq` without building one document.
//!
//! Every object has `lgpos` (`{generation, sector, offset}`), `type` (the `lrtyp` byte), `name`
//! (eseutil's name without padding) and `size` (bytes), then the fields of the shared typed
//! decoder's [`Record`] (snake_case names: the page-record header `procid`, `dbid`, `pgno`,
//! `dbtime`, `dbtime_before`, `trx_begin0`, `level`, `iline`, `flags`, the node fields `rceid`,
//! `pgno_fdp`, `objid_fdp`, and so on per type; payloads such as `data`, `key`, `diff` as
//! lowercase hex, in full). A sized record the decoder refuses keeps its bytes as `data` with a
//! `decode_error`; a record that cannot be read at all gives one `{lgpos, error}` object and ends
//! the output.
//!
//! Sources: docs/log-records.md §3 (via [`Record`]).

use std::io::{self, Write};

use serde::Serialize;

use crate::log::content::ContentVerdict;
use crate::log::header::LgFileHeader;
use crate::log::records::decode::{Hex, Record};
use crate::log::records::summary::{RecordSummary, Summarizer};
use crate::log::records::types::LrType;
use crate::log::records::walk::RecordWalker;
use crate::primitives::Lgpos;

/// The body of one JSON Lines object: the decoded record's fields, or its bytes when the
/// decoder refuses it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Body<'r> {
    /// The typed record.
    Decoded(Record<'r>),
    /// A record of a known size whose fields do not add up.
    Undecoded {
        /// The whole record.
        data: Hex<'r>,
        /// Why the decoder refused it.
        decode_error: String,
    },
}

/// One JSON Lines object.
#[derive(Debug, Serialize)]
pub struct RecordJson<'r> {
    /// LGPOS as eseutil reports it.
    pub lgpos: Lgpos,
    /// The `lrtyp` byte.
    #[serde(rename = "type")]
    pub lrtyp: u8,
    /// eseutil's name without padding.
    pub name: &'static str,
    /// Size in bytes (`CbLGSizeOfRec`).
    pub size: usize,
    /// The fields of its type.
    #[serde(flatten)]
    pub body: Body<'r>,
}

/// The error object that ends a JSON Lines output.
#[derive(Debug, Serialize)]
pub struct ErrorJson<'a> {
    /// LGPOS of the record that could not be read.
    pub lgpos: Lgpos,
    /// What was wrong.
    pub error: &'a str,
}

/// The JSON object of one record.
pub fn record_json(lgpos: Lgpos, rec: &[u8]) -> RecordJson<'_> {
    let t = LrType(rec.first().copied().unwrap_or_default());
    let body = match Record::decode_bytes(rec, lgpos, 0) {
        Ok(r) => Body::Decoded(r),
        Err(e) => Body::Undecoded { data: Hex(rec), decode_error: e.to_string() },
    };
    RecordJson { lgpos, lrtyp: t.0, name: t.name(), size: rec.len(), body }
}

/// Walks the records of `file` and writes one JSON object per line; a record that cannot be
/// read gives one `{lgpos, error}` line and ends the output. Returns the summary.
pub fn write_jsonl(
    w: &mut dyn Write,
    file: &[u8],
    header: &LgFileHeader,
    verdict: &ContentVerdict,
) -> io::Result<RecordSummary> {
    let mut walker = RecordWalker::with_verdict(file, header, verdict);
    let mut sum = Summarizer::new(header.attached.iter().map(|a| (a.dbid, a.path.as_str())));
    while let Some(item) = walker.next_record() {
        match item {
            Ok(rec) => {
                sum.add(&rec);
                serde_json::to_writer(&mut *w, &record_json(rec.lgpos, rec.bytes))?;
            }
            Err(e) => {
                serde_json::to_writer(&mut *w, &ErrorJson { lgpos: e.lgpos, error: &e.to_string() })?;
            }
        }
        w.write_all(b"\n")?;
    }
    Ok(sum.finish(walker.stop()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(rec: &[u8]) -> serde_json::Value {
        serde_json::to_value(record_json(Lgpos { generation: 2, isec: 3, ib: 4 }, rec)).unwrap()
    }

    #[test]
    fn insert_has_the_page_header_and_full_hex_payloads() {
        let mut r = vec![0u8; 50];
        r[0] = 29;
        r[1] = 0x0c;
        r[3] = 1;
        r[4] = 218;
        r[8] = 0x03;
        r[9] = 0x36;
        r[31] = 0x04;
        r[44] = 20; // cbSuffix
        r[46] = 1; // cbPrefix
        r[48] = 2; // cbData
        r.push(0xAA);
        r.extend(0..20u8);
        r.extend([0xBE, 0xEF]);
        let v = json(&r);
        assert_eq!(v["lgpos"], serde_json::json!({"generation": 2, "sector": 3, "offset": 4}));
        assert_eq!((v["type"].as_u64(), v["name"].as_str(), v["size"].as_u64()), (Some(29), Some("Insert"), Some(73)));
        assert_eq!((v["procid"].as_u64(), v["dbid"].as_u64(), v["pgno"].as_u64()), (Some(12), Some(1), Some(218)));
        assert_eq!((v["dbtime"].as_u64(), v["flags"].as_u64()), (Some(0x3603), Some(4)));
        assert_eq!(v["key_prefix"], "aa");
        assert_eq!(v["key_suffix"], "000102030405060708090a0b0c0d0e0f10111213");
        assert_eq!(v["data"], "beef");
        assert!(v.get("path").is_none());
    }

    #[test]
    fn a_record_the_decoder_refuses_keeps_its_bytes() {
        // An Insert whose length fields say 3 more bytes than there are.
        let mut r = vec![0u8; 50];
        r[0] = 29;
        r[48] = 3;
        let v = json(&r);
        assert_eq!(v["name"], "Insert");
        assert_eq!(v["data"].as_str().map(str::len), Some(100));
        assert!(v["decode_error"].is_string());
    }

    #[test]
    fn every_type_byte_serializes() {
        for t in 0..=255u8 {
            let mut r = vec![0xFFu8; 120];
            r[0] = t;
            let v = json(&r);
            assert_eq!(v["type"].as_u64(), Some(u64::from(t)));
        }
    }
}
