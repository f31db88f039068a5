//! The bodies of the fuzz targets (`fuzz/fuzz_targets/*.rs`), kept here so the stable replay test
//! (`tests/replay.rs`) runs exactly the same code on every committed fuzz finding. Not part of
//! the stable API.

use crate::checkpoint::read_checkpoint;
use crate::log::content::verify_log_content;
use crate::log::header::{read_log_header, LgFileHeader, LOG_HEADER_SIZE};
use crate::page::{verify_header_page, verify_page};
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

/// Every target at once (what the replay test runs on each finding).
pub fn all(data: &[u8]) {
    db_header(data);
    log_header(data);
    checkpoint(data);
    sniff_any(data);
    log_content(data);
    page(data);
}
