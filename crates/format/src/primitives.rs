//! The small structures every ESE header shares: `LOGTIME`, `LGPOS`, `SIGNATURE` and `BKINFO`.
//!
//! Sources: docs/format-database.md §1.3 (SIGNATURE), §1.4 (BKINFO), docs/format-common.md §2 (LOGTIME),
//! §3 (LGPOS).

use std::fmt;

use byteorder::{ByteOrder, LittleEndian};
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// `LOGTIME`: an 8-byte broken-down time (docs/format-common.md §2).
///
/// | offset | field |
/// |---|---|
/// | 0 | `bSeconds` |
/// | 1 | `bMinutes` |
/// | 2 | `bHours` |
/// | 3 | `bDay` |
/// | 4 | `bMonth` (1-12) |
/// | 5 | `bYear` (years since 1900) |
/// | 6 | bit 0 `fTimeIsUTC`, bits 1-7 `bMillisecondsLow` |
/// | 7 | bit 0 `fReserved` (`fOSSnapshot`), bits 1-3 `bMillisecondsHigh` |
///
/// All eight bytes are kept as read, so an impossible date (month 13) survives and is shown as is.
#[doc(alias = "LOGTIME")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LogTime {
    /// The raw eight bytes.
    pub raw: [u8; 8],
}

impl LogTime {
    /// Size on disk.
    pub const SIZE: usize = 8;

    /// Wraps the eight bytes of a `LOGTIME`.
    pub fn from_bytes(raw: [u8; 8]) -> Self {
        Self { raw }
    }

    /// `bSeconds`.
    pub fn seconds(&self) -> u8 {
        self.raw[0]
    }
    /// `bMinutes`.
    pub fn minutes(&self) -> u8 {
        self.raw[1]
    }
    /// `bHours`.
    pub fn hours(&self) -> u8 {
        self.raw[2]
    }
    /// `bDay`.
    pub fn day(&self) -> u8 {
        self.raw[3]
    }
    /// `bMonth`, 1-12.
    pub fn month(&self) -> u8 {
        self.raw[4]
    }
    /// Full year (`bYear` + 1900).
    pub fn year(&self) -> u16 {
        u16::from(self.raw[5]) + 1900
    }
    /// `fTimeIsUTC` (bit 0 of byte 6); when clear the time is local time of the writer.
    pub fn is_utc(&self) -> bool {
        self.raw[6] & 0x01 != 0
    }
    /// `fReserved` / `fOSSnapshot` (bit 0 of byte 7).
    pub fn os_snapshot_flag(&self) -> bool {
        self.raw[7] & 0x01 != 0
    }
    /// Milliseconds: `bMillisecondsLow | bMillisecondsHigh << 7` (0-999 when valid).
    pub fn milliseconds(&self) -> u16 {
        u16::from(self.raw[6] >> 1) | (u16::from((self.raw[7] >> 1) & 0x07) << 7)
    }
    /// A null time: all six date bytes and the milliseconds are zero (flags may be set).
    pub fn is_null(&self) -> bool {
        self.raw[..6].iter().all(|&b| b == 0) && self.milliseconds() == 0
    }

    /// The date and time as eseutil prints it without zone: `MM/DD/YYYY HH:MM:SS.mmm`.
    pub fn eseutil_bare(&self) -> String {
        format!(
            "{:02}/{:02}/{:04} {:02}:{:02}:{:02}.{:03}",
            self.month(),
            self.day(),
            self.year(),
            self.hours(),
            self.minutes(),
            self.seconds(),
            self.milliseconds()
        )
    }

    /// eseutil's form (`DUMPPrintLogTime`): `MM/DD/YYYY HH:MM:SS.mmm UTC` or `... LOC`.
    ///
    /// A null time prints as `00/00/1900 00:00:00.000 LOC`, as eseutil does.
    pub fn eseutil(&self) -> String {
        let zone = if self.is_utc() && !self.is_null() { "UTC" } else { "LOC" };
        if self.is_null() {
            return format!("00/00/1900 00:00:00.000 {zone}");
        }
        format!("{} {zone}", self.eseutil_bare())
    }

    /// ISO 8601 with milliseconds, `Z` only when the time is UTC; `None` for a null time.
    pub fn iso8601(&self) -> Option<String> {
        if self.is_null() {
            return None;
        }
        Some(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}",
            self.year(),
            self.month(),
            self.day(),
            self.hours(),
            self.minutes(),
            self.seconds(),
            self.milliseconds(),
            if self.is_utc() { "Z" } else { "" }
        ))
    }

    /// Whether every field is in its calendar range (month 1-12, day 1-31, ...).
    pub fn is_plausible(&self) -> bool {
        (1..=12).contains(&self.month())
            && (1..=31).contains(&self.day())
            && self.hours() < 24
            && self.minutes() < 60
            && self.seconds() < 60
            && self.milliseconds() < 1000
    }
}

