//! Verifying the contents of a log file: the legacy `LRCHECKSUM` chain (v7) and the per-segment
//! `LGSEGHDR` checksums (v8).
//!
//! Sources: docs/format-log.md §7.1 (legacy), §7.2 (segments), docs/format-page.md §6.2/§6.4 (the segment checksum
//! is the small-page ECC checksum, shared with page verification in [`crate::page`]).

use byteorder::{ByteOrder, LittleEndian};
use serde::Serialize;

use crate::log::header::LgFileHeader;
use crate::primitives::Lgpos;
use crate::sniff::is_log_extend_pattern;

/// `lrtypChecksum`.
const LRTYP_CHECKSUM: u8 = 42;
/// Size of an `LRCHECKSUM` record.
pub(crate) const LRCHECKSUM_SIZE: usize = 22;
/// Seed of the range checksum.
const SEED_RANGE: u32 = 0xFEED_BEAF;
/// Seed of the short (one-sector) checksum.
const SEED_SHORT: u32 = 0xDEAD_C0DE;
/// XORed into the range checksum of a shadow sector's record.
const SHADOW_XOR: u32 = 0x5AD0_5EC7;
/// `bShortChecksumOn` / `bShortChecksumOff`.
const SHORT_ON: u8 = 0x9A;
const SHORT_OFF: u8 = 0xD1;
/// `LOG_SEGMENT_SIZE`.
pub const SEGMENT_SIZE: usize = 4096;
/// `sizeof(LGSEGHDR)`: the header at the start of every v8 data segment.
pub const SEGMENT_HEADER_SIZE: usize = 40;

/// `LGSEGHDR`: the 40 bytes at the start of every v8 data segment (docs/format-log.md §7.2,
/// docs/log-records.md §1.3 rule 2).
#[doc(alias = "LGSEGHDR")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SegmentHeader {
    /// `checksum` @0: the segment's XE checksum (u64).
    pub checksum: u64,
    /// `le_lgposSegment` @8: `(generation, isec, 0)` of the segment when it was written.
    pub lgpos: Lgpos,
    /// `logtimeSegmentStart` @16.
    pub start_time: crate::primitives::LogTime,
    /// `fFlags` @36.
    pub flags: u32,
}

impl SegmentHeader {
    /// Reads the header at the start of `segment`, `None` when fewer than 40 bytes are there.
    pub fn read(segment: &[u8]) -> Option<Self> {
        let h = segment.get(..SEGMENT_HEADER_SIZE)?;
        Some(Self {
            checksum: LittleEndian::read_u64(h.get(0..8)?),           // @0  checksum
            lgpos: Lgpos::from_bytes(h.get(8..16)?.try_into().ok()?), // @8  le_lgposSegment
            start_time: crate::primitives::LogTime::from_bytes(h.get(16..24)?.try_into().ok()?), // @16 logtimeSegmentStart
            flags: LittleEndian::read_u32(h.get(36..40)?), // @36 fFlags (@24: 12 reserved bytes)
        })
    }
}

/// A problem found inside a log file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentProblem {
    /// `damaged` (the engine stops with -501), `torn_write` (the last flush was torn; the engine
    /// patches it), `corrected_bit` (a single-bit error the ECC corrects).
    pub code: &'static str,
    /// What, where.
    pub message: String,
}

/// A bit the ECC can correct: segment and bit offset inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CorrectedBit {
    /// Segment (`isec`) of the bit.
    pub segment: u32,
    /// Bit offset inside the segment (byte = bit / 8, bit = bit % 8, LSB first).
    pub bit: u32,
}

/// The verdict on a log file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentVerdict {
    /// The data is usable to its end (possibly after a patchable torn write or corrected bits).
    pub ok: bool,
    /// The last valid log position ("Last Lgpos").
    pub last_lgpos: Lgpos,
    /// XOR of the stored checksums of the good segments (v8; 0 for v7), which the next log's
    /// `checksumPrevLogAllSegments` must equal.
    pub accumulated_checksum: u64,
    /// The stored checksum of the last good segment (v8), for logs written by 8.4000.*.12,
    /// which kept only that one.
    pub last_segment_checksum: u64,
    /// Single-bit errors the ECC corrects (v8).
    pub corrected_bits: Vec<CorrectedBit>,
    /// What was found, in file order.
    pub problems: Vec<ContentProblem>,
}

