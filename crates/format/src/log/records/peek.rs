//! Field reads at documented offsets inside one record, for the few types the shared typed
//! decoder ([`crate::log::records::Record`]) keeps as raw bytes (Refresh, ForceWriteLog, Trace,
//! the backup and restore records, MS, the fragment records) and that the eseutil dump still
//! prints.
//!
//! The framing layer hands over records that hold exactly `CbLGSizeOfRec` bytes; a read past the
//! end of a record yields 0 or an empty slice instead of a panic.
//!
//! Sources: docs/log-records.md §0 (little-endian, pack 1), §3.9-3.11, §3.21 (offsets).

use byteorder::{ByteOrder, LittleEndian};

use crate::primitives::{Lgpos, LogTime};

/// One record's bytes, `lrtyp` first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peek<'r>(pub &'r [u8]);

impl<'r> Peek<'r> {
    /// `n` bytes at `o`, or fewer (down to none) where the record ends first.
    pub(crate) fn bytes(&self, o: usize, n: usize) -> &'r [u8] {
        let end = o.saturating_add(n).min(self.0.len());
        self.0.get(o.min(end)..end).unwrap_or_default()
    }

    fn array<const N: usize>(&self, o: usize) -> [u8; N] {
        let mut out = [0u8; N];
        let b = self.bytes(o, N);
        if b.len() == N {
            out.copy_from_slice(b);
        }
        out
    }

    pub(crate) fn u8(&self, o: usize) -> u8 {
        self.0.get(o).copied().unwrap_or_default()
    }

    pub(crate) fn u16(&self, o: usize) -> u16 {
        LittleEndian::read_u16(&self.array::<2>(o))
    }

    pub(crate) fn u32(&self, o: usize) -> u32 {
        LittleEndian::read_u32(&self.array::<4>(o))
    }

    pub(crate) fn lgpos(&self, o: usize) -> Lgpos {
        Lgpos::from_bytes(self.array::<8>(o))
    }

    pub(crate) fn logtime(&self, o: usize) -> LogTime {
        LogTime::from_bytes(self.array::<8>(o))
    }
}

/// A NUL-terminated string: UTF-16LE when `unicode`, else 8-bit (Windows-1252, docs/log-records.md §7
/// item 3), up to the first NUL.
pub(crate) fn path(area: &[u8], unicode: bool) -> String {
    if unicode {
        let units: Vec<u16> = area.chunks_exact(2).map(LittleEndian::read_u16).take_while(|&u| u != 0).collect();
        String::from_utf16_lossy(&units)
    } else {
        crate::log::dbms_param::ansi_z(area)
    }
}
