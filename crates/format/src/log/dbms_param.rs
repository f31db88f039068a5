//! `DBMS_PARAM`: the run-time environment recorded in log headers and checkpoints.
//!
//! Sources: ../shared/FORMAT.md §4.2 (DBMS_PARAM table). 567 bytes; at offset 72 in a log
//! header and 48 in a checkpoint.

use serde::Serialize;

use crate::bytes::Fields;
use crate::error::Result;

/// `sizeof(DBMS_PARAM)`.
pub const DBMS_PARAM_SIZE: usize = 567;

/// `fDBMSPARAMCircularLogging`.
pub const FLAG_CIRCULAR_LOGGING: u8 = 0x01;

/// The sizes and limits of `DBMS_PARAM` (eseutil's `Env (...)` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DbmsSizes {
    /// `le_lSessionsMax` @+523.
    pub sessions_max: u32,
    /// `le_lOpenTablesMax` @+527.
    pub open_tables_max: u32,
    /// `le_lVerPagesMax` @+531.
    pub version_pages_max: u32,
    /// `le_lCursorsMax` @+535.
    pub cursors_max: u32,
    /// `le_lLogBuffers` @+539.
    pub log_buffers: u32,
    /// `le_lcsecLGFile` @+543: log file size in sectors.
    pub log_file_sectors: u32,
    /// `le_ulCacheSizeMax` @+547.
    pub cache_size_max: u32,
}

/// `DBMS_PARAM` (FORMAT.md §4.2).
#[doc(alias = "DBMS_PARAM")]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DbmsParam {
    /// `szSystemPathDebugOnly` @+0 (`char[261]`, ANSI, informational).
    pub system_path: String,
    /// `szLogFilePathDebugOnly` @+261 (`char[261]`, ANSI, informational).
    pub log_path: String,
    /// `fDBMSPARAMFlags` @+522.
    pub flags: u8,
    /// The sizes.
    pub sizes: DbmsSizes,
}

impl DbmsParam {
    /// Decodes the 567 bytes at `offset` of `f`.
    pub(crate) fn decode(f: &Fields<'_>, offset: usize) -> Result<Self> {
        let at = |rel: usize| offset.saturating_add(rel);
        f.bytes(offset, DBMS_PARAM_SIZE, "DBMS_PARAM (567 bytes)")?;
        Ok(Self {
            system_path: ansi_z(f.bytes(at(0), 261, "szSystemPathDebugOnly")?),
            log_path: ansi_z(f.bytes(at(261), 261, "szLogFilePathDebugOnly")?),
            flags: f.u8(at(522), "fDBMSPARAMFlags")?,
            sizes: DbmsSizes {
                sessions_max: f.u32(at(523), "le_lSessionsMax")?,
                open_tables_max: f.u32(at(527), "le_lOpenTablesMax")?,
                version_pages_max: f.u32(at(531), "le_lVerPagesMax")?,
                cursors_max: f.u32(at(535), "le_lCursorsMax")?,
                log_buffers: f.u32(at(539), "le_lLogBuffers")?,
                log_file_sectors: f.u32(at(543), "le_lcsecLGFile")?,
                cache_size_max: f.u32(at(547), "le_ulCacheSizeMax")?,
            },
        })
    }

    /// `fDBMSPARAMCircularLogging`.
    pub fn circular_logging(&self) -> bool {
        self.flags & FLAG_CIRCULAR_LOGGING != 0
    }

    /// eseutil's two `Env (CircLog,...)` lines, with `indent` before the first.
    pub fn eseutil_env(&self, indent: &str) -> String {
        let s = &self.sizes;
        format!(
            "{indent}Env (CircLog,Session,Opentbl,VerPage,Cursors,LogBufs,LogFile,Buffers)\n{indent}    ({},{:>7},{:>7},{:>7},{:>7},{:>7},{:>7},{:>7})",
            if self.circular_logging() { "     on" } else { "    off" },
            s.sessions_max,
            s.open_tables_max,
            s.version_pages_max,
            s.cursors_max,
            s.log_buffers,
            s.log_file_sectors,
            s.cache_size_max
        )
    }
}

/// A NUL-terminated 8-bit ANSI string, read up to its NUL.
pub(crate) fn ansi_z(bytes: &[u8]) -> String {
    ansi(bytes.split(|&b| b == 0).next().unwrap_or_default())
}

/// Windows-1252, the ANSI code page of Western Windows systems: 0x80-0x9F differ from Latin-1;
/// the five bytes it leaves undefined become U+FFFD.
pub(crate) fn ansi(bytes: &[u8]) -> String {
    if bytes.is_ascii() {
        // The common case (Windows paths): one allocation, no per-character work.
        return String::from_utf8_lossy(bytes).into_owned();
    }
    const HIGH: [char; 32] = [
        '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž', '\u{FFFD}',
        '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}', 'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH.get(usize::from(b - 0x80)).copied().unwrap_or('\u{FFFD}'),
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_is_windows_1252() {
        assert_eq!(ansi(b"C:\\Users\\Jos\xe9\x80"), "C:\\Users\\José€");
        assert_eq!(ansi_z(b"abc\0def"), "abc");
        assert_eq!(ansi(&[0x81]), "\u{FFFD}");
    }
}
