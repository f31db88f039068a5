//! Checked little-endian field reads that name the field and its absolute offset on failure.

use byteorder::{ByteOrder, LittleEndian};

use crate::error::{Error, Result};
use crate::primitives::{BkInfo, Lgpos, LogTime, Signature};

/// A view of one on-disk structure: `buf` starts at absolute file offset `base`.
///
/// Every read takes the offset *inside the structure* (as the format tables give it) and the
/// Microsoft field name, so a short buffer yields `Truncated { field, offset }` instead of a panic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    buf: &'a [u8],
    base: u64,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(buf: &'a [u8], base: u64) -> Self {
        Self { buf, base }
    }

    /// Absolute offset of a structure-relative offset.
    pub(crate) fn abs(&self, offset: usize) -> u64 {
        self.base.saturating_add(offset as u64)
    }

    /// The `len` bytes at `offset`, or `Truncated` naming `field`.
    pub(crate) fn bytes(&self, offset: usize, len: usize, field: &'static str) -> Result<&'a [u8]> {
        offset.checked_add(len).and_then(|end| self.buf.get(offset..end)).ok_or(Error::Truncated {
            field,
            offset: self.abs(offset),
            needed: len,
            end: self.abs(self.buf.len()),
        })
    }

    pub(crate) fn array<const N: usize>(&self, offset: usize, field: &'static str) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(offset, N, field)?);
        Ok(out)
    }

    pub(crate) fn u8(&self, offset: usize, field: &'static str) -> Result<u8> {
        let [b] = self.array::<1>(offset, field)?;
        Ok(b)
    }

    pub(crate) fn u16(&self, offset: usize, field: &'static str) -> Result<u16> {
        Ok(LittleEndian::read_u16(self.bytes(offset, 2, field)?))
    }

    pub(crate) fn u32(&self, offset: usize, field: &'static str) -> Result<u32> {
        Ok(LittleEndian::read_u32(self.bytes(offset, 4, field)?))
    }

    pub(crate) fn i32(&self, offset: usize, field: &'static str) -> Result<i32> {
        Ok(LittleEndian::read_i32(self.bytes(offset, 4, field)?))
    }

    pub(crate) fn u64(&self, offset: usize, field: &'static str) -> Result<u64> {
        Ok(LittleEndian::read_u64(self.bytes(offset, 8, field)?))
    }

    pub(crate) fn logtime(&self, offset: usize, field: &'static str) -> Result<LogTime> {
        Ok(LogTime::from_bytes(self.array::<8>(offset, field)?))
    }

    pub(crate) fn lgpos(&self, offset: usize, field: &'static str) -> Result<Lgpos> {
        Ok(Lgpos::from_bytes(self.array::<8>(offset, field)?))
    }

    pub(crate) fn signature(&self, offset: usize, field: &'static str) -> Result<Signature> {
        Ok(Signature::from_bytes(self.array::<28>(offset, field)?))
    }

    pub(crate) fn bkinfo(&self, offset: usize, field: &'static str) -> Result<BkInfo> {
        Ok(BkInfo::from_bytes(self.array::<24>(offset, field)?))
    }
}
