//! Framing: walking the records of a whole log file held in memory, v7 and v8.
//!
//! Sources: docs/log-records.md §1.2 (v7: a contiguous stream framed by `LRCHECKSUM`
//! records, NOP runs, the "no backward range" jump, the end of valid data), §1.3 (v8: 4 KiB
//! segments with a 40-byte `LGSEGHDR`, NOP fill, NOP2, fragments, the LGPOS convention), §8
//! (confirmed on the corpus). The end of valid data is the `Last Lgpos` of the content check
//! ([`crate::log::content`]); this module does not decide it a second time.
//!
//! Two conventions to know:
//! * a v8 log whose valid data hold no segment (every segment zero or stale) yields no record;
//!   eseutil's reader returns one synthetic NOP for it (docs/log-records.md §8 item 3), which a dump
//!   that wants eseutil's output adds itself;
//! * a v8 segment the content check accepts with a single-bit error it can correct
//!   ([`ContentVerdict::corrected_bits`]) is walked as stored, uncorrected (none in the corpus).
//!
//! The walker is a *lending* iterator: [`RecordWalker::next_record`] returns records that
//! borrow either the log buffer or, for a reassembled fragmented record, the one buffer the
//! walker owns. Nothing is allocated per record; the fragment buffer grows at most to the size
//! of the largest fragmented record, which is checked against the bytes of the log first.

use byteorder::{ByteOrder, LittleEndian};
use serde::Serialize;

use crate::log::content::{
    lgpos_at, read_lrck, verify_log_content, ContentVerdict, LRCHECKSUM_SIZE, SEGMENT_HEADER_SIZE, SEGMENT_SIZE,
};
use crate::log::header::LgFileHeader;
use crate::log::records::error::{RecordError, RecordErrorKind};
use crate::log::records::types::{record_size, LrType, SizeError};
use crate::primitives::Lgpos;

/// One record as the framing layer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawRecord<'r> {
    /// LGPOS as eseutil reports it (v7: the record's own position; v8: the byte after the
    /// previous record, before a segment header or NOP fill is skipped; a reassembled record:
    /// its `FragmentBegin`'s).
    pub lgpos: Lgpos,
    /// Absolute file offset of the first byte (of the `FragmentBegin` when fragmented).
    pub offset: u64,
    /// The type byte.
    pub lrtyp: LrType,
    /// The whole record, `lrtyp` byte first (`CbLGSizeOfRec` bytes).
    pub bytes: &'r [u8],
    /// Reassembled from fragments (v8).
    pub fragmented: bool,
}

impl RawRecord<'_> {
    /// `CbLGSizeOfRec`: the record's size in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }
}

/// Why a walk stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The valid data fill the file up to its last data sector or segment.
    End,
    /// The valid data end before the file does; what follows is unused (zero fill, stale or
    /// shadow segments, the log-extend pattern).
    ZeroFill,
    /// The content check found damage right after the valid data (a bad `LRCHECKSUM` range or
    /// segment checksum): the engine stops there with -501.
    Checksum,
    /// The last flush was torn and the content check found its intact shadow (the engine patches
    /// the log); the valid data end before the torn part.
    TornWrite,
    /// The valid data end in the middle of a fragmented record (a crash while it was written):
    /// the partial record is dropped, as the engine does.
    TornFragment,
    /// The file is shorter than its header declares.
    Truncation,
    /// A record could not be read ([`Stop::error`] says which and why).
    Corrupt,
}

/// How every byte of the valid data was used (`data = records + segment headers + fragment
/// headers + fill + skipped`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Accounting {
    /// Bytes from the first record position to where the walk stopped.
    pub data: u64,
    /// Records returned.
    pub records: u64,
    /// Sum of their sizes.
    pub record_bytes: u64,
    /// v8 `LGSEGHDR`s (40 bytes each).
    pub segment_headers: u64,
    /// v8 fragment headers (7 per `FragmentBegin`, 3 per `Fragment`).
    pub fragment_headers: u64,
    /// v8 NOP fill (0x00 bytes to a segment's end).
    pub fill: u64,
    /// Bytes the engine does not read: v7 bytes before an `LRCHECKSUM` without a backward range,
    /// the pieces of a torn fragmented record.
    pub skipped: u64,
}

impl Accounting {
    /// Every byte of the data is accounted for (holds for every walk that did not end with a
    /// [`RecordError`]).
    pub fn balanced(&self) -> bool {
        self.record_bytes + self.segment_headers + self.fragment_headers + self.fill + self.skipped == self.data
    }
}

/// Where and why a walk ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stop {
    /// Why.
    pub reason: StopReason,
    /// Where reading stopped: the end of the valid data (the content check's `Last Lgpos`) after
    /// a complete walk, the bad record's LGPOS after an error.
    pub position: Lgpos,
    /// The end of the valid data (the content check's `Last Lgpos`).
    pub data_end: Lgpos,
    /// LGPOS of the last good record, if any.
    pub last_record: Option<Lgpos>,
    /// The position right after the last good record (where the next one would begin).
    pub last_good_end: Lgpos,
    /// The record that ended the walk, for [`StopReason::Corrupt`].
    pub error: Option<RecordError>,
}

/// A fragment chain being reassembled.
#[derive(Debug, Clone, Copy)]
struct Chain {
    total: usize,
    lgpos: Lgpos,
    offset: usize,
}

/// Walks the records of one log file. See the module documentation.
#[derive(Debug)]
pub struct RecordWalker<'a> {
    file: &'a [u8],
    generation: i32,
    cb_sec: usize,
    segmented: bool,
    start: usize,
    end: usize,
    /// The end of the last data sector or segment the file can hold (the last one is a shadow).
    usable_end: usize,
    /// Next byte to read.
    pos: usize,
    /// v8: the reader's `m_pbNext` (end of the previous record): the next record's LGPOS.
    next_lgpos: usize,
    /// v7: file offset of the next `LRCHECKSUM` of the chain.
    next_checksum: Option<usize>,
    /// v7: that checksum has no backward range (rule 7).
    next_no_backward_range: bool,
    /// v7: a record that starts at `pos` and ends at or before this offset needs no look at the
    /// checksum chain: the end of the data, or the next `LRCHECKSUM` (the start of its sector
    /// when it has no backward range), whichever comes first. 0 turns the shortcut off (v8, a
    /// stopped walk).
    fast_end: usize,
    chain: Option<Chain>,
    frag: Vec<u8>,
    acct: Accounting,
    last_record: Option<Lgpos>,
    last_good_end: usize,
    /// Why the data end where they do (when the walk reaches that end).
    end_reason: StopReason,
    stop: Option<Stop>,
}

