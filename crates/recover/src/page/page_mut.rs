//! [`PageMut`]: the engine's page primitives over a mutable page buffer, placing every byte
//! where `CPAGE` and the node layer place it.
//!
//! Each public operation first validates all its inputs against the current page (line
//! numbers, lengths, prefixes, free space, and the whole TAG array when the operation will
//! compact), then writes. A rejected operation returns an error and has not written a byte. In
//! debug builds every operation is followed by [`check_structure`]: if the page was sound
//! before and is not after, the page is restored and [`PageError::InvariantBroken`] returned.
//!
//! The writes emulate Microsoft's code step by step, because later operations (and the bytes
//! compared with the engine's own files) depend on the physical layout:
//! - `Insert_`: make `cb + 4` contiguous bytes (compacting if needed), open TAG slot `itag`
//!   by moving the TAGs above it down one slot (`ExpandTagArray_`), place the line at
//!   `ibMicFree`.
//! - `Replace_`: shrink or equal, or grow while physically last with room: in place;
//!   otherwise free the old bytes, make room (compacting if needed) and place at `ibMicFree`.
//! - `Delete_`: reclaim the bytes only when the line was physically last; TAGs above move up
//!   one slot (the vacated slot keeps its stale bytes); an empty page gets `ibMicFree` 0.
//! - `ReorganizeData_`: every TAG (TAG 0 and zero-length ones included) in order of `ib`, ties
//!   in TAG order, moved down from data offset 0.
//! - `TAG::SetIb`/`SetCb`/`SetFlags` keep the bits outside their mask, so a new TAG inherits
//!   the unused high bits of whatever was in its slot.
//!
//! Free bytes (holes, the gap before the TAG array, stale TAG slots) are never cleared: the
//! engine does not clear them either (runtime scrubbing is off during recovery).
//!
//! Sources: docs/page-internals.md §1.2 (`itagState` form), §1.3 (TAG, flag placement), §1.6
//! (consuming a pre-initialised page), §3.1 (page level), §3.2-3.3 (node level), §3.4 (delta),
//! §3.5 (prefix), §3.6 (compaction), §3.7 (dbtime), §10 F3 (order of a prefix reset);
//! Microsoft's `ese/cpage.cxx` and `ese/node.cxx`.

use std::fmt;

use super::check::check_structure;
use super::error::{PageError, Result};
use super::layout::{
    off, prefix_start, rd16, Geometry, LineFlags, PageFlags, Tag, CB_KEY_COUNT, CTAG_RESERVED_MASK,
    CTAG_RESERVED_SHIFT, ITAG_MIC_FREE_MASK, KEY_LEN_MASK, TAG_FLAGS_MASK, TAG_FLAGS_SHIFT, TAG_SIZE,
};
use super::view::PageView;

/// A node to insert: its flags (`fNDVersion`/`fNDDeleted`; `fNDCompressed` is derived from
/// `cb_prefix`), its full key, how many leading key bytes come from the page's prefix, its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node<'k> {
    /// Line flags; the compressed bit is ignored and set iff `cb_prefix > 0`.
    pub flags: LineFlags,
    /// The full key (prefix ‖ suffix).
    pub key: &'k [u8],
    /// Leading key bytes taken from the page's prefix (`cbPrefix`; 0 = not compressed).
    pub cb_prefix: usize,
    /// The node's data (at least 1 byte).
    pub data: &'k [u8],
}

/// The line bytes of a node (`CdataNDIPrefixAndKeydataflagsToDataflags`): `[cbPrefix]
/// cbSuffix suffix data`, the key-length fields with their top 3 bits clear.
pub fn encode_node(cb_prefix: usize, suffix: &[u8], data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(2 * CB_KEY_COUNT + suffix.len() + data.len());
    if cb_prefix > 0 {
        v.extend_from_slice(&((cb_prefix as u16) & KEY_LEN_MASK).to_le_bytes());
    }
    v.extend_from_slice(&((suffix.len() as u16) & KEY_LEN_MASK).to_le_bytes());
    v.extend_from_slice(suffix);
    v.extend_from_slice(data);
    v
}

/// A page open for change. See the module documentation for the rules every operation keeps.
pub struct PageMut<'a> {
    bytes: &'a mut [u8],
    geo: Geometry,
    reserved_tags_format: bool,
}

impl fmt::Debug for PageMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageMut").field("view", &self.view()).finish()
    }
}

/// What an operation will do to make room, decided during validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Room {
    /// Enough contiguous space already.
    Contiguous,
    /// `FreeSpace_` will compact.
    Compact,
}

impl<'a> PageMut<'a> {
    /// Opens `bytes` (a whole page) for change.
    pub fn new(bytes: &'a mut [u8]) -> Result<Self> {
        let geo = Geometry::new(bytes.len())?;
        Ok(PageMut { bytes, geo, reserved_tags_format: false })
    }

    /// Whether the database has `JET_efvReservedTags` enabled: then `itagState` is written as
    /// `(ctagReserved << 12) | itagMicFree` even on pages that use the legacy form (§1.2).
    pub fn with_reserved_tags_format(mut self, enabled: bool) -> Self {
        self.reserved_tags_format = enabled;
        self
    }

