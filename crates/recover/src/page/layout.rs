//! Where the engine puts each byte of a page: header offsets, the TAG encoding, flag values.
//!
//! Everything that knows a page offset lives here; the view, the mutable page, the builder and
//! the checker read and write through these names.
//!
//! Sources: docs/page-internals.md §0 (page sizes, small and large pages), §1.1 (regions),
//! §1.2 (`PGHDR`/`PGHDR2`, `itagState`), §1.3 (`CPAGE::TAG`), §1.4 (page flags), §2.1 (line
//! flags, key-length fields); Microsoft's `inc/cpage.hxx`, `ese/cpage.cxx`, `inc/node.hxx`.

use std::fmt;

use super::error::{PageError, Result};

/// `sizeof(CPAGE::PGHDR)`: the header of small pages (≤ 8 KiB).
pub const PGHDR_SIZE: usize = 40;
/// `sizeof(CPAGE::PGHDR2)`: the header of large pages (16 and 32 KiB).
pub const PGHDR2_SIZE: usize = 80;
/// `sizeof(CPAGE::TAG)`.
pub const TAG_SIZE: usize = 4;
/// The page sizes the engine uses (`FIsSmallPage` ≤ 8 KiB).
pub const PAGE_SIZES: [usize; 5] = [2048, 4096, 8192, 16384, 32768];
/// The largest small page (`FIsSmallPage`).
pub const SMALL_PAGE_MAX: usize = 8192;

/// Offsets of the header fields (`CPAGE::PGHDR`, then the `PGHDR2` extension), page-relative.
pub mod off {
    /// `checksum` (u64).
    pub const CHECKSUM: usize = 0;
    /// `dbtimeDirtied` (u64).
    pub const DBTIME_DIRTIED: usize = 8;
    /// `pgnoPrev` (u32).
    pub const PGNO_PREV: usize = 16;
    /// `pgnoNext` (u32).
    pub const PGNO_NEXT: usize = 20;
    /// `objidFDP` (u32).
    pub const OBJID_FDP: usize = 24;
    /// `cbFree` (u16).
    pub const CB_FREE: usize = 28;
    /// `cbUncommittedFree` (u16).
    pub const CB_UNCOMMITTED_FREE: usize = 30;
    /// `ibMicFree` (u16).
    pub const IB_MIC_FREE: usize = 32;
    /// `itagState` (u16).
    pub const ITAG_STATE: usize = 34;
    /// `fFlags` (u32).
    pub const FLAGS: usize = 36;
    /// `rgChecksum[3]` (3 × u64), large pages only.
    pub const RG_CHECKSUM: usize = 40;
    /// `pgno` (u32), large pages only.
    pub const PGNO: usize = 64;
    /// `rgbReserved` (12 bytes), large pages only.
    pub const RESERVED: usize = 68;
}

// Size checks at compile time: the offsets tile the headers exactly.
const _: () = assert!(off::FLAGS + 4 == PGHDR_SIZE);
const _: () = assert!(off::RG_CHECKSUM == PGHDR_SIZE && off::RG_CHECKSUM + 24 == off::PGNO);
const _: () = assert!(off::RESERVED + 12 == PGHDR2_SIZE);
const _: () = assert!(off::CB_FREE + 2 == off::CB_UNCOMMITTED_FREE && off::IB_MIC_FREE + 2 == off::ITAG_STATE);

/// `itagState` bits 0-11: `itagMicFree` (`ITAG_MIC_FREE_MASK`).
pub const ITAG_MIC_FREE_MASK: u16 = 0x0FFF;
/// `itagState` bits 12-14: `ctagReserved` (`CTAG_RESERVED_MASK`).
pub const CTAG_RESERVED_MASK: u16 = 0x7000;
/// `SHF_CTAG_RESERVED`.
pub const CTAG_RESERVED_SHIFT: u16 = 12;

/// `mskSmallTagIbCb`: `cb`/`ib` bits of a TAG on small pages.
pub const SMALL_TAG_MASK: u16 = 0x1FFF;
/// `mskLargeTagIbCb`: `cb`/`ib` bits of a TAG on large pages.
pub const LARGE_TAG_MASK: u16 = 0x7FFF;
/// `mskTagFlags`: the three line-flag bits (in `ib_` on small pages, in the line's first u16 on
/// large pages).
pub const TAG_FLAGS_MASK: u16 = 0xE000;
/// `shfTagFlags`.
pub const TAG_FLAGS_SHIFT: u16 = 13;

/// `usNDCbKeyMask`: the length bits of the `cbPrefix`/`cbSuffix` fields of a line.
pub const KEY_LEN_MASK: u16 = 0x1FFF;
/// `cbKeyCount` = `cbPrefixOverhead`: size of one key-length field.
pub const CB_KEY_COUNT: usize = 2;
/// `sizeof(SPLIT_BUFFER)`: what precedes the prefix in the external header of a space-tree root.
pub const SPLIT_BUFFER_SIZE: usize = 16;

/// The size-dependent facts of a page: header length, data area, TAG masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    page_size: usize,
}

