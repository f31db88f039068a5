//! Database page checksums and page verification (also used for v8 log segments).
//!
//! Sources: docs/format-page.md §6.2 (old and new page checksum), §6.3 (large pages), §6.4
//! (single-bit ECC correction), §6.5 (page header offsets), §6.6 (the `eseutil /k` scan rules),
//! §6.7 (test vectors) and docs/format-log.md §7.2 (log segments use the small-page checksum with pgno = segment
//! index). The page-level flow follows `ComputePageChecksum`, `TryFixPage` and
//! `ChecksumAndPossiblyFixPage` in `dev/ese/src/ese/_osu/checksumu.cxx`.
//!
//! Naming: ESE calls the value read from the page "expected" and the recomputed one "actual".
//! This module says **stored** for what is on the page and **expected** for what the page
//! should hold, i.e. what is computed from its contents.
//!
//! Offsets used here (all little-endian, `CPAGE::PGHDR` / `PGHDR2`, docs/format-page.md §6.5):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | `checksum` (old format: u32 XOR-32 @0 + u32 pgno @4) |
//! | 8 | 8 | `dbtimeDirtied` |
//! | 36 | 4 | `fFlags` (bit 0x2000 `fPageNewChecksumFormat`) |
//! | 40 | 24 | `rgChecksum[3]` (large pages only: XE checksums of blocks 1..3) |
//! | 64 | 4 | `pgno` (large pages only) |

use byteorder::{ByteOrder, LittleEndian};
use serde::{Serialize, Serializer};

use crate::checksum::xor32_legacy;

/// Offset of the page's stored checksum (`PGHDR::checksum`, u64).
pub const CHECKSUM_OFFSET: usize = 0;
/// Offset of `PGHDR::dbtimeDirtied` (u64).
pub const DBTIME_OFFSET: usize = 8;
/// Offset of `PGHDR::fFlags` (u32).
pub const FLAGS_OFFSET: usize = 36;
/// Offset of `PGHDR2::rgChecksum[0]` (large pages: three u64 at 40, 48, 56).
pub const RG_CHECKSUM_OFFSET: usize = 40;
/// Offset of `PGHDR2::pgno` (u32, large pages only).
pub const PGHDR2_PGNO_OFFSET: usize = 64;

/// `CPAGE::fPageNewChecksumFormat`: bit of `fFlags` (@36) that selects the ECC checksum.
#[doc(alias = "fPageNewChecksumFormat")]
pub const NEW_CHECKSUM_FORMAT_FLAG: u32 = 0x2000;

/// Bit offset of [`NEW_CHECKSUM_FORMAT_FLAG`] inside the page (`IbitNewChecksumFormatFlag`,
/// 9×32 + 13). ECC correction never "corrects" this bit in block 0.
#[doc(alias = "IbitNewChecksumFormatFlag")]
pub const NEW_CHECKSUM_FORMAT_FLAG_BIT: u32 = 9 * 32 + 13;

/// Largest "small" page (`FIsSmallPage`): one XE checksum covers the whole page.
pub const SMALL_PAGE_MAX: usize = 8 * 1024;
/// Largest page size ESE supports (`g_cbPageMax`).
pub const LARGE_PAGE_MAX: usize = 32 * 1024;

/// Bytes 40..64 of block 0 of a large page hold the checksums of blocks 1..3 (bit range).
const RG_CHECKSUM_BITS: std::ops::Range<u32> = (RG_CHECKSUM_OFFSET as u32 * 8)..(64 * 8);

// ---------------------------------------------------------------------------------------------
// The XE (XOR + ECC) block checksum
// ---------------------------------------------------------------------------------------------

/// The new-format ("XE", XOR + ECC) checksum of one block (docs/format-page.md §6.2).
///
/// `block` is a whole small page, a log segment, or one 4/8 KiB block of a large page; its length
/// is a power of two from 1 KiB to 8 KiB. The block is read as little-endian u32 words; when
/// `is_header_block` is set (the first block of a page), words 0 and 1 (the stored checksum)
/// count as zero. The result is `(ecc << 32) | (xor_of_words ^ pgno)`, as stored at page offset 0.
///
/// Other lengths do not panic: whole words are summed by the same formula (a trailing partial
/// word is ignored), but the ECC half has no meaning then.
///
/// Speed: the ECC needs only, per word, its parity and its index. Both halves of it are linear
/// over GF(2), so `p` (the XOR of the indices of odd-parity words) is computed bit by bit as the
/// parity of XORs of words, and `q` follows from `p` and the parity of the word count; see the
/// comments in the body.
#[doc(alias = "ChecksumNewFormat")]
#[doc(alias = "XECHECKSUM")]
pub fn xe_checksum(block: &[u8], pgno: u32, is_header_block: bool) -> u64 {
    let mut acc = col_and_p(block);
    if is_header_block {
        acc = without_stored_checksum(acc, block);
    }
    ecc_and_xor(acc, block.len() / 4, pgno)
}

/// `(col, p)` of a block (docs/format-page.md §6.2): the XOR of its words, and the XOR of the indices of
/// its odd-parity words. Both are linear over GF(2) in the words, so a word can be taken out or
/// put in afterwards with [`toggle_word`].
type ColP = (u32, u32);

/// `(col, p)` over every word of `block` (no header skip): the fast loop for the block sizes
/// ESE uses (multiples of 64 bytes up to 8 KiB), the word-by-word one for anything else.
fn col_and_p(block: &[u8]) -> ColP {
    if block.len() % FAST_CHUNK == 0 && block.len() <= SMALL_PAGE_MAX {
        col_and_p_fast(block)
    } else {
        col_and_p_slow(block)
    }
}

/// Adds word `w` at word index `index` to `(col, p)`, or takes it out again (XOR is its own
/// inverse).
fn toggle_word((col, p): ColP, index: u32, w: u32) -> ColP {
    (col ^ w, p ^ (index & 0u32.wrapping_sub(w.count_ones() & 1)))
}

/// The header block skips words 0 and 1 (the stored checksum, docs/format-page.md §6.2): take them back
/// out of a sum over the whole block.
fn without_stored_checksum(acc: ColP, block: &[u8]) -> ColP {
    let w0 = block.get(0..4).map_or(0, LittleEndian::read_u32);
    let w1 = block.get(4..8).map_or(0, LittleEndian::read_u32);
    toggle_word(toggle_word(acc, 0, w0), 1, w1)
}

/// Bytes per iteration of the fast loop: 16 words in 8 u64 lanes.
const FAST_CHUNK: usize = 64;

