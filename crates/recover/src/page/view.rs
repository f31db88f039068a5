//! [`PageView`]: a read-only page over borrowed bytes, decoded lazily.
//!
//! Construction checks only the size; every accessor that follows a stored offset checks it
//! against the page and returns an error naming the field and the offset. Decoding never
//! panics and never allocates on the page's say-so.
//!
//! Sources: docs/page-internals.md §1.1-1.3 (header, TAG), §2.1-2.3 (lines, prefix source).

use std::cmp::Ordering;
use std::fmt;

use super::error::{PageError, Result};
use super::layout::{
    off, prefix_start, rd16, rd32, rd64, Geometry, LineFlags, PageFlags, Tag, CB_KEY_COUNT, CTAG_RESERVED_MASK,
    CTAG_RESERVED_SHIFT, ITAG_MIC_FREE_MASK, KEY_LEN_MASK, TAG_FLAGS_MASK, TAG_FLAGS_SHIFT, TAG_SIZE,
};

/// A page's bytes seen through the engine's layout. Cheap to copy.
#[derive(Clone, Copy)]
pub struct PageView<'a> {
    bytes: &'a [u8],
    geo: Geometry,
}

impl fmt::Debug for PageView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageView")
            .field("page_size", &self.geo.page_size())
            .field("dbtime_dirtied", &self.dbtime_dirtied())
            .field("objid_fdp", &self.objid_fdp())
            .field("flags", &self.flags())
            .field("itag_mic_free", &self.itag_mic_free())
            .finish()
    }
}

/// The header fields of a page (§1.2), owned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageHeader {
    /// `checksum` @0.
    pub checksum: u64,
    /// `dbtimeDirtied` @8.
    pub dbtime_dirtied: u64,
    /// `pgnoPrev` @16.
    pub pgno_prev: u32,
    /// `pgnoNext` @20.
    pub pgno_next: u32,
    /// `objidFDP` @24.
    pub objid_fdp: u32,
    /// `cbFree` @28.
    pub cb_free: u16,
    /// `cbUncommittedFree` @30.
    pub cb_uncommitted_free: u16,
    /// `ibMicFree` @32.
    pub ib_mic_free: u16,
    /// `itagState` @34 as stored.
    pub itag_state: u16,
    /// `fFlags` @36.
    pub flags: PageFlags,
    /// `pgno` @64 (large pages only).
    pub pgno: Option<u32>,
}

