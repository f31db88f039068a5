//! `LGFILEHDR`: the 4096-byte header of a transaction log (`E00.log`, `E0000001A.log`, ...).
//!
//! Sources: ../shared/FORMAT.md §4.1 (placement, checksum, size), §4.2 (field table), §4.3
//! (attach list), §4.4 (legacy v7 and segment v8 formats). One copy only, at offset 0.

use serde::ser::Serializer;
use serde::Serialize;

use crate::attach::{parse_attach_list, AttachInfo, ATTACH_AREA_SIZE};
use crate::bytes::Fields;
use crate::checksum::xor32_legacy;
use crate::dbms_param::{DbmsParam, DbmsSizes};
use crate::error::{Error, Result};
use crate::findings::{Finding, Severity};
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
        write!(
            f,
            "{}.{}.{}.{}",
            self.major, self.minor, self.update_major, self.update_minor
        )
    }
}

/// One decoded `LGFILEHDR` (FORMAT.md §4.2). Decoding checks nothing; see [`LogHeader`].
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
        f.bytes(
            0,
            LOG_HEADER_DECODE_LEN,
            "LGFILEHDR fixed part and rgbAttach (2719 bytes)",
        )?;
        let (attached, attach_error) = parse_attach_list(
            f.bytes(OFFSET_ATTACH, ATTACH_AREA_SIZE, "rgbAttach")?,
            OFFSET_ATTACH as u64,
        );
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
    let computed_checksum = buf
        .get(..LOG_HEADER_SIZE)
        .filter(|h| h.len() == LOG_HEADER_SIZE)
        .map(xor32_legacy);
    let mut log = LogHeader {
        header,
        computed_checksum,
        file_len,
        findings: Vec::new(),
    };
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
            format!(
                "le_ulMajor at offset 0x20 should be 7 or 8, but it is {} (format {})",
                h.version.major, h.version
            ),
        ));
    }
    let sector_ok = h.sector_size >= 512
        && h.sector_size.is_power_of_two()
        && !(h.version.major >= 8 && h.sector_size != 4096);
    if !sector_ok {
        out.push(Finding::new(
            Severity::Warning,
            "bad_sector_size",
            format!(
                "le_cbSec at offset 0x8 should be {}, but it is {}",
                if h.version.major >= 8 {
                    "4096 in a segment-format log"
                } else {
                    "a power of two of at least 512"
                },
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
            format!(
                "le_filetype at offset 0x29b should be 3 (log) or 0 (old format), but it is {}",
                h.file_type
            ),
        ));
    }
    if let Some(e) = &h.attach_error {
        out.push(Finding::new(
            Severity::Warning,
            "attach_list_overflow",
            format!("attached-database list: {e}"),
        ));
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