/// XOR of all words, and `p` = XOR of the indices of the odd-parity words (no header skip).
///
/// `block.len()` is a multiple of [`FAST_CHUNK`] and at most 8 KiB (so indices fit in 11 bits).
///
/// Bit k of `p` is the parity of the XOR of all words whose index has bit k set. For k < 4 the
/// index bit is the position inside a 16-word chunk, which is fixed per u64 lane, so eight lane
/// accumulators give those four bits at the end. For k >= 4 it is bit k-4 of the chunk number:
/// fold each chunk to one u64, take its parity, and XOR the chunk number in under a mask.
fn col_and_p_fast(block: &[u8]) -> ColP {
    let mut lanes = [0u64; 8];
    let mut p_high = 0u32;
    let mut chunk_base = 0u32; // index of the chunk's first word
    for chunk in block.chunks_exact(FAST_CHUNK) {
        let mut fold = 0u64;
        for (lane, bytes) in lanes.iter_mut().zip(chunk.chunks_exact(8)) {
            let v = LittleEndian::read_u64(bytes);
            *lane ^= v;
            fold ^= v;
        }
        // Branch-free: mask is all ones iff the chunk holds an odd number of odd-parity words.
        let mask = 0u32.wrapping_sub(fold.count_ones() & 1);
        p_high ^= chunk_base & mask;
        chunk_base = chunk_base.wrapping_add(16);
    }
    let [l0, l1, l2, l3, l4, l5, l6, l7] = lanes;
    let all = l0 ^ l1 ^ l2 ^ l3 ^ l4 ^ l5 ^ l6 ^ l7;
    let col = (all as u32) ^ ((all >> 32) as u32);
    // Lane j holds words 2j (low half) and 2j+1 (high half) of every chunk.
    let bit0 = ((all >> 32).count_ones()) & 1; // odd word index: the high halves
    let bit1 = (l1 ^ l3 ^ l5 ^ l7).count_ones() & 1; // bit 0 of j
    let bit2 = (l2 ^ l3 ^ l6 ^ l7).count_ones() & 1; // bit 1 of j
    let bit3 = (l4 ^ l5 ^ l6 ^ l7).count_ones() & 1; // bit 2 of j
    let p = p_high | (bit3 << 3) | (bit2 << 2) | (bit1 << 1) | bit0;
    (col, p)
}

/// Same result as [`col_and_p_fast`] for any length, one word at a time (still branch-free).
fn col_and_p_slow(block: &[u8]) -> ColP {
    let mut col = 0u32;
    let mut p = 0u32;
    let mut index = 0u32;
    for bytes in block.chunks_exact(4) {
        let w = LittleEndian::read_u32(bytes);
        col ^= w;
        p ^= index & 0u32.wrapping_sub(w.count_ones() & 1);
        index = index.wrapping_add(1);
    }
    (col, p)
}

/// Assembles the XE value from the XOR of the words and `p` (docs/format-page.md §6.2).
fn ecc_and_xor((col, p): ColP, n_words: usize, pgno: u32) -> u64 {
    // The number of odd-parity words is odd iff the XOR of all words has odd parity; then
    // q = XOR over those words of !i = p ^ 0xFFFFFFFF, else q = p.
    let odd_words = 0u32.wrapping_sub(col.count_ones() & 1);
    let q = p ^ odd_words;
    // r = XOR of the positions c of the set bits of col: bit b of r is the parity of the set
    // bits whose position has bit b set. s = XOR of !c over them, i.e. r or !r the same way.
    let r = [0xAAAA_AAAAu32, 0xCCCC_CCCC, 0xF0F0_F0F0, 0xFF00_FF00, 0xFFFF_0000]
        .iter()
        .enumerate()
        .fold(0u32, |r, (b, m)| r | (((col & m).count_ones() & 1) << b));
    let s = r ^ odd_words;
    let m = u32::try_from(n_words.saturating_sub(1)).unwrap_or(u32::MAX);
    let ecc = ((q & m) << 21) | ((s & 31) << 16) | ((p & m) << 5) | (r & 31);
    (u64::from(ecc) << 32) | u64::from(col ^ pgno)
}

/// The bit (relative to its block) that a single-bit ECC correction would flip, or `None` when
/// the difference is not a correctable single-bit error (docs/format-page.md §6.4).
///
/// `cb` is the block length in bytes, `stored` and `expected` the XE checksums of the block as
/// stored on the page and as computed from its contents. Correctable iff the ECC difference `d`
/// satisfies `((d >> 16) ^ d) & (cb*8 - 1) == cb*8 - 1`, the XOR halves differ in exactly one
/// bit, and the offset `d & 0xFFFF` lies inside the block. (The page-level rule that the
/// checksum-format flag is never corrected is applied by [`verify_page`].)
#[doc(alias = "FECCErrorIsCorrectable")]
#[doc(alias = "IbitCorrupted")]
pub fn ecc_correctable_bit(cb: usize, stored: u64, expected: u64) -> Option<u32> {
    let diff = stored ^ expected;
    let d = (diff >> 32) as u32;
    let bits = u32::try_from(cb).ok()?.checked_mul(8)?;
    let mask = bits.checked_sub(1)?;
    if ((d >> 16) ^ d) & mask != mask || (diff as u32).count_ones() != 1 {
        return None;
    }
    let bit = d & 0xFFFF;
    (d != 0 && bit < bits).then_some(bit)
}

// ---------------------------------------------------------------------------------------------
// Page checksums
// ---------------------------------------------------------------------------------------------

/// Which checksum a page uses, chosen per page by bit 0x2000 of `fFlags` @36 (docs/format-page.md §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecksumFormat {
    /// Old format (flag clear): u32 XOR-32 @0 and u32 page number @4.
    Legacy,
    /// New format (flag set): XE (XOR + ECC) checksum(s).
    Ecc,
}

/// Up to four u64 checksums of a page: `[u64@0]` for small and old-format pages,
/// `[u64@0, u64@40, u64@48, u64@56]` (blocks 0..3) for large pages.
///
/// A large page with fewer than four blocks (12, 20 or 24 KiB) keeps the unused slot, which
/// ESE writes as zero and compares like the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BlockChecksums {
    values: [u64; 4],
    len: usize,
}

impl BlockChecksums {
    fn one(value: u64) -> Self {
        Self { values: [value, 0, 0, 0], len: 1 }
    }

    fn four(values: [u64; 4]) -> Self {
        Self { values, len: 4 }
    }

    /// The checksums, block 0 first.
    pub fn as_slice(&self) -> &[u64] {
        self.values.get(..self.len).unwrap_or(&self.values)
    }

    /// Number of checksums (1 or 4).
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Never true for a value this module produces.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

impl Serialize for BlockChecksums {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

/// What a page stores and what it should store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PageChecksums {
    /// Format selected by the page's flag bit.
    pub format: ChecksumFormat,
    /// What the page should store, computed from its contents.
    pub expected: BlockChecksums,
    /// What the page stores.
    pub stored: BlockChecksums,
}

impl PageChecksums {
    /// True when the page stores what it should.
    pub fn matches(&self) -> bool {
        self.expected == self.stored
    }
}

/// How a supported page size is cut into checksum blocks (`CbBlockSize`, docs/format-page.md §6.3).
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Size of block 0 (and of every other block but a 4 KiB remainder).
    block: usize,
    /// Large page: four checksum slots, block 0 holds PGHDR2.
    large: bool,
}

impl Layout {
    fn of(len: usize) -> Option<Self> {
        if len <= SMALL_PAGE_MAX {
            // FIsSmallPage: one block; the XE ECC layout needs a power of two.
            return (len >= 1024 && len.is_power_of_two()).then_some(Self { block: len, large: false });
        }
        if len > LARGE_PAGE_MAX || len % 4096 != 0 {
            return None;
        }
        let block = if len <= 16 * 1024 { 4096 } else { 8192 };
        Some(Self { block, large: true })
    }

    /// The blocks after block 0: `(slot, offset, length)`; a 4 KiB remainder is its own block.
    fn tail_blocks(self, len: usize) -> impl Iterator<Item = (usize, usize, usize)> {
        let block = self.block;
        (1..4usize).filter_map(move |slot| {
            let offset = slot.checked_mul(block)?;
            let end = offset.checked_add(block)?.min(len);
            (self.large && offset < end).then(|| (slot, offset, end - offset))
        })
    }
}

fn flags(page: &[u8]) -> u32 {
    page.get(FLAGS_OFFSET..FLAGS_OFFSET + 4).map_or(0, LittleEndian::read_u32)
}

fn read_u64_at(page: &[u8], offset: usize) -> u64 {
    offset.checked_add(8).and_then(|end| page.get(offset..end)).map_or(0, LittleEndian::read_u64)
}

