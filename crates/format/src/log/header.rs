//! `LGFILEHDR`: the 4096-byte header of a transaction log (`E00.log`, `E0000001A.log`, ...).
//!
//! Sources: docs/format-log.md §4.1 (placement, checksum, size), §4.2 (field table), §4.3
//! (attach list), §4.4 (legacy v7 and segment v8 formats). One copy only, at offset 0.

use serde::ser::Serializer;
use serde::Serialize;

use crate::bytes::Fields;
use crate::checksum::xor32_legacy;
use crate::error::{Error, Result};
use crate::findings::{Finding, Severity};
use crate::log::attach::{parse_attach_list, AttachInfo, ATTACH_AREA_SIZE};
use crate::log::dbms_param::{DbmsParam, DbmsSizes};
use crate::primitives::{Lgpos, LogTime, Signature};

/// `cbLogFileHeader`: the header's size, and what a reader needs of the file.
pub const LOG_HEADER_SIZE: usize = 4096;
/// Offset of `rgbAttach`.
pub const OFFSET_ATTACH: usize = 671;
/// Bytes the decoder needs: the fixed part and the attach area.
pub const LOG_HEADER_DECODE_LEN: usize = OFFSET_ATTACH + ATTACH_AREA_SIZE;

/// `fLGFlags` @0x27F, all bits kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LogFlags(pub u8);

impl LogFlags {
    /// 0x01 `fLGReservedLog`: the file was a reserve log.
    pub fn reserve_log(&self) -> bool {
        self.0 & 0x01 != 0
    }
    /// 0x02 `fLGCircularLoggingCurrent`.
    pub fn circular_current(&self) -> bool {
        self.0 & 0x02 != 0
    }
    /// 0x04 `fLGCircularLoggingHistory`.
    pub fn circular_history(&self) -> bool {
        self.0 & 0x04 != 0
    }
}

/// Serialized as `{reserve_log, circular_current, circular_history, raw}`.
impl Serialize for LogFlags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("LogFlags", 4)?;
        st.serialize_field("reserve_log", &self.reserve_log())?;
        st.serialize_field("circular_current", &self.circular_current())?;
        st.serialize_field("circular_history", &self.circular_history())?;
        st.serialize_field("raw", &self.0)?;
        st.end()
    }
}

/// Log format version (`le_ulMajor`.`le_ulMinor`.`le_ulUpdateMajor`.`le_ulUpdateMinor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LogVersion {
    /// `le_ulMajor` @0x020: 7 (LRCHECKSUM format) or 8 (segment format).
    pub major: u32,
    /// `le_ulMinor` @0x024: 3704 or 4000.
    pub minor: u32,
    /// `le_ulUpdateMajor` @0x028.
    pub update_major: u32,
    /// `le_ulUpdateMinor` @0x288.
    pub update_minor: u32,
}

impl std::fmt::Display for LogVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}.{}", self.major, self.minor, self.update_major, self.update_minor)
    }
}

/// One decoded `LGFILEHDR` (docs/format-log.md §4.2). Decoding checks nothing; see [`LogHeader`].
#[doc(alias = "LGFILEHDR")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LgFileHeader {
    /// `le_ulChecksum` @0x000.
    pub checksum: u32,
    /// `le_lGeneration` @0x004.
    #[doc(alias = "le_lGeneration")]
    pub generation: i32,
    /// `le_cbSec` @0x008: bytes per sector (512.. for v7, 4096 for v8).
    pub sector_size: u16,
    /// `le_csecHeader` @0x00A: header size in sectors.
    pub header_sectors: u16,
    /// `le_csecLGFile` @0x00C: file size in sectors.
    pub file_sectors: u16,
    /// `le_cbPageSize` @0x00E as stored (0 means 4096).
    pub page_size_field: u16,
    /// `tmCreate` @0x010.
    pub created: LogTime,
    /// `tmPrevGen` @0x018: must equal the previous generation's `tmCreate`.
    pub previous_generation_created: LogTime,
    /// `le_ulMajor` @0x020, `le_ulMinor` @0x024, `le_ulUpdateMajor` @0x028, `le_ulUpdateMinor` @0x288.
    pub version: LogVersion,
    /// `signLog` @0x02C.
    pub log_signature: Signature,
    /// `dbms_param` @0x048.
    pub dbms_param: DbmsParam,
    /// `fLGFlags` @0x27F.
    pub flags: LogFlags,
    /// `le_lgposCheckpoint` @0x280: the checkpoint when the log was created.
    pub checkpoint_at_creation: Lgpos,
    /// `bDiskSecSizeMismatch` @0x28C: true disk sector size (0 unknown, 1 matches, 2-5 = 512..4096, 255 other).
    pub disk_sector_size: u8,
    /// `checksumPrevLogAllSegments` @0x28D: previous log's accumulated segment checksum (0 = absent).
    pub previous_log_segments_checksum: u64,
    /// `le_efvEngineCurrentDiagnostic` @0x295: engine format version that wrote the log.
    pub engine_efv: u32,
    /// `le_filetype` @0x29B: 3, or 0 in logs older than 7.3704.5.
    pub file_type: u32,
    /// `rgbAttach` @0x29F: the attached databases.
    pub attached: Vec<AttachInfo>,
    /// The attach list ran past its 2048 bytes (records before the fault are kept).
    pub attach_error: Option<Error>,
}

