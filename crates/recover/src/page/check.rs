//! The page checker: header fields derived from the TAG array, compared with the stored ones,
//! and the per-page rules of `CPAGE::ErrCheckPage`.
//!
//! [`derive`] computes what the tag-dependent header fields must be; [`check_structure`] compares
//! them with the page and checks the byte structure (the rules every mutation must keep);
//! [`check_page`] adds the content rules (key order, internal-page nodes). Both collect every
//! finding instead of stopping at the first.
//!
//! Sources: docs/page-internals.md §1.5 (invariants and their ESE names), §6.1 (per page), §10 F6
//! (write stamps masked before flag checks).

use std::fmt;

use super::layout::{LineFlags, PageFlags, Tag, TAG_SIZE};
use super::view::{Key, PageView};

/// Header fields as the TAG array says they must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derived {
    /// `Σcb` over every TAG, the external header included.
    pub sum_cb: usize,
    /// `cbData − Σcb − 4 × itagMicFree`: what `cbFree` must be (negative on a broken page).
    pub cb_free: isize,
    /// The end of the highest line (`max(ib + cb)`): `ibMicFree` may not be below it.
    pub ib_mic_free_min: usize,
    /// Bytes in holes below `ibMicFree` (`ibMicFree − Σcb` when nothing overlaps).
    pub holes: isize,
    /// `Clines()`.
    pub lines: usize,
}

/// Derives the tag-dependent header fields of a page from its TAG array. TAGs that cannot be
/// read (an `itagMicFree` larger than the data area) are left out; [`check_structure`] reports
/// them.
pub fn derive(view: &PageView<'_>) -> Derived {
    let geo = view.geometry();
    let (mut sum_cb, mut max_end) = (0usize, 0usize);
    for t in view.tags().flatten() {
        sum_cb += t.cb;
        max_end = max_end.max(t.end());
    }
    let tags = view.itag_mic_free();
    Derived {
        sum_cb,
        cb_free: geo.data_len() as isize - sum_cb as isize - (TAG_SIZE * tags) as isize,
        ib_mic_free_min: max_end,
        holes: view.ib_mic_free() as isize - sum_cb as isize,
        lines: view.line_count(),
    }
}

/// The rule a finding breaks, with the name `ErrCheckPage` gives it where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    /// `Σcb + cbFree + 4 × itagMicFree ≠ cbData`.
    SpaceSizeMismatch,
    /// `cbFree > cbData`.
    CbFreeTooLarge,
    /// `cbUncommittedFree > cbFree`.
    CbUncommittedFreeTooLarge,
    /// `ibMicFree > cbData`, or the contiguous free space is negative (lines run into the TAG array).
    IbMicFreeTooLarge,
    /// `itagMicFree ≥ cbData / 4`.
    ItagMicFreeTooLarge,
    /// `itagMicFree == 0` on a page that is neither empty nor pre-initialised.
    EmptyAndPreInitFlagsNotSet,
    /// A line ends beyond `ibMicFree`.
    TagInFreeSpace,
    /// Two lines share bytes.
    TagsOverlap,
    /// A node line of length 0.
    ZeroLengthIline,
    /// A node does not decode (`cbSuffix`/`cbPrefix` beyond the line or the prefix).
    TagcbSuffixTooLarge,
    /// A node with no data.
    TagCbDataZero,
    /// A null key where only the last line of an internal page may have one.
    TagZeroLengthKey,
    /// Page flags that cannot go together (Leaf + ParentOfLeaf, Empty + PreInit, Index +
    /// LongValue, ...).
    CorruptFlagsMixed,
    /// A pre-initialised page with TAGs, other flags or siblings.
    PreInitPageFlagSetWithInvalidFlags,
    /// Keys decreasing (`CheckLinesInOrder`).
    LinesOutOfOrder,
    /// An internal node whose data is not a 4-byte page number, or with version/delete flags.
    InternalNode,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// One finding: which rule, which TAG/line, which bytes, what was expected and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The rule broken.
    pub rule: Rule,
    /// The TAG concerned, if one.
    pub itag: Option<usize>,
    /// The line concerned (`itag − ctagReserved`), if one.
    pub iline: Option<usize>,
    /// Data-area byte range concerned, if one.
    pub range: Option<(usize, usize)>,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.rule)?;
        if let Some(i) = self.iline {
            write!(f, " line {i}")?;
        } else if let Some(t) = self.itag {
            write!(f, " TAG {t}")?;
        }
        if let Some((a, b)) = self.range {
            write!(f, " bytes {a}..{b}")?;
        }
        write!(f, ": {}", self.message)
    }
}

