//! Telling ESE file kinds apart from their first bytes (docs/format-common.md §0.1).
//!
//! Databases and streaming files carry the magic 0x89ABCDEF at offset 4 (or in the shadow
//! copy); logs, checkpoints and flush maps have no magic but a valid XOR checksum over their
//! 4096-byte header and `le_filetype` at offset 667.

use byteorder::{ByteOrder, LittleEndian};
use serde::Serialize;

use crate::checksum::xor32_legacy;
use crate::db::has_db_magic;

/// Offset of `le_filetype` in every ESE header (database, log, checkpoint, flush map).
pub const OFFSET_FILE_TYPE: usize = 667;
/// Size of a log header, a checkpoint copy and a flush-map header.
pub const HEADER_4K: usize = 4096;

/// `JET_filetype*` values (docs/format-common.md §0).
pub mod filetype {
    /// 0: unknown, or a header written before the field existed.
    pub const UNKNOWN: u32 = 0;
    /// 1: database.
    pub const DATABASE: u32 = 1;
    /// 2: streaming file.
    pub const STREAMING_FILE: u32 = 2;
    /// 3: log.
    pub const LOG: u32 = 3;
    /// 4: checkpoint.
    pub const CHECKPOINT: u32 = 4;
    /// 5: temp database.
    pub const TEMP_DATABASE: u32 = 5;
    /// 7: flush map.
    pub const FLUSH_MAP: u32 = 7;
}

/// What a file is, judged from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Database magic present (database, streaming file or temp database; the header says which).
    Database,
    /// A transaction log header (`LGFILEHDR`).
    Log,
    /// A checkpoint file (`.chk`/`.jcp`).
    Checkpoint,
    /// A flush-map file (`.jfm`).
    FlushMap,
    /// A reserve or temporary log with no header: all zero, the 0xDA log-extend pattern, or
    /// leftover bytes in a file named as one (`<base>res*.jrs`, `res1.log`, `res2.log`,
    /// `<base>tmp.log`, `<base>tmp.jtx`).
    ReserveLog,
    /// Zero bytes long.
    Empty,
    /// None of the above.
    NotEse,
}

/// The verdict of [`sniff`], with what it was based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sniffed {
    /// The kind.
    pub kind: FileKind,
    /// `le_filetype` at offset 667, when the file is long enough.
    pub file_type: Option<u32>,
    /// Why: what was found where, in one sentence.
    pub reason: String,
}

fn u32_at(buf: &[u8], off: usize) -> Option<u32> {
    buf.get(off..off.checked_add(4)?).map(LittleEndian::read_u32)
}

/// Whether the 4096 bytes at `off` carry a valid legacy XOR checksum.
fn xor_header_ok(buf: &[u8], off: usize) -> bool {
    match buf.get(off..off.saturating_add(HEADER_4K)) {
        Some(h) if h.len() == HEADER_4K => u32_at(h, 0) == Some(xor32_legacy(h)),
        _ => false,
    }
}

/// The log-extend pattern (`ErrOSULogPatternInit`): a 512-byte unit of 0xDA bytes in which byte
/// `j`, for `j` a multiple of 16, is `(0xDA + j) mod 256`. Legacy reserve logs are filled with it.
pub fn is_log_extend_pattern(buf: &[u8]) -> bool {
    !buf.is_empty()
        && buf.iter().enumerate().all(|(i, &b)| {
            let j = i % 512;
            b == if j % 16 == 0 { (0xDA + j % 256) as u8 } else { 0xDA }
        })
}

/// Whether `name` (a file name, no directory) is that of a reserve or temporary log:
/// `<base>res*.jrs`, `res1.log`, `res2.log`, `<base>tmp.log`, `<base>tmp.jtx`. Windows names
/// are case-insensitive, so the comparison is too.
pub fn is_reserve_log_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if n == "res1.log" || n == "res2.log" {
        return true;
    }
    let base_then = |tail: &str| n.len() == 3 + tail.len() && n.is_char_boundary(3) && &n[3..] == tail;
    if base_then("tmp.log") || base_then("tmp.jtx") {
        return true;
    }
    n.ends_with(".jrs") && n.len() > 6 && n.is_char_boundary(3) && n[3..].starts_with("res")
}