impl Geometry {
    /// The geometry of a page of `page_size` bytes; refuses sizes the engine does not use.
    pub fn new(page_size: usize) -> Result<Self> {
        if PAGE_SIZES.contains(&page_size) {
            Ok(Geometry { page_size })
        } else {
            Err(PageError::BadPageSize { size: page_size })
        }
    }
    /// `cbPage`.
    pub fn page_size(self) -> usize {
        self.page_size
    }
    /// `FIsSmallPage`: 40-byte header, flags in the TAG.
    pub fn is_small(self) -> bool {
        self.page_size <= SMALL_PAGE_MAX
    }
    /// `CbPageHeader`: 40 or 80.
    pub fn header_len(self) -> usize {
        if self.is_small() {
            PGHDR_SIZE
        } else {
            PGHDR2_SIZE
        }
    }
    /// `CbPageData`: the data area, TAG array included (4056 / 8152 / 16304 / 32688).
    pub fn data_len(self) -> usize {
        self.page_size - self.header_len()
    }
    /// The `cb`/`ib` mask of a TAG (0x1FFF small, 0x7FFF large).
    pub fn tag_mask(self) -> u16 {
        if self.is_small() {
            SMALL_TAG_MASK
        } else {
            LARGE_TAG_MASK
        }
    }
    /// Page offset of TAG `itag` (`PtagFromItag_`): `cbPage − 4 × (itag + 1)`; `None` past the
    /// data area.
    pub fn tag_offset(self, itag: usize) -> Option<usize> {
        let from_end = itag.checked_add(1)?.checked_mul(TAG_SIZE)?;
        if from_end > self.data_len() {
            return None;
        }
        Some(self.page_size - from_end)
    }
    /// Page offset of data-area offset `ib` (`PbFromIb_`).
    pub fn abs(self, ib: usize) -> usize {
        self.header_len() + ib
    }
    /// The largest `itagMicFree` the checker accepts (`itagMicFree < cbData / 4`), and the
    /// 12-bit field's limit.
    pub fn max_tags(self) -> usize {
        (self.data_len() / TAG_SIZE).saturating_sub(1).min(usize::from(ITAG_MIC_FREE_MASK))
    }
}

/// One TAG as stored: the two raw u16 (`cb_`, `ib_`) and the values under the page's mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    /// Index in the TAG array (`itag` = `iline` + `ctagReserved`).
    pub itag: usize,
    /// `cb_` as stored (unused high bits included).
    pub raw_cb: u16,
    /// `ib_` as stored (line flags on small pages, unused bit on large pages).
    pub raw_ib: u16,
    /// `Cb()`: the line length.
    pub cb: usize,
    /// `Ib()`: the line offset, relative to the data area.
    pub ib: usize,
}

impl Tag {
    /// Decodes the 4 bytes `cb_ ‖ ib_` under `geo`'s mask.
    pub fn decode(geo: Geometry, itag: usize, raw_cb: u16, raw_ib: u16) -> Tag {
        let m = geo.tag_mask();
        Tag { itag, raw_cb, raw_ib, cb: usize::from(raw_cb & m), ib: usize::from(raw_ib & m) }
    }
    /// One past the line's last byte (data-area relative).
    pub fn end(&self) -> usize {
        self.ib + self.cb
    }
    /// Small pages: the flags in `ib_` bits 13-15 (`TAG::FFlags`).
    pub fn small_flags(&self) -> LineFlags {
        LineFlags((self.raw_ib >> TAG_FLAGS_SHIFT) as u8)
    }
}

/// The three line flags of a node (`fNDVersion`, `fNDDeleted`, `fNDCompressed`), §1.3/§2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct LineFlags(pub u8);

impl LineFlags {
    /// No flag.
    pub const NONE: LineFlags = LineFlags(0);
    /// `fNDVersion` 0x1: the node has a version in the version store.
    pub const VERSION: LineFlags = LineFlags(0x1);
    /// `fNDDeleted` 0x2: flag-deleted.
    pub const DELETED: LineFlags = LineFlags(0x2);
    /// `fNDCompressed` 0x4: the line starts with a `cbPrefix` field.
    pub const COMPRESSED: LineFlags = LineFlags(0x4);
    /// All three bits.
    pub const ALL: LineFlags = LineFlags(0x7);