fn problem(rule: Rule, message: String) -> Problem {
    Problem { rule, itag: None, iline: None, range: None, message }
}

/// The byte-structure rules of §1.5 that every page mutation keeps: free-space accounting
/// against [`derive`], TAGs inside `[0, ibMicFree)` without overlap, every node decodable with
/// data, consistent flags. Empty when the page is sound.
pub fn check_structure(view: &PageView<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    let geo = view.geometry();
    let cb_data = geo.data_len();
    let flags = view.flags();
    let f = PageFlags(flags.bits() & !PageFlags::WRITE_STAMPS);
    let ntags = view.itag_mic_free();

    // Flags (masked by the write stamps, §10 F6).
    let mixed = [
        (PageFlags::LEAF | PageFlags::PARENT_OF_LEAF, "Leaf and ParentOfLeaf"),
        (PageFlags::EMPTY | PageFlags::PRE_INIT, "Empty and PreInit"),
        (PageFlags::INDEX | PageFlags::LONG_VALUE, "Index and LongValue"),
    ];
    for (m, what) in mixed {
        if f.has(m) {
            out.push(problem(Rule::CorruptFlagsMixed, format!("fFlags {flags} sets both {what}")));
        }
    }
    if f.is_pre_init() {
        let allowed = PageFlags::PRE_INIT | PageFlags::NEW_RECORD_FORMAT;
        if ntags != 0 || f.bits() & !allowed != 0 || view.pgno_prev() != 0 || view.pgno_next() != 0 {
            out.push(problem(
                Rule::PreInitPageFlagSetWithInvalidFlags,
                format!(
                    "a pre-initialised page should have no TAG, no siblings and only PreInit | NewRecordFormat \
                     (plus write stamps), but it has itagMicFree {ntags}, fFlags {flags}, pgnoPrev {}, pgnoNext {}",
                    view.pgno_prev(),
                    view.pgno_next()
                ),
            ));
        }
    } else if ntags == 0 && !f.is_empty() {
        out.push(problem(
            Rule::EmptyAndPreInitFlagsNotSet,
            format!("itagMicFree is 0 but fFlags {flags} has neither Empty nor PreInit"),
        ));
    }

    // Header bounds.
    if ntags >= cb_data / TAG_SIZE {
        out.push(problem(
            Rule::ItagMicFreeTooLarge,
            format!("itagMicFree should be below {}, but it is {ntags}", cb_data / TAG_SIZE),
        ));
        return out; // the TAG array cannot be read
    }
    if view.cb_free() > cb_data {
        out.push(problem(
            Rule::CbFreeTooLarge,
            format!("cbFree should be at most {cb_data}, but it is {}", view.cb_free()),
        ));
    }
    if view.cb_uncommitted_free() > view.cb_free() {
        out.push(problem(
            Rule::CbUncommittedFreeTooLarge,
            format!(
                "cbUncommittedFree should be at most cbFree {}, but it is {}",
                view.cb_free(),
                view.cb_uncommitted_free()
            ),
        ));
    }
    if view.ib_mic_free() > cb_data || view.contiguous_free() < 0 {
        out.push(problem(
            Rule::IbMicFreeTooLarge,
            format!(
                "ibMicFree should be at most cbData − 4 × itagMicFree = {}, but it is {}",
                cb_data - TAG_SIZE * ntags,
                view.ib_mic_free()
            ),
        ));
    }

    // Derived fields against stored ones.
    let d = derive(view);
    if d.cb_free != view.cb_free() as isize {
        out.push(problem(
            Rule::SpaceSizeMismatch,
            format!(
                "cbFree should be cbData {cb_data} − Σcb {} − 4 × itagMicFree {ntags} = {}, but it is {}",
                d.sum_cb,
                d.cb_free,
                view.cb_free()
            ),
        ));
    }

    // TAGs: inside [0, ibMicFree), no overlap, no zero-length line.
    let ctag = view.ctag_reserved();
    let mut spans: Vec<Tag> = Vec::with_capacity(ntags);
    for t in view.tags().flatten() {
        let iline = t.itag.checked_sub(ctag);
        // Zero-length TAGs are exempt: `Delete_` sets ibMicFree to 0 on an emptied page and
        // leaves the external header's ib where it was (corpus: Catalog1.edb page 85).
        if t.cb > 0 && t.end() > view.ib_mic_free() {
            out.push(Problem {
                rule: Rule::TagInFreeSpace,
                itag: Some(t.itag),
                iline,
                range: Some((t.ib, t.end())),
                message: format!(
                    "the line should end at or before ibMicFree {}, but it ends at {}",
                    view.ib_mic_free(),
                    t.end()
                ),
            });
        }
        if t.cb == 0 && t.itag >= ctag {
            out.push(Problem {
                rule: Rule::ZeroLengthIline,
                itag: Some(t.itag),
                iline,
                range: Some((t.ib, t.ib)),
                message: "a node line should have bytes, but its cb is 0".into(),
            });
        }
        if t.cb > 0 {
            spans.push(t);
        }
    }
    spans.sort_by_key(|t| (t.ib, t.itag));
    for w in spans.windows(2) {
        if let [a, b] = w {
            if a.end() > b.ib {
                out.push(Problem {
                    rule: Rule::TagsOverlap,
                    itag: Some(b.itag),
                    iline: b.itag.checked_sub(ctag),
                    range: Some((b.ib, a.end().min(b.end()))),
                    message: format!(
                        "TAG {} (bytes {}..{}) and TAG {} (bytes {}..{}) overlap",
                        a.itag,
                        a.ib,
                        a.end(),
                        b.itag,
                        b.ib,
                        b.end()
                    ),
                });
            }
        }
    }

    // Nodes decode and carry data.
    for iline in 0..view.line_count() {
        match view.line(iline) {
            Err(e) => out.push(Problem {
                rule: Rule::TagcbSuffixTooLarge,
                itag: Some(iline + ctag),
                iline: Some(iline),
                range: None,
                message: e.to_string(),
            }),
            Ok(l) if l.data.is_empty() => out.push(Problem {
                rule: Rule::TagCbDataZero,
                itag: Some(l.tag.itag),
                iline: Some(iline),
                range: Some((l.tag.ib, l.tag.end())),
                message: "a node should have at least 1 byte of data, but it has 0".into(),
            }),
            Ok(_) => {}
        }
    }
    out
}