/// Like [`sniff`], but also knows the file's name: a headerless file named as a reserve or
/// temporary log (all zero, or leftover bytes) is a [`FileKind::ReserveLog`], not "not ESE".
pub fn sniff_named(name: &str, head: &[u8], file_len: u64) -> Sniffed {
    let s = sniff(head, file_len);
    if s.kind != FileKind::NotEse || !is_reserve_log_name(name) {
        return s;
    }
    let reason = if head.iter().all(|&b| b == 0) {
        format!("{name} is named as a reserve or temporary log and holds only zero bytes: an unused reserve log, not part of the log stream")
    } else {
        format!("{name} is named as a reserve or temporary log and has no valid log header (leftover bytes): not part of the log stream")
    };
    Sniffed { kind: FileKind::ReserveLog, file_type: s.file_type, reason }
}

/// Judges what a file is from `head`, its first bytes (8 KiB or more is best: a checkpoint's
/// shadow copy is at 4096), and `file_len`, its full size.
pub fn sniff(head: &[u8], file_len: u64) -> Sniffed {
    let file_type = u32_at(head, OFFSET_FILE_TYPE);
    let found = |kind, reason: String| Sniffed { kind, file_type, reason };
    if file_len == 0 || head.is_empty() {
        return found(FileKind::Empty, "the file is empty (0 bytes)".into());
    }
    if has_db_magic(head) {
        return found(FileKind::Database, "database magic 0x89abcdef at offset 0x4".into());
    }
    let primary_ok = xor_header_ok(head, 0);
    let shadow_ok = xor_header_ok(head, HEADER_4K);
    let shadow_type = u32_at(head, HEADER_4K + OFFSET_FILE_TYPE);
    let major = u32_at(head, 32);
    match (primary_ok, file_type) {
        (true, Some(filetype::LOG)) => {
            return found(FileKind::Log, "valid log header checksum, le_filetype 3 (log) at offset 0x29b".into())
        }
        (true, Some(filetype::CHECKPOINT)) => {
            return found(
                FileKind::Checkpoint,
                "valid checkpoint checksum, le_filetype 4 (checkpoint) at offset 0x29b".into(),
            )
        }
        (true, Some(filetype::FLUSH_MAP)) => {
            return found(FileKind::FlushMap, "valid header checksum, le_filetype 7 (flush map) at offset 0x29b".into())
        }
        (true, Some(filetype::UNKNOWN)) => {
            // Old headers written before le_filetype existed: a log names its format major
            // (7 or 8) at offset 32 and a power-of-two sector size at offset 8.
            let cb_sec = head.get(8..10).map(LittleEndian::read_u16).unwrap_or(0);
            if matches!(major, Some(7 | 8)) && cb_sec >= 512 && cb_sec.is_power_of_two() {
                return found(
                    FileKind::Log,
                    "valid log header checksum, le_ulMajor 7/8 at offset 0x20, old format (le_filetype 0)".into(),
                );
            }
            if file_len == 2 * HEADER_4K as u64 {
                return found(
                    FileKind::Checkpoint,
                    "valid checkpoint checksum in an 8192-byte file, old format (le_filetype 0)".into(),
                );
            }
        }
        _ => {}
    }
    // A damaged header still says what it is: a log keeps le_filetype 3 and its format major,
    // a checkpoint le_filetype 4 in either copy. Reported as such, so the caller can say
    // "a log whose header checksum is bad" rather than "not ESE".
    if !primary_ok && file_type == Some(filetype::LOG) && matches!(major, Some(7 | 8)) {
        let why = if head.len() < HEADER_4K {
            format!("but the header is cut short ({} of 4096 bytes)", head.len())
        } else {
            "but the header checksum is wrong".to_string()
        };
        return found(
            FileKind::Log,
            format!("le_filetype 3 (log) at offset 0x29b and le_ulMajor 7/8 at offset 0x20, {why}"),
        );
    }
    let chk_type = |t: Option<u32>| t == Some(filetype::CHECKPOINT);
    if !primary_ok && !shadow_ok && (chk_type(file_type) || chk_type(shadow_type)) {
        return found(
            FileKind::Checkpoint,
            "le_filetype 4 (checkpoint) at offset 0x29b, but neither copy's checksum is right".into(),
        );
    }
    if !primary_ok && shadow_ok && shadow_type == Some(filetype::CHECKPOINT) {
        return found(
            FileKind::Checkpoint,
            "primary checkpoint copy damaged; shadow copy at offset 0x1000 valid with le_filetype 4".into(),
        );
    }
    if head.len() >= 512 && is_log_extend_pattern(head) {
        return found(
            FileKind::ReserveLog,
            "no header: the file is filled with the 0xDA log-extend pattern (a legacy reserve log such as res1.log)"
                .into(),
        );
    }
    let magic = u32_at(head, 4);
    let reason = if head.iter().all(|&b| b == 0) {
        format!(
            "the first {} bytes are all zero: no database magic at offset 0x4 and no log or checkpoint header",
            head.len()
        )
    } else if let Some(m) = magic {
        format!(
            "le_ulMagic at offset 0x4 should be 0x89abcdef, but it is {m:#010x}, and there is no valid log, checkpoint or flush-map header either"
        )
    } else {
        format!("the file is only {file_len} bytes long, too short for le_ulMagic at offset 0x4")
    };
    found(FileKind::NotEse, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_checksum(mut h: Vec<u8>) -> Vec<u8> {
        let c = xor32_legacy(&h[..HEADER_4K]);
        h[0..4].copy_from_slice(&c.to_le_bytes());
        h
    }

    #[test]
    fn empty_zero_and_short() {
        assert_eq!(sniff(&[], 0).kind, FileKind::Empty);
        assert_eq!(sniff(&[0; 8192], 8192).kind, FileKind::NotEse);
        assert!(sniff(&[0; 8192], 8192).reason.contains("all zero"));
        let s = sniff(&[1, 2, 3], 3);
        assert_eq!(s.kind, FileKind::NotEse);
        assert!(s.reason.contains("only 3 bytes"), "{}", s.reason);
    }

    #[test]
    fn log_and_checkpoint_by_file_type() {
        let mut log = vec![0u8; HEADER_4K];
        log[OFFSET_FILE_TYPE..OFFSET_FILE_TYPE + 4].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(sniff(&with_checksum(log), 65536).kind, FileKind::Log);
        let mut chk = vec![0u8; HEADER_4K];
        chk[OFFSET_FILE_TYPE..OFFSET_FILE_TYPE + 4].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(sniff(&with_checksum(chk), 8192).kind, FileKind::Checkpoint);
    }

    #[test]
    fn reserve_logs_by_pattern_and_by_name() {
        let unit: Vec<u8> = (0..512).map(|j| if j % 16 == 0 { (0xDA + j % 256) as u8 } else { 0xDA }).collect();
        let pattern: Vec<u8> = unit.iter().copied().cycle().take(8192).collect();
        assert_eq!(sniff(&pattern, 131072).kind, FileKind::ReserveLog);
        assert_eq!(sniff_named("E00res00001.jrs", &[0; 8192], 65536).kind, FileKind::ReserveLog);
        assert_eq!(sniff_named("SRURES00002.JRS", &[7; 8192], 65536).kind, FileKind::ReserveLog);
        assert_eq!(sniff_named("edbtmp.log", &[0; 8192], 65536).kind, FileKind::ReserveLog);
        assert_eq!(sniff_named("RES1.LOG", &[0; 8192], 65536).kind, FileKind::ReserveLog);
        assert_eq!(sniff_named("priv1.edb", &[0; 8192], 65536).kind, FileKind::NotEse);
        assert_eq!(sniff_named("E0000001.log", &[0; 8192], 65536).kind, FileKind::NotEse);
        assert!(!is_reserve_log_name("res.jrs"));
        assert!(!is_reserve_log_name("ééres1.jrs"), "multi-byte names are compared without panicking");
    }

    #[test]
    fn bad_checksum_is_not_a_log() {
        let mut log = vec![0u8; HEADER_4K];
        log[OFFSET_FILE_TYPE..OFFSET_FILE_TYPE + 4].copy_from_slice(&3u32.to_le_bytes());
        let mut log = with_checksum(log);
        log[100] ^= 1;
        assert_eq!(sniff(&log, 65536).kind, FileKind::NotEse);
    }
}
