//! Redo of the Split2 macro (`ErrLGRIRedoSplit`, `ErrLGIRedoSplitStructures`,
//! `ErrLGIRedoSplitLineinfo`, `BTIPerformSplit`): one Split2 record per level from the highest
//! level touched down to the leaf, then the leaf operation (Insert, FlagInsertAndReplaceData or
//! Replace), all at the macro's dbtime D. Applied top down; each step only on the pages the
//! driver decided need redo; every such page ends at dbtime D.
//!
//! The physical order follows the engine so that the pages are byte-identical to its own
//! (docs/page-internals.md §10 F2, F3): the split page's moved lines are deleted from the last
//! one down, the operation node is inserted with flags 0 and gets `fNDVersion` afterwards, the
//! prefix of the split page is reset in the engine's passes, and a vertical split inserts the
//! root's pointer node after the lines are gone and the flags are set.
//!
//! Sources: docs/page-internals.md §4.4 (the record group, which pages need redo, the line
//! list, the pre-image, the steps), §1.7 (dehydrated pre-images), §3.5 (cbPrefix), §10 F2, F3,
//! F5, F6, F12; docs/log-records.md §3.16.

use esehdr_format::log::records::decode::Split;
use esehdr_format::log::records::{LrType, Record};

use super::{node::after_image, ApplySink, Fail, RedoResult, BUFFER_DEPENDENCIES_CORRUPTED, LOG_CORRUPTED, LR_VERSIONED};
use crate::driver::Redo;
use crate::page::{LineFlags, Node, PageBuilder, PageFlags, PageMut, PageView};

/// `SPLITTYPE`.
const SPLIT_VERTICAL: u8 = 0;
const SPLIT_RIGHT: u8 = 1;
const SPLIT_APPEND: u8 = 2;
/// `SPLITOPER`.
const OPER_NONE: u8 = 0;
const OPER_INSERT: u8 = 1;
const OPER_REPLACE: u8 = 2;
const OPER_FIARD: u8 = 3;
/// `fPreimageDehydrated`, `fPreimageXpress` (`le_flags` of Split2).
const PREIMAGE_DEHYDRATED: u32 = 0x1;
const PREIMAGE_COMPRESSED: u32 = 0x2;

/// One entry of the line list (`LINEINFO`): the full key, the data, the flags (without
/// `fNDCompressed`) and the cbPrefix computed for its destination.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    key: Vec<u8>,
    data: Vec<u8>,
    flags: LineFlags,
    cb_prefix: usize,
}

/// The leaf operation of the macro.
struct LeafOp<'r> {
    rec: Record<'r>,
    versioned: bool,
}