impl<'a> RecordWalker<'a> {
    /// A walker over `file` (the whole log): decodes the header and runs the content check
    /// ([`verify_log_content`]) to find the end of the valid data.
    pub fn new(file: &'a [u8]) -> crate::Result<Self> {
        let header = LgFileHeader::decode(file)?;
        let verdict = verify_log_content(file, &header);
        Ok(Self::with_verdict(file, &header, &verdict))
    }

    /// A walker over `file` whose header and content verdict the caller already has.
    pub fn with_verdict(file: &'a [u8], header: &LgFileHeader, verdict: &ContentVerdict) -> Self {
        let segmented = header.is_segment_format();
        let cb_sec = if segmented { SEGMENT_SIZE } else { usize::from(header.sector_size).max(512) };
        let start = usize::from(header.header_sectors).max(1).saturating_mul(cb_sec);
        let data_end = usize::from(verdict.last_lgpos.isec)
            .saturating_mul(cb_sec)
            .saturating_add(usize::from(verdict.last_lgpos.ib))
            .min(file.len());
        let end = data_end.max(start.min(file.len()));
        let declared = usize::from(header.file_sectors).saturating_mul(usize::from(header.sector_size));
        let usable_end = usize::from(header.file_sectors).saturating_sub(1).saturating_mul(cb_sec);
        let end_reason = if verdict.problems.iter().any(|p| p.code == "damaged") {
            StopReason::Checksum
        } else if verdict.problems.iter().any(|p| p.code == "torn_write") {
            StopReason::TornWrite
        } else if file.len() < declared {
            StopReason::Truncation
        } else if end >= usable_end {
            StopReason::End
        } else {
            StopReason::ZeroFill
        };
        Self {
            file,
            generation: header.generation,
            cb_sec,
            segmented,
            start,
            end,
            usable_end: usable_end.min(file.len()),
            pos: start,
            next_lgpos: start,
            next_checksum: Some(start),
            next_no_backward_range: false,
            // The first record must be the chain's first LRCHECKSUM: no shortcut before it.
            fast_end: if segmented { 0 } else { start.min(end) },
            chain: None,
            frag: Vec::new(),
            acct: Accounting::default(),
            last_record: None,
            last_good_end: start,
            end_reason,
            stop: None,
        }
    }

    /// Where and why the walk ended; `None` while records remain.
    pub fn stop(&self) -> Option<&Stop> {
        self.stop.as_ref()
    }

    /// How the bytes read so far were used.
    pub fn accounting(&self) -> Accounting {
        self.acct
    }

    /// The log is in the segment format (v8).
    pub fn is_segmented(&self) -> bool {
        self.segmented
    }

    #[inline]
    fn lgpos(&self, offset: usize) -> Lgpos {
        // Sector sizes are powers of two (512..4096): shifts instead of a division per record.
        if self.cb_sec.is_power_of_two() {
            let shift = self.cb_sec.trailing_zeros();
            return Lgpos {
                generation: self.generation,
                isec: u16::try_from(offset >> shift).unwrap_or(u16::MAX),
                ib: (offset & (self.cb_sec - 1)) as u16,
            };
        }
        lgpos_at(offset, self.cb_sec, self.generation)
    }