    /// A read-only view of the current bytes.
    pub fn view(&self) -> PageView<'_> {
        PageView::from_parts(self.bytes, self.geo)
    }

    /// The page's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.bytes
    }
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        self.bytes
    }

    // ----------------------------------------------------------------- raw little-endian access
    // All offsets below are validated before the first write; out-of-range accesses are
    // skipped (reads give 0) rather than panicking, and the debug check would catch the bug.

    fn r16(&self, at: usize) -> u16 {
        rd16(self.bytes, at).unwrap_or(0)
    }
    pub(crate) fn w16(&mut self, at: usize, v: u16) {
        if let Some(s) = self.bytes.get_mut(at..at + 2) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    }
    pub(crate) fn w32(&mut self, at: usize, v: u32) {
        if let Some(s) = self.bytes.get_mut(at..at + 4) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    }
    pub(crate) fn w64(&mut self, at: usize, v: u64) {
        if let Some(s) = self.bytes.get_mut(at..at + 8) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    }
    fn cb_free(&self) -> usize {
        usize::from(self.r16(off::CB_FREE))
    }
    fn set_cb_free(&mut self, v: usize) {
        self.w16(off::CB_FREE, v as u16);
    }
    fn ib_mic_free(&self) -> usize {
        usize::from(self.r16(off::IB_MIC_FREE))
    }
    fn set_ib_mic_free(&mut self, v: usize) {
        self.w16(off::IB_MIC_FREE, v as u16);
    }
    fn itag_mic_free(&self) -> usize {
        usize::from(self.r16(off::ITAG_STATE) & ITAG_MIC_FREE_MASK)
    }
    fn ctag_reserved(&self) -> usize {
        usize::from(((self.r16(off::ITAG_STATE) & CTAG_RESERVED_MASK) >> CTAG_RESERVED_SHIFT).max(1))
    }
    /// `SetITagState_`: the explicit form when the feature is on or the page already uses it.
    fn set_itag_state(&mut self, itag_mic_free: usize, ctag_reserved: usize) {
        let stored = self.r16(off::ITAG_STATE);
        let v = if self.reserved_tags_format || stored >> CTAG_RESERVED_SHIFT > 0 {
            ((ctag_reserved as u16) << CTAG_RESERVED_SHIFT) | itag_mic_free as u16
        } else {
            itag_mic_free as u16
        };
        self.w16(off::ITAG_STATE, v);
    }
    fn tag_at(&self, itag: usize) -> usize {
        self.geo.page_size().saturating_sub(TAG_SIZE * (itag + 1))
    }
    fn raw_tag(&self, itag: usize) -> Tag {
        let at = self.tag_at(itag);
        Tag::decode(self.geo, itag, self.r16(at), self.r16(at + 2))
    }
    fn set_tag_ib(&mut self, itag: usize, ib: usize) {
        let (at, m) = (self.tag_at(itag) + 2, self.geo.tag_mask());
        let v = (self.r16(at) & !m) | (ib as u16 & m);
        self.w16(at, v);
    }
    fn set_tag_cb(&mut self, itag: usize, cb: usize) {
        let (at, m) = (self.tag_at(itag), self.geo.tag_mask());
        let v = (self.r16(at) & !m) | (cb as u16 & m);
        self.w16(at, v);
    }
    /// `TAG::FFlags`.
    fn tag_flags(&self, itag: usize) -> LineFlags {
        let t = self.raw_tag(itag);
        if self.geo.is_small() {
            t.small_flags()
        } else if t.cb >= 2 {
            LineFlags((self.r16(self.geo.abs(t.ib)) >> TAG_FLAGS_SHIFT) as u8)
        } else {
            LineFlags::NONE
        }
    }
    /// `TAG::SetFlags`: small pages in `ib_`; large pages in the line's first u16, never for
    /// TAG 0 nor for lines shorter than 2 bytes.
    fn set_tag_flags(&mut self, itag: usize, flags: LineFlags) {
        let f = u16::from(flags.bits() & LineFlags::ALL.bits()) << TAG_FLAGS_SHIFT;
        let t = self.raw_tag(itag);
        if self.geo.is_small() {
            let at = self.tag_at(itag) + 2;
            self.w16(at, (t.raw_ib & !TAG_FLAGS_MASK) | f);
        } else if itag != 0 && t.cb >= 2 {
            let at = self.geo.abs(t.ib);
            let v = (self.r16(at) & !TAG_FLAGS_MASK) | f;
            self.w16(at, v);
        }
    }
    /// `CopyData_`: copies the parts to the TAG's bytes, keeping the line flags.
    fn copy_data(&mut self, itag: usize, parts: &[&[u8]]) {
        let flags = self.tag_flags(itag);
        let mut at = self.geo.abs(self.raw_tag(itag).ib);
        for p in parts {
            if let Some(dst) = self.bytes.get_mut(at..at + p.len()) {
                dst.copy_from_slice(p);
            }
            at += p.len();
        }
        if itag != 0 {
            self.set_tag_flags(itag, flags);
        }
    }

    // ------------------------------------------------------------------ engine primitives (raw)

    /// `CbContiguousFree_`.
    fn contiguous_free(&self) -> usize {
        self.geo.data_len().saturating_sub(self.ib_mic_free() + TAG_SIZE * self.itag_mic_free())
    }

    /// `ReorganizeData_` (§3.6).
    fn reorganize(&mut self) {
        let n = self.itag_mic_free();
        let mut tags: Vec<Tag> = (0..n).map(|i| self.raw_tag(i)).collect();
        // Microsoft's std::sort on ib alone; below 32 elements it is an insertion sort, which
        // keeps TAG order on ties (only zero-length TAGs can tie). A stable sort does the same.
        tags.sort_by_key(|t| t.ib);
        let mut dest = 0usize;
        for t in &tags {
            if t.cb != 0 {
                let src = self.geo.abs(t.ib);
                let dst = self.geo.abs(dest);
                if src + t.cb <= self.bytes.len() {
                    self.bytes.copy_within(src..src + t.cb, dst);
                }
            }
            self.set_tag_ib(t.itag, dest);
            dest += t.cb;
        }
        self.set_ib_mic_free(dest);
    }

    /// `FreeSpace_`.
    fn free_space(&mut self, cb: usize) {
        if self.contiguous_free() < cb {
            self.reorganize();
        }
    }

    /// `ExpandTagArray_`.
    fn expand_tag_array(&mut self, itag: usize) {
        let n = self.itag_mic_free();
        if itag != n {
            let lo = self.tag_at(n - 1);
            let hi = self.tag_at(itag) + TAG_SIZE;
            self.bytes.copy_within(lo..hi, lo - TAG_SIZE);
        }
        let ctag = self.ctag_reserved();
        self.set_itag_state(n + 1, ctag);
    }

    /// `Insert_`.
    fn raw_insert(&mut self, itag: usize, parts: &[&[u8]], flags: LineFlags) {
        let cb: usize = parts.iter().map(|p| p.len()).sum();
        self.free_space(cb + TAG_SIZE);
        self.expand_tag_array(itag);
        self.set_tag_cb(itag, 0);
        self.set_tag_ib(itag, 0);
        self.set_tag_flags(itag, LineFlags::NONE);
        let ib = self.ib_mic_free();
        self.set_tag_ib(itag, ib);
        self.set_ib_mic_free(ib + cb);
        self.set_tag_cb(itag, cb);
        let free = self.cb_free() - (cb + TAG_SIZE);
        self.set_cb_free(free);
        self.set_tag_flags(itag, flags);
        self.copy_data(itag, parts);
    }

    /// `Replace_`.
    fn raw_replace(&mut self, itag: usize, parts: &[&[u8]], flags: LineFlags) {
        let cb: usize = parts.iter().map(|p| p.len()).sum();
        let t = self.raw_tag(itag);
        let last = t.end() == self.ib_mic_free();
        if cb <= t.cb || (last && self.contiguous_free() >= cb - t.cb) {
            if last {
                self.set_ib_mic_free(t.ib + cb);
            }
            let free = self.cb_free() + t.cb - cb;
            self.set_cb_free(free);
        } else {
            let free = self.cb_free() + t.cb;
            self.set_cb_free(free);
            self.set_tag_ib(itag, 0);
            self.set_tag_cb(itag, 0);
            self.set_tag_flags(itag, LineFlags::NONE);
            self.free_space(cb);
            let ib = self.ib_mic_free();
            self.set_tag_ib(itag, ib);
            self.set_ib_mic_free(ib + cb);
            let free = self.cb_free() - cb;
            self.set_cb_free(free);
        }
        self.set_tag_cb(itag, cb);
        self.set_tag_flags(itag, flags);
        self.copy_data(itag, parts);
    }

    /// `Delete_`.
    fn raw_delete(&mut self, itag: usize) {
        let t = self.raw_tag(itag);
        if t.end() == self.ib_mic_free() {
            self.set_ib_mic_free(t.ib);
        }
        let free = self.cb_free() + t.cb + TAG_SIZE;
        self.set_cb_free(free);
        let n = self.itag_mic_free() - 1;
        let ctag = self.ctag_reserved();
        self.set_itag_state(n, ctag);
        if itag < n {
            // copy_backward of TAGs itag+1..n one slot up; slot n keeps its stale bytes.
            let lo = self.tag_at(n);
            let hi = self.tag_at(itag);
            self.bytes.copy_within(lo..hi, lo + TAG_SIZE);
        }
        if self.cb_free() + TAG_SIZE + self.geo.header_len() == self.geo.page_size() {
            self.set_ib_mic_free(0);
        }
    }

    // ---------------------------------------------------------------------------- validation

    fn invalid(op: &'static str, what: &'static str, expected: String, found: String) -> PageError {
        PageError::Invalid { op, what, expected, found }
    }

    /// The header fields every operation relies on are inside their bounds, the page has its
    /// reserved TAGs (it is not pre-initialised).
    fn require_sane(&self, op: &'static str) -> Result<()> {
        let v = self.view();
        let n = v.itag_mic_free();
        if n < v.ctag_reserved() || v.flags().is_pre_init() {
            return Err(PageError::Refused {
                op,
                why: format!(
                    "the page is pre-initialised or has fewer TAGs ({n}) than reserved ones ({}); consume it first",
                    v.ctag_reserved()
                ),
            });
        }
        let cb_data = self.geo.data_len();
        if n > self.geo.max_tags() || v.ib_mic_free() + TAG_SIZE * n > cb_data {
            return Err(PageError::Field {
                field: "ibMicFree + 4 × itagMicFree".into(),
                offset: off::IB_MIC_FREE,
                expected: format!("at most cbData {cb_data}"),
                found: format!("{} + 4 × {n}", v.ib_mic_free()),
            });
        }
        if v.cb_free() > cb_data || v.cb_uncommitted_free() > v.cb_free() {
            return Err(PageError::Field {
                field: "cbFree / cbUncommittedFree".into(),
                offset: off::CB_FREE,
                expected: format!("cbUncommittedFree ≤ cbFree ≤ {cb_data}"),
                found: format!("{} / {}", v.cb_free(), v.cb_uncommitted_free()),
            });
        }
        Ok(())
    }

    /// A TAG an operation touches: inside `[0, ibMicFree)` (a zero-length TAG may point
    /// anywhere: `Delete_` lowers ibMicFree below an empty external header's ib).
    fn require_tag(&self, itag: usize) -> Result<Tag> {
        let t = self.view().tag(itag)?;
        if t.cb > 0 && t.end() > self.ib_mic_free() {
            return Err(PageError::Field {
                field: format!("TAG[{itag}] ib+cb"),
                offset: self.tag_at(itag),
                expected: format!("at most ibMicFree {}", self.ib_mic_free()),
                found: format!("{}+{}", t.ib, t.cb),
            });
        }
        Ok(t)
    }

    fn require_space(&self, op: &'static str, needed: usize) -> Result<()> {
        let v = self.view();
        let available = v.cb_free() - v.cb_uncommitted_free();
        if needed > available {
            return Err(PageError::NoSpace {
                op,
                needed,
                available,
                cb_free: v.cb_free(),
                cb_uncommitted_free: v.cb_uncommitted_free(),
            });
        }
        Ok(())
    }

    /// Validates that compaction can run: every TAG inside the area before the TAG array, no
    /// overlap, and afterwards `contiguous` bytes free. `skip` is a TAG the operation has
    /// already released (counted as zero-length).
    fn require_compactable(
        &self,
        op: &'static str,
        skip: Option<usize>,
        contiguous: usize,
        extra_tags: usize,
    ) -> Result<()> {
        let n = self.itag_mic_free();
        let mut tags = Vec::with_capacity(n);
        for i in 0..n {
            let t = self.require_tag(i)?;
            if Some(i) != skip && t.cb > 0 {
                tags.push(t);
            }
        }
        tags.sort_by_key(|t| t.ib);
        let mut sum = 0usize;
        let mut end = 0usize;
        for t in &tags {
            if t.ib < end {
                return Err(PageError::Field {
                    field: format!("TAG[{}] ib", t.itag),
                    offset: self.tag_at(t.itag) + 2,
                    expected: format!(
                        "at least {end} (TAGs may not overlap; compaction would fail: TagsOverlapOnReorg)"
                    ),
                    found: t.ib.to_string(),
                });
            }
            end = t.end();
            sum += t.cb;
        }
        let after = self.geo.data_len().saturating_sub(sum + TAG_SIZE * (n + extra_tags));
        if after + TAG_SIZE * extra_tags < contiguous {
            return Err(PageError::Refused {
                op,
                why: format!(
                    "cbFree says there is room, but the TAGs hold {sum} bytes: after compaction only {} contiguous bytes, {contiguous} needed",
                    after + TAG_SIZE * extra_tags
                ),
            });
        }
        Ok(())
    }

    /// Decides whether an insert/move of `cb` bytes (plus `extra_tags` new TAGs) compacts, and
    /// validates that compaction if so.
    fn room_for(&self, op: &'static str, cb: usize, skip: Option<usize>, extra_tags: usize) -> Result<Room> {
        if self.contiguous_free() >= cb {
            return Ok(Room::Contiguous);
        }
        self.require_compactable(op, skip, cb, extra_tags)?;
        Ok(Room::Compact)
    }

    /// Validates a `Replace_` of TAG `itag` with `cb` bytes, given the space accounting.
    fn validate_replace(&self, op: &'static str, itag: usize, cb: usize) -> Result<()> {
        let t = self.require_tag(itag)?;
        if cb > usize::from(self.geo.tag_mask()) {
            return Err(Self::invalid(op, "line length", format!("at most {}", self.geo.tag_mask()), cb.to_string()));
        }
        if cb > t.cb {
            self.require_space(op, cb - t.cb)?;
            let last = t.end() == self.ib_mic_free();
            if !(last && self.contiguous_free() >= cb - t.cb) {
                // Moves: the old bytes are released first, then FreeSpace_(cb).
                self.room_for(op, cb, Some(itag), 0)?;
            }
        }
        Ok(())
    }

    /// The debug-build guard: a sound page must stay sound.
    fn guarded<T>(&mut self, op: &'static str, apply: impl FnOnce(&mut Self) -> T) -> Result<T> {
        if cfg!(debug_assertions) {
            let sound = check_structure(&self.view()).is_empty();
            let saved = sound.then(|| self.bytes.to_vec());
            let r = apply(self);
            if let Some(saved) = saved {
                if let Some(p) = check_structure(&self.view()).into_iter().next() {
                    self.bytes.copy_from_slice(&saved);
                    return Err(PageError::InvariantBroken { op, problem: p.to_string() });
                }
            }
            Ok(r)
        } else {
            Ok(apply(self))
        }
    }

    fn require_line(&self, op: &'static str, iline: usize) -> Result<(usize, LineInfo)> {
        self.require_sane(op)?;
        let v = self.view();
        let l = v.line(iline)?;
        let t = self.require_tag(l.tag.itag)?;
        Ok((
            t.itag,
            LineInfo {
                flags: l.flags,
                cb_prefix: l.cb_prefix,
                key: l.key().to_vec(),
                suffix: l.suffix.to_vec(),
                data: l.data.to_vec(),
                data_at: self.geo.abs(t.ib) + (l.bytes.len() - l.data.len()),
                data_len: l.data.len(),
                line_len: t.cb,
            },
        ))
    }

    // ------------------------------------------------------------------------ header writes

    /// Sets `dbtimeDirtied` (@8).
    pub fn set_dbtime_dirtied(&mut self, dbtime: u64) {
        self.w64(off::DBTIME_DIRTIED, dbtime);
    }
    /// `CPAGE::CoordinatedDirty(dbtime)` (§3.1, §3.7): `dbtimeDirtied = dbtime` and clears
    /// `fPageScrubbed`, as every redone operation does to its page.
    pub fn stamp_dbtime(&mut self, dbtime: u64) {
        self.set_dbtime_dirtied(dbtime);
        let f = self.view().flags().bits() & !PageFlags::SCRUBBED;
        self.w32(off::FLAGS, f);
    }
    /// Sets `pgnoPrev` (@16).
    pub fn set_pgno_prev(&mut self, pgno: u32) {
        self.w32(off::PGNO_PREV, pgno);
    }
    /// Sets `pgnoNext` (@20).
    pub fn set_pgno_next(&mut self, pgno: u32) {
        self.w32(off::PGNO_NEXT, pgno);
    }
    /// Sets `objidFDP` (@24).
    pub fn set_objid_fdp(&mut self, objid: u32) {
        self.w32(off::OBJID_FDP, objid);
    }
    /// `CPAGE::SetFlags` (@36): a plain assignment (record flag fields carry write stamps, §10
    /// F6). Refuses Leaf together with ParentOfLeaf, and Empty (set by [`Self::set_empty`]).
    pub fn set_flags(&mut self, flags: PageFlags) -> Result<()> {
        if flags.has(PageFlags::LEAF | PageFlags::PARENT_OF_LEAF) || flags.is_empty() {
            return Err(Self::invalid(
                "SetFlags",
                "fFlags",
                "not Leaf with ParentOfLeaf, not Empty".into(),
                flags.to_string(),
            ));
        }
        self.w32(off::FLAGS, flags.bits());
        Ok(())
    }
    /// `CPAGE::SetFEmpty`: adds `fPageEmpty`.
    pub fn set_empty(&mut self) {
        let f = self.view().flags().bits() | PageFlags::EMPTY;
        self.w32(off::FLAGS, f);
    }
    /// `CPAGE::SetCbUncommittedFree` (@30); at most `cbFree`.
    pub fn set_cb_uncommitted_free(&mut self, cb: usize) -> Result<()> {
        if cb > self.cb_free() {
            return Err(Self::invalid(
                "SetCbUncommittedFree",
                "cbUncommittedFree",
                format!("at most cbFree {}", self.cb_free()),
                cb.to_string(),
            ));
        }
        self.w16(off::CB_UNCOMMITTED_FREE, cb as u16);
        Ok(())
    }

    /// `ConsumePreInitPage(fPageFlags)` (§1.6): one TAG (the zero-length external header),
    /// `cbFree −= 4`, `fFlags = (flags | NewRecordFormat) & ~PreInit`.
    pub fn consume_pre_init(&mut self, flags: PageFlags) -> Result<()> {
        const OP: &str = "ConsumePreInitPage";
        let v = self.view();
        if !v.flags().is_pre_init() || v.itag_mic_free() != 0 {
            return Err(PageError::Refused {
                op: OP,
                why: format!(
                    "the page should be pre-initialised without TAGs, but fFlags is {} and itagMicFree {}",
                    v.flags(),
                    v.itag_mic_free()
                ),
            });
        }
        if v.cb_free() < TAG_SIZE || v.ib_mic_free() + TAG_SIZE > self.geo.data_len() {
            return Err(PageError::NoSpace {
                op: OP,
                needed: TAG_SIZE,
                available: v.cb_free(),
                cb_free: v.cb_free(),
                cb_uncommitted_free: v.cb_uncommitted_free(),
            });
        }
        if flags.has(PageFlags::LEAF | PageFlags::PARENT_OF_LEAF) {
            return Err(Self::invalid(OP, "fPageFlags", "not Leaf with ParentOfLeaf".into(), flags.to_string()));
        }
        self.guarded(OP, |p| {
            p.set_itag_state(1, 1);
            let free = p.cb_free() - TAG_SIZE;
            p.set_cb_free(free);
            p.set_tag_ib(0, 0);
            p.set_tag_cb(0, 0);
            p.set_tag_flags(0, LineFlags::NONE);
            let f = (flags.bits() | PageFlags::NEW_RECORD_FORMAT) & !PageFlags::PRE_INIT;
            p.w32(off::FLAGS, f);
        })
    }

    // -------------------------------------------------------------------------- node level

    /// `NDInsert`/`ErrNDInsert` (§3.2-3.3): inserts `node` as line `iline` (lines at and after it
    /// move up). The key's first `cb_prefix` bytes must equal the page's prefix; the line is
    /// `[cbPrefix] cbSuffix suffix data` with `fNDCompressed` iff `cb_prefix > 0`. Needs
    /// `len + 4` bytes of `cbFree − cbUncommittedFree`.
    pub fn insert(&mut self, iline: usize, node: &Node<'_>) -> Result<()> {
        const OP: &str = "Insert";
        self.require_sane(OP)?;
        let v = self.view();
        let lines = v.line_count();
        if iline > lines {
            return Err(Self::invalid(OP, "iline", format!("at most the line count {lines}"), iline.to_string()));
        }
        if node.flags.bits() & !LineFlags::ALL.bits() != 0 {
            return Err(Self::invalid(OP, "flags", "within 0x7".into(), node.flags.to_string()));
        }
        if node.data.is_empty() {
            return Err(Self::invalid(OP, "data length", "at least 1".into(), "0".into()));
        }
        let cb_prefix = node.cb_prefix;
        let suffix = node.key.get(cb_prefix..).ok_or_else(|| {
            Self::invalid(OP, "cbPrefix", format!("at most the key length {}", node.key.len()), cb_prefix.to_string())
        })?;
        self.require_prefix(OP, node.key.get(..cb_prefix).unwrap_or(&[]))?;
        let mask = usize::from(KEY_LEN_MASK);
        if suffix.len() > mask || cb_prefix > mask {
            return Err(Self::invalid(OP, "key length", format!("at most {mask}"), node.key.len().to_string()));
        }
        let line = encode_node(cb_prefix, suffix, node.data);
        if line.len() > usize::from(self.geo.tag_mask()) {
            return Err(Self::invalid(
                OP,
                "line length",
                format!("at most {}", self.geo.tag_mask()),
                line.len().to_string(),
            ));
        }
        let n = v.itag_mic_free();
        if n + 1 > self.geo.max_tags() {
            return Err(Self::invalid(
                OP,
                "itagMicFree",
                format!("at most {}", self.geo.max_tags()),
                (n + 1).to_string(),
            ));
        }
        self.require_space(OP, line.len() + TAG_SIZE)?;
        self.room_for(OP, line.len() + TAG_SIZE, None, 1)?;
        let itag = iline + v.ctag_reserved();
        let mut flags = node.flags.without(LineFlags::COMPRESSED);
        if cb_prefix > 0 {
            flags = flags.union(LineFlags::COMPRESSED);
        }
        self.guarded(OP, |p| p.raw_insert(itag, &[&line], flags))
    }

    /// Checks that `prefix` (the first `cbPrefix` bytes of a key) is what the page's prefix
    /// source holds.
    fn require_prefix(&self, op: &'static str, prefix: &[u8]) -> Result<()> {
        if prefix.is_empty() {
            return Ok(());
        }
        match self.view().prefix_source()? {
            None => Err(Self::invalid(
                op,
                "cbPrefix",
                "0 (the root of a table, index or long-value tree has no prefix)".into(),
                prefix.len().to_string(),
            )),
            Some(src) if src.get(..prefix.len()) == Some(prefix) => Ok(()),
            Some(src) => Err(Self::invalid(
                op,
                "key prefix",
                format!("the page's {}-byte prefix", src.len()),
                format!("{} bytes that differ from it", prefix.len()),
            )),
        }
    }

    /// `NDReplace`/`ErrNDReplace`: new data for line `iline`, same key encoding, same flags.
    pub fn replace_data(&mut self, iline: usize, data: &[u8]) -> Result<()> {
        const OP: &str = "Replace";
        let (itag, l) = self.require_line(OP, iline)?;
        if data.is_empty() {
            return Err(Self::invalid(OP, "data length", "at least 1".into(), "0".into()));
        }
        self.require_encodable(OP, &l)?;
        let line = encode_node(l.cb_prefix, &l.suffix, data);
        self.validate_replace(OP, itag, line.len())?;
        self.guarded(OP, |p| p.raw_replace(itag, &[&line], l.flags))
    }

    /// Compressed lines on the root of a non-space tree have no prefix to re-encode against.
    fn require_encodable(&self, op: &'static str, l: &LineInfo) -> Result<()> {
        if l.flags.contains(LineFlags::COMPRESSED) && prefix_start(self.view().flags()).is_none() {
            return Err(PageError::Refused { op, why: "a compressed line on a root page cannot be re-encoded".into() });
        }
        Ok(())
    }

    /// `NDDelete`/`ErrNDDelete`: removes line `iline` (lines after it move down).
    pub fn delete(&mut self, iline: usize) -> Result<()> {
        const OP: &str = "Delete";
        let (itag, _) = self.require_line(OP, iline)?;
        self.guarded(OP, |p| p.raw_delete(itag))
    }

    /// `CPAGE::ReplaceFlags` adding `flags` (`fNDVersion`, `fNDDeleted`) to line `iline`
    /// (`ErrNDFlagDelete` sets Deleted, versioned operations set Version).
    pub fn set_line_flags(&mut self, iline: usize, flags: LineFlags) -> Result<()> {
        self.change_flags("SetFlags", iline, flags, true)
    }
    /// `CPAGE::ReplaceFlags` removing `flags` from line `iline` (`ErrNDFlagInsert` clears Deleted).
    pub fn clear_line_flags(&mut self, iline: usize, flags: LineFlags) -> Result<()> {
        self.change_flags("ResetFlags", iline, flags, false)
    }
    fn change_flags(&mut self, op: &'static str, iline: usize, flags: LineFlags, set: bool) -> Result<()> {
        let (itag, l) = self.require_line(op, iline)?;
        let allowed = LineFlags::VERSION.union(LineFlags::DELETED);
        if flags.bits() & !allowed.bits() != 0 {
            return Err(Self::invalid(
                op,
                "flags",
                "Version (0x1) and/or Deleted (0x2); Compressed follows the key encoding".into(),
                flags.to_string(),
            ));
        }
        let new = if set { l.flags.union(flags) } else { l.flags.without(flags) };
        self.guarded(op, |p| p.set_tag_flags(itag, new))
    }

    /// `ErrNDDelta<i32>` (§3.4): wrapping add of `delta` to the little-endian i32 at data offset
    /// `offset` of line `iline`. Returns the old value.
    pub fn delta_i32(&mut self, iline: usize, offset: usize, delta: i32) -> Result<i32> {
        let old = self.delta_bytes("Delta", iline, offset, 4, |b| {
            let mut a = [0u8; 4];
            a.copy_from_slice(b);
            let old = i32::from_le_bytes(a);
            b.copy_from_slice(&old.wrapping_add(delta).to_le_bytes());
            i64::from(old)
        })?;
        Ok(old as i32)
    }
    /// `ErrNDDelta<i64>` (§3.4, `lrtypDelta64`). Returns the old value.
    pub fn delta_i64(&mut self, iline: usize, offset: usize, delta: i64) -> Result<i64> {
        self.delta_bytes("Delta64", iline, offset, 8, |b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            let old = i64::from_le_bytes(a);
            b.copy_from_slice(&old.wrapping_add(delta).to_le_bytes());
            old
        })
    }
    /// `f` gets exactly `size` bytes.
    fn delta_bytes(
        &mut self,
        op: &'static str,
        iline: usize,
        offset: usize,
        size: usize,
        f: impl FnOnce(&mut [u8]) -> i64,
    ) -> Result<i64> {
        let (_, l) = self.require_line(op, iline)?;
        if offset.checked_add(size).is_none_or(|e| e > l.data_len) {
            return Err(Self::invalid(
                op,
                "cbOffset",
                format!("at most {} (data length {} − {size})", l.data_len.saturating_sub(size), l.data_len),
                offset.to_string(),
            ));
        }
        let at = l.data_at + offset;
        self.guarded(op, |p| match p.bytes.get_mut(at..at + size) {
            Some(b) => f(b),
            None => 0,
        })
    }

    /// `CPAGE::SetExternalHeader` (`ErrNDSetExternalHeader`, §3.1/§3.3): TAG 0 := `bytes`, no
    /// flags. Refused when a compressed line's `cbPrefix` would exceed the new prefix
    /// (`ErrNDValidateSetExternalHeader`, checked here on every page with a prefix).
    pub fn set_external_header(&mut self, bytes: &[u8]) -> Result<()> {
        const OP: &str = "SetExternalHeader";
        self.validate_external_header(OP, bytes)?;
        self.guarded(OP, |p| p.raw_replace(0, &[bytes], LineFlags::NONE))
    }

    fn validate_external_header(&self, op: &'static str, bytes: &[u8]) -> Result<()> {
        self.require_sane(op)?;
        if let Some(start) = prefix_start(self.view().flags()) {
            let room = bytes.len().saturating_sub(start);
            for iline in 0..self.view().line_count() {
                let cb = self.stored_cb_prefix(iline)?;
                if cb > room {
                    return Err(Self::invalid(
                        op,
                        "external header length",
                        format!("room for line {iline}'s cbPrefix {cb} (JET_errLogOperationInconsistentWithDatabase)"),
                        bytes.len().to_string(),
                    ));
                }
            }
        }
        self.validate_replace(op, 0, bytes.len())
    }

    /// The stored `cbPrefix` of a line (0 when not compressed), read without resolving it
    /// against the current prefix.
    fn stored_cb_prefix(&self, iline: usize) -> Result<usize> {
        let v = self.view();
        let t = v.tag(iline + v.ctag_reserved())?;
        let b = v.tag_bytes(&t)?;
        if !v.tag_flags(&t)?.contains(LineFlags::COMPRESSED) {
            return Ok(0);
        }
        rd16(b, 0).map(|u| usize::from(u & KEY_LEN_MASK)).ok_or_else(|| PageError::Field {
            field: format!("line {iline} cbPrefix"),
            offset: self.geo.abs(t.ib),
            expected: "2 bytes".into(),
            found: format!("a {}-byte line", b.len()),
        })
    }

    /// `NDSetPrefix(key)` (§3.2): on a non-root page the external header becomes `key`; on a
    /// root page a null key changes nothing and any other key is refused.
    pub fn set_prefix(&mut self, key: &[u8]) -> Result<()> {
        if self.view().flags().is_root() {
            if key.is_empty() {
                return Ok(());
            }
            return Err(PageError::Refused { op: "SetPrefix", why: "a root page has no key prefix".into() });
        }
        self.set_external_header(key)
    }

    /// The prefix change of a split page (`BTISplitSetPrefixInSrcPage`, §3.5, §10 F3), in the
    /// engine's order: (1) a non-empty old prefix is cleared; (2) lines whose `cbPrefix` grows
    /// are re-encoded (they shrink in place), iline ascending; (3) lines whose `cbPrefix`
    /// shrinks are re-encoded from the old prefix (they grow: moved or compacted), iline
    /// ascending; (4) the external header becomes `new_prefix`. `cb_prefixes[i]` is line `i`'s
    /// new `cbPrefix`; its key must start with `new_prefix[..cb_prefixes[i]]`.
    pub fn reset_prefix(&mut self, new_prefix: &[u8], cb_prefixes: &[usize]) -> Result<()> {
        const OP: &str = "SetPrefixInSrcPage";
        self.require_sane(OP)?;
        let v = self.view();
        let n = v.line_count();
        if cb_prefixes.len() != n {
            return Err(Self::invalid(
                OP,
                "number of cbPrefix values",
                format!("the line count {n}"),
                cb_prefixes.len().to_string(),
            ));
        }
        if v.flags().is_root() {
            let untouched = new_prefix.is_empty() && cb_prefixes.iter().all(|&c| c == 0);
            let plain = (0..n).all(|i| self.stored_cb_prefix(i).is_ok_and(|c| c == 0));
            if untouched && plain {
                return Ok(());
            }
            return Err(PageError::Refused { op: OP, why: "a root page has no key prefix".into() });
        }
        let old_prefix = v.external_header()?.to_vec();
        let mut lines = Vec::with_capacity(n);
        let (mut old_total, mut new_total) = (old_prefix.len(), new_prefix.len());
        for (iline, &cb) in cb_prefixes.iter().enumerate() {
            let (itag, l) = self.require_line(OP, iline)?;
            if cb > new_prefix.len() || l.key.get(..cb) != new_prefix.get(..cb) {
                return Err(Self::invalid(
                    OP,
                    "cbPrefix",
                    format!("a length of common prefix between line {iline}'s key and the new prefix"),
                    cb.to_string(),
                ));
            }
            let new_line = encode_node(cb, l.key.get(cb..).unwrap_or(&[]), &[]);
            old_total += l.line_len;
            new_total += new_line.len() + l.data_len;
            lines.push((itag, cb, l));
        }
        self.require_space(OP, new_total.saturating_sub(old_total))?;
        // Every growth goes through FreeSpace_; validate the whole TAG array once.
        self.require_compactable(OP, None, 0, 0)?;
        let clear_old = !old_prefix.is_empty();
        self.guarded(OP, |p| {
            if clear_old {
                p.raw_replace(0, &[], LineFlags::NONE);
            }
            for grow in [true, false] {
                for (itag, cb, l) in &lines {
                    if (grow && *cb > l.cb_prefix) || (!grow && *cb < l.cb_prefix) {
                        let line = encode_node(*cb, l.key.get(*cb..).unwrap_or(&[]), &l.data);
                        let flags = if *cb > 0 {
                            l.flags.union(LineFlags::COMPRESSED)
                        } else {
                            l.flags.without(LineFlags::COMPRESSED)
                        };
                        p.raw_replace(*itag, &[&line], flags);
                    }
                }
            }
            p.raw_replace(0, &[new_prefix], LineFlags::NONE);
        })
    }

    /// `CPAGE::ReorganizeData_` on request: compacts the lines to the start of the data area.
    pub fn compact(&mut self) -> Result<()> {
        const OP: &str = "ReorganizeData";
        self.require_sane(OP)?;
        self.require_compactable(OP, None, 0, 0)?;
        self.guarded(OP, |p| p.reorganize())
    }
}

/// What an operation needs to know of a line, read before writing.
#[derive(Debug, Clone)]
struct LineInfo {
    flags: LineFlags,
    cb_prefix: usize,
    key: Vec<u8>,
    suffix: Vec<u8>,
    data: Vec<u8>,
    data_at: usize,
    data_len: usize,
    line_len: usize,
}