fn common(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// §3.5: the common length when it exceeds `cbPrefixOverhead` (2), else 0.
fn cb_prefix_against(key: &[u8], prefix: &[u8]) -> usize {
    let n = common(key, prefix);
    if n > 2 {
        n
    } else {
        0
    }
}

fn pm(pgno: u32) -> impl Fn(crate::page::PageError) -> Fail {
    move |e| Fail::page(pgno, e)
}

/// Applies a Split2 macro.
pub fn redo_split(sink: &mut ApplySink<'_>, op: &Redo<'_>) -> RedoResult {
    let needs = |pgno: u32| pgno != 0 && op.pages.iter().any(|(p, _)| *p == pgno);
    let mut splits: Vec<Split<'_>> = Vec::new();
    let mut leaf: Option<LeafOp<'_>> = None;
    let mut dbtime = None;
    for m in op.macro_records {
        let rec = Record::decode_bytes(&m.bytes, m.lgpos, 0).map_err(|e| Fail::new(LOG_CORRUPTED, None, e.to_string()))?;
        match rec {
            Record::Split(s) if m.lrtyp == LrType::SPLIT2 => {
                dbtime = Some(s.page.dbtime);
                splits.push(*s);
            }
            Record::Insert(ref x) => {
                let v = x.node.page.flags & LR_VERSIONED != 0;
                leaf = Some(LeafOp { rec, versioned: v });
            }
            Record::FlagInsertAndReplaceData(ref x) => {
                let v = x.node.page.flags & LR_VERSIONED != 0;
                leaf = Some(LeafOp { rec, versioned: v });
            }
            Record::Replace(ref x) | Record::ReplaceD(ref x) => {
                let v = x.node.page.flags & LR_VERSIONED != 0;
                leaf = Some(LeafOp { rec, versioned: v });
            }
            // A NewPage inside the macro: the split re-creates the page anyway (§10 F5).
            Record::NewPage(_) => {}
            _ => {
                return Err(Fail::unsupported(
                    None,
                    format!("a split macro holding a {} record at {} is not implemented", m.lrtyp.name(), m.lgpos),
                ))
            }
        }
    }
    let Some(d) = dbtime else {
        return Err(Fail::new(LOG_CORRUPTED, None, "a Split2 macro without a Split2 record"));
    };
    for k in 0..splits.len() {
        let (Some(s), child) = (splits.get(k), splits.get(k + 1)) else { break };
        if s.pgno_new == 0 {
            let Some(c) = child else {
                return Err(Fail::new(LOG_CORRUPTED, s.page.pgno, "a parent-only Split2 record with no level below it"));
            };
            if needs(s.page.pgno) {
                insert_separator(sink, s, c, d)?;
            }
        } else {
            let leaf_op = if child.is_none() { leaf.as_ref() } else { None };
            split_level(sink, s, child, leaf_op, d, &needs)?;
        }
    }
    Ok(())
}

/// A level that only receives a separator (`BTIInsertPgnoNewAndSetPgnoSplit`, §4.4 step 1):
/// {child's parent key → child's split page} inserted before the first node whose separator is
/// greater, then the node after it points to the child's new page.
fn insert_separator(sink: &mut ApplySink<'_>, s: &Split<'_>, c: &Split<'_>, d: u64) -> RedoResult {
    let pgno = s.page.pgno;
    sink.existing(pgno)?;
    let sep = c.key_parent.0;
    sink.with_page(pgno, |p| {
        let v = p.view();
        check_object(&v, pgno, s.objid_fdp)?;
        let n = v.line_count();
        let mut at = None;
        for i in 0..n {
            let l = v.line(i).map_err(pm(pgno))?;
            // The null key of the last node of an internal page stands for +∞.
            let greater = (l.key().is_empty() && i + 1 == n) || l.key().iter().cmp(sep.iter().copied()).is_gt();
            if greater {
                at = Some(i);
                break;
            }
        }
        let Some(at) = at else {
            return Err(Fail::new(
                super::LOG_OPERATION_INCONSISTENT,
                pgno,
                "no node of the parent page has a separator greater than the new one",
            ));
        };
        let cb_prefix = match v.prefix_source().map_err(pm(pgno))? {
            Some(src) => cb_prefix_against(sep, src),
            None => 0,
        };
        let data = c.page.pgno.to_le_bytes();
        p.insert(at, &Node { flags: LineFlags::NONE, key: sep, cb_prefix, data: &data }).map_err(pm(pgno))?;
        p.replace_data(at + 1, &c.pgno_new.to_le_bytes()).map_err(pm(pgno))?;
        p.stamp_dbtime(d);
        Ok(())
    })
}

fn check_object(v: &PageView<'_>, pgno: u32, objid: u32) -> RedoResult {
    if v.objid_fdp() != objid {
        return Err(Fail::new(
            super::DATABASE_CORRUPTED,
            pgno,
            format!("the page belongs to object {}, but the split is of object {objid}", v.objid_fdp()),
        ));
    }
    Ok(())
}

/// `FBTISplitPageBeforeImageRequired`.
fn preimage_required(s: &Split<'_>) -> bool {
    let last = s.clines.saturating_sub(1);
    !(s.split_type == SPLIT_APPEND
        || (s.split_type == SPLIT_RIGHT && s.split_oper == OPER_INSERT && s.iline_split == s.iline_oper && s.iline_oper == last))
}

/// The split page as it was before the split, from the record's pre-image (§1.7): refused when
/// compressed (esehdr does not read Xpress/LZ4), rehydrated when dehydrated.
fn preimage(s: &Split<'_>, page_size: usize) -> RedoResult<Vec<u8>> {
    let pgno = s.page.pgno;
    let img = s.page_before_image.0;
    let flags = s.preimage_flags.unwrap_or(0);
    if img.is_empty() {
        return Err(Fail::new(BUFFER_DEPENDENCIES_CORRUPTED, pgno, "the split page needs no redo but the new page does, and the record holds no pre-image"));
    }
    if flags & PREIMAGE_COMPRESSED != 0 {
        return Err(Fail::unsupported(
            pgno,
            format!("the split page's pre-image ({} bytes, le_flags {flags:#x}) is compressed (Xpress/LZ4 through ErrPKDecompressData), which esehdr cannot decompress; it is needed because the new page {} needs redo and the split page does not", img.len(), s.pgno_new),
        ));
    }
    if img.len() == page_size {
        return Ok(img.to_vec());
    }
    if flags & PREIMAGE_DEHYDRATED == 0 || img.len() > page_size || img.len() < 40 {
        return Err(Fail::new(LOG_CORRUPTED, pgno, format!("a pre-image of {} bytes for {page_size}-byte pages, le_flags {flags:#x}", img.len())));
    }
    // Rehydrate: the last 4 × itagMicFree bytes are the TAG array; cbFree grows by what was cut.
    let rd16 = |at: usize| img.get(at..at + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    let tags = 4 * usize::from(rd16(34) & 0x0FFF);
    if tags > img.len() - 40 {
        return Err(Fail::new(LOG_CORRUPTED, pgno, "a dehydrated pre-image whose TAG array exceeds it"));
    }
    let cut = img.len() - tags;
    let cb_free = usize::from(rd16(28)) + (page_size - img.len());
    let mut page = Vec::with_capacity(page_size);
    page.extend_from_slice(img.get(..cut).unwrap_or_default());
    page.resize(page_size - tags, 0);
    page.extend_from_slice(img.get(cut..).unwrap_or_default());
    let mut p = PageMut::new(&mut page).map_err(pm(pgno))?;
    p.set_dbtime_dirtied(s.page.dbtime_before);
    drop(p);
    if let Some(f) = page.get_mut(28..30) {
        f.copy_from_slice(&(cb_free as u16).to_le_bytes());
    }
    Ok(page)
}

/// The leaf operation's node: key and data for an Insert; data for Replace/FIARD (ReplaceD:
/// the after-image of the split page's line).
fn leaf_data(op: &LeafOp<'_>, old_data: &[u8], pgno: u32) -> RedoResult<Vec<u8>> {
    match &op.rec {
        Record::Insert(x) => Ok(x.data.0.to_vec()),
        Record::FlagInsertAndReplaceData(x) => Ok(x.data.0.to_vec()),
        Record::Replace(x) => Ok(x.data.0.to_vec()),
        Record::ReplaceD(x) => after_image(x, old_data, pgno),
        _ => Err(Fail::new(LOG_CORRUPTED, pgno, "an unexpected leaf operation")),
    }
}

/// A level that splits (§4.4 steps 2-7).
fn split_level(
    sink: &mut ApplySink<'_>,
    s: &Split<'_>,
    child: Option<&Split<'_>>,
    leaf: Option<&LeafOp<'_>>,
    d: u64,
    needs: &dyn Fn(u32) -> bool,
) -> RedoResult {
    let pgno_split = s.page.pgno;
    let pgno_new = s.pgno_new;
    let is_leaf = child.is_none();
    let (need_split, need_new) = (needs(pgno_split), needs(pgno_new));
    let oper = s.split_oper;
    let clines = usize::from(s.clines);
    let iline_oper = usize::from(s.iline_oper);
    let iline_split = usize::from(s.iline_split);
    if iline_split > clines || (oper != OPER_NONE && iline_oper >= clines) {
        return Err(Fail::new(LOG_CORRUPTED, pgno_split, format!("ilineSplit {iline_split} / ilineOper {iline_oper} beyond clines {clines}")));
    }
    if is_leaf && oper != OPER_NONE && leaf.is_none() {
        return Err(Fail::new(LOG_CORRUPTED, pgno_split, "the leaf split has an operation but the macro holds no leaf operation record"));
    }
    let versioned = is_leaf && leaf.is_some_and(|l| l.versioned);

    // The line list (ErrLGIRedoSplitLineinfo), from the split page's current lines, or its
    // pre-image, or (append-like, no pre-image required) only the operation node.
    let mut entries: Vec<Option<Entry>> = vec![None; clines];
    if need_split || need_new {
        let source: Option<Vec<u8>> = if need_split {
            Some(sink.existing(pgno_split)?.clone())
        } else if preimage_required(s) {
            Some(preimage(s, sink.page_size())?)
        } else {
            None
        };
        if let Some(src) = &source {
            let v = PageView::new(src).map_err(pm(pgno_split))?;
            check_object(&v, pgno_split, s.objid_fdp)?;
            let expected = clines - usize::from(oper == OPER_INSERT);
            if v.line_count() != expected {
                return Err(Fail::new(
                    super::LOG_OPERATION_INCONSISTENT,
                    pgno_split,
                    format!("the split page should hold {expected} lines (clines {clines}), but it holds {}", v.line_count()),
                ));
            }
        }
        let mut j = 0;
        for (i, slot) in entries.iter_mut().enumerate() {
            if i == iline_oper && oper == OPER_INSERT {
                let (key, data) = match (child, leaf) {
                    (Some(c), _) => (c.key_parent.0.to_vec(), c.page.pgno.to_le_bytes().to_vec()),
                    (None, Some(LeafOp { rec: Record::Insert(x), .. })) => {
                        let mut k = x.key_prefix.0.to_vec();
                        k.extend_from_slice(x.key_suffix.0);
                        (k, x.data.0.to_vec())
                    }
                    _ => return Err(Fail::new(LOG_CORRUPTED, pgno_split, "an Insert split whose leaf operation is not an Insert")),
                };
                *slot = Some(Entry { key, data, flags: LineFlags::NONE, cb_prefix: 0 });
                continue;
            }
            let Some(src) = &source else {
                j += 1;
                continue;
            };
            let v = PageView::new(src).map_err(pm(pgno_split))?;
            let l = v.line(j).map_err(pm(pgno_split))?;
            j += 1;
            let mut data = l.data.to_vec();
            if i == iline_oper && (oper == OPER_REPLACE || oper == OPER_FIARD) {
                let Some(op) = leaf.filter(|_| is_leaf) else {
                    return Err(Fail::unsupported(pgno_split, "a Replace split operation on an internal level"));
                };
                data = leaf_data(op, l.data, pgno_split)?;
            }
            *slot = Some(Entry { key: l.key().to_vec(), data, flags: l.flags.without(LineFlags::COMPRESSED), cb_prefix: 0 });
        }
        // cbPrefix of each entry (§3.5): staying lines against the split page's new prefix,
        // moving lines against the key of entry ilineSplit + ilinePrefixNew.
        let prefix_new_key: Option<Vec<u8>> = if s.iline_prefix_new >= 0 {
            let at = iline_split + s.iline_prefix_new as usize;
            let e = entries.get(at).and_then(|e| e.as_ref()).ok_or_else(|| {
                Fail::new(LOG_CORRUPTED, pgno_split, format!("ilinePrefixNew points at entry {at}, which is not known"))
            })?;
            Some(e.key.clone())
        } else {
            None
        };
        for (i, e) in entries.iter_mut().enumerate() {
            let Some(e) = e else { continue };
            e.cb_prefix = if i < iline_split {
                if s.iline_prefix_split >= 0 {
                    cb_prefix_against(&e.key, s.prefix_split_new.0)
                } else {
                    0
                }
            } else {
                prefix_new_key.as_deref().map_or(0, |k| cb_prefix_against(&e.key, k))
            };
        }
        let lands_on_new = oper != OPER_NONE && iline_oper >= iline_split;

        // The new page (§4.4 step 2, §10 F5, F12).
        if need_new {
            let b = PageBuilder::new(sink.page_size()).map_err(pm(pgno_new))?;
            let b = b.pgno(pgno_new).objid_fdp(s.objid_fdp).dbtime(d.wrapping_sub(1));
            b.pre_init_into(sink.fresh(pgno_new)).map_err(pm(pgno_new))?;
            let ents = &entries;
            sink.with_page(pgno_new, |p| {
                p.consume_pre_init(PageFlags(s.new_page_flags)).map_err(pm(pgno_new))?;
                if let Some(k) = &prefix_new_key {
                    p.set_external_header(k).map_err(pm(pgno_new))?;
                }
                for i in iline_split..clines {
                    let e = ents.get(i).and_then(|e| e.as_ref()).ok_or_else(|| {
                        Fail::new(LOG_CORRUPTED, pgno_new, format!("line-list entry {i} is not known (no pre-image)"))
                    })?;
                    let mut flags = e.flags;
                    if lands_on_new && i == iline_oper {
                        flags = match oper {
                            OPER_INSERT => LineFlags::NONE,
                            OPER_FIARD => e.flags.without(LineFlags::DELETED),
                            _ => e.flags,
                        };
                    }
                    let at = i - iline_split;
                    p.insert(at, &Node { flags, key: &e.key, cb_prefix: e.cb_prefix, data: &e.data }).map_err(pm(pgno_new))?;
                    if lands_on_new && i == iline_oper && versioned {
                        p.set_line_flags(at, LineFlags::VERSION).map_err(pm(pgno_new))?;
                    }
                }
                if is_leaf {
                    let unc = usize::try_from(s.cb_unc_free_dest).unwrap_or(0);
                    p.set_cb_uncommitted_free(unc).map_err(pm(pgno_new))?;
                    if s.split_type != SPLIT_VERTICAL {
                        p.set_pgno_prev(pgno_split);
                        if s.pgno_right != 0 {
                            p.set_pgno_next(s.pgno_right);
                        }
                    }
                }
                // Step 4: the node after the operation node points to the child's new page.
                if let Some(c) = child {
                    if iline_oper + 1 >= iline_split && oper == OPER_INSERT {
                        p.replace_data(iline_oper + 1 - iline_split, &c.pgno_new.to_le_bytes()).map_err(pm(pgno_new))?;
                    }
                }
                p.stamp_dbtime(d);
                Ok(())
            })?;
        }

        // The split page.
        if need_split {
            let ents = &entries;
            sink.with_page(pgno_split, |p| {
                let count = p.view().line_count();
                let moved = (clines - iline_split) - usize::from(oper == OPER_INSERT && iline_oper >= iline_split);
                // §10 F2: from the last line down.
                for l in (count - moved..count).rev() {
                    p.delete(l).map_err(pm(pgno_split))?;
                }
                if s.split_type != SPLIT_APPEND {
                    // Remaining page line l is entry l, or l + 1 after an Insert at or before it.
                    let remaining = p.view().line_count();
                    let mut cbs = Vec::with_capacity(remaining);
                    for l in 0..remaining {
                        let i = if oper == OPER_INSERT && iline_oper <= l && !lands_on_new { l + 1 } else { l };
                        let e = ents.get(i).and_then(|e| e.as_ref()).ok_or_else(|| {
                            Fail::new(LOG_CORRUPTED, pgno_split, format!("line-list entry {i} is not known"))
                        })?;
                        cbs.push(e.cb_prefix);
                    }
                    p.reset_prefix(s.prefix_split_new.0, &cbs).map_err(pm(pgno_split))?;
                }
                if !lands_on_new && oper != OPER_NONE {
                    let e = ents.get(iline_oper).and_then(|e| e.as_ref()).ok_or_else(|| {
                        Fail::new(LOG_CORRUPTED, pgno_split, "the operation's line-list entry is not known")
                    })?;
                    if oper != OPER_INSERT {
                        p.delete(iline_oper).map_err(pm(pgno_split))?;
                    }
                    let node = Node { flags: LineFlags::NONE, key: &e.key, cb_prefix: e.cb_prefix, data: &e.data };
                    p.insert(iline_oper, &node).map_err(pm(pgno_split))?;
                    if versioned {
                        p.set_line_flags(iline_oper, LineFlags::VERSION).map_err(pm(pgno_split))?;
                    }
                    if let Some(c) = child {
                        if iline_oper + 1 < iline_split && oper == OPER_INSERT {
                            p.replace_data(iline_oper + 1, &c.pgno_new.to_le_bytes()).map_err(pm(pgno_split))?;
                        }
                    }
                }
                if s.split_type == SPLIT_VERTICAL {
                    let fdp_delete = p.view().flags().bits() & PageFlags::FDP_DELETE;
                    p.set_flags(PageFlags(s.split_page_flags | fdp_delete)).map_err(pm(pgno_split))?;
                    let data = pgno_new.to_le_bytes();
                    p.insert(0, &Node { flags: LineFlags::NONE, key: &[], cb_prefix: 0, data: &data }).map_err(pm(pgno_split))?;
                } else if is_leaf {
                    p.set_pgno_next(pgno_new);
                }
                if is_leaf {
                    let unc = usize::try_from(s.cb_unc_free_src).unwrap_or(0);
                    p.set_cb_uncommitted_free(unc).map_err(pm(pgno_split))?;
                }
                p.stamp_dbtime(d);
                Ok(())
            })?;
        }
    }

    // The right sibling (leaf, not vertical; §4.4 step 5).
    if is_leaf && s.split_type != SPLIT_VERTICAL && s.pgno_right != 0 && needs(s.pgno_right) {
        let r = s.pgno_right;
        sink.existing(r)?;
        sink.with_page(r, |p: &mut PageMut<'_>| {
            check_object(&p.view(), r, s.objid_fdp)?;
            p.set_pgno_prev(pgno_new);
            p.stamp_dbtime(d);
            Ok(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_lengths_need_more_than_the_overhead() {
        assert_eq!(cb_prefix_against(b"abcdef", b"abcxyz"), 3);
        assert_eq!(cb_prefix_against(b"abxdef", b"abcxyz"), 0);
        assert_eq!(cb_prefix_against(b"ab", b"ab"), 0);
    }
}