    /// The next record, or the error that ends the walk, or `None` when it has ended.
    #[inline]
    pub fn next_record(&mut self) -> Option<Result<RawRecord<'_>, RecordError>> {
        if let Some(rec) = self.next_legacy_plain() {
            return Some(Ok(rec));
        }
        self.next_record_framed()
    }

    /// v7, the common case: a record that lies wholly before `fast_end`, so that
    /// the checksum chain has nothing to say about it (it is not the next `LRCHECKSUM`, does
    /// not overlap it and does not reach into a sector that a checksum without a backward range
    /// leaves untrusted). Most v7 records are sized by one table lookup
    /// ([`LrType::fixed_record_size`]: NOP, Begin, Commit, ...). Anything else (the checksum
    /// itself, a record near the end of data or the next checksum, a record that cannot be
    /// sized) gives `None` and goes the full way (`step_legacy`), which returns
    /// the same record or the error.
    #[inline]
    fn next_legacy_plain(&mut self) -> Option<RawRecord<'a>> {
        let pos = self.pos;
        let rest = self.file.get(pos..self.fast_end)?;
        let lrtyp = LrType(*rest.first()?);
        let size = match lrtyp.fixed_record_size() {
            Some(n) => n,
            None => usize::try_from(record_size(rest).ok()?).ok()?,
        };
        // `record_size` reads only the fixed part, which `rest` holds when it answers: the
        // same size as for the bytes up to the end of the data. A size of 0 (no rule) or one
        // running past `fast_end` goes the full way.
        let bytes = rest.get(..size).filter(|b| !b.is_empty())?;
        let lgpos = self.lgpos(pos);
        self.pos = pos + size;
        self.acct.records += 1;
        self.acct.record_bytes += size as u64;
        self.last_record = Some(lgpos);
        self.last_good_end = self.pos;
        Some(RawRecord { lgpos, offset: pos as u64, lrtyp, bytes, fragmented: false })
    }

    /// [`RecordWalker::next_record`] for everything `next_legacy_plain` leaves.
    #[inline(never)]
    fn next_record_framed(&mut self) -> Option<Result<RawRecord<'_>, RecordError>> {
        if self.stop.is_some() {
            return None;
        }
        let step = if self.segmented { self.step_segments() } else { self.step_legacy() };
        match step {
            Step::Done => {
                let reason = if self.chain.take().is_some() {
                    // The pieces read of the unfinished record are dropped, as the engine does.
                    self.acct.skipped += self.frag.len() as u64;
                    StopReason::TornFragment
                } else {
                    self.end_reason
                };
                self.finish(reason, self.end, None);
                None
            }
            Step::Fail(e) => {
                let at = e.offset as usize;
                self.finish(StopReason::Corrupt, at, Some(e.clone()));
                Some(Err(e))
            }
            Step::Record { lgpos, offset, len, fragmented } => {
                self.acct.records += 1;
                self.acct.record_bytes += len as u64;
                self.last_record = Some(lgpos);
                self.last_good_end = self.pos;
                let bytes: &[u8] = if fragmented {
                    &self.frag
                } else {
                    self.file.get(offset..offset.saturating_add(len)).unwrap_or_default()
                };
                let lrtyp = LrType(bytes.first().copied().unwrap_or_default());
                Some(Ok(RawRecord { lgpos, offset: offset as u64, lrtyp, bytes, fragmented }))
            }
        }
    }

    fn finish(&mut self, reason: StopReason, at: usize, error: Option<RecordError>) {
        self.fast_end = 0;
        self.acct.data = (at.max(self.start) - self.start) as u64;
        self.stop = Some(Stop {
            reason,
            position: error.as_ref().map_or_else(|| self.lgpos(at), |e| e.lgpos),
            data_end: self.lgpos(self.end),
            last_record: self.last_record,
            last_good_end: if self.segmented { self.lgpos(self.next_lgpos) } else { self.lgpos(self.last_good_end) },
            error,
        });
    }

    fn error(
        &self,
        lgpos: Lgpos,
        offset: usize,
        lrtyp: Option<u8>,
        field: &'static str,
        kind: RecordErrorKind,
    ) -> Step {
        Step::Fail(RecordError { lgpos, offset: offset as u64, lrtyp: lrtyp.map(LrType), field, kind })
    }

    /// Sizes the record at `pos` against `limit` (end of data or of the segment).
    fn size_at(&self, pos: usize, limit: usize, lgpos: Lgpos) -> Result<usize, Step> {
        let avail = self.file.get(pos..limit).unwrap_or_default();
        let t = avail.first().copied();
        // Most records have their type's fixed size: one table lookup, the same answer as
        // `record_size` (which also explains a record that does not fit).
        if let Some(n) = t.and_then(|t| LrType(t).fixed_record_size()).filter(|&n| n <= avail.len()) {
            return Ok(n);
        }
        let left = avail.len() as u64;
        match record_size(avail) {
            Ok(0) => Err(self.error(lgpos, pos, t, "lrtyp", RecordErrorKind::NoSizeRule)),
            Ok(n) if n > left => Err(self.error(
                lgpos,
                pos,
                t,
                "record length fields",
                RecordErrorKind::RunsPast { needed: n, available: left },
            )),
            // n <= left <= usize::MAX
            Ok(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            Err(SizeError::TypeOutOfRange) => Err(self.error(lgpos, pos, t, "lrtyp", RecordErrorKind::TypeOutOfRange)),
            Err(SizeError::NoSizeRule) => Err(self.error(lgpos, pos, t, "lrtyp", RecordErrorKind::NoSizeRule)),
            Err(SizeError::FixedPartShort { needed, available }) => Err(self.error(
                lgpos,
                pos,
                t,
                "fixed part (CbLGFixedSizeOfRec)",
                RecordErrorKind::RunsPast { needed: needed as u64, available: available as u64 },
            )),
        }
    }

    /// v7 (docs/log-records.md §1.2).
    fn step_legacy(&mut self) -> Step {
        loop {
            let pos = self.pos;
            if pos >= self.end {
                return Step::Done;
            }
            let lgpos = self.lgpos(pos);
            let size = match self.size_at(pos, self.end, lgpos) {
                Ok(n) => n,
                Err(step) => return step,
            };
            let t = self.file.get(pos).copied();
            if let Some(ck) = self.next_checksum {
                if pos == ck {
                    if t != Some(LrType::CHECKSUM.0) {
                        return self.error(lgpos, pos, t, "lrtyp", RecordErrorKind::ChecksumExpected);
                    }
                    self.next_checksum = read_lrck(self.file, pos)
                        .filter(|r| r.cb_next != 0)
                        .and_then(|r| pos.checked_add(LRCHECKSUM_SIZE)?.checked_add(r.cb_next as usize));
                    // Rule 7: a checksum without a backward range, not at its sector start,
                    // vouches for nothing before it in its sector.
                    self.next_no_backward_range = self.next_checksum.is_some_and(|ck| {
                        ck % self.cb_sec != 0 && read_lrck(self.file, ck).is_some_and(|r| r.cb_backwards == 0)
                    });
                    self.fast_end = match self.next_checksum {
                        Some(ck) if self.next_no_backward_range => ck / self.cb_sec * self.cb_sec,
                        Some(ck) => ck,
                        None => self.end,
                    }
                    .min(self.end);
                } else if pos < ck {
                    // A record reaching into that untrusted part is dropped: resume at the checksum.
                    let sector_start = ck / self.cb_sec * self.cb_sec;
                    if self.next_no_backward_range && pos + size > sector_start {
                        self.acct.skipped += (ck - pos) as u64;
                        self.pos = ck;
                        continue;
                    }
                    if pos + size > ck {
                        return self.error(
                            lgpos,
                            pos,
                            t,
                            "record length fields",
                            RecordErrorKind::OverlapsChecksum { checksum: ck as u64 },
                        );
                    }
                }
            }
            self.pos = pos + size;
            return Step::Record { lgpos, offset: pos, len: size, fragmented: false };
        }
    }

    /// v8 (docs/log-records.md §1.3).
    fn step_segments(&mut self) -> Step {
        loop {
            let pos = self.pos;
            if pos >= self.end {
                return Step::Done;
            }
            let seg_start = pos / SEGMENT_SIZE * SEGMENT_SIZE;
            let seg_end = (seg_start + SEGMENT_SIZE).min(self.end);
            if pos == seg_start {
                // Entering a segment: skip its LGSEGHDR.
                let hdr_end = (pos + SEGMENT_HEADER_SIZE).min(seg_end);
                self.acct.segment_headers += (hdr_end - pos) as u64;
                self.pos = hdr_end;
                continue;
            }
            let seg = self.file.get(pos..seg_end).unwrap_or_default();
            let Some(&t) = seg.first() else {
                self.pos = seg_end;
                continue;
            };
            let left = seg.len();
            let first_in_segment = pos == seg_start + SEGMENT_HEADER_SIZE;
            match t {
                0 => {
                    // NOP fill: skipped silently (never returned in v8).
                    let run = seg.iter().position(|&b| b != 0).unwrap_or(left);
                    self.acct.fill += run as u64;
                    self.pos = pos + run;
                }
                76 => {
                    // LRFRAGMENTBEGIN: @1 u32 le_cbTotalLRSize, @5 u16 le_cbFragmentSize, @7 data.
                    let lgpos = self.lgpos(self.next_lgpos);
                    if left < 7 {
                        let kind = RecordErrorKind::RunsPast { needed: 7, available: left as u64 };
                        return self.error(lgpos, pos, Some(t), "LRFRAGMENTBEGIN fixed part", kind);
                    }
                    let total = LittleEndian::read_u32(seg.get(1..5).unwrap_or(&[0; 4])) as usize;
                    let piece = usize::from(LittleEndian::read_u16(seg.get(5..7).unwrap_or(&[0; 2])));
                    if self.chain.is_some() {
                        let undo_info = seg.get(7) == Some(&LrType::UNDO_INFO.0);
                        if !(first_in_segment && undo_info) {
                            return self.error(lgpos, pos, Some(t), "lrtyp", RecordErrorKind::FragmentBeginInChain);
                        }
                        // A torn chain before a crash: the engine drops it.
                        self.acct.skipped += self.frag.len() as u64;
                        self.chain = None;
                    }
                    if piece > left - 7 {
                        let kind = RecordErrorKind::FragmentTooLong { limit: (left - 7) as u64, found: piece as u64 };
                        return self.error(lgpos, pos, Some(t), "le_cbFragmentSize", kind);
                    }
                    if piece >= total {
                        let kind = RecordErrorKind::FragmentTooLong {
                            limit: (total as u64).saturating_sub(1),
                            found: piece as u64,
                        };
                        return self.error(lgpos, pos, Some(t), "le_cbFragmentSize", kind);
                    }
                    // A record never continues in the next file: the whole of it must fit in the
                    // rest of this one. At a torn tail it may run past the valid data, so the
                    // buffer is sized by the valid data, and only pieces actually read fill it.
                    let room = self.usable_end.saturating_sub(pos);
                    if total > room {
                        let kind = RecordErrorKind::RunsPast { needed: total as u64, available: room as u64 };
                        return self.error(lgpos, pos, Some(t), "le_cbTotalLRSize", kind);
                    }
                    self.frag.clear();
                    self.frag.reserve(total.min(self.end - pos));
                    self.frag.extend_from_slice(seg.get(7..7 + piece).unwrap_or_default());
                    self.chain = Some(Chain { total, lgpos, offset: pos });
                    self.acct.fragment_headers += 7;
                    self.pos = pos + 7 + piece;
                    self.next_lgpos = self.pos;
                }
                77 => {
                    // LRFRAGMENT: @1 u16 le_cbFragmentSize, @3 data.
                    let lgpos = self.lgpos(self.next_lgpos);
                    let Some(chain) = self.chain else {
                        return self.error(lgpos, pos, Some(t), "lrtyp", RecordErrorKind::FragmentOutsideChain);
                    };
                    if left < 3 {
                        let kind = RecordErrorKind::RunsPast { needed: 3, available: left as u64 };
                        return self.error(lgpos, pos, Some(t), "LRFRAGMENT fixed part", kind);
                    }
                    let piece = usize::from(LittleEndian::read_u16(seg.get(1..3).unwrap_or(&[0; 2])));
                    let want = chain.total - self.frag.len();
                    if piece > left - 3 || piece > want {
                        let kind =
                            RecordErrorKind::FragmentTooLong { limit: want.min(left - 3) as u64, found: piece as u64 };
                        return self.error(lgpos, pos, Some(t), "le_cbFragmentSize", kind);
                    }
                    self.frag.extend_from_slice(seg.get(3..3 + piece).unwrap_or_default());
                    self.acct.fragment_headers += 3;
                    self.pos = pos + 3 + piece;
                    self.next_lgpos = self.pos;
                    if self.frag.len() == chain.total {
                        self.chain = None;
                        let at = chain.lgpos;
                        let first = self.frag.first().copied();
                        let size = match record_size(&self.frag) {
                            Ok(n) => n,
                            Err(SizeError::TypeOutOfRange) => {
                                return self.error(at, chain.offset, first, "lrtyp", RecordErrorKind::TypeOutOfRange)
                            }
                            Err(SizeError::NoSizeRule) => {
                                return self.error(at, chain.offset, first, "lrtyp", RecordErrorKind::NoSizeRule)
                            }
                            Err(SizeError::FixedPartShort { needed, .. }) => needed as u64,
                        };
                        if size != chain.total as u64 {
                            let kind = RecordErrorKind::FragmentSizeMismatch { total: chain.total as u64, size };
                            return self.error(at, chain.offset, first, "le_cbTotalLRSize", kind);
                        }
                        return Step::Record { lgpos: at, offset: chain.offset, len: chain.total, fragmented: true };
                    }
                }
                _ => {
                    let lgpos = self.lgpos(self.next_lgpos);
                    if self.chain.is_some() {
                        let may_interrupt = first_in_segment
                            && matches!(LrType(t), LrType::RECOVERY_UNDO | LrType::RECOVERY_UNDO2 | LrType::UNDO_INFO);
                        if !may_interrupt {
                            return self.error(lgpos, pos, Some(t), "lrtyp", RecordErrorKind::ChainInterrupted);
                        }
                        self.acct.skipped += self.frag.len() as u64;
                        self.chain = None;
                    }
                    let size = match self.size_at(pos, seg_end, lgpos) {
                        Ok(n) => n,
                        Err(step) => return step,
                    };
                    self.pos = pos + size;
                    self.next_lgpos = self.pos;
                    return Step::Record { lgpos, offset: pos, len: size, fragmented: false };
                }
            }
        }
    }
}