/// The checksum values stored on a page of the given layout.
fn stored_checksums(page: &[u8], layout: Layout) -> BlockChecksums {
    let c0 = read_u64_at(page, CHECKSUM_OFFSET);
    if layout.large {
        BlockChecksums::four([
            c0,
            read_u64_at(page, RG_CHECKSUM_OFFSET),
            read_u64_at(page, RG_CHECKSUM_OFFSET + 8),
            read_u64_at(page, RG_CHECKSUM_OFFSET + 16),
        ])
    } else {
        BlockChecksums::one(c0)
    }
}

/// Old-format checksum of a page: `(pgno << 32) | xor32_legacy(page)` (docs/format-page.md §6.2).
fn legacy_expected(page: &[u8], pgno: u32) -> u64 {
    (u64::from(pgno) << 32) | u64::from(xor32_legacy(page))
}

/// Which view of block 0 of a large page is summed (docs/format-page.md §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block0 {
    /// As stored, `rgChecksum` @40..64 included: what verification compares.
    AsStored,
    /// As the writer sums it: with the checksums just computed for blocks 1..3 at 40/48/56.
    AsWritten,
}

/// The four XE checksums of a large page (unused slots stay zero), in one pass over the page
/// from front to back, each block summed by the same loop as a small page.
///
/// Block 0 is read first but finished last: in the writer's view it depends on the other
/// three. No copy of block 0 is needed for that view: its sums are linear in the words, so
/// words 10..15 (bytes 40..64, `rgChecksum`) are taken out as stored and put in as computed.
///
/// Sources: docs/format-page.md §6.3 (`CbBlockSize`: 4 KiB blocks up to 16 KiB pages, 8 KiB above; a
/// 4 KiB remainder is its own block), `ComputePageChecksum` in `checksumu.cxx`.
fn large_page_checksums(page: &[u8], pgno: u32, layout: Layout, view: Block0) -> [u64; 4] {
    let mut out = [0u64; 4];
    let mut block0: (ColP, usize) = ((0, 0), 0);
    // Blocks of `layout.block` bytes from offset 0; a shorter (4 KiB) remainder is the last
    // block. A large page has at most four, so the zip never drops one.
    for (slot, (block, value)) in page.chunks(layout.block.max(1)).zip(out.iter_mut()).enumerate() {
        let acc = col_and_p(block);
        if slot == 0 {
            block0 = (acc, block.len() / 4);
        } else {
            *value = ecc_and_xor(acc, block.len() / 4, pgno);
        }
    }
    let (acc, n_words) = block0;
    let head = page.get(..layout.block).unwrap_or_default();
    let mut acc = without_stored_checksum(acc, head);
    if view == Block0::AsWritten {
        let [_, c1, c2, c3] = out;
        for (i, computed) in [c1, c2, c3].into_iter().enumerate() {
            let at = RG_CHECKSUM_OFFSET + 8 * i;
            let index = (at / 4) as u32; // word index of the low half
            let stored = read_u64_at(head, at);
            for (word, value) in [(index, stored), (index, computed)] {
                acc = toggle_word(acc, word, value as u32);
                acc = toggle_word(acc, word + 1, (value >> 32) as u32);
            }
        }
    }
    if let Some(v) = out.first_mut() {
        *v = ecc_and_xor(acc, n_words, pgno);
    }
    out
}

/// Whether every byte of `page` is zero (`CPAGE::FPageIsInitialized` is false), eight bytes
/// at a time: uninitialized pages are most of some files (the IE/Edge WebCache), and a
/// byte-by-byte test cost four times their checksum.
#[doc(alias = "FPageIsInitialized")]
pub(crate) fn is_all_zero(page: &[u8]) -> bool {
    let mut chunks = page.chunks_exact(FAST_CHUNK);
    let body = chunks.by_ref().all(|c| c.chunks_exact(8).fold(0u64, |a, w| a | LittleEndian::read_u64(w)) == 0);
    body && chunks.remainder().iter().all(|&b| b == 0)
}

/// What the page should store (docs/format-page.md §6.2, §6.3), and what it stores; `None` for a length
/// that is not a page size (powers of two 1-8 KiB; multiples of 4 KiB up to 32 KiB above that).
///
/// * flag 0x2000 @36 clear: old format, `[(pgno << 32) | xor32_legacy(page)]`;
/// * small page (≤ 8 KiB), flag set: `[xe_checksum(page, pgno, true)]`;
/// * large page, flag set: blocks 1..3 first, then block 0 summed *as the writer would store
///   it*, i.e. with those three values (zero for a missing block) written at offsets 40/48/56
///   (`ComputePageChecksum` with `fNew`). The page itself is not modified (and not copied: see
///   `large_page_checksums`). For a page whose stored block checksums are right this equals the engine's verification
///   view; [`verify_page`] uses the verification view (block 0 as stored) to find bad blocks.
#[doc(alias = "ComputePageChecksum")]
pub fn page_checksum(page: &[u8], pgno: u32) -> Option<PageChecksums> {
    let layout = Layout::of(page.len())?;
    let stored = stored_checksums(page, layout);
    if flags(page) & NEW_CHECKSUM_FORMAT_FLAG == 0 {
        return Some(PageChecksums {
            format: ChecksumFormat::Legacy,
            expected: BlockChecksums::one(legacy_expected(page, pgno)),
            stored,
        });
    }
    let expected = if layout.large {
        BlockChecksums::four(large_page_checksums(page, pgno, layout, Block0::AsWritten))
    } else {
        BlockChecksums::one(xe_checksum(page, pgno, true))
    };
    Some(PageChecksums { format: ChecksumFormat::Ecc, expected, stored })
}

/// Sets flag 0x2000 and stores the new-format checksum(s) a page should have, as ESE's writer
/// does (large pages: offsets 40/48/56, then 0). Returns `false`, leaving the page unchanged, for
/// a length that is not a page size. Meant for building test pages and corrupt samples.
#[doc(alias = "SetPageChecksum")]
pub fn write_page_checksum(page: &mut [u8], pgno: u32) -> bool {
    if Layout::of(page.len()).is_none() {
        return false;
    }
    let Some(flags_bytes) = page.get_mut(FLAGS_OFFSET..FLAGS_OFFSET + 4) else {
        return false;
    };
    let f = LittleEndian::read_u32(flags_bytes) | NEW_CHECKSUM_FORMAT_FLAG;
    LittleEndian::write_u32(flags_bytes, f);
    let Some(sums) = page_checksum(page, pgno) else {
        return false;
    };
    let offsets = [CHECKSUM_OFFSET, RG_CHECKSUM_OFFSET, RG_CHECKSUM_OFFSET + 8, RG_CHECKSUM_OFFSET + 16];
    for (&at, &v) in offsets.iter().zip(sums.expected.as_slice()) {
        if let Some(dst) = page.get_mut(at..at + 8) {
            LittleEndian::write_u64(dst, v);
        }
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/// The outcome of checking one database page (or v8 log segment) against its page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PageVerdict {
    /// The stored checksum(s) match; for large pages `PGHDR2.pgno` @64 matches too.
    Ok,
    /// Every byte is zero (`CPAGE::FPageIsInitialized` is false; `JET_errPageNotInitialized`).
    Uninitialized,
    /// A single-bit error that the ECC can correct (docs/format-page.md §6.4). When several blocks of a
    /// large page have one, this is the first, as ESE reports it.
    Correctable {
        /// Checksum block holding the bit (0 for small pages; 0..=3 for large pages).
        block: usize,
        /// Offset of the bad bit from the start of the page: byte `bit / 8`, bit `bit % 8`
        /// (least significant first).
        bit: u32,
    },
    /// The contents are intact but belong to another page number (a rule derived from the
    /// format, docs/format-page.md §6.6: ESE itself counts these as bad checksums).
    WrongPageNumber {
        /// The page number the contents were written for, when it can be derived: the stored
        /// pgno (old format), `xorComputed ^ xorStored ^ pgno` (new format), or `PGHDR2.pgno`.
        ///
        /// On a small page one flipped bit in the stored XOR half (bytes 0..4) cannot be told
        /// apart from a page number differing in that bit; it is reported here too (ESE's own
        /// "passes with pgno − 1" shadow-segment test has the same blind spot).
        found: Option<u32>,
    },
    /// The checksum does not match and cannot be corrected.
    BadChecksum {
        /// What the page should hold (`[u64@0]`, or the four block checksums of a large page
        /// with block 0 summed as stored).
        expected: BlockChecksums,
        /// What the page holds.
        stored: BlockChecksums,
    },
    /// The length is not a page size this module knows (see [`page_checksum`]).
    UnsupportedSize {
        /// The length given.
        len: usize,
    },
}

impl PageVerdict {
    /// True for [`PageVerdict::Ok`].
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok)
    }
}