impl fmt::Display for LogTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.eseutil())
    }
}

/// Serialized as an ISO 8601 string, or `null` for a null time.
impl Serialize for LogTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.iso8601() {
            Some(t) => s.serialize_str(&t),
            None => s.serialize_none(),
        }
    }
}

/// `LGPOS`: a position in the log stream (docs/format-common.md §3).
///
/// | offset | field |
/// |---|---|
/// | 0 | `le_ib` (u16, byte in sector) |
/// | 2 | `le_isec` (u16, sector or 4 KiB segment) |
/// | 4 | `le_lGeneration` (i32) |
///
/// Ordering is that of the little-endian u64 `(generation << 32) | (isec << 16) | ib`.
#[doc(alias = "LGPOS")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Lgpos {
    /// `le_ib`: byte offset inside the sector.
    pub ib: u16,
    /// `le_isec`: sector (v7) or segment (v8) index, counted from the start of the file.
    pub isec: u16,
    /// `le_lGeneration`: log generation.
    pub generation: i32,
}

impl Lgpos {
    /// Size on disk.
    pub const SIZE: usize = 8;

    /// Decodes the eight bytes of an `LGPOS`.
    pub fn from_bytes(raw: [u8; 8]) -> Self {
        Self {
            ib: LittleEndian::read_u16(&raw[0..2]),
            isec: LittleEndian::read_u16(&raw[2..4]),
            generation: LittleEndian::read_i32(&raw[4..8]),
        }
    }

    /// The comparison key the engine uses (`CmpLgpos`).
    pub fn key(&self) -> u64 {
        (u64::from(self.generation as u32) << 32) | (u64::from(self.isec) << 16) | u64::from(self.ib)
    }

    /// `lgposMin`: all zero.
    pub fn is_zero(&self) -> bool {
        self.key() == 0
    }

    /// eseutil's form `(0x%X,%X,%X)`: generation, sector, byte, upper-case hex.
    pub fn eseutil(&self) -> String {
        format!("(0x{:X},{:X},{:X})", self.generation as u32, self.isec, self.ib)
    }
}

impl PartialOrd for Lgpos {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Lgpos {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for Lgpos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.eseutil())
    }
}

/// Serialized as `{generation, sector, offset}`.
impl Serialize for Lgpos {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Lgpos", 3)?;
        st.serialize_field("generation", &self.generation)?;
        st.serialize_field("sector", &self.isec)?;
        st.serialize_field("offset", &self.ib)?;
        st.end()
    }
}

/// An `LGPOS` with the `LOGTIME` the header keeps beside it (Last Consistent, Last Attach, ...).
///
/// Serialized as `{generation, sector, offset, time}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LgposTime {
    /// The log position.
    pub lgpos: Lgpos,
    /// The time recorded with it.
    pub time: LogTime,
}

impl Serialize for LgposTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("LgposTime", 4)?;
        st.serialize_field("generation", &self.lgpos.generation)?;
        st.serialize_field("sector", &self.lgpos.isec)?;
        st.serialize_field("offset", &self.lgpos.ib)?;
        st.serialize_field("time", &self.time)?;
        st.end()
    }
}

/// `SIGNATURE`: 28 bytes identifying a database or a log stream (docs/format-database.md §1.3).
///
/// | offset | field |
/// |---|---|
/// | 0 | `le_ulRandom` (u32) |
/// | 4 | `logtimeCreate` (LOGTIME) |
/// | 12 | `szComputerName` (`char[16]`, NUL-terminated ANSI) |
///
/// Two signatures are equal only when all 28 bytes are (the engine compares with `memcmp`).
#[doc(alias = "SIGNATURE")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Signature {
    /// `le_ulRandom`.
    pub random: u32,
    /// `logtimeCreate`.
    pub created: LogTime,
    /// `szComputerName`, raw.
    pub computer_raw: [u8; 16],
}

impl Signature {
    /// Size on disk.
    pub const SIZE: usize = 28;

    /// Decodes the 28 bytes of a `SIGNATURE`.
    pub fn from_bytes(raw: [u8; 28]) -> Self {
        let mut time = [0u8; 8];
        time.copy_from_slice(&raw[4..12]);
        let mut computer_raw = [0u8; 16];
        computer_raw.copy_from_slice(&raw[12..28]);
        Self { random: LittleEndian::read_u32(&raw[0..4]), created: LogTime::from_bytes(time), computer_raw }
    }

    /// The computer name up to its NUL (ANSI, read as Windows-1252).
    pub fn computer(&self) -> String {
        crate::log::dbms_param::ansi_z(&self.computer_raw)
    }

    /// All 28 bytes zero (never set, or reset by repair).
    pub fn is_zero(&self) -> bool {
        self.random == 0 && self.created.raw == [0; 8] && self.computer_raw == [0; 16]
    }