/// One step of the walk.
#[derive(Debug)]
enum Step {
    Record { lgpos: Lgpos, offset: usize, len: usize, fragmented: bool },
    Fail(RecordError),
    Done,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::content::ContentVerdict;

    const GEN: i32 = 0x2A;

    /// A log header: generation 0x2A, `major` 7 (512-byte sectors, 8 header sectors) or 8.
    fn header(major: u32, file_sectors: u16) -> LgFileHeader {
        let mut h = vec![0u8; 4096];
        let (cb_sec, csec_header): (u16, u16) = if major >= 8 { (4096, 1) } else { (512, 8) };
        h[4..8].copy_from_slice(&GEN.to_le_bytes()); // le_lGeneration
        h[8..10].copy_from_slice(&cb_sec.to_le_bytes()); // le_cbSec
        h[10..12].copy_from_slice(&csec_header.to_le_bytes()); // le_csecHeader
        h[12..14].copy_from_slice(&file_sectors.to_le_bytes()); // le_csecLGFile
        h[0x20..0x24].copy_from_slice(&major.to_le_bytes()); // le_ulMajor
        LgFileHeader::decode(&h).unwrap()
    }

    fn verdict(last: Lgpos) -> ContentVerdict {
        ContentVerdict {
            ok: true,
            last_lgpos: last,
            accumulated_checksum: 0,
            last_segment_checksum: 0,
            corrected_bits: Vec::new(),
            problems: Vec::new(),
        }
    }

