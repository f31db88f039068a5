//! The bodies of the fuzz targets (`fuzz/fuzz_targets/*.rs`), kept here so the stable replay test
//! (`tests/replay.rs`) runs exactly the same code on every committed fuzz finding. Not part of
//! the stable API.

use std::io;

use crate::checkpoint::read_checkpoint;
use crate::log::content::{verify_log_content, ContentVerdict, SEGMENT_SIZE};
use crate::log::header::{read_log_header, LgFileHeader, LOG_HEADER_SIZE};
use crate::log::records::dump::{page_size, write_page_references, write_records, write_statistics, Level};
use crate::log::records::jsonl::write_jsonl;
use crate::log::records::summary::{io_model, summarize_with};
use crate::log::records::{Record, RecordWalker};
use crate::page::{verify_header_page, verify_page};
use crate::Lgpos;
use crate::{read_database_header, sniff, sniff_named};

/// `db_header`: read a database header from any bytes and render it as JSON.
pub fn db_header(data: &[u8]) {
    if let Ok(db) = read_database_header(data) {
        let _ = serde_json::to_string(&db);
    }
}

/// `log_header`: read a log header from any bytes, with any claimed file size.
pub fn log_header(data: &[u8]) {
    let claimed = data.get(..8).map_or(data.len() as u64, |b| b.iter().fold(0u64, |a, &x| a << 8 | u64::from(x)));
    for len in [data.len() as u64, claimed] {
        if let Ok(log) = read_log_header(data, len) {
            let _ = serde_json::to_string(&log);
        }
    }
}

/// `checkpoint`: read a checkpoint from any bytes.
pub fn checkpoint(data: &[u8]) {
    let c = read_checkpoint(data, data.len() as u64);
    let _ = serde_json::to_string(&c);
}

/// `sniff`: classify any bytes, with and without a reserve-log name.
pub fn sniff_any(data: &[u8]) {
    let _ = sniff(data, data.len() as u64);
    let name = String::from_utf8_lossy(data.get(..12).unwrap_or(data)).into_owned();
    let _ = sniff_named(&name, data, data.len() as u64);
    let _ = sniff_named("E00res00001.jrs", data, data.len() as u64);
}

/// `log_content`: an in-memory log. The first 4096 bytes are its header when they decode
/// (either format); otherwise the bytes are verified under a synthetic header of each format.
pub fn log_content(data: &[u8]) {
    if let Ok(h) = LgFileHeader::decode(data) {
        let _ = verify_log_content(data, &h);
    }
    if let Some(mut header) = data.get(..LOG_HEADER_SIZE).map(<[u8]>::to_vec) {
        for (major, cb_sec, csec_header) in [(7u32, 512u16, 8u16), (8, 4096, 1)] {
            for (at, bytes) in
                [(8, &cb_sec.to_le_bytes()[..]), (10, &csec_header.to_le_bytes()[..]), (32, &major.to_le_bytes()[..])]
            {
                if let Some(field) = header.get_mut(at..at + bytes.len()) {
                    field.copy_from_slice(bytes);
                }
            }
            if let Ok(h) = LgFileHeader::decode(&header) {
                let _ = verify_log_content(data, &h);
            }
        }
    }
}

/// `page`: verify any bytes as a page of every plausible number.
pub fn page(data: &[u8]) {
    let pgno = data.get(..4).map_or(0, |b| b.iter().fold(0u32, |a, &x| a << 8 | u32::from(x)));
    let _ = verify_page(data, pgno);
    let _ = verify_page(data, 0);
    let _ = verify_header_page(data);
}

/// `records`: a whole in-memory log (v7 or v8, a mutated real one). Its records are walked twice:
/// under its own content verdict, and under a forged verdict that calls every byte of the file
/// valid data (a log whose checksums were made to match its damage, so the walker meets hostile
/// length fields, type bytes and fragment chains with nothing in front of it). Each walk decodes
/// every record with its page references and renders it to JSON, and builds the summary with its
/// DBID table; the forged walk also runs the `ml -v` dump at both levels with the statistics and
/// page references, and the JSON Lines writer.
pub fn records(data: &[u8]) {
    let Ok(header) = LgFileHeader::decode(data) else { return };
    let verdict = verify_log_content(data, &header);
    records_with(data, &header, &verdict, false);
    let cb_sec = if header.is_segment_format() { SEGMENT_SIZE } else { usize::from(header.sector_size).max(512) };
    let forged = ContentVerdict {
        ok: true,
        last_lgpos: Lgpos {
            generation: header.generation,
            isec: u16::try_from(data.len() / cb_sec).unwrap_or(u16::MAX),
            ib: u16::try_from(data.len() % cb_sec).unwrap_or(0),
        },
        problems: Vec::new(),
        ..verdict
    };
    records_with(data, &header, &forged, true);
}

/// `records_v7`, `records_v8`: arbitrary bytes placed after the header of a real log (`log`,
/// a whole real log of the format; its first `le_csecHeader` sectors are kept), then [`records`].
pub fn records_after(log: &[u8], data: &[u8]) {
    let Ok(header) = LgFileHeader::decode(log) else { return };
    let cb_sec = if header.is_segment_format() { SEGMENT_SIZE } else { usize::from(header.sector_size).max(512) };
    let keep = usize::from(header.header_sectors).max(1).saturating_mul(cb_sec).min(log.len());
    let mut file = log.get(..keep).unwrap_or(log).to_vec();
    file.extend_from_slice(data);
    records(&file);
}

/// One walk with its consumers; the text and JSON Lines writers only when `writers` (they walk
/// the same records again: once per input is enough, under the forged verdict that reaches more).
fn records_with(data: &[u8], header: &LgFileHeader, verdict: &ContentVerdict, writers: bool) {
    let mut walker = RecordWalker::with_verdict(data, header, verdict);
    while let Some(Ok(raw)) = walker.next_record() {
        if let Ok(record) = Record::decode(&raw) {
            record.for_each_page_ref(|_| {});
            let _ = serde_json::to_string(&record);
        }
    }
    let _ = walker.accounting().balanced();
    let summary = summarize_with(data, header, verdict);
    for db in &summary.databases {
        let _ = io_model(db, page_size(header));
    }
    let _ = serde_json::to_string(&summary);
    if !writers {
        return;
    }
    for level in [Level::Structure, Level::Data] {
        if let Ok(s) = write_records(&mut io::sink(), data, header, verdict, level) {
            let _ = write_statistics(&mut io::sink(), &s);
            let _ = write_page_references(&mut io::sink(), &s, page_size(header), true);
        }
    }
    let _ = write_jsonl(&mut io::sink(), data, header, verdict);
}

/// Every target at once (what the replay test runs on each finding).
pub fn all(data: &[u8]) {
    db_header(data);
    log_header(data);
    checkpoint(data);
    sniff_any(data);
    log_content(data);
    page(data);
    records(data);
}