    /// The raw bits.
    pub fn bits(self) -> u8 {
        self.0
    }
    /// Whether every bit of `other` is set.
    pub fn contains(self, other: LineFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Bits of `self` or `other`.
    pub fn union(self, other: LineFlags) -> LineFlags {
        LineFlags(self.0 | other.0)
    }
    /// Bits of `self` without those of `other`.
    pub fn without(self, other: LineFlags) -> LineFlags {
        LineFlags(self.0 & !other.0)
    }
}

impl fmt::Display for LineFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// Page flags (`fFlags` at offset 36), §1.4. All bits are kept, known or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PageFlags(pub u32);

impl PageFlags {
    /// `fPageRoot`.
    pub const ROOT: u32 = 0x1;
    /// `fPageLeaf`.
    pub const LEAF: u32 = 0x2;
    /// `fPageParentOfLeaf`.
    pub const PARENT_OF_LEAF: u32 = 0x4;
    /// `fPageEmpty`.
    pub const EMPTY: u32 = 0x8;
    /// `fPageRepair`.
    pub const REPAIR: u32 = 0x10;
    /// `fPageSpaceTree`.
    pub const SPACE_TREE: u32 = 0x20;
    /// `fPageIndex`.
    pub const INDEX: u32 = 0x40;
    /// `fPageLongValue`.
    pub const LONG_VALUE: u32 = 0x80;
    /// `fPageNonUniqueKeys`.
    pub const NON_UNIQUE_KEYS: u32 = 0x400;
    /// `fPageNewRecordFormat`.
    pub const NEW_RECORD_FORMAT: u32 = 0x800;
    /// `fPageNewChecksumFormat`.
    pub const NEW_CHECKSUM_FORMAT: u32 = 0x2000;
    /// `fPageScrubbed`: cleared by every dirty (§3.1 `CPAGE::Dirty`).
    pub const SCRUBBED: u32 = 0x4000;
    /// `maskFlushType` (value << 15).
    pub const FLUSH_TYPE_MASK: u32 = 0x18000;
    /// `fPagePreInit`.
    pub const PRE_INIT: u32 = 0x20000;
    /// `fPageFDPDelete`.
    pub const FDP_DELETE: u32 = 0x40000;
    /// The write stamps (§10 F6): checksum format, scrubbed, flush type. Masked before checking
    /// flag combinations.
    pub const WRITE_STAMPS: u32 = Self::NEW_CHECKSUM_FORMAT | Self::SCRUBBED | Self::FLUSH_TYPE_MASK;

    /// The raw value.
    pub fn bits(self) -> u32 {
        self.0
    }
    /// Whether every bit of `mask` is set.
    pub fn has(self, mask: u32) -> bool {
        self.0 & mask == mask
    }
    /// `FRootPage`.
    pub fn is_root(self) -> bool {
        self.has(Self::ROOT)
    }
    /// `FLeafPage`.
    pub fn is_leaf(self) -> bool {
        self.has(Self::LEAF)
    }
    /// `FSpaceTree`.
    pub fn is_space_tree(self) -> bool {
        self.has(Self::SPACE_TREE)
    }
    /// `FPreInitPage`.
    pub fn is_pre_init(self) -> bool {
        self.has(Self::PRE_INIT)
    }
    /// `FEmptyPage`.
    pub fn is_empty(self) -> bool {
        self.has(Self::EMPTY)
    }
    /// The flush type (bits 15-16): 0 none, 1 rock, 2 paper, 3 scissors.
    pub fn flush_type(self) -> u32 {
        (self.0 & Self::FLUSH_TYPE_MASK) >> 15
    }
}

impl fmt::Display for PageFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// Where the prefix of compressed lines comes from (§2.2 `prefix_source`), by page flags: the
/// whole external header on non-root pages, the bytes after the 16-byte `SPLIT_BUFFER` on
/// space-tree roots, nothing on other roots. Returns the offset into the external header where
/// the prefix starts, or `None` when the page has no prefix.
pub fn prefix_start(flags: PageFlags) -> Option<usize> {
    if !flags.is_root() {
        Some(0)
    } else if flags.is_space_tree() {
        Some(SPLIT_BUFFER_SIZE)
    } else {
        None
    }
}

/// Little-endian u16 at `at`, if the slice holds it.
pub(crate) fn rd16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([*s.first()?, *s.get(1)?]))
}

/// Little-endian u32 at `at`, if the slice holds it.
pub(crate) fn rd32(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(s))
}

/// Little-endian u64 at `at`, if the slice holds it.
pub(crate) fn rd64(b: &[u8], at: usize) -> Option<u64> {
    let s: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_of_each_page_size() {
        let g = |s| Geometry::new(s).unwrap();
        assert_eq!((g(4096).header_len(), g(4096).data_len()), (40, 4056));
        assert_eq!((g(8192).header_len(), g(8192).data_len()), (40, 8152));
        assert_eq!((g(16384).header_len(), g(16384).data_len()), (80, 16304));
        assert_eq!((g(32768).header_len(), g(32768).data_len()), (80, 32688));
        assert_eq!(g(4096).tag_offset(0), Some(4092));
        assert_eq!(g(4096).tag_offset(1013), Some(40));
        assert_eq!(g(4096).tag_offset(1014), None);
        assert_eq!(g(32768).tag_mask(), 0x7FFF);
        assert_eq!(Geometry::new(4097), Err(PageError::BadPageSize { size: 4097 }));
    }

    #[test]
    fn tag_masks_and_small_flags() {
        let small = Geometry::new(4096).unwrap();
        let t = Tag::decode(small, 3, 0xE00A, 0xA010);
        assert_eq!((t.cb, t.ib, t.small_flags()), (0x0A, 0x10, LineFlags(5)));
        let large = Geometry::new(16384).unwrap();
        let t = Tag::decode(large, 3, 0x800A, 0xA010);
        assert_eq!((t.cb, t.ib), (0x0A, 0x2010));
    }
}