    fn at(isec: u16, ib: u16) -> Lgpos {
        Lgpos { generation: GEN, isec, ib }
    }

    /// A v8 log whose data segments hold `payloads` (each after its 40-byte LGSEGHDR, zero
    /// padded), plus one unused segment; the valid data end after the last payload.
    fn v8(payloads: &[Vec<u8>]) -> (Vec<u8>, LgFileHeader, ContentVerdict) {
        let n = payloads.len();
        let mut file = vec![0u8; (n + 3) * SEGMENT_SIZE];
        for (i, p) in payloads.iter().enumerate() {
            assert!(p.len() <= SEGMENT_SIZE - SEGMENT_HEADER_SIZE);
            let s = (i + 1) * SEGMENT_SIZE;
            file[s + 8..s + 16].copy_from_slice(&[0, 0, (i + 1) as u8, 0, GEN as u8, 0, 0, 0]);
            file[s + 40..s + 40 + p.len()].copy_from_slice(p);
        }
        let h = header(8, (n + 3) as u16);
        (file, h, verdict(at(n as u16 + 1, 0)))
    }

    fn commit0(procid: u16) -> Vec<u8> {
        let mut r = vec![9u8];
        r.extend_from_slice(&procid.to_le_bytes());
        r.push(0);
        r.extend_from_slice(&0x1234u32.to_le_bytes());
        r
    }

    fn nop2(len: usize) -> Vec<u8> {
        let mut r = vec![71u8];
        r.extend_from_slice(&((len - 5) as u32).to_le_bytes());
        r.resize(len, 0);
        r
    }

    /// An Insert record (50-byte fixed part) carrying `data` bytes of a counting pattern.
    fn insert(data: usize) -> Vec<u8> {
        let mut r = vec![0u8; 50];
        r[0] = 29;
        r[48..50].copy_from_slice(&(data as u16).to_le_bytes()); // cbData
        r.extend((0..data).map(|i| (i % 251) as u8));
        r
    }

    fn frag_begin(total: usize, piece: &[u8]) -> Vec<u8> {
        let mut r = vec![76u8];
        r.extend_from_slice(&(total as u32).to_le_bytes());
        r.extend_from_slice(&(piece.len() as u16).to_le_bytes());
        r.extend_from_slice(piece);
        r
    }

    fn frag(piece: &[u8]) -> Vec<u8> {
        let mut r = vec![77u8];
        r.extend_from_slice(&(piece.len() as u16).to_le_bytes());
        r.extend_from_slice(piece);
        r
    }

    /// Walks to the end: (lgpos, offset, type, bytes) of each record, and the last error.
    type Walked = (Vec<(Lgpos, u64, u8, Vec<u8>)>, Option<RecordError>, Stop, Accounting);

    fn walk(file: &[u8], h: &LgFileHeader, v: &ContentVerdict) -> Walked {
        let mut w = RecordWalker::with_verdict(file, h, v);
        let mut out = Vec::new();
        let mut err = None;
        let mut guard = 0;
        while let Some(r) = w.next_record() {
            guard += 1;
            assert!(guard <= file.len(), "the walk does not end");
            match r {
                Ok(r) => out.push((r.lgpos, r.offset, r.lrtyp.0, r.bytes.to_vec())),
                Err(e) => err = Some(e),
            }
        }
        assert!(w.next_record().is_none(), "a stopped walker stays stopped");
        let stop = w.stop().cloned().unwrap();
        let acct = w.accounting();
        (out, err, stop, acct)
    }

    const PAYLOAD: usize = SEGMENT_SIZE - SEGMENT_HEADER_SIZE; // 4056

    #[test]
    fn record_ending_exactly_at_a_segment_end_puts_the_next_at_ib_0() {
        let seg1 = [commit0(1), nop2(PAYLOAD - 8)].concat();
        let (file, h, v) = v8(&[seg1, commit0(2)]);
        let (recs, err, stop, acct) = walk(&file, &h, &v);
        assert!(err.is_none());
        let lg: Vec<_> = recs.iter().map(|r| (r.0, r.1, r.2)).collect();
        assert_eq!(lg, vec![(at(1, 0), 0x1028, 9), (at(1, 0x30), 0x1030, 71), (at(2, 0), 0x2028, 9)]);
        assert_eq!(recs[1].3.len(), PAYLOAD - 8, "NOP2 is returned with its size");
        assert_eq!(stop.position, at(3, 0));
        assert_eq!(stop.last_record, Some(at(2, 0)));
        assert_eq!(stop.last_good_end, at(2, 0x30));
        assert_eq!(stop.reason, StopReason::ZeroFill);
        assert!(acct.balanced(), "{acct:?}");
        assert_eq!(acct.fill, PAYLOAD as u64 - 8);
    }

    #[test]
    fn zero_fill_is_skipped_and_the_next_lgpos_is_the_start_of_the_run() {
        let (file, h, v) = v8(&[commit0(1), commit0(2)]);
        let (recs, err, stop, acct) = walk(&file, &h, &v);
        assert!(err.is_none());
        assert_eq!(recs.iter().map(|r| r.0).collect::<Vec<_>>(), vec![at(1, 0), at(1, 0x30)]);
        assert_eq!(recs[1].1, 0x2028);
        assert_eq!(acct.fill, 2 * (PAYLOAD as u64 - 8));
        assert_eq!(acct.segment_headers, 80);
        assert!(acct.balanced());
        assert_eq!(stop.position, at(3, 0));
    }

    #[test]
    fn fragments_across_three_segments_are_reassembled_at_the_fragment_begin_lgpos() {
        let big = insert(9000 - 50);
        let first = PAYLOAD - 8 - 7;
        let second = PAYLOAD - 3;
        let seg1 = [commit0(1), frag_begin(big.len(), &big[..first])].concat();
        let seg2 = frag(&big[first..first + second]);
        let seg3 = [frag(&big[first + second..]), commit0(3)].concat();
        let (file, h, v) = v8(&[seg1, seg2, seg3]);
        let mut w = RecordWalker::with_verdict(&file, &h, &v);
        let _ = w.next_record().unwrap().unwrap();
        let r = w.next_record().unwrap().unwrap();
        assert!(r.fragmented);
        assert_eq!((r.lgpos, r.offset, r.lrtyp, r.bytes), (at(1, 0x30), 0x1030, LrType::INSERT, &big[..]));
        let tail = 3 + 9000 - first - second;
        let r = w.next_record().unwrap().unwrap();
        assert_eq!((r.lgpos, r.offset), (at(3, 40 + tail as u16), (3 * 4096 + 40 + tail) as u64));
        assert!(w.next_record().is_none());
        assert!(w.accounting().balanced(), "{:?}", w.accounting());
        assert_eq!(w.accounting().fragment_headers, 7 + 3 + 3);
        assert!(w.frag.capacity() < 2 * 9000, "one buffer, sized by the record");
    }