impl ContentVerdict {
    fn new(generation: i32) -> Self {
        Self {
            ok: true,
            last_lgpos: Lgpos { generation, isec: 0, ib: 0 },
            accumulated_checksum: 0,
            last_segment_checksum: 0,
            corrected_bits: Vec::new(),
            problems: Vec::new(),
        }
    }

    fn damaged(&mut self, message: String) {
        self.ok = false;
        self.problems.push(ContentProblem { code: "damaged", message });
    }
}

/// Verifies a whole log file (`file` is all of it) whose header is `h`.
pub fn verify_log_content(file: &[u8], h: &LgFileHeader) -> ContentVerdict {
    if h.is_segment_format() {
        verify_segments(file, h)
    } else {
        verify_legacy(file, h)
    }
}

/// Position of byte `offset` of the file in generation `generation`, with `cb_sec`-byte sectors.
pub(crate) fn lgpos_at(offset: usize, cb_sec: usize, generation: i32) -> Lgpos {
    let cb_sec = cb_sec.max(1);
    Lgpos {
        generation,
        isec: u16::try_from(offset / cb_sec).unwrap_or(u16::MAX),
        ib: u16::try_from(offset % cb_sec).unwrap_or(u16::MAX),
    }
}

/// `LGChecksum::UlChecksumBytes`: bytes XORed into lanes `k mod 4` (k counted from the start of
/// the range), i.e. the range read as little-endian u32 words, the last one zero-padded.
fn bytes_xor(range: &[u8], seed: u32) -> u32 {
    let mut words = range.chunks_exact(4);
    let mut acc = words.by_ref().fold(seed, |acc, w| acc ^ LittleEndian::read_u32(w));
    let tail = words.remainder();
    if !tail.is_empty() {
        let mut last = [0u8; 4];
        last.iter_mut().zip(tail).for_each(|(d, s)| *d = *s);
        acc ^= u32::from_le_bytes(last);
    }
    acc
}

/// One `LRCHECKSUM` record (docs/format-log.md §7.1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lrck {
    pub(crate) lrtyp: u8,
    pub(crate) cb_backwards: u32,
    pub(crate) cb_forwards: u32,
    pub(crate) cb_next: u32,
    pub(crate) checksum: u32,
    pub(crate) short_checksum: u32,
    pub(crate) use_short: u8,
}

pub(crate) fn read_lrck(file: &[u8], p: usize) -> Option<Lrck> {
    let r = file.get(p..p.checked_add(LRCHECKSUM_SIZE)?)?;
    Some(Lrck {
        lrtyp: *r.first()?,                                     // @+0  lrtyp
        cb_backwards: LittleEndian::read_u32(r.get(1..5)?),     // @+1  le_cbBackwards
        cb_forwards: LittleEndian::read_u32(r.get(5..9)?),      // @+5  le_cbForwards
        cb_next: LittleEndian::read_u32(r.get(9..13)?),         // @+9  le_cbNext
        checksum: LittleEndian::read_u32(r.get(13..17)?),       // @+13 le_ulChecksum
        short_checksum: LittleEndian::read_u32(r.get(17..21)?), // @+17 le_ulShortChecksum
        use_short: *r.get(21)?,                                 // @+21 bUseShortChecksum
    })
}

/// The range checksum of the record at `p` (seed `seed`), or `None` if the range leaves the file.
fn range_checksum(file: &[u8], p: usize, r: &Lrck, generation: i32, seed: u32, forward_end: usize) -> Option<u32> {
    let back = file.get(p.checked_sub(r.cb_backwards as usize)?..p)?;
    let fwd = file.get(p.checked_add(LRCHECKSUM_SIZE)?..forward_end)?;
    let c = bytes_xor(fwd, bytes_xor(back, seed));
    Some(c ^ r.cb_backwards ^ r.cb_forwards ^ r.cb_next ^ u32::from(r.use_short) ^ generation as u32)
}

