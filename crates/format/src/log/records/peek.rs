//! Field reads at documented offsets inside one record, for the dump, the summary and the JSON
//! Lines writer.
//!
//! The framing layer hands over records that hold at least their fixed part and exactly
//! `CbLGSizeOfRec` bytes, so every fixed-part read is in bounds; a read that is not (a record
//! built by hand, a variable part whose length field lies) yields 0 or an empty slice instead of
//! a panic. This is a small private stand-in for the shared typed decoder of issue 10 item 2;
//! when that lands, the writers can take its enum instead.
//!
//! Sources: ../shared/FORMAT-LOGREC.md §0 (little-endian, pack 1), §3 (offsets).

use byteorder::{ByteOrder, LittleEndian};

use crate::primitives::{Lgpos, LogTime, Signature};

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

    pub(crate) fn i16(&self, o: usize) -> i16 {
        LittleEndian::read_i16(&self.array::<2>(o))
    }

    pub(crate) fn i32(&self, o: usize) -> i32 {
        LittleEndian::read_i32(&self.array::<4>(o))
    }

    pub(crate) fn u64(&self, o: usize) -> u64 {
        LittleEndian::read_u64(&self.array::<8>(o))
    }

    pub(crate) fn i64(&self, o: usize) -> i64 {
        LittleEndian::read_i64(&self.array::<8>(o))
    }

    pub(crate) fn lgpos(&self, o: usize) -> Lgpos {
        Lgpos::from_bytes(self.array::<8>(o))
    }

    pub(crate) fn logtime(&self, o: usize) -> LogTime {
        LogTime::from_bytes(self.array::<8>(o))
    }

    pub(crate) fn signature(&self, o: usize) -> Signature {
        Signature::from_bytes(self.array::<28>(o))
    }
}

/// A database path from a CreateDB / AttachDB / DetachDB name area: UTF-16LE when `unicode`,
/// else 8-bit (Windows-1252, FORMAT-LOGREC §7 item 3), up to the first NUL.
pub(crate) fn path(area: &[u8], unicode: bool) -> String {
    if unicode {
        let units: Vec<u16> = area.chunks_exact(2).map(LittleEndian::read_u16).take_while(|&u| u != 0).collect();
        String::from_utf16_lossy(&units)
    } else {
        crate::log::dbms_param::ansi_z(area)
    }
}

/// The name area of a CreateDB (14), AttachDB (15) or DetachDB (16) record, and whether it is
/// UTF-16 (FORMAT-LOGREC §3.5-3.7).
pub(crate) fn db_name_area(r: Peek<'_>) -> Option<(&[u8], bool)> {
    match r.u8(0) {
        14 => {
            let flags = r.u8(42); // @42 m_fLRCreateDbFlags
            let start = if flags & 0x04 != 0 { 47 } else { 43 }; // VersionInfo present
            Some((r.bytes(start, usize::from(r.u16(40))), flags & 0x08 != 0)) // @40 mle_cbPath
        }
        15 => Some((r.bytes(75, usize::from(r.u16(72))), r.u8(74) & 0x08 != 0)), // @72 mle_cbPath, @74 flags
        16 => Some((r.bytes(7, usize::from(r.u16(4))), r.u8(6) & 0x10 != 0)),    // @4 mle_cbPath, @6 flags
        _ => None,
    }
}