    #[test]
    fn a_fragment_chain_cut_short_by_the_end_of_data_is_a_torn_fragment() {
        let big = insert(6000);
        let first = PAYLOAD - 8 - 7;
        let seg1 = [commit0(1), frag_begin(big.len(), &big[..first])].concat();
        let (file, h, v) = v8(&[seg1]);
        let (recs, err, stop, acct) = walk(&file, &h, &v);
        assert!(err.is_none());
        assert_eq!(recs.len(), 1);
        assert_eq!(stop.reason, StopReason::TornFragment);
        assert_eq!(stop.last_record, Some(at(1, 0)));
        assert_eq!(stop.position, at(2, 0));
        assert_eq!(acct.skipped, first as u64);
        assert!(acct.balanced(), "{acct:?}");
    }

    #[test]
    fn a_fragment_chain_cut_short_by_a_record() {
        let big = insert(6000);
        let first = PAYLOAD - 8 - 7;
        let seg1 = [commit0(1), frag_begin(big.len(), &big[..first])].concat();
        // A Commit0 where the next piece belongs: corruption.
        let (file, h, v) = v8(&[seg1.clone(), commit0(2)]);
        let (recs, err, stop, _) = walk(&file, &h, &v);
        assert_eq!(recs.len(), 1);
        let err = err.unwrap();
        assert_eq!(err.kind, RecordErrorKind::ChainInterrupted);
        assert_eq!((err.lgpos, err.offset, err.lrtyp), (at(2, 0), 0x2028, Some(LrType::COMMIT0)));
        assert_eq!(stop.reason, StopReason::Corrupt);
        assert_eq!(stop.error.as_ref(), Some(&err));
        // A RecoveryUndo2 at the segment start: a crash tore the chain; the engine drops it.
        let undo = [vec![51u8], vec![0; 8]].concat();
        let (file, h, v) = v8(&[seg1, undo]);
        let (recs, err, stop, acct) = walk(&file, &h, &v);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(recs.iter().map(|r| r.2).collect::<Vec<_>>(), vec![9, 51]);
        assert_eq!(stop.reason, StopReason::ZeroFill);
        assert_eq!(acct.skipped, first as u64);
        assert!(acct.balanced(), "{acct:?}");
    }

    #[test]
    fn a_fragment_outside_a_chain_and_a_piece_longer_than_its_total() {
        let (file, h, v) = v8(&[frag(&[1, 2, 3])]);
        let (_, err, _, _) = walk(&file, &h, &v);
        assert_eq!(err.unwrap().kind, RecordErrorKind::FragmentOutsideChain);
        let big = insert(100);
        let seg1 = [vec![0u8; PAYLOAD - 7 - 60], frag_begin(big.len(), &big[..60])].concat();
        let (file, h, v) = v8(&[seg1, frag(&big[60..]), vec![]]);
        let (recs, err, _, _) = walk(&file, &h, &v);
        assert!(err.is_none());
        assert_eq!(recs[0].0, at(1, 0), "LGPOS of a fragmented record after fill: the start of the fill");
        // Piece 2 claims more than the total still needs.
        let mut p2 = frag(&big[60..]);
        p2[1] = 200;
        let seg1 = [vec![0u8; PAYLOAD - 7 - 60], frag_begin(big.len(), &big[..60])].concat();
        let (file, h, v) = v8(&[seg1, [p2, vec![0; 200]].concat()]);
        let (_, err, _, _) = walk(&file, &h, &v);
        let err = err.unwrap();
        assert_eq!(err.field, "le_cbFragmentSize");
        assert_eq!(err.kind, RecordErrorKind::FragmentTooLong { limit: 90, found: 200 });
    }

    #[test]
    fn a_type_byte_of_102_or_more_ends_the_walk_with_its_position() {
        let seg1 = [commit0(1), vec![0xC8, 1, 2, 3]].concat();
        let (file, h, v) = v8(&[seg1]);
        let (recs, err, stop, _) = walk(&file, &h, &v);
        assert_eq!(recs.len(), 1);
        let err = err.unwrap();
        assert_eq!(err.kind, RecordErrorKind::TypeOutOfRange);
        assert_eq!((err.lgpos, err.offset, err.lrtyp, err.field), (at(1, 0x30), 0x1030, Some(LrType(200)), "lrtyp"));
        assert_eq!(stop.position, at(1, 0x30));
        assert_eq!(stop.last_good_end, at(1, 0x30));
        assert!(err.to_string().contains("lrtyp should be below 102, but it is 200"), "{err}");
    }

    #[test]
    fn hostile_lengths_are_errors_not_allocations() {
        // NOP2 whose cb points 4 GiB away.
        let mut r = nop2(5);
        r[1..5].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        let (file, h, v) = v8(&[r]);
        let (_, err, _, _) = walk(&file, &h, &v);
        let err = err.unwrap();
        assert_eq!(err.kind, RecordErrorKind::RunsPast { needed: 0xFFFF_FFF5, available: PAYLOAD as u64 });
        // A FragmentBegin announcing a 4 GiB record.
        let seg1 = [vec![0u8; PAYLOAD - 10], frag_begin(0xFFFF_FFFF, &[29, 0, 0])].concat();
        let (file, h, v) = v8(&[seg1]);
        let mut w = RecordWalker::with_verdict(&file, &h, &v);
        let err = w.next_record().unwrap().unwrap_err();
        assert_eq!(err.field, "le_cbTotalLRSize");
        assert!(matches!(err.kind, RecordErrorKind::RunsPast { needed: 0xFFFF_FFFF, .. }));
        assert_eq!(w.frag.capacity(), 0);
        // A record whose fixed part runs past the segment.
        let seg1 = [vec![0u8; PAYLOAD - 20], vec![29u8; 20]].concat();
        let (file, h, v) = v8(&[seg1]);
        let (_, err, _, _) = walk(&file, &h, &v);
        assert_eq!(err.unwrap().kind, RecordErrorKind::RunsPast { needed: 50, available: 20 });
    }