/// Checks a database page (or a 4 KiB v8 log segment, with `pgno` = segment index) the way
/// ESE does on read, attempting single-bit correction (docs/format-page.md §6.2-§6.4, §6.6,
/// docs/format-log.md §7.2).
///
/// `pgno` is the page number the caller expects (for a database file, physical page index − 1).
/// Header and trailer pages use [`verify_header_page`] instead. The page is not modified.
///
/// The all-zero test runs only when the checksum fails: an all-zero page can never verify
/// (its flag is clear and `xor32_legacy` of zeros is the seed), so the verdict is the same and
/// the hot path reads each byte once.
#[doc(alias = "ChecksumAndPossiblyFixPage")]
pub fn verify_page(page: &[u8], pgno: u32) -> PageVerdict {
    let Some(layout) = Layout::of(page.len()) else {
        return PageVerdict::UnsupportedSize { len: page.len() };
    };
    let verdict = if flags(page) & NEW_CHECKSUM_FORMAT_FLAG == 0 {
        verify_legacy(page, pgno)
    } else {
        verify_ecc(page, pgno, layout)
    };
    if !verdict.is_ok() && is_all_zero(page) {
        return PageVerdict::Uninitialized;
    }
    verdict
}

/// Old format: u32@0 = `xor32_legacy(page)`, u32@4 = pgno (docs/format-page.md §6.2).
fn verify_legacy(page: &[u8], pgno: u32) -> PageVerdict {
    let expected = legacy_expected(page, pgno);
    let stored = read_u64_at(page, CHECKSUM_OFFSET);
    if stored == expected {
        PageVerdict::Ok
    } else if stored as u32 == expected as u32 {
        // XOR-32 right, page number @4 wrong.
        PageVerdict::WrongPageNumber { found: Some((stored >> 32) as u32) }
    } else {
        PageVerdict::BadChecksum { expected: BlockChecksums::one(expected), stored: BlockChecksums::one(stored) }
    }
}

/// New format, small or large page, with `TryFixPage`'s correction rules (docs/format-page.md §6.3-§6.4).
fn verify_ecc(page: &[u8], pgno: u32, layout: Layout) -> PageVerdict {
    let stored = stored_checksums(page, layout);
    let expected = if layout.large {
        BlockChecksums::four(large_page_checksums(page, pgno, layout, Block0::AsStored))
    } else {
        BlockChecksums::one(xe_checksum(page, pgno, true))
    };
    if expected == stored {
        if layout.large {
            let found = page.get(PGHDR2_PGNO_OFFSET..PGHDR2_PGNO_OFFSET + 4).map(LittleEndian::read_u32);
            if found != Some(pgno) {
                return PageVerdict::WrongPageNumber { found };
            }
        }
        return PageVerdict::Ok;
    }
    if let Some((block, bit)) = correction(page.len(), layout, &expected, &stored) {
        return PageVerdict::Correctable { block, bit };
    }
    if let Some(found) = misplaced_page(&expected, &stored, pgno) {
        return PageVerdict::WrongPageNumber { found: Some(found) };
    }
    PageVerdict::BadChecksum { expected, stored }
}

/// `TryFixPage`: every mismatching block must hold a correctable single-bit error; the first
/// one is reported. A correction inside `rgChecksum` (block 0, bytes 40..64) repairs the stored
/// checksum of a later block before that block is compared.
fn correction(len: usize, layout: Layout, expected: &BlockChecksums, stored: &BlockChecksums) -> Option<(usize, u32)> {
    let mut stored = *stored;
    let mut first: Option<(usize, u32)> = None;
    let mut covered = [false; 4];
    let blocks = std::iter::once((0usize, 0usize, layout.block)).chain(layout.tail_blocks(len));
    for (slot, offset, cb) in blocks {
        *covered.get_mut(slot)? = true;
        let want = *expected.values.get(slot)?;
        let have = *stored.values.get(slot)?;
        if want == have {
            continue;
        }
        let bit = ecc_correctable_bit(cb, have, want)?;
        if slot == 0 && bit == NEW_CHECKSUM_FORMAT_FLAG_BIT {
            return None;
        }
        let page_bit = u32::try_from(offset).ok()?.checked_mul(8)?.checked_add(bit)?;
        if first.is_none() {
            first = Some((slot, page_bit));
            if layout.large && slot == 0 && RG_CHECKSUM_BITS.contains(&bit) {
                // Bit k of rgChecksum is bit k % 64 of slot 1 + k / 64.
                let k = bit - RG_CHECKSUM_BITS.start;
                let s = 1 + (k / 64) as usize;
                if let Some(v) = stored.values.get_mut(s) {
                    *v ^= 1u64 << (k % 64);
                }
            }
        }
    }
    // Slots without a block (a 12/20/24 KiB page) must match as well.
    let unused_match = covered.iter().zip(stored.values.iter().zip(&expected.values)).all(|(&c, (s, e))| c || s == e);
    unused_match.then_some(())?;
    first
}

/// Derived rule (docs/format-page.md §6.4, §6.6): every block's ECC half matches and every XOR half differs
/// by the same value, so the contents are intact but were summed with another page number.
fn misplaced_page(expected: &BlockChecksums, stored: &BlockChecksums, pgno: u32) -> Option<u32> {
    let mut delta: Option<u32> = None;
    for (&e, &s) in expected.as_slice().iter().zip(stored.as_slice()) {
        if e == s && e == 0 {
            continue; // unused slot of a 3-block large page
        }
        let d = (e ^ s) as u32;
        if (e >> 32) != (s >> 32) || d == 0 || delta.is_some_and(|x| x != d) {
            return None;
        }
        delta = Some(d);
    }
    delta.map(|d| d ^ pgno)
}

/// Checks a database header copy or the backup patch (trailer) page: u32@0 must equal
/// `xor32_legacy(page)` (docs/format-page.md §6.1, §6.6). False for fewer than 4 bytes. An all-zero page
/// is not valid (check for it first if it should count as uninitialized).
pub fn verify_header_page(page: &[u8]) -> bool {
    page.get(0..4).is_some_and(|w| LittleEndian::read_u32(w) == xor32_legacy(page))
}

/// `dbtimeDirtied` (u64 @8): the dbtime of the page's last modification; `None` if the page is
/// shorter than 16 bytes. The `/k` scan reports the highest one (docs/format-page.md §6.6).
#[doc(alias = "dbtimeDirtied")]
pub fn page_dbtime(page: &[u8]) -> Option<u64> {
    page.get(DBTIME_OFFSET..DBTIME_OFFSET + 8).map(LittleEndian::read_u64)
}