/// [`check_structure`] plus the content rules of §1.5/§6.1: keys non-decreasing under
/// `CmpKey` (internal pages without their last line), internal nodes holding a 4-byte page
/// number without version or delete flags, no null key except as the last node of an internal
/// page.
pub fn check_page(view: &PageView<'_>) -> Vec<Problem> {
    let mut out = check_structure(view);
    let flags = view.flags();
    if flags.is_pre_init() || view.line_count() == 0 {
        return out;
    }
    let internal = !flags.is_leaf();
    let n = view.line_count();
    let mut prev: Option<Key<'_>> = None;
    for iline in 0..n {
        let Ok(l) = view.line(iline) else { continue };
        let last = iline + 1 == n;
        let at = |rule, message| Problem {
            rule,
            itag: Some(l.tag.itag),
            iline: Some(iline),
            range: Some((l.tag.ib, l.tag.end())),
            message,
        };
        if internal {
            if l.data.len() != 4 {
                out.push(at(
                    Rule::InternalNode,
                    format!("an internal node should hold a 4-byte page number, but it has {} bytes", l.data.len()),
                ));
            }
            // The last node's key is null only on the rightmost page of a level: internal pages
            // of real databases end with a separator key too (corpus: Velocidex-go-ese
            // SRUDB.dat page 507), so that is a tree rule, not a page rule.
            if l.flags.without(LineFlags::COMPRESSED) != LineFlags::NONE {
                out.push(at(
                    Rule::InternalNode,
                    format!("an internal node should carry no version or delete flag, but its flags are {}", l.flags),
                ));
            }
        }
        if l.key().is_empty() && !(internal && last) {
            out.push(at(Rule::TagZeroLengthKey, "only the last node of an internal page may have a null key".into()));
        }
        if internal && last {
            continue;
        }
        let key = l.key();
        if let Some(p) = prev {
            if key < p {
                out.push(at(
                    Rule::LinesOutOfOrder,
                    format!("key {} sorts before the previous key {}", hex(&key), hex(&p)),
                ));
            }
        }
        prev = Some(key);
    }
    out
}

fn hex(k: &Key<'_>) -> String {
    let mut s = String::with_capacity(2 * k.len().min(32) + 3);
    for b in k.iter().take(32) {
        s.push_str(&format!("{b:02x}"));
    }
    if k.len() > 32 {
        s.push_str("...");
    }
    s
}