    #[test]
    fn a_type_without_a_size_rule_ends_the_walk() {
        let (file, h, v) = v8(&[vec![55, 0, 0, 0]]);
        let (_, err, _, _) = walk(&file, &h, &v);
        assert_eq!(err.unwrap().kind, RecordErrorKind::NoSizeRule);
    }

    /// A v7 log: 512-byte sectors, data from 0x1000; `data` is copied there.
    fn v7(data: &[u8], last: usize) -> (Vec<u8>, LgFileHeader, ContentVerdict) {
        let mut file = vec![0u8; 0x1000 + 8 * 512];
        file[0x1000..0x1000 + data.len()].copy_from_slice(data);
        let h = header(7, 16);
        let end = 0x1000 + last;
        (file, h, verdict(at((end / 512) as u16, (end % 512) as u16)))
    }

    fn lrck(cb_backwards: u32, cb_forwards: u32, cb_next: u32) -> Vec<u8> {
        let mut r = vec![42u8];
        for v in [cb_backwards, cb_forwards, cb_next, 0, 0] {
            r.extend_from_slice(&v.to_le_bytes());
        }
        r.push(0xD1);
        r
    }

    #[test]
    fn v7_records_nop_runs_and_the_checksum_chain() {
        // Sector 8: LRCHECKSUM (next one at sector 9 +0), Commit0, NOPs to the sector end.
        let mut data = lrck(0, 490, 490);
        data.extend(commit0(7));
        data.resize(512, 0);
        data.extend(lrck(0, 30, 0));
        data.extend(commit0(8));
        let (file, h, v) = v7(&data, data.len());
        let (recs, err, stop, acct) = walk(&file, &h, &v);
        assert!(err.is_none(), "{err:?}");
        let kinds: Vec<u8> = recs.iter().map(|r| r.2).collect();
        assert_eq!(kinds.len(), 3 + (512 - 30) + 1);
        assert_eq!(&kinds[..3], &[42, 9, 0]);
        assert_eq!(recs[2].0, at(8, 30), "v7 NOPs are records, at their own position");
        assert_eq!(recs[recs.len() - 2].0, at(9, 0));
        assert_eq!(recs[recs.len() - 1].0, at(9, 22));
        assert_eq!(stop.position, at(9, 30));
        assert_eq!(stop.reason, StopReason::ZeroFill);
        assert!(acct.balanced(), "{acct:?}");
    }

    #[test]
    fn v7_no_backward_range_jump_drops_the_straddling_record() {
        // Sector 8: checksum, then an Insert that would straddle into sector 9, whose checksum
        // at ib 0x40 has cbBackwards 0: the bytes before it are untrusted.
        let mut data = lrck(0, 490, 512 + 0x40 - 22);
        data.extend(commit0(7));
        data.extend(insert(500));
        data.resize(512 + 0x40, 0xEE);
        data.extend(lrck(0, 30, 0));
        data.extend(commit0(8));
        let (file, h, v) = v7(&data, data.len());
        let (recs, err, _, acct) = walk(&file, &h, &v);
        assert!(err.is_none(), "{err:?}");
        let got: Vec<_> = recs.iter().map(|r| (r.0, r.2)).collect();
        assert_eq!(got, vec![(at(8, 0), 42), (at(8, 22), 9), (at(9, 0x40), 42), (at(9, 0x56), 9)]);
        assert_eq!(acct.skipped, 512 + 0x40 - 30);
        assert!(acct.balanced(), "{acct:?}");
    }

    /// `n` one-byte NOP records.
    fn nops(n: usize) -> Vec<u8> {
        vec![0u8; n]
    }

    #[test]
    fn v7_records_ending_at_or_one_byte_past_the_next_checksum_or_the_data_end() {
        // The next LRCHECKSUM at +122 (22 + cbNext 100), with a backward range: a record may
        // end exactly there (rule 6), one byte further it overlaps the checksum.
        for (commit_at, overlaps) in [(114usize, false), (115, true)] {
            let mut data = lrck(0, 100, 100);
            data.extend(nops(commit_at - 22));
            data.extend(commit0(1));
            data.resize(122, 0xEE);
            data.extend(lrck(100, 30, 0));
            data.extend(commit0(2));
            let (file, h, v) = v7(&data, data.len());
            let walked = walk(&file, &h, &v);
            assert_eq!(walked, walk_framed_only(&file, &h, &v));
            let (recs, err, _, acct) = walked;
            if overlaps {
                let err = err.unwrap();
                assert_eq!(err.kind, RecordErrorKind::OverlapsChecksum { checksum: 0x1000 + 122 });
                assert_eq!((err.offset, err.lrtyp), (0x1000 + 115, Some(LrType::COMMIT0)));
                assert_eq!(recs.len(), 1 + 93);
            } else {
                assert!(err.is_none(), "{err:?}");
                let kinds: Vec<u8> = recs.iter().map(|r| r.2).collect();
                assert_eq!(kinds, [vec![42], vec![0; 92], vec![9, 42, 9]].concat());
                assert_eq!(recs[93].1, 0x1000 + 114);
                assert!(acct.balanced(), "{acct:?}");
            }
        }
        // The end of the data (before the next checksum, due at +512): a record may end
        // exactly there, not one byte after it.
        let mut data = lrck(0, 490, 490);
        data.extend(commit0(1));
        for (last, runs_past) in [(30usize, false), (29, true)] {
            let (file, h, v) = v7(&data, last);
            let walked = walk(&file, &h, &v);
            assert_eq!(walked, walk_framed_only(&file, &h, &v));
            let (recs, err, stop, _) = walked;
            assert_eq!(recs.len(), if runs_past { 1 } else { 2 });
            assert_eq!(err.map(|e| e.kind), runs_past.then_some(RecordErrorKind::RunsPast { needed: 8, available: 7 }));
            assert_eq!(stop.reason, if runs_past { StopReason::Corrupt } else { StopReason::ZeroFill });
        }
    }