/// Why the record at `p` is not valid (`FValidLRCKRecord`), or `None` when it is.
fn lrck_invalid(file: &[u8], p: usize, cb_sec: usize, generation: i32, shadow: bool) -> Option<String> {
    let Some(r) = read_lrck(file, p) else {
        return Some("the LRCHECKSUM record runs past the end of the file".into());
    };
    let ib = p % cb_sec;
    if r.lrtyp != LRTYP_CHECKSUM {
        return Some(format!("lrtyp should be 42 (LRCHECKSUM), but it is {}", r.lrtyp));
    }
    if r.cb_backwards as usize > cb_sec.saturating_sub(LRCHECKSUM_SIZE)
        || !(r.cb_backwards == 0 || r.cb_backwards as usize == ib)
    {
        return Some(format!("le_cbBackwards should be 0 or {ib}, but it is {}", r.cb_backwards));
    }
    let forward_end = match p.checked_add(LRCHECKSUM_SIZE).and_then(|x| x.checked_add(r.cb_forwards as usize)) {
        Some(end) if end <= file.len() => end,
        _ => return Some(format!("le_cbForwards {} runs past the end of the file", r.cb_forwards)),
    };
    let multi_sector = ib + LRCHECKSUM_SIZE + r.cb_forwards as usize > cb_sec;
    match r.use_short {
        SHORT_ON => {
            if !multi_sector && !shadow {
                return Some("a short checksum is set on a single-sector flush".into());
            }
            let sector_end = (p / cb_sec + 1) * cb_sec;
            let short = range_checksum(file, p, &r, generation, SEED_SHORT, sector_end.min(file.len()));
            if short != Some(r.short_checksum) {
                return Some(format!(
                    "le_ulShortChecksum should be {:#010x}, but it is {:#010x}",
                    short.unwrap_or_default(),
                    r.short_checksum
                ));
            }
        }
        SHORT_OFF => {
            if r.short_checksum != 0 {
                return Some("le_ulShortChecksum should be 0 with the short checksum off".into());
            }
            if multi_sector {
                return Some("a multi-sector flush has no short checksum".into());
            }
        }
        other => return Some(format!("bUseShortChecksum should be 0x9a or 0xd1, but it is {other:#04x}")),
    }
    if multi_sector && forward_end % cb_sec != 0 {
        return Some("a multi-sector flush does not end on a sector boundary".into());
    }
    let expected = range_checksum(file, p, &r, generation, SEED_RANGE, forward_end).unwrap_or_default()
        ^ if shadow { SHADOW_XOR } else { 0 };
    if expected != r.checksum {
        return Some(format!("le_ulChecksum should be {expected:#010x}, but it is {:#010x}", r.checksum));
    }
    if r.cb_next != 0 {
        let range = r.cb_backwards as usize + LRCHECKSUM_SIZE + r.cb_forwards as usize;
        let next = p.saturating_add(LRCHECKSUM_SIZE).saturating_add(r.cb_next as usize);
        if range < cb_sec || range % cb_sec != 0 || next / cb_sec != p / cb_sec + range / cb_sec {
            return Some(format!("le_cbNext {} does not lead to the sector after the covered range", r.cb_next));
        }
    }
    None
}

/// Legacy logs (major 7): walk the `LRCHECKSUM` chain from (isec = csecHeader, ib = 0).
fn verify_legacy(file: &[u8], h: &LgFileHeader) -> ContentVerdict {
    let gen = h.generation;
    let cb_sec = usize::from(h.sector_size).max(512);
    let mut v = ContentVerdict::new(gen);
    let mut p = usize::from(h.header_sectors) * cb_sec;
    v.last_lgpos = lgpos_at(p, cb_sec, gen);
    loop {
        let at = lgpos_at(p, cb_sec, gen);
        match lrck_invalid(file, p, cb_sec, gen, false) {
            None => {
                let Some(r) = read_lrck(file, p) else {
                    return v;
                };
                if r.cb_next == 0 {
                    v.last_lgpos = lgpos_at(p + LRCHECKSUM_SIZE + r.cb_forwards as usize, cb_sec, gen);
                    return v;
                }
                v.last_lgpos = lgpos_at(p + LRCHECKSUM_SIZE + r.cb_forwards as usize, cb_sec, gen);
                p = p.saturating_add(LRCHECKSUM_SIZE).saturating_add(r.cb_next as usize);
            }
            Some(why) => {
                // A single-sector last flush is protected by a shadow copy in the next sector.
                let shadow = p.saturating_add(cb_sec);
                if lrck_invalid(file, shadow, cb_sec, gen, true).is_none() {
                    let r = read_lrck(file, shadow);
                    if r.is_some_and(|r| r.cb_next == 0) {
                        v.problems.push(ContentProblem {
                            code: "torn_write",
                            message: format!(
                                "the last flush at {} was torn; its shadow sector is intact ({why})",
                                at.eseutil()
                            ),
                        });
                        let end = r.map_or(shadow, |r| shadow + LRCHECKSUM_SIZE + r.cb_forwards as usize);
                        v.last_lgpos = lgpos_at(end - cb_sec, cb_sec, gen);
                        return v;
                    }
                }
                // A torn last write: nothing but the log-extend pattern from this sector on.
                let sector_start = p / cb_sec * cb_sec;
                if file.get(sector_start..).is_some_and(|rest| rest.is_empty() || is_log_extend_pattern_aligned(rest)) {
                    v.problems.push(ContentProblem {
                        code: "torn_write",
                        message: format!(
                            "the last flush at {} was torn: only the log-extend pattern follows",
                            at.eseutil()
                        ),
                    });
                    return v;
                }
                v.damaged(format!("LRCHECKSUM at {} (file offset {p:#x}): {why}", at.eseutil()));
                return v;
            }
        }
    }
}