/// `fFlags` (u32 @36), all bits kept; `None` if the page is shorter than 40 bytes.
#[doc(alias = "fFlags")]
pub fn page_flags(page: &[u8]) -> Option<u32> {
    page.get(FLAGS_OFFSET..FLAGS_OFFSET + 4).map(LittleEndian::read_u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// docs/format-page.md §6.2, written as literally as possible.
    fn xe_checksum_reference(block: &[u8], pgno: u32, is_header_block: bool) -> u64 {
        let n = block.len() / 4;
        let start = if is_header_block { 2 } else { 0 };
        let (mut col, mut p, mut q) = (0u32, 0u32, 0u32);
        for i in start..n {
            let w = u32::from_le_bytes(block[4 * i..4 * i + 4].try_into().unwrap());
            col ^= w;
            if w.count_ones() % 2 == 1 {
                p ^= i as u32;
                q ^= !(i as u32);
            }
        }
        let (mut r, mut s) = (0u32, 0u32);
        for c in 0..32u32 {
            if col & (1 << c) != 0 {
                r ^= c;
                s ^= !c;
            }
        }
        let m = (n as u32).wrapping_sub(1);
        let ecc = ((q & m) << 21) | ((s & 31) << 16) | ((p & m) << 5) | (r & 31);
        (u64::from(ecc) << 32) | u64::from(col ^ pgno)
    }

    /// docs/format-page.md §6.3 written as literally as possible, on top of [`xe_checksum_reference`]:
    /// `[block 0, block 1, block 2, block 3]`, block 0 summed as the writer stores it
    /// (`as_written`: a copy with blocks 1..3's values at 40/48/56) or as the page holds it.
    fn large_page_reference(page: &[u8], pgno: u32, as_written: bool) -> [u64; 4] {
        let block = if page.len() <= 16 * 1024 { 4096 } else { 8192 }; // CbBlockSize
        let mut out = [0u64; 4];
        let mut offset = block;
        let mut slot = 1;
        while offset < page.len() {
            let end = (offset + block).min(page.len()); // a 4 KiB remainder is its own block
            out[slot] = xe_checksum_reference(&page[offset..end], pgno, false);
            offset = end;
            slot += 1;
        }
        let mut block0 = page[..block].to_vec();
        if as_written {
            block0[40..48].copy_from_slice(&out[1].to_le_bytes());
            block0[48..56].copy_from_slice(&out[2].to_le_bytes());
            block0[56..64].copy_from_slice(&out[3].to_le_bytes());
        }
        out[0] = xe_checksum_reference(&block0, pgno, true);
        out
    }

    fn flip(page: &mut [u8], bit: u32) {
        page[bit as usize / 8] ^= 1 << (bit % 8);
    }

    /// docs/format-page.md §6.7 vector 1 buffer.
    fn vector1_buffer() -> Vec<u8> {
        let mut buf = vec![0u8; 8192];
        for (i, b) in buf.iter_mut().enumerate().take(4096) {
            *b = (i % 256) as u8;
        }
        buf
    }

    /// docs/format-page.md §6.7 vectors 3-5 pattern, flag set.
    fn large_pattern(len: usize) -> Vec<u8> {
        let mut buf: Vec<u8> = (0..len).map(|i| (i + i / 13) as u8).collect();
        let f = LittleEndian::read_u32(&buf[36..40]) | NEW_CHECKSUM_FORMAT_FLAG;
        LittleEndian::write_u32(&mut buf[36..40], f);
        buf
    }

    const PGNO_LARGE: u32 = 0x9876_5431;

    /// A page with some varied content and a valid new-format checksum.
    fn valid_page(len: usize, pgno: u32) -> Vec<u8> {
        let mut page: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
        LittleEndian::write_u32(&mut page[64..68], pgno);
        assert!(write_page_checksum(&mut page, pgno));
        page
    }

    #[test]
    fn vector_1_small_page_ecc() {
        let buf = vector1_buffer();
        assert_eq!(buf[37], 0x25, "flag 0x2000 already set by the pattern");
        let sums = page_checksum(&buf, 9876).unwrap();
        assert_eq!(sums.format, ChecksumFormat::Ecc);
        assert_eq!(sums.expected.as_slice(), &[0x0000_0000_0404_2290]);
        assert_eq!(xe_checksum(&buf, 9876, true), 0x0000_0000_0404_2290);
        assert_eq!(xe_checksum_reference(&buf, 9876, true), 0x0000_0000_0404_2290);
        let mut page = buf.clone();
        assert!(write_page_checksum(&mut page, 9876));
        assert_eq!(LittleEndian::read_u64(&page[0..8]), 0x0000_0000_0404_2290);
        assert_eq!(verify_page(&page, 9876), PageVerdict::Ok);
    }

    #[test]
    fn vector_2_legacy_xor() {
        let mut buf = vector1_buffer();
        LittleEndian::write_u32(&mut buf[0..4], 0x8912_3456);
        LittleEndian::write_u32(&mut buf[4..8], 0x1234_5678);
        assert_eq!(xor32_legacy(&buf), 0x9F9B_9F93);
        LittleEndian::write_u32(&mut buf[0..4], 0x9F9B_9F93);
        assert!(verify_header_page(&buf));
    }

    fn check_large_vector(len: usize, want: [u64; 4]) {
        let buf = large_pattern(len);
        let sums = page_checksum(&buf, PGNO_LARGE).unwrap();
        assert_eq!(sums.format, ChecksumFormat::Ecc);
        assert_eq!(sums.expected.as_slice(), &want, "page of {len} bytes");
        let mut page = buf.clone();
        assert!(write_page_checksum(&mut page, PGNO_LARGE));
        assert_eq!(page_checksum(&page, PGNO_LARGE).unwrap().stored.as_slice(), &want);
        // PGHDR2.pgno of the pattern is not 0x98765431, so only the @64 rule fails.
        assert_eq!(
            verify_page(&page, PGNO_LARGE),
            PageVerdict::WrongPageNumber { found: Some(LittleEndian::read_u32(&page[64..68])) }
        );
        LittleEndian::write_u32(&mut page[64..68], PGNO_LARGE);
        assert!(write_page_checksum(&mut page, PGNO_LARGE));
        assert_eq!(verify_page(&page, PGNO_LARGE), PageVerdict::Ok);
    }

    #[test]
    fn vector_3_large_32k() {
        check_large_vector(
            32768,
            [0xF9CE_0631_47B6_B865, 0x69AF_69AF_CDD5_90E4, 0x7709_88F6_2EA1_A9E2, 0x7CB7_7CB7_7B83_9A0E],
        );
    }

    #[test]
    fn vector_4_large_16k() {
        check_large_vector(
            16384,
            [0x7B80_7B80_651E_03FC, 0x7C34_7C34_BC66_A14B, 0x6C7E_6C7E_CB3A_6C94, 0x05D1_05D1_9E99_A841],
        );
    }

    #[test]
    fn vector_5_dehydrated_28k() {
        check_large_vector(
            28672,
            [0xF9D8_0627_E9C2_387E, 0x69AF_69AF_CDD5_90E4, 0x7709_88F6_2EA1_A9E2, 0x1F31_1F31_B671_7993],
        );
    }

    /// The source's extra test (`KnownPageUnitTest`): one flipped bit in each block of the
    /// 32 KiB page is correctable and the block-0 bit is reported first; fixing them one by one
    /// reports the next.
    #[test]
    fn large_page_four_flips_correctable_block0_first() {
        let mut page = large_pattern(32768);
        assert!(write_page_checksum(&mut page, PGNO_LARGE));
        LittleEndian::write_u32(&mut page[64..68], PGNO_LARGE);
        assert!(write_page_checksum(&mut page, PGNO_LARGE));
        let flips = [8 * 40 + 1, 8 * 8192 + 2, 8 * 16384 + 3, 8 * 24576 + 4];
        for &b in &flips {
            flip(&mut page, b);
        }
        for (i, &b) in flips.iter().enumerate() {
            assert_eq!(verify_page(&page, PGNO_LARGE), PageVerdict::Correctable { block: i, bit: b });
            flip(&mut page, b);
        }
        assert_eq!(verify_page(&page, PGNO_LARGE), PageVerdict::Ok);
    }

    #[test]
    fn every_bit_of_small_and_large_pages() {
        // Like ESE's ExtensiveKnownPageUnitTest: every single-bit flip is correctable except
        // the stored checksum @0..8 and the format flag; sample bits to keep the test quick.
        for len in [4096usize, 8192, 12288, 16384, 20480, 28672, 32768] {
            let page = valid_page(len, 777);
            assert_eq!(verify_page(&page, 777), PageVerdict::Ok, "{len}");
            let layout = Layout::of(len).unwrap();
            let mut bits: Vec<u32> = (0..1024).collect(); // the whole header area of block 0
            bits.extend((1024..(len as u32 * 8)).step_by(97));
            for slot in 1..4 {
                let start = (slot * layout.block * 8) as u32;
                bits.extend(start..(start + 80).min(len as u32 * 8));
            }
            for bit in bits {
                let mut p = page.clone();
                flip(&mut p, bit);
                let v = verify_page(&p, 777);
                if bit < 64 || bit == NEW_CHECKSUM_FORMAT_FLAG_BIT {
                    assert!(!matches!(v, PageVerdict::Correctable { .. }), "{len} {bit}: {v:?}");
                } else {
                    let block = (bit as usize / 8) / layout.block;
                    let block = if layout.large { block } else { 0 };
                    assert_eq!(v, PageVerdict::Correctable { block, bit }, "{len} {bit}");
                }
            }
        }
    }

    #[test]
    fn small_ecc_page_single_bit_is_correctable() {
        let page = valid_page(8192, 42);
        for bit in [64u32, 100, 129, 3097, 8 * 8192 - 1] {
            let mut p = page.clone();
            flip(&mut p, bit);
            assert_eq!(verify_page(&p, 42), PageVerdict::Correctable { block: 0, bit });
        }
        // The format flag itself: the page then reads as old format and fails.
        let mut p = page.clone();
        flip(&mut p, NEW_CHECKSUM_FORMAT_FLAG_BIT);
        assert!(matches!(verify_page(&p, 42), PageVerdict::BadChecksum { .. }));
        // A bit of the stored ECC half is not correctable either.
        let mut p = page.clone();
        flip(&mut p, 32);
        assert!(matches!(verify_page(&p, 42), PageVerdict::BadChecksum { .. }));
        // A flipped bit in the stored XOR half looks exactly like a page number that differs
        // in that bit (ECC halves equal); the derived rule reports it as such.
        let mut p = page.clone();
        flip(&mut p, 0);
        assert_eq!(verify_page(&p, 42), PageVerdict::WrongPageNumber { found: Some(43) });
    }

    #[test]
    fn flag_bit_is_never_the_corrected_bit() {
        // A stored ECC that points at the flag bit (as if it had flipped without clearing the
        // flag) must not be reported as correctable.
        let mut p = valid_page(8192, 5);
        let good = LittleEndian::read_u64(&p[0..8]);
        let bit = NEW_CHECKSUM_FORMAT_FLAG_BIT; // word 9, bit 13
        let d_low = bit; // (p << 5) | r
        let d_high = !bit & 0xFFFF;
        let tampered = good ^ (u64::from((d_high << 16) | d_low) << 32) ^ (1 << 13);
        LittleEndian::write_u64(&mut p[0..8], tampered);
        assert_eq!(ecc_correctable_bit(8192, tampered, good), Some(bit));
        assert!(matches!(verify_page(&p, 5), PageVerdict::BadChecksum { .. }));
    }

    #[test]
    fn several_changed_bytes_are_a_bad_checksum() {
        for len in [4096usize, 8192, 32768] {
            let mut p = valid_page(len, 1);
            p[365 * 4] ^= 0x0D;
            p[365 * 4 + 1] ^= 0xF0;
            p[len - 3] ^= 0x81;
            let v = verify_page(&p, 1);
            assert!(matches!(v, PageVerdict::BadChecksum { .. }), "{len}: {v:?}");
            if let PageVerdict::BadChecksum { expected, stored } = v {
                assert_ne!(expected, stored);
                assert_eq!(stored.len(), if len > 8192 { 4 } else { 1 });
            }
        }
    }

    #[test]
    fn ecc_page_read_at_wrong_pgno() {
        for len in [4096usize, 8192, 16384, 28672, 32768] {
            let p = valid_page(len, 1234);
            assert_eq!(verify_page(&p, 1235), PageVerdict::WrongPageNumber { found: Some(1234) }, "{len}");
        }
    }

    #[test]
    fn large_page_with_wrong_pghdr2_pgno() {
        let mut p = valid_page(16384, 10);
        LittleEndian::write_u32(&mut p[64..68], 11);
        assert!(write_page_checksum(&mut p, 10));
        assert_eq!(verify_page(&p, 10), PageVerdict::WrongPageNumber { found: Some(11) });
    }

    #[test]
    fn all_zero_page_is_uninitialized() {
        for len in [2048usize, 4096, 8192, 16384, 32768] {
            assert_eq!(verify_page(&vec![0u8; len], 3), PageVerdict::Uninitialized);
        }
    }

    fn legacy_page(len: usize, pgno: u32) -> Vec<u8> {
        let mut p: Vec<u8> = (0..len).map(|i| (i * 13 + 5) as u8).collect();
        let f = LittleEndian::read_u32(&p[36..40]) & !NEW_CHECKSUM_FORMAT_FLAG;
        LittleEndian::write_u32(&mut p[36..40], f);
        LittleEndian::write_u32(&mut p[4..8], pgno);
        let x = xor32_legacy(&p);
        LittleEndian::write_u32(&mut p[0..4], x);
        p
    }

    #[test]
    fn legacy_page_verification() {
        let p = legacy_page(4096, 77);
        assert_eq!(verify_page(&p, 77), PageVerdict::Ok);
        let sums = page_checksum(&p, 77).unwrap();
        assert_eq!(sums.format, ChecksumFormat::Legacy);
        assert!(sums.matches());
        assert_eq!(verify_page(&p, 78), PageVerdict::WrongPageNumber { found: Some(77) });
        let mut bad = p.clone();
        bad[1000] ^= 4;
        assert!(matches!(verify_page(&bad, 77), PageVerdict::BadChecksum { .. }));
        // Header pages use the XOR only; word 1 is not a page number there.
        assert!(verify_header_page(&p));
        assert!(!verify_header_page(&bad));
    }

    #[test]
    fn short_and_odd_inputs_do_not_panic() {
        let full = valid_page(8192, 9);
        for len in [0usize, 1, 3, 4, 7, 8, 39, 40, 63, 64, 1023, 4095, 8191, 8193, 32767, 32769] {
            let p = &full.iter().cycle().take(len).copied().collect::<Vec<u8>>();
            let _ = verify_page(p, 9);
            let _ = verify_header_page(p);
            let _ = page_dbtime(p);
            let _ = page_flags(p);
            let _ = page_checksum(p, 9);
            let _ = xe_checksum(p, 9, true);
        }
        assert_eq!(verify_page(&full[..8191], 9), PageVerdict::UnsupportedSize { len: 8191 });
        assert_eq!(verify_page(&[], 9), PageVerdict::UnsupportedSize { len: 0 });
        assert!(!verify_header_page(&[1, 2, 3]));
        assert_eq!(page_dbtime(&full[..15]), None);
        assert_eq!(page_dbtime(&full[..16]), Some(LittleEndian::read_u64(&full[8..16])));
        assert_eq!(page_flags(&full[..39]), None);
        let mut short = vec![0u8; 8191];
        assert!(!write_page_checksum(&mut short, 1));
        assert!(short.iter().all(|&b| b == 0));
    }

    #[test]
    fn fast_path_matches_reference_on_edge_patterns() {
        for len in [64usize, 1024, 2048, 4096, 8192] {
            for fill in [0x00u8, 0xFF, 0x01, 0x80] {
                let block = vec![fill; len];
                for hdr in [false, true] {
                    assert_eq!(xe_checksum(&block, 0xDEAD_BEEF, hdr), xe_checksum_reference(&block, 0xDEAD_BEEF, hdr));
                }
            }
        }
        // Lengths outside the fast path use the slow path; both agree with the reference.
        let odd: Vec<u8> = (0..100u8).collect();
        assert_eq!(xe_checksum(&odd, 1, true), xe_checksum_reference(&odd, 1, true));
        assert_eq!(xe_checksum(&[], 1, false), xe_checksum_reference(&[], 1, false));
    }

    #[test]
    fn verdict_serializes_with_a_tag() {
        let v = PageVerdict::Correctable { block: 1, bit: 65538 };
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"verdict":"correctable","block":1,"bit":65538}"#);
        let v = PageVerdict::BadChecksum { expected: BlockChecksums::one(1), stored: BlockChecksums::one(2) };
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"verdict":"bad_checksum","expected":[1],"stored":[2]}"#);
    }

    proptest! {
        #[test]
        fn xe_checksum_matches_reference(
            size_log in 10u32..=13,
            seed in proptest::collection::vec(any::<u8>(), 64),
            mult in any::<u64>(),
            pgno in any::<u32>(),
            hdr in any::<bool>(),
        ) {
            let len = 1usize << size_log;
            // Random-looking but cheap: seed bytes mixed with a multiplicative hash.
            let block: Vec<u8> = (0..len)
                .map(|i| seed[i % 64] ^ ((i as u64).wrapping_mul(mult | 1) >> 29) as u8)
                .collect();
            prop_assert_eq!(
                xe_checksum(&block, pgno, hdr),
                xe_checksum_reference(&block, pgno, hdr)
            );
        }

        #[test]
        fn xe_checksum_matches_reference_on_random_bytes(
            block in prop_oneof![
                proptest::collection::vec(any::<u8>(), 1024),
                proptest::collection::vec(any::<u8>(), 2048),
                proptest::collection::vec(any::<u8>(), 4096),
                proptest::collection::vec(any::<u8>(), 8192),
            ],
            pgno in any::<u32>(),
            hdr in any::<bool>(),
        ) {
            prop_assert_eq!(
                xe_checksum(&block, pgno, hdr),
                xe_checksum_reference(&block, pgno, hdr)
            );
        }

        /// The one-pass large-page sums (both views) against §6.3 as written, on random pages.
        #[test]
        fn large_page_checksums_match_reference(
            page in prop_oneof![
                proptest::collection::vec(any::<u8>(), 16384),
                proptest::collection::vec(any::<u8>(), 28672),
                proptest::collection::vec(any::<u8>(), 32768),
            ],
            pgno in any::<u32>(),
        ) {
            let mut page = page;
            page[37] |= 0x20; // fFlags @36: fPageNewChecksumFormat
            let written = large_page_reference(&page, pgno, true);
            let sums = page_checksum(&page, pgno).unwrap();
            prop_assert_eq!(sums.expected.as_slice(), &written[..]);
            // Random stored values: verification reports the sums of the page as stored.
            let as_stored = large_page_reference(&page, pgno, false);
            match verify_page(&page, pgno) {
                PageVerdict::BadChecksum { expected, .. } => prop_assert_eq!(expected.as_slice(), &as_stored[..]),
                other => prop_assert!(false, "random page verified as {:?}", other),
            }
            // Stored as the reference writes them (and PGHDR2.pgno set), the page verifies.
            LittleEndian::write_u32(&mut page[64..68], pgno);
            let written = large_page_reference(&page, pgno, true);
            for (at, v) in [0usize, 40, 48, 56].into_iter().zip(written) {
                LittleEndian::write_u64(&mut page[at..at + 8], v);
            }
            prop_assert_eq!(verify_page(&page, pgno), PageVerdict::Ok);
            prop_assert_eq!(large_page_reference(&page, pgno, false), written);
        }

        #[test]
        fn all_zero_test_matches_bytewise(
            len in 0usize..200,
            at in any::<prop::sample::Index>(),
            value in 1u8..,
        ) {
            let mut page = vec![0u8; len];
            prop_assert!(is_all_zero(&page));
            if len > 0 {
                page[at.index(len)] = value;
                prop_assert!(!is_all_zero(&page));
            }
        }

        #[test]
        fn verify_page_never_panics(
            page in proptest::collection::vec(any::<u8>(), 0..40000),
            pgno in any::<u32>(),
        ) {
            let _ = verify_page(&page, pgno);
            let _ = page_checksum(&page, pgno);
        }

        #[test]
        fn verify_page_never_panics_on_page_sizes(
            size in prop_oneof![Just(4096usize), Just(8192), Just(12288), Just(16384),
                                Just(20480), Just(28672), Just(32768)],
            bytes in proptest::collection::vec(any::<u8>(), 128),
            flag in any::<bool>(),
            pgno in any::<u32>(),
        ) {
            let mut page: Vec<u8> = bytes.iter().cycle().take(size).copied().collect();
            if flag {
                page[37] |= 0x20;
            }
            let _ = verify_page(&page, pgno);
        }

        #[test]
        fn any_single_flip_of_a_valid_page_is_caught(
            size in prop_oneof![Just(4096usize), Just(8192), Just(16384), Just(28672), Just(32768)],
            pgno in any::<u32>(),
            bit_frac in 0.0f64..1.0,
        ) {
            let mut page = valid_page(size, pgno);
            let bit = ((size * 8) as f64 * bit_frac) as u32;
            flip(&mut page, bit);
            prop_assert!(!verify_page(&page, pgno).is_ok());
        }
    }

    /// `cargo test --release -p esehdr-format --lib large_page_report -- --ignored --nocapture`
    ///
    /// Per-byte speed of the large-page checksum beside the 8 KiB path and a plain u64 sum, each
    /// over its own 256 KiB of valid pages (in L2), measured in interleaved rounds so that other
    /// load on the machine hits all of them alike; the best round of each is printed.
    #[test]
    #[ignore]
    fn large_page_report() {
        use std::hint::black_box;
        use std::time::Instant;
        const POOL: usize = 256 * 1024;
        const PER_ROUND: usize = 64 * 1024 * 1024;
        let pool =
            |len: usize| -> Vec<Vec<u8>> { (0..(POOL / len) as u32).map(|k| valid_page(len, 1000 + k)).collect() };
        let (p8, p16, p32) = (pool(8192), pool(16384), pool(32768));
        let zero: Vec<Vec<u8>> = (0..8).map(|_| vec![0u8; 32768]).collect();
        let verify = |pages: &[Vec<u8>]| {
            let mut ok = 0usize;
            for i in 0..PER_ROUND / pages[0].len() {
                let k = i % pages.len();
                ok += verify_page(black_box(&pages[k]), 1000 + k as u32).is_ok() as usize;
            }
            assert_eq!(ok, PER_ROUND / pages[0].len());
        };
        let writer = |pages: &[Vec<u8>]| {
            let mut acc = 0u64;
            for i in 0..PER_ROUND / pages[0].len() {
                let k = i % pages.len();
                acc ^= page_checksum(black_box(&pages[k]), 1000 + k as u32).unwrap().expected.as_slice()[0];
            }
            black_box(acc);
        };
        let uninit = |pages: &[Vec<u8>]| {
            for i in 0..PER_ROUND / 32768 {
                assert_eq!(verify_page(black_box(&pages[i % pages.len()]), 5), PageVerdict::Uninitialized);
            }
        };
        let sum = |pages: &[Vec<u8>]| {
            let mut acc = 0u64;
            for i in 0..PER_ROUND / pages[0].len() {
                acc = black_box(&pages[i % pages.len()])
                    .chunks_exact(8)
                    .fold(acc, |a, w| a.wrapping_add(u64::from_le_bytes(w.try_into().unwrap())));
            }
            black_box(acc);
        };
        type Case<'a> = (&'a str, Box<dyn Fn() + 'a>);
        let cases: Vec<Case> = vec![
            ("verify_page 8 KiB ECC", Box::new(|| verify(&p8))),
            ("verify_page 16 KiB (4 x 4 KiB blocks)", Box::new(|| verify(&p16))),
            ("verify_page 32 KiB (4 x 8 KiB blocks)", Box::new(|| verify(&p32))),
            ("page_checksum 8 KiB", Box::new(|| writer(&p8))),
            ("page_checksum 16 KiB", Box::new(|| writer(&p16))),
            ("page_checksum 32 KiB", Box::new(|| writer(&p32))),
            ("verify_page 32 KiB uninitialized", Box::new(|| uninit(&zero))),
            ("plain u64 sum, 32 KiB pages", Box::new(|| sum(&p32))),
        ];
        let mut best = vec![0.0f64; cases.len()];
        for _ in 0..15 {
            for (b, (_, run)) in best.iter_mut().zip(&cases) {
                let t = Instant::now();
                run();
                *b = b.max(PER_ROUND as f64 / t.elapsed().as_secs_f64() / 1e9);
            }
        }
        for ((name, _), b) in cases.iter().zip(&best) {
            println!("{name:40} {b:6.2} GB/s  {:.2}x the 8 KiB path", b / best[0]);
        }
    }

    /// `cargo test --release -p esehdr-format --lib large_page_dram_report -- --ignored --nocapture`
    ///
    /// The same comparison over 64 MiB of pages per case (twice the L3 cache: read from DRAM),
    /// one thread, interleaved rounds, best of each.
    #[test]
    #[ignore]
    fn large_page_dram_report() {
        use std::hint::black_box;
        use std::time::Instant;
        const IMAGE: usize = 64 * 1024 * 1024;
        let image = |len: usize| -> Vec<u8> {
            let template = valid_page(len, 0);
            let mut buf = Vec::with_capacity(IMAGE);
            for k in 0..(IMAGE / len) as u32 {
                let mut p = template.clone();
                p[100] = k as u8;
                LittleEndian::write_u32(&mut p[64..68], k);
                assert!(write_page_checksum(&mut p, k));
                buf.extend_from_slice(&p);
            }
            buf
        };
        let (i8, i32) = (image(8192), image(32768));
        let verify = |buf: &[u8], len: usize| {
            let ok =
                buf.chunks_exact(len).enumerate().filter(|(k, p)| verify_page(black_box(p), *k as u32).is_ok()).count();
            assert_eq!(ok, IMAGE / len);
        };
        let sum = |buf: &[u8]| {
            black_box(buf.chunks_exact(8).fold(0u64, |a, w| a.wrapping_add(u64::from_le_bytes(w.try_into().unwrap()))));
        };
        type Case<'a> = (&'a str, Box<dyn Fn() + 'a>);
        let cases: Vec<Case> = vec![
            ("verify_page 8 KiB ECC, 64 MiB", Box::new(|| verify(&i8, 8192))),
            ("verify_page 32 KiB, 64 MiB", Box::new(|| verify(&i32, 32768))),
            ("plain u64 sum, 64 MiB", Box::new(|| sum(&i32))),
        ];
        let mut best = vec![0.0f64; cases.len()];
        for _ in 0..15 {
            for (b, (_, run)) in best.iter_mut().zip(&cases) {
                let t = Instant::now();
                run();
                *b = b.max(IMAGE as f64 / t.elapsed().as_secs_f64() / 1e9);
            }
        }
        for ((name, _), b) in cases.iter().zip(&best) {
            println!("{name:40} {b:6.2} GB/s  {:.2}x the 8 KiB path", b / best[0]);
        }
    }

    /// `cargo test --release -p esehdr-format --lib throughput_report -- --ignored --nocapture`
    ///
    /// Cycles through 64 distinct valid pages (so nothing can be hoisted out of the loop), about
    /// 1 GiB per figure, best of three runs.
    #[test]
    #[ignore]
    fn throughput_report() {
        use std::hint::black_box;
        use std::time::Instant;
        const TOTAL: usize = 1 << 30;
        fn best_gbps(mut run: impl FnMut() -> usize) -> f64 {
            (0..3)
                .map(|_| {
                    let t = Instant::now();
                    let bytes = run();
                    bytes as f64 / t.elapsed().as_secs_f64() / 1e9
                })
                .fold(0.0, f64::max)
        }
        let pool = |len: usize| -> Vec<Vec<u8>> {
            (0..64u32)
                .map(|k| {
                    let mut p = valid_page(len, 0);
                    p[100] = k as u8;
                    assert!(write_page_checksum(&mut p, 1000 + k));
                    p
                })
                .collect()
        };

        let small = pool(8192);
        let g = best_gbps(|| {
            let mut acc = 0u64;
            for i in 0..TOTAL / 8192 {
                acc ^= xe_checksum(black_box(&small[i % 64]), 7, true);
            }
            black_box(acc);
            TOTAL
        });
        println!("xe_checksum, 8 KiB blocks:          {g:6.2} GB/s");

        let g = best_gbps(|| {
            let mut ok = 0usize;
            for i in 0..TOTAL / 8192 {
                ok += verify_page(black_box(&small[i % 64]), 1000 + (i % 64) as u32).is_ok() as usize;
            }
            assert_eq!(ok, TOTAL / 8192);
            TOTAL
        });
        println!("verify_page, 8 KiB ECC pages:       {g:6.2} GB/s");

        let large = pool(32768);
        let g = best_gbps(|| {
            let mut ok = 0usize;
            for i in 0..TOTAL / 32768 {
                let v = verify_page(black_box(&large[i % 64]), 1000 + (i % 64) as u32);
                ok += matches!(v, PageVerdict::Ok | PageVerdict::WrongPageNumber { .. }) as usize;
            }
            assert_eq!(ok, TOTAL / 32768);
            TOTAL
        });
        println!("verify_page, 32 KiB pages:          {g:6.2} GB/s");

        let g = best_gbps(|| {
            let mut acc = 0u64;
            for i in 0..TOTAL / 8192 / 16 {
                acc ^= xe_checksum_reference(black_box(&small[i % 64]), 7, true);
            }
            black_box(acc);
            TOTAL / 16
        });
        println!("xe_checksum_reference, 8 KiB:       {g:6.2} GB/s");
    }
}