    #[test]
    fn v7_a_record_reaching_one_byte_into_an_untrusted_sector_start_is_dropped() {
        // The next LRCHECKSUM is at sector 9 + 0x40 and has no backward range (rule 7): the
        // bytes of sector 9 before it are untrusted. A Commit0 ending exactly at the sector's
        // start is a record; one ending a byte into it is dropped with what follows.
        for (commit_at, dropped) in [(504usize, false), (505, true)] {
            let mut data = lrck(0, 490, 512 + 0x40 - 22);
            data.extend(nops(commit_at - 22));
            data.extend(commit0(7));
            data.resize(512 + 0x40, 0); // NOPs, untrusted
            data.extend(lrck(0, 30, 0));
            data.extend(commit0(8));
            let (file, h, v) = v7(&data, data.len());
            let walked = walk(&file, &h, &v);
            assert_eq!(walked, walk_framed_only(&file, &h, &v));
            let (recs, err, _, acct) = walked;
            assert!(err.is_none(), "{err:?}");
            let kinds: Vec<u8> = recs.iter().map(|r| r.2).collect();
            let before = if dropped { vec![0; 483] } else { [vec![0; 482], vec![9]].concat() };
            assert_eq!(kinds, [vec![42], before, vec![42, 9]].concat());
            assert_eq!(acct.skipped, if dropped { 512 + 0x40 - 505 } else { 0x40 });
            assert!(acct.balanced(), "{acct:?}");
        }
    }

    #[test]
    fn v7_truncated_record_and_a_record_over_the_next_checksum() {
        // The data end in the middle of an Insert.
        let mut data = lrck(0, 490, 0);
        data.extend(insert(100));
        let (file, h, v) = v7(&data, 100);
        let (recs, err, stop, _) = walk(&file, &h, &v);
        assert_eq!(recs.len(), 1);
        let err = err.unwrap();
        assert_eq!(err.kind, RecordErrorKind::RunsPast { needed: 150, available: 78 });
        assert_eq!((err.lgpos, err.offset), (at(8, 22), 0x1016));
        assert_eq!(stop.reason, StopReason::Corrupt);
        // A record running over the next LRCHECKSUM (which has a backward range).
        let mut data = lrck(0, 490, 520);
        data.extend(insert(550));
        let (file, h, v) = v7(&data, data.len());
        let (_, err, _, _) = walk(&file, &h, &v);
        assert_eq!(err.unwrap().kind, RecordErrorKind::OverlapsChecksum { checksum: 0x1000 + 542 });
        // Not a checksum where the chain says one is.
        let mut data = lrck(0, 490, 8);
        data.extend(commit0(1));
        data.extend(commit0(1));
        let (file, h, v) = v7(&data, data.len());
        let (_, err, _, _) = walk(&file, &h, &v);
        assert_eq!(err.unwrap().kind, RecordErrorKind::ChecksumExpected);
    }

    #[test]
    fn a_file_shorter_than_declared_is_a_truncation() {
        let (mut file, h, v) = v8(&[commit0(1)]);
        file.truncate(2 * SEGMENT_SIZE);
        let (recs, err, stop, _) = walk(&file, &h, &v);
        assert!(err.is_none());
        assert_eq!(recs.len(), 1);
        assert_eq!(stop.reason, StopReason::Truncation);
    }

    /// [`walk`] without the v7 shortcut (`next_legacy_plain`): every record the full way.
    fn walk_framed_only(file: &[u8], h: &LgFileHeader, v: &ContentVerdict) -> Walked {
        let mut w = RecordWalker::with_verdict(file, h, v);
        let mut out = Vec::new();
        let mut err = None;
        while let Some(r) = w.next_record_framed() {
            match r {
                Ok(r) => out.push((r.lgpos, r.offset, r.lrtyp.0, r.bytes.to_vec())),
                Err(e) => err = Some(e),
            }
        }
        let stop = w.stop().cloned().unwrap();
        let acct = w.accounting();
        (out, err, stop, acct)
    }

    /// The real v7 logs of testdata (CatRoot2, Windows Server 2003), with their verdicts.
    fn catroot2_logs() -> &'static [(Vec<u8>, LgFileHeader, ContentVerdict)] {
        static LOGS: std::sync::OnceLock<Vec<(Vec<u8>, LgFileHeader, ContentVerdict)>> = std::sync::OnceLock::new();
        LOGS.get_or_init(|| {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/logs/catroot2-server2003");
            ["edb.log", "edb0007E.log", "edb0007F.log", "edb00080.log", "edb00081.log", "edb00082.log"]
                .iter()
                .map(|name| {
                    let file = std::fs::read(format!("{dir}/{name}")).unwrap();
                    let h = LgFileHeader::decode(&file).unwrap();
                    let v = crate::log::content::verify_log_content(&file, &h);
                    (file, h, v)
                })
                .collect()
        })
    }

    #[test]
    fn the_v7_shortcut_gives_the_records_of_the_full_way_on_real_logs() {
        for (file, h, v) in catroot2_logs() {
            assert!(!h.is_segment_format());
            let shortcut = walk(file, h, v);
            assert!(shortcut.1.is_none(), "{:?}", shortcut.1);
            assert!(shortcut.0.iter().any(|r| r.2 == 0), "NOP records are returned");
            assert_eq!(shortcut, walk_framed_only(file, h, v));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn the_v7_shortcut_gives_the_records_and_errors_of_the_full_way_on_damaged_logs(
            log in 0..6usize,
            edits in proptest::collection::vec((proptest::prelude::any::<u32>(), proptest::prelude::any::<u8>()), 1..8),
        ) {
            // Damage walked as if the content check had passed it (the verdict of the
            // undamaged file): wrong types, lengths and checksum links reach the walker.
            let (file, h, v) = &catroot2_logs()[log];
            let mut file = file.clone();
            for (at, value) in edits {
                let at = 0x1000 + at as usize % (file.len() - 0x1000);
                file[at] = value;
            }
            proptest::prop_assert_eq!(walk(&file, h, v), walk_framed_only(&file, h, v));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_under_a_v8_or_v7_header_walk_to_an_end(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20_000),
            legacy in proptest::prelude::any::<bool>(),
        ) {
            let (file, h, v) = if legacy {
                let mut file = vec![0u8; 0x1000];
                file.extend_from_slice(&body);
                let end = file.len();
                (file, header(7, 255), verdict(at((end / 512) as u16, (end % 512) as u16)))
            } else {
                let mut file = vec![0u8; SEGMENT_SIZE];
                file.extend_from_slice(&body);
                let end = file.len() / SEGMENT_SIZE;
                (file, header(8, 40), verdict(at(end as u16, 0)))
            };
            let (recs, err, stop, acct) = walk(&file, &h, &v);
            proptest::prop_assert!(recs.len() <= file.len());
            proptest::prop_assert_eq!(err.is_some(), stop.reason == StopReason::Corrupt);
            if err.is_none() {
                proptest::prop_assert!(acct.balanced(), "{:?}", acct);
            }
        }
    }
}