/// The pattern test aligned to a 512-byte unit start.
fn is_log_extend_pattern_aligned(rest: &[u8]) -> bool {
    is_log_extend_pattern(rest)
}

/// Segment logs (major 8): every 4 KiB segment after the header carries an `LGSEGHDR`.
fn verify_segments(file: &[u8], h: &LgFileHeader) -> ContentVerdict {
    let gen = h.generation;
    let mut v = ContentVerdict::new(gen);
    let first = usize::from(h.header_sectors).max(1);
    let count = file.len() / SEGMENT_SIZE;
    v.last_lgpos = lgpos_at(first * SEGMENT_SIZE, SEGMENT_SIZE, gen);
    // Logs from 8.4000.2 on are zero-filled: an all-zero segment is an unused one.
    let zero_filled = (h.version.major, h.version.minor, h.version.update_major) >= (8, 4000, 2);
    let mut seen_empty = false;
    // The last segment is not scanned (docs/format-log.md §7.2).
    for isec in first..count.saturating_sub(1) {
        let Some(seg) = file.get(isec * SEGMENT_SIZE..(isec + 1) * SEGMENT_SIZE) else {
            break;
        };
        let pgno = isec as u32;
        let here = Lgpos { generation: gen, isec: u16::try_from(isec).unwrap_or(u16::MAX), ib: 0 };
        let Some(SegmentHeader { checksum: stored, lgpos: seg_lgpos, .. }) = SegmentHeader::read(seg) else {
            break;
        };
        let verdict = crate::page::verify_page(seg, pgno);
        use crate::page::PageVerdict as P;
        let good = match verdict {
            P::Ok => true,
            P::Correctable { bit, .. } => {
                v.corrected_bits.push(CorrectedBit { segment: pgno, bit });
                v.problems.push(ContentProblem {
                    code: "corrected_bit",
                    message: format!(
                        "segment {isec:#x}: single-bit error at bit {bit} (byte {:#x}), corrected by the ECC",
                        bit / 8
                    ),
                });
                true
            }
            P::WrongPageNumber { found: Some(f) } if f.wrapping_add(1) == pgno => {
                // A shadow copy of the previous segment: counts as empty.
                seen_empty = true;
                continue;
            }
            P::Uninitialized if zero_filled => {
                seen_empty = true;
                continue;
            }
            _ => false,
        };
        if good {
            if seg_lgpos == here {
                if seen_empty {
                    v.damaged(format!("segment {isec:#x} is valid but follows an empty segment"));
                    return v;
                }
                v.accumulated_checksum ^= stored;
                v.last_segment_checksum = stored;
                v.last_lgpos = lgpos_at((isec + 1) * SEGMENT_SIZE, SEGMENT_SIZE, gen);
            } else if seg_lgpos < here {
                seen_empty = true; // stale: left from an earlier use of the file
            } else {
                v.damaged(format!(
                    "segment {isec:#x}: le_lgposSegment should be {} or earlier, but it is {}",
                    here.eseutil(),
                    seg_lgpos.eseutil()
                ));
                return v;
            }
            continue;
        }
        if seen_empty {
            v.damaged(format!("segment {isec:#x} fails its checksum after the end of the data"));
            return v;
        }
        // A torn write of the last segment is patchable when the next segment is its shadow.
        let next = file.get((isec + 1) * SEGMENT_SIZE..(isec + 2) * SEGMENT_SIZE);
        let next_is_shadow = next.is_some_and(|n| {
            crate::page::verify_page(n, pgno) == P::Ok && SegmentHeader::read(n).is_some_and(|h| h.lgpos == here)
        });
        if next_is_shadow {
            v.problems.push(ContentProblem {
                code: "torn_write",
                message: format!("segment {isec:#x} was torn; the next segment holds its intact shadow copy"),
            });
            seen_empty = true;
            continue;
        }
        v.damaged(format!("segment {isec:#x} (file offset {:#x}) fails its checksum", isec * SEGMENT_SIZE));
        return v;
    }
    v
}