impl LgFileHeader {
    /// Decodes a log header from the first bytes of the file (at least 2719 bytes).
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let f = Fields::new(buf, 0);
        f.bytes(0, LOG_HEADER_DECODE_LEN, "LGFILEHDR fixed part and rgbAttach (2719 bytes)")?;
        let (attached, attach_error) =
            parse_attach_list(f.bytes(OFFSET_ATTACH, ATTACH_AREA_SIZE, "rgbAttach")?, OFFSET_ATTACH as u64);
        Ok(Self {
            checksum: f.u32(0x000, "le_ulChecksum")?,
            generation: f.i32(0x004, "le_lGeneration")?,
            sector_size: f.u16(0x008, "le_cbSec")?,
            header_sectors: f.u16(0x00A, "le_csecHeader")?,
            file_sectors: f.u16(0x00C, "le_csecLGFile")?,
            page_size_field: f.u16(0x00E, "le_cbPageSize")?,
            created: f.logtime(0x010, "tmCreate")?,
            previous_generation_created: f.logtime(0x018, "tmPrevGen")?,
            version: LogVersion {
                major: f.u32(0x020, "le_ulMajor")?,
                minor: f.u32(0x024, "le_ulMinor")?,
                update_major: f.u32(0x028, "le_ulUpdateMajor")?,
                update_minor: f.u32(0x288, "le_ulUpdateMinor")?,
            },
            log_signature: f.signature(0x02C, "signLog")?,
            dbms_param: DbmsParam::decode(&f, 0x048)?,
            flags: LogFlags(f.u8(0x27F, "fLGFlags")?),
            checkpoint_at_creation: f.lgpos(0x280, "le_lgposCheckpoint")?,
            disk_sector_size: f.u8(0x28C, "bDiskSecSizeMismatch")?,
            previous_log_segments_checksum: f.u64(0x28D, "checksumPrevLogAllSegments")?,
            engine_efv: f.u32(0x295, "le_efvEngineCurrentDiagnostic")?,
            file_type: f.u32(0x29B, "le_filetype")?,
            attached,
            attach_error,
        })
    }

    /// `le_cbPageSize` resolved: 0 means 4096.
    pub fn page_size(&self) -> u32 {
        if self.page_size_field == 0 {
            4096
        } else {
            u32::from(self.page_size_field)
        }
    }

    /// The file size the header declares: `le_csecLGFile` x `le_cbSec`.
    pub fn declared_file_size(&self) -> u64 {
        u64::from(self.file_sectors) * u64::from(self.sector_size)
    }

    /// Circular logging, as eseutil and the restore rules read it: `fDBMSPARAMCircularLogging`.
    pub fn circular_logging(&self) -> bool {
        self.dbms_param.circular_logging()
    }

    /// Segment format (v8, `LGSEGHDR` per 4 KiB) rather than the legacy LRCHECKSUM format (v7).
    pub fn is_segment_format(&self) -> bool {
        self.version.major >= 8
    }
}

