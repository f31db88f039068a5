//! Framing: walking the records of a whole log file held in memory, v7 and v8.
//!
//! Sources: ../shared/FORMAT-LOGREC.md §1.2 (v7: a contiguous stream framed by `LRCHECKSUM`
//! records, NOP runs, the "no backward range" jump, the end of valid data), §1.3 (v8: 4 KiB
//! segments with a 40-byte `LGSEGHDR`, NOP fill, NOP2, fragments, the LGPOS convention), §8
//! (confirmed on the corpus). The end of valid data is the `Last Lgpos` of the content check
//! ([`crate::log::content`]); this module does not decide it a second time.
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
    /// Every byte of the data is accounted for.
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
    /// Next byte to read.
    pos: usize,
    /// v8: the reader's `m_pbNext` (end of the previous record): the next record's LGPOS.
    next_lgpos: usize,
    /// v7: file offset of the next `LRCHECKSUM` of the chain.
    next_checksum: Option<usize>,
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
            pos: start,
            next_lgpos: start,
            next_checksum: Some(start),
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

    fn lgpos(&self, offset: usize) -> Lgpos {
        lgpos_at(offset, self.cb_sec, self.generation)
    }

    /// The next record, or the error that ends the walk, or `None` when it has ended.
    pub fn next_record(&mut self) -> Option<Result<RawRecord<'_>, RecordError>> {
        if self.stop.is_some() {
            return None;
        }
        let step = if self.segmented { self.step_segments() } else { self.step_legacy() };
        match step {
            Step::Done => {
                let reason = if let Some(chain) = self.chain.take() {
                    self.acct.skipped += self.frag.len() as u64;
                    let _ = chain;
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

    /// v7 (FORMAT-LOGREC §1.2).
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
                } else if pos < ck {
                    // Rule 7: a checksum without a backward range, not at its sector start,
                    // vouches for nothing before it in its sector: resume at it.
                    let sector_start = ck / self.cb_sec * self.cb_sec;
                    let no_back = read_lrck(self.file, ck).is_some_and(|r| r.cb_backwards == 0) && ck != sector_start;
                    if no_back && pos + size > sector_start {
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

    /// v8 (FORMAT-LOGREC §1.3).
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
                    // The whole record must fit in the data still to come (pieces only shrink it).
                    let room = self.end - pos;
                    if total > room {
                        let kind = RecordErrorKind::RunsPast { needed: total as u64, available: room as u64 };
                        return self.error(lgpos, pos, Some(t), "le_cbTotalLRSize", kind);
                    }
                    self.frag.clear();
                    self.frag.reserve(total);
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