impl<'a> PageView<'a> {
    /// A view of `bytes`, whose length must be a page size the engine uses.
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        let geo = Geometry::new(bytes.len())?;
        Ok(PageView { bytes, geo })
    }

    /// A view whose geometry the caller has already checked against `bytes.len()`.
    pub(crate) fn from_parts(bytes: &'a [u8], geo: Geometry) -> Self {
        PageView { bytes, geo }
    }

    /// The page's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Page size, header length and masks.
    pub fn geometry(&self) -> Geometry {
        self.geo
    }

    // Header fields: the length check in `new` guarantees every fixed header offset is inside
    // the page, so the `unwrap_or(0)` fallbacks below are never taken.
    fn h16(&self, at: usize) -> u16 {
        rd16(self.bytes, at).unwrap_or(0)
    }
    fn h32(&self, at: usize) -> u32 {
        rd32(self.bytes, at).unwrap_or(0)
    }
    fn h64(&self, at: usize) -> u64 {
        rd64(self.bytes, at).unwrap_or(0)
    }

    /// `checksum` (@0).
    pub fn checksum(&self) -> u64 {
        self.h64(off::CHECKSUM)
    }
    /// `dbtimeDirtied` (@8): the dbtime of the last change.
    #[doc(alias = "dbtimeDirtied")]
    pub fn dbtime_dirtied(&self) -> u64 {
        self.h64(off::DBTIME_DIRTIED)
    }
    /// `pgnoPrev` (@16): left sibling.
    #[doc(alias = "pgnoPrev")]
    pub fn pgno_prev(&self) -> u32 {
        self.h32(off::PGNO_PREV)
    }
    /// `pgnoNext` (@20): right sibling.
    #[doc(alias = "pgnoNext")]
    pub fn pgno_next(&self) -> u32 {
        self.h32(off::PGNO_NEXT)
    }
    /// `objidFDP` (@24): the owning tree.
    #[doc(alias = "objidFDP")]
    pub fn objid_fdp(&self) -> u32 {
        self.h32(off::OBJID_FDP)
    }
    /// `cbFree` (@28): free bytes of the data area, holes included.
    #[doc(alias = "cbFree")]
    pub fn cb_free(&self) -> usize {
        usize::from(self.h16(off::CB_FREE))
    }
    /// `cbUncommittedFree` (@30).
    #[doc(alias = "cbUncommittedFree")]
    pub fn cb_uncommitted_free(&self) -> usize {
        usize::from(self.h16(off::CB_UNCOMMITTED_FREE))
    }
    /// `ibMicFree` (@32): first byte after the highest allocated line.
    #[doc(alias = "ibMicFree")]
    pub fn ib_mic_free(&self) -> usize {
        usize::from(self.h16(off::IB_MIC_FREE))
    }
    /// `itagState` (@34) as stored.
    #[doc(alias = "itagState")]
    pub fn itag_state(&self) -> u16 {
        self.h16(off::ITAG_STATE)
    }
    /// `itagMicFree`: the number of TAGs (bits 0-11 of `itagState`).
    #[doc(alias = "itagMicFree")]
    pub fn itag_mic_free(&self) -> usize {
        usize::from(self.itag_state() & ITAG_MIC_FREE_MASK)
    }
    /// `ctagReserved`: bits 12-14 of `itagState`, a stored 0 meaning 1 (the legacy form).
    #[doc(alias = "ctagReserved")]
    pub fn ctag_reserved(&self) -> usize {
        usize::from(((self.itag_state() & CTAG_RESERVED_MASK) >> CTAG_RESERVED_SHIFT).max(1))
    }
    /// Whether `itagState` stores `ctagReserved` explicitly (`JET_efvReservedTags` form) rather
    /// than the legacy 0.
    pub fn explicit_ctag_reserved(&self) -> bool {
        self.itag_state() & CTAG_RESERVED_MASK != 0
    }
    /// `fFlags` (@36).
    #[doc(alias = "fFlags")]
    pub fn flags(&self) -> PageFlags {
        PageFlags(self.h32(off::FLAGS))
    }
    /// `PGHDR2.pgno` (@64): the page's own number, large pages only.
    pub fn pgno(&self) -> Option<u32> {
        (!self.geo.is_small()).then(|| self.h32(off::PGNO))
    }
    /// `PGHDR2.rgChecksum` (@40): the checksums of blocks 1-3, large pages only.
    pub fn rg_checksum(&self) -> Option<[u64; 3]> {
        (!self.geo.is_small()).then(|| [0, 1, 2].map(|i| self.h64(off::RG_CHECKSUM + 8 * i)))
    }
    /// All header fields at once.
    pub fn header(&self) -> PageHeader {
        PageHeader {
            checksum: self.checksum(),
            dbtime_dirtied: self.dbtime_dirtied(),
            pgno_prev: self.pgno_prev(),
            pgno_next: self.pgno_next(),
            objid_fdp: self.objid_fdp(),
            cb_free: self.h16(off::CB_FREE),
            cb_uncommitted_free: self.h16(off::CB_UNCOMMITTED_FREE),
            ib_mic_free: self.h16(off::IB_MIC_FREE),
            itag_state: self.itag_state(),
            flags: self.flags(),
            pgno: self.pgno(),
        }
    }
    /// `Clines()`: `itagMicFree − ctagReserved` (0 on pre-initialised pages).
    pub fn line_count(&self) -> usize {
        self.itag_mic_free().saturating_sub(self.ctag_reserved())
    }
    /// `CbContiguousFree_`: `cbData − ibMicFree − 4 × itagMicFree` (negative on a broken page).
    pub fn contiguous_free(&self) -> isize {
        self.geo.data_len() as isize - self.ib_mic_free() as isize - (TAG_SIZE * self.itag_mic_free()) as isize
    }

    /// TAG `itag` (`PtagFromItag_`).
    pub fn tag(&self, itag: usize) -> Result<Tag> {
        let n = self.itag_mic_free();
        if itag >= n {
            return Err(PageError::Field {
                field: "itag".into(),
                offset: off::ITAG_STATE,
                expected: format!("below itagMicFree {n}"),
                found: itag.to_string(),
            });
        }
        let at = self.geo.tag_offset(itag).ok_or_else(|| PageError::Field {
            field: "itagMicFree".into(),
            offset: off::ITAG_STATE,
            expected: format!("a TAG array inside the data area (at most {} TAGs)", self.geo.data_len() / TAG_SIZE),
            found: n.to_string(),
        })?;
        let (cb, ib) = (rd16(self.bytes, at), rd16(self.bytes, at + 2));
        match (cb, ib) {
            (Some(cb), Some(ib)) => Ok(Tag::decode(self.geo, itag, cb, ib)),
            _ => Err(PageError::Field {
                field: format!("TAG[{itag}]"),
                offset: at,
                expected: "inside the page".into(),
                found: "beyond its end".into(),
            }),
        }
    }
    /// Every TAG, itag 0 first.
    pub fn tags(&self) -> impl Iterator<Item = Result<Tag>> + '_ {
        (0..self.itag_mic_free()).map(|i| self.tag(i))
    }

    /// The bytes a TAG points at; they must lie in the data area before the TAG array.
    pub fn tag_bytes(&self, tag: &Tag) -> Result<&'a [u8]> {
        let limit = self.geo.data_len().saturating_sub(TAG_SIZE * self.itag_mic_free());
        if tag.end() > limit {
            return Err(PageError::Field {
                field: format!("TAG[{}] ib+cb", tag.itag),
                offset: self.geo.tag_offset(tag.itag).unwrap_or(0),
                expected: format!("at most {limit} (the data area before the TAG array)"),
                found: format!("{}+{}", tag.ib, tag.cb),
            });
        }
        let start = self.geo.abs(tag.ib);
        // In range: start + cb ≤ header + limit ≤ page size.
        self.bytes.get(start..start + tag.cb).ok_or_else(|| PageError::Field {
            field: format!("TAG[{}]", tag.itag),
            offset: start,
            expected: "inside the page".into(),
            found: "beyond its end".into(),
        })
    }

    /// The external header (TAG 0): a key prefix, a `SPACE_HEADER` or a `SPLIT_BUFFER` (§2.3).
    /// Empty on a pre-initialised page, which has no TAG at all.
    #[doc(alias = "GetPtrExternalHeader")]
    pub fn external_header(&self) -> Result<&'a [u8]> {
        if self.itag_mic_free() == 0 {
            return Ok(&[]);
        }
        let t = self.tag(0)?;
        self.tag_bytes(&t)
    }

    /// The prefix source of compressed lines (§2.2): the external header on non-root pages,
    /// after the `SPLIT_BUFFER` on space-tree roots, nothing (`None`) on other roots.
    #[doc(alias = "NDGetPrefix")]
    pub fn prefix_source(&self) -> Result<Option<&'a [u8]>> {
        let Some(start) = prefix_start(self.flags()) else { return Ok(None) };
        let ext = self.external_header()?;
        Ok(Some(ext.get(start..).unwrap_or(&[])))
    }

    /// The line flags of TAG `tag` (§1.3): `ib_` bits 13-15 on small pages, the top 3 bits of
    /// the line's first u16 on large pages (0 when the line is shorter than 2 bytes).
    pub fn tag_flags(&self, tag: &Tag) -> Result<LineFlags> {
        if self.geo.is_small() {
            return Ok(tag.small_flags());
        }
        let b = self.tag_bytes(tag)?;
        Ok(rd16(b, 0).map_or(LineFlags::NONE, |u| LineFlags(((u & TAG_FLAGS_MASK) >> TAG_FLAGS_SHIFT) as u8)))
    }

    /// Line (node) `iline` decoded (`NDIGetKeydataflags`, §2.2).
    pub fn line(&self, iline: usize) -> Result<Line<'a>> {
        let lines = self.line_count();
        if iline >= lines {
            return Err(PageError::NoSuchLine { iline, lines });
        }
        let tag = self.tag(iline + self.ctag_reserved())?;
        let bytes = self.tag_bytes(&tag)?;
        let flags = self.tag_flags(&tag)?;
        let at = self.geo.abs(tag.ib);
        let field = |name: &str, offset: usize, expected: String, found: String| PageError::Field {
            field: format!("line {iline} {name}"),
            offset,
            expected,
            found,
        };
        let mut p = 0;
        let mut cb_prefix = 0;
        if flags.contains(LineFlags::COMPRESSED) {
            let v = rd16(bytes, 0).ok_or_else(|| {
                field("cbPrefix", at, "2 bytes (the line is compressed)".into(), format!("a {}-byte line", bytes.len()))
            })?;
            cb_prefix = usize::from(v & KEY_LEN_MASK);
            p = CB_KEY_COUNT;
        }
        let v = rd16(bytes, p).ok_or_else(|| {
            field("cbSuffix", at + p, format!("2 bytes at line offset {p}"), format!("a {}-byte line", bytes.len()))
        })?;
        let cb_suffix = usize::from(v & KEY_LEN_MASK);
        p += CB_KEY_COUNT;
        let suffix = bytes.get(p..p + cb_suffix).ok_or_else(|| {
            field(
                "cbSuffix",
                at + p - CB_KEY_COUNT,
                format!("at most {} (the rest of the line)", bytes.len() - p),
                cb_suffix.to_string(),
            )
        })?;
        let data = bytes.get(p + cb_suffix..).unwrap_or(&[]);
        let prefix: &[u8] = match self.prefix_source()? {
            // Root of a table/index/LV tree: the engine forces the prefix length to 0.
            None => &[],
            Some(src) => src.get(..cb_prefix).ok_or_else(|| {
                field("cbPrefix", at, format!("at most {} (the page's prefix)", src.len()), cb_prefix.to_string())
            })?,
        };
        Ok(Line { iline, tag, flags, cb_prefix, prefix, suffix, data, bytes })
    }

    /// Every line, iline 0 first.
    pub fn lines(&self) -> impl Iterator<Item = Result<Line<'a>>> + '_ {
        (0..self.line_count()).map(|i| self.line(i))
    }
}