    /// eseutil's form (`SigToSz`): `Create time:MM/DD/YYYY HH:MM:SS.mmm Rand:<u32> Computer:<name>`.
    pub fn eseutil(&self) -> String {
        let time =
            if self.created.is_null() { "00/00/1900 00:00:00.000".to_string() } else { self.created.eseutil_bare() };
        format!("Create time:{time} Rand:{} Computer:{}", self.random, self.computer())
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.eseutil())
    }
}

/// Serialized as `{random, created, computer}`.
impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Signature", 3)?;
        st.serialize_field("random", &self.random)?;
        st.serialize_field("created", &self.created)?;
        st.serialize_field("computer", &self.computer())?;
        st.end()
    }
}

/// `BKINFO`: one backup record of the database header (docs/format-database.md §1.4).
///
/// | offset | field |
/// |---|---|
/// | 0 | `le_lgposMark` (LGPOS) |
/// | 8 | `logtimeMark` (LOGTIME) |
/// | 16 | `le_genLow` (u32) |
/// | 20 | `le_genHigh` (u32) |
#[doc(alias = "BKINFO")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct BkInfo {
    /// `le_lgposMark`: the backup's mark in the log.
    pub mark: Lgpos,
    /// `logtimeMark`.
    pub mark_time: LogTime,
    /// `le_genLow`: lowest log generation of the backup set.
    pub gen_low: u32,
    /// `le_genHigh`: highest log generation of the backup set.
    pub gen_high: u32,
}

impl BkInfo {
    /// Size on disk.
    pub const SIZE: usize = 24;

    /// Decodes the 24 bytes of a `BKINFO`.
    pub fn from_bytes(raw: [u8; 24]) -> Self {
        let mut lgpos = [0u8; 8];
        lgpos.copy_from_slice(&raw[0..8]);
        let mut time = [0u8; 8];
        time.copy_from_slice(&raw[8..16]);
        Self {
            mark: Lgpos::from_bytes(lgpos),
            mark_time: LogTime::from_bytes(time),
            gen_low: LittleEndian::read_u32(&raw[16..20]),
            gen_high: LittleEndian::read_u32(&raw[20..24]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logtime_decodes_milliseconds_and_utc() {
        // 2022-03-05 16:20:02.661 UTC, from the Windows 11 SRUM database's signature.
        let t = LogTime::from_bytes([0x02, 0x14, 0x10, 0x05, 0x03, 0x7a, 0x2b, 0x0a]);
        assert_eq!(t.milliseconds(), 661);
        assert!(t.is_utc());
        assert_eq!(t.eseutil(), "03/05/2022 16:20:02.661 UTC");
        assert_eq!(t.iso8601().as_deref(), Some("2022-03-05T16:20:02.661Z"));
    }

    #[test]
    fn null_logtime_prints_like_eseutil() {
        let t = LogTime::default();
        assert!(t.is_null());
        assert_eq!(t.eseutil(), "00/00/1900 00:00:00.000 LOC");
        assert_eq!(t.iso8601(), None);
        assert_eq!(serde_json::to_string(&t).unwrap(), "null");
    }

    #[test]
    fn local_time_has_no_z() {
        let t = LogTime::from_bytes([32, 59, 16, 2, 4, 101, 0, 0]);
        assert_eq!(t.eseutil(), "04/02/2001 16:59:32.000 LOC");
        assert_eq!(t.iso8601().as_deref(), Some("2001-04-02T16:59:32.000"));
    }

    #[test]
    fn lgpos_prints_generation_sector_byte() {
        // KB296788's example (0x2CC7,1F14,1F7).
        let raw = [0xF7, 0x01, 0x14, 0x1F, 0xC7, 0x2C, 0x00, 0x00];
        let p = Lgpos::from_bytes(raw);
        assert_eq!((p.generation, p.isec, p.ib), (0x2CC7, 0x1F14, 0x1F7));
        assert_eq!(p.eseutil(), "(0x2CC7,1F14,1F7)");
        assert_eq!(p.key(), u64::from_le_bytes(raw));
    }

    #[test]
    fn lgpos_orders_by_generation_then_sector_then_byte() {
        let a = Lgpos { generation: 1, isec: 0xFFFF, ib: 0xFFFF };
        let b = Lgpos { generation: 2, isec: 0, ib: 0 };
        assert!(a < b);
        assert!(Lgpos { generation: 2, isec: 1, ib: 0 } > b);
    }

    #[test]
    fn signature_text_form() {
        let mut raw = [0u8; 28];
        raw[0..4].copy_from_slice(&0x0716_b55fu32.to_le_bytes());
        raw[4..12].copy_from_slice(&[0x02, 0x14, 0x10, 0x05, 0x03, 0x7a, 0x2b, 0x0a]);
        raw[12..16].copy_from_slice(b"HOST");
        let s = Signature::from_bytes(raw);
        assert_eq!(s.eseutil(), "Create time:03/05/2022 16:20:02.661 Rand:118928735 Computer:HOST");
        assert_eq!(s.computer(), "HOST");
    }
}