/// A log header read from a file, with its checksum and size checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHeader {
    /// The decoded fields.
    pub header: LgFileHeader,
    /// Checksum computed over the 4096-byte header, when all of it is there.
    pub computed_checksum: Option<u32>,
    /// The file's size.
    pub file_len: u64,
    /// What validation noticed, most serious first.
    pub findings: Vec<Finding>,
}

impl LogHeader {
    /// The header checksum matches.
    pub fn checksum_valid(&self) -> bool {
        self.computed_checksum == Some(self.header.checksum)
    }

    /// The file is `le_csecLGFile` x `le_cbSec` bytes long.
    pub fn file_size_matches(&self) -> bool {
        self.file_len == self.header.declared_file_size()
    }

    /// No finding of severity error: the header can be used.
    pub fn is_sound(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Reads and validates a log header. `buf` holds the first [`LOG_HEADER_SIZE`] bytes of the
/// file (fewer if the file is shorter); `file_len` is the file's full size.
///
/// Errors only when fewer than the 2719 bytes of the fixed part and attach list are there.
pub fn read_log_header(buf: &[u8], file_len: u64) -> Result<LogHeader> {
    let header = LgFileHeader::decode(buf)?;
    let computed_checksum = buf.get(..LOG_HEADER_SIZE).filter(|h| h.len() == LOG_HEADER_SIZE).map(xor32_legacy);
    let mut log = LogHeader { header, computed_checksum, file_len, findings: Vec::new() };
    log.findings = validate(&log);
    Ok(log)
}

fn validate(log: &LogHeader) -> Vec<Finding> {
    let h = &log.header;
    let mut out = Vec::new();
    match log.computed_checksum {
        None => out.push(Finding::new(
            Severity::Error,
            "truncated",
            format!("the log header should be 4096 bytes, but the file is only {} bytes long", log.file_len),
        )),
        Some(c) if c != h.checksum => out.push(Finding::new(
            Severity::Error,
            "bad_checksum",
            format!(
                "le_ulChecksum at offset 0x0 should be {c:#010x} (computed over 4096 bytes), but it is {:#010x}: the engine fails with -501 (JET_errLogFileCorrupt)",
                h.checksum
            ),
        )),
        Some(_) => {}
    }
    if !log.file_size_matches() {
        out.push(Finding::new(
            Severity::Error,
            "size_mismatch",
            format!(
                "the file should be le_csecLGFile x le_cbSec = {} x {} = {} bytes, but it is {} bytes{}: the engine fails with -541 (JET_errLogFileSizeMismatch)",
                h.file_sectors,
                h.sector_size,
                h.declared_file_size(),
                log.file_len,
                if log.file_len < h.declared_file_size() { " (truncated)" } else { "" }
            ),
        ));
    }
    if !matches!(h.version.major, 7 | 8) {
        out.push(Finding::new(
            Severity::Warning,
            "unknown_version",
            format!("le_ulMajor at offset 0x20 should be 7 or 8, but it is {} (format {})", h.version.major, h.version),
        ));
    }
    let sector_ok =
        h.sector_size >= 512 && h.sector_size.is_power_of_two() && !(h.version.major >= 8 && h.sector_size != 4096);
    if !sector_ok {
        out.push(Finding::new(
            Severity::Warning,
            "bad_sector_size",
            format!(
                "le_cbSec at offset 0x8 should be {}, but it is {}",
                if h.version.major >= 8 { "4096 in a segment-format log" } else { "a power of two of at least 512" },
                h.sector_size
            ),
        ));
    } else if u32::from(h.header_sectors) * u32::from(h.sector_size) != LOG_HEADER_SIZE as u32 {
        out.push(Finding::new(
            Severity::Warning,
            "header_sectors_mismatch",
            format!(
                "le_csecHeader at offset 0xa should be {} (4096 / le_cbSec), but it is {}",
                LOG_HEADER_SIZE / usize::from(h.sector_size),
                h.header_sectors
            ),
        ));
    }
    if !matches!(h.file_type, 0 | 3) {
        out.push(Finding::new(
            Severity::Warning,
            "unexpected_file_type",
            format!("le_filetype at offset 0x29b should be 3 (log) or 0 (old format), but it is {}", h.file_type),
        ));
    }
    if let Some(e) = &h.attach_error {
        out.push(Finding::new(Severity::Warning, "attach_list_overflow", format!("attached-database list: {e}")));
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

#[derive(Serialize)]
struct HeaderJson {
    stored_checksum: u32,
    computed_checksum: Option<u32>,
    valid: bool,
}

#[derive(Serialize)]
struct LogJson<'a> {
    kind: &'static str,
    generation: i32,
    log_signature: &'a Signature,
    format_version: &'a LogVersion,
    sector_size: u16,
    header_sectors: u16,
    file_sectors: u16,
    file_size: u64,
    file_size_matches: bool,
    page_size: u32,
    created: &'a LogTime,
    previous_generation_created: &'a LogTime,
    circular_logging: bool,
    flags: &'a LogFlags,
    checkpoint_at_creation: &'a Lgpos,
    system_path: &'a str,
    log_path: &'a str,
    params: &'a DbmsSizes,
    dbms_param_flags: u8,
    disk_sector_size: u8,
    previous_log_segments_checksum: u64,
    engine_efv: u32,
    file_type: u32,
    attached: &'a [AttachInfo],
    header: HeaderJson,
    findings: &'a [Finding],
}

/// The JSON contract of `esehdr ml --json FILE` (without `file`, which the caller adds).
impl Serialize for LogHeader {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h = &self.header;
        LogJson {
            kind: "log",
            generation: h.generation,
            log_signature: &h.log_signature,
            format_version: &h.version,
            sector_size: h.sector_size,
            header_sectors: h.header_sectors,
            file_sectors: h.file_sectors,
            file_size: self.file_len,
            file_size_matches: self.file_size_matches(),
            page_size: h.page_size(),
            created: &h.created,
            previous_generation_created: &h.previous_generation_created,
            circular_logging: h.circular_logging(),
            flags: &h.flags,
            checkpoint_at_creation: &h.checkpoint_at_creation,
            system_path: &h.dbms_param.system_path,
            log_path: &h.dbms_param.log_path,
            params: &h.dbms_param.sizes,
            dbms_param_flags: h.dbms_param.flags,
            disk_sector_size: h.disk_sector_size,
            previous_log_segments_checksum: h.previous_log_segments_checksum,
            engine_efv: h.engine_efv,
            file_type: h.file_type,
            attached: &h.attached,
            header: HeaderJson {
                stored_checksum: h.checksum,
                computed_checksum: self.computed_checksum,
                valid: self.checksum_valid(),
            },
            findings: &self.findings,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v8 log header: generation 0x5A, 4096-byte sectors, 16 sectors, circular logging on,
    /// one attached database, checksum set.
    fn v8_header() -> Vec<u8> {
        let mut h = vec![0u8; LOG_HEADER_SIZE];
        let put = |h: &mut Vec<u8>, off: usize, v: &[u8]| h[off..off + v.len()].copy_from_slice(v);
        put(&mut h, 0x004, &0x5Ai32.to_le_bytes());
        put(&mut h, 0x008, &4096u16.to_le_bytes());
        put(&mut h, 0x00A, &1u16.to_le_bytes());
        put(&mut h, 0x00C, &16u16.to_le_bytes());
        put(&mut h, 0x010, &[58, 5, 2, 3, 7, 122, 0x8B, 0x06]);
        put(&mut h, 0x020, &8u32.to_le_bytes());
        put(&mut h, 0x024, &4000u32.to_le_bytes());
        put(&mut h, 0x028, &90u32.to_le_bytes());
        put(&mut h, 0x02C, &0x2589_4C02u32.to_le_bytes());
        put(&mut h, 0x048, b"C:\\Windows\\system32\\SRU\\");
        put(&mut h, 0x048 + 261, b"C:\\Windows\\system32\\SRU\\");
        put(&mut h, 0x048 + 522, &[0x01]);
        put(&mut h, 0x048 + 543, &16u32.to_le_bytes());
        put(&mut h, 0x27F, &[0x06]);
        put(&mut h, 0x280, &[0, 0, 1, 0, 0x50, 0, 0, 0]);
        put(&mut h, 0x288, &200u32.to_le_bytes());
        put(&mut h, 0x28D, &0x5a8f_5a8f_ef0d_9509u64.to_le_bytes());
        put(&mut h, 0x295, &9400u32.to_le_bytes());
        put(&mut h, 0x29B, &3u32.to_le_bytes());
        let name: Vec<u8> =
            "C:\\Windows\\system32\\SRU\\SRUDB.dat".encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect();
        put(&mut h, OFFSET_ATTACH, &[1, 0x20]);
        put(&mut h, OFFSET_ATTACH + 2, &(name.len() as u16).to_le_bytes());
        put(&mut h, OFFSET_ATTACH + 36, &0x0716_b55fu32.to_le_bytes());
        put(&mut h, OFFSET_ATTACH + 64, &name);
        let c = xor32_legacy(&h);
        put(&mut h, 0, &c.to_le_bytes());
        h
    }

    #[test]
    fn decodes_every_field_at_its_offset() {
        let log = read_log_header(&v8_header(), 65536).unwrap();
        let h = &log.header;
        assert_eq!(h.generation, 0x5A);
        assert_eq!((h.sector_size, h.header_sectors, h.file_sectors), (4096, 1, 16));
        assert_eq!(h.version, LogVersion { major: 8, minor: 4000, update_major: 90, update_minor: 200 });
        assert_eq!(h.created.milliseconds(), 0x8B >> 1 | (0x06 >> 1) << 7);
        assert_eq!(h.log_signature.random, 0x2589_4C02);
        assert_eq!(h.dbms_param.system_path, "C:\\Windows\\system32\\SRU\\");
        assert!(h.circular_logging());
        assert_eq!(h.dbms_param.sizes.log_file_sectors, 16);
        assert!(!h.flags.reserve_log() && h.flags.circular_current() && h.flags.circular_history());
        assert_eq!(h.checkpoint_at_creation, Lgpos { generation: 0x50, isec: 1, ib: 0 });
        assert_eq!(h.previous_log_segments_checksum, 0x5a8f_5a8f_ef0d_9509);
        assert_eq!(h.engine_efv, 9400);
        assert_eq!(h.file_type, 3);
        assert_eq!(h.attached.len(), 1);
        assert_eq!(h.attached[0].path, "C:\\Windows\\system32\\SRU\\SRUDB.dat");
        assert_eq!(h.attached[0].db_signature.random, 0x0716_b55f);
        assert!(log.checksum_valid() && log.file_size_matches() && log.is_sound());
        assert!(log.findings.is_empty(), "{:?}", log.findings);
    }

    #[test]
    fn one_byte_short_of_the_attach_area_is_truncated() {
        let h = v8_header();
        assert!(LgFileHeader::decode(&h[..LOG_HEADER_DECODE_LEN]).is_ok());
        let err = LgFileHeader::decode(&h[..LOG_HEADER_DECODE_LEN - 1]).unwrap_err();
        assert!(matches!(err, Error::Truncated { offset: 0, needed: 2719, end: 2718, .. }), "{err}");
    }

    #[test]
    fn size_mismatch_and_bad_checksum_are_errors() {
        let log = read_log_header(&v8_header(), 4096).unwrap();
        assert_eq!(log.findings[0].code, "size_mismatch");
        assert!(!log.is_sound());
        let mut h = v8_header();
        h[0x100] ^= 1;
        let log = read_log_header(&h, 65536).unwrap();
        assert_eq!(log.findings[0].code, "bad_checksum");
        // A header cut inside its 4096 bytes, but past the attach area, has no checksum.
        let log = read_log_header(&v8_header()[..3000], 3000).unwrap();
        assert!(log.findings.iter().any(|f| f.code == "truncated"));
    }

    #[test]
    fn v8_needs_4096_byte_sectors() {
        let mut h = v8_header();
        h[8..10].copy_from_slice(&512u16.to_le_bytes());
        h[0xA..0xC].copy_from_slice(&8u16.to_le_bytes());
        let c = xor32_legacy(&h);
        h[0..4].copy_from_slice(&c.to_le_bytes());
        let log = read_log_header(&h, 8192).unwrap();
        assert!(log.findings.iter().any(|f| f.code == "bad_sector_size"), "{:?}", log.findings);
    }
}