/// One node of a page (`KEYDATAFLAGS`), borrowing the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// Logical line number.
    pub iline: usize,
    /// Its TAG.
    pub tag: Tag,
    /// `fNDVersion` / `fNDDeleted` / `fNDCompressed`.
    pub flags: LineFlags,
    /// The stored `cbPrefix` (0 when not compressed).
    pub cb_prefix: usize,
    /// The key bytes taken from the page's prefix (empty on roots of non-space trees).
    pub prefix: &'a [u8],
    /// The key bytes stored in the line.
    pub suffix: &'a [u8],
    /// The node's data.
    pub data: &'a [u8],
    /// The whole line as stored.
    pub bytes: &'a [u8],
}

impl<'a> Line<'a> {
    /// The full key: prefix ‖ suffix.
    pub fn key(&self) -> Key<'a> {
        Key { prefix: self.prefix, suffix: self.suffix }
    }
}

/// A key in two borrowed parts (prefix from the page, suffix from the line), compared as their
/// concatenation with `CmpKey`'s rule: unsigned bytes, then the shorter key first.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    /// Bytes from the page's prefix.
    pub prefix: &'a [u8],
    /// Bytes from the line.
    pub suffix: &'a [u8],
}

impl Key<'_> {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.prefix.len() + self.suffix.len()
    }
    /// The null key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The key's bytes.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        self.prefix.iter().chain(self.suffix).copied()
    }
    /// The key, owned.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len());
        v.extend_from_slice(self.prefix);
        v.extend_from_slice(self.suffix);
        v
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Key<'_> {}
impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.iter().cmp(other.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4 KiB page by hand: header, TAG 0 = 3-byte prefix "abc", one compressed line with
    /// cbPrefix 3, suffix "d", data "XY", flags version|compressed.
    fn small_page() -> Vec<u8> {
        let mut p = vec![0u8; 4096];
        p[8..16].copy_from_slice(&7u64.to_le_bytes()); // dbtimeDirtied
        p[24..28].copy_from_slice(&9u32.to_le_bytes()); // objidFDP
        p[36..40].copy_from_slice(&0x802u32.to_le_bytes()); // leaf | new record format
                                                            // data area @40: "abc" at ib 0, then line at ib 3: cbPrefix 3, cbSuffix 1, 'd', 'X', 'Y'
        p[40..43].copy_from_slice(b"abc");
        p[43..50].copy_from_slice(&[3, 0, 1, 0, b'd', b'X', b'Y']);
        // TAG 0 @4092: cb 3, ib 0; TAG 1 @4088: cb 7, ib 3 | flags 5 << 13
        p[4092..4096].copy_from_slice(&[3, 0, 0, 0]);
        p[4088..4092].copy_from_slice(&[7, 0, 3, 0xA0]);
        let cb_free: u16 = 4056 - 10 - 8;
        p[28..30].copy_from_slice(&cb_free.to_le_bytes());
        p[32..34].copy_from_slice(&10u16.to_le_bytes()); // ibMicFree
        p[34..36].copy_from_slice(&2u16.to_le_bytes()); // itagState: 2 tags, legacy
        p
    }

    #[test]
    fn decodes_a_hand_built_small_page() {
        let p = small_page();
        let v = PageView::new(&p).unwrap();
        assert_eq!((v.dbtime_dirtied(), v.objid_fdp(), v.cb_free(), v.ib_mic_free()), (7, 9, 4038, 10));
        assert_eq!((v.itag_mic_free(), v.ctag_reserved(), v.line_count()), (2, 1, 1));
        assert_eq!(v.external_header().unwrap(), b"abc");
        let l = v.line(0).unwrap();
        assert_eq!(l.flags, LineFlags(5));
        assert_eq!((l.cb_prefix, l.prefix, l.suffix, l.data), (3, &b"abc"[..], &b"d"[..], &b"XY"[..]));
        assert_eq!(l.key().to_vec(), b"abcd");
        assert_eq!(v.pgno(), None);
        assert_eq!(v.line(1), Err(PageError::NoSuchLine { iline: 1, lines: 1 }));
    }

    #[test]
    fn prefix_longer_than_the_external_header_is_an_error() {
        let mut p = small_page();
        p[43] = 4; // cbPrefix 4 > 3
        let e = PageView::new(&p).unwrap().line(0).unwrap_err();
        assert!(matches!(e, PageError::Field { ref field, offset: 43, .. } if field == "line 0 cbPrefix"), "{e}");
    }

    #[test]
    fn root_pages_of_ordinary_trees_have_no_prefix() {
        let mut p = small_page();
        p[36] = 0x03; // root | leaf
        let l = PageView::new(&p).unwrap().line(0).unwrap();
        assert_eq!((l.cb_prefix, l.prefix, l.key().to_vec()), (3, &b""[..], b"d".to_vec()));
    }

    #[test]
    fn tag_pointing_into_the_tag_array_is_an_error() {
        let mut p = small_page();
        p[4088..4090].copy_from_slice(&0x0FFFu16.to_le_bytes());
        assert!(PageView::new(&p).unwrap().line(0).is_err());
    }

    #[test]
    fn keys_compare_as_their_concatenation() {
        let a = Key { prefix: b"ab", suffix: b"c" };
        let b = Key { prefix: b"a", suffix: b"bc" };
        let c = Key { prefix: b"", suffix: b"abcd" };
        assert_eq!(a, b);
        assert!(a < c && c > b);
    }
}
