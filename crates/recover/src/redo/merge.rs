//! Redo of the Merge2 macro (`ErrLGRIRedoMerge`, `ErrLGRIRedoInitializeMerge`,
//! `BTIPerformMerge`, `BTIPerformOneMerge`): one Merge2 record per level from the highest level
//! touched down to the leaf, at the macro's dbtime D, applied top down, each step only on the
//! pages that need redo; every such page ends at dbtime D.
//!
//! - Leaf level: unless EmptyPage, the source's lines move to the destination
//!   (`BTIMergeMoveNodes`: right merges take lines `ilineMerge..clines` and insert each, last
//!   first, at line 0 of the right page; left merges take `0..=ilineMerge` and insert each, last
//!   first, at the left page's original end; flag-deleted lines stay; each line's cbPrefix
//!   against the destination's prefix, §3.5), then `cbUncommittedFree = le_cbUncFreeDest`;
//!   partial merges delete the moved lines from the source (`BTIMergeDeleteFlagDeletedNodes`,
//!   from the last line down); full merges link the siblings to each other
//!   (`BTIMergeFixSiblings`); `FEmptyPage` empties the source (`NDEmptyPage`).
//! - Internal levels: FullLeft with DeleteNode and KeyChange points line `ILine` at the left
//!   page and deletes line `ILine − 1`; DeleteNode deletes line `ILine` (a null-keyed last line
//!   passes its null key to the new last line); KeyChange re-inserts line `ILine` (PartialLeft:
//!   `ILine − 1`) with the leaf record's separator (`BTIChangeKeyOfPagePointer`); `FEmptyPage`
//!   empties the page.
//!
//! When the destination needs redo and the source does not, the source's lines come from the
//! leaf record's pre-image (required for every moving merge type,
//! `FBTIMergePageBeforeImageRequired`).
//!
//! Sources: docs/page-internals.md §4.5, §3.2 (`NDEmptyPage`), §3.5, §1.7; docs/log-records.md
//! §3.17; read in Microsoft's `ese/bt.cxx` and `ese/_log/logredo.cxx` (commit of the
//! `microsoft/Extensible-Storage-Engine` snapshot) where §4.5 leaves the line ranges open.
//! Not checked against an engine file: no corpus log replays a merge.

use esehdr_format::log::records::decode::Merge;
use esehdr_format::log::records::{LrType, Record};

use super::split::{cb_prefix_against, expand_preimage};
use super::{ApplySink, Fail, RedoResult, LOG_CORRUPTED, LOG_OPERATION_INCONSISTENT};
use crate::driver::Redo;
use crate::page::{LineFlags, Node, PageMut, PageView};

/// `MERGETYPE`.
const EMPTY_PAGE: u8 = 1;
const FULL_RIGHT: u8 = 2;
const PARTIAL_RIGHT: u8 = 3;
const FULL_LEFT: u8 = 5;
const PARTIAL_LEFT: u8 = 6;
/// `m_fLRMergeFlags`.
const KEY_CHANGE: u8 = 0x01;
const DELETE_NODE: u8 = 0x02;
const F_EMPTY_PAGE: u8 = 0x04;

fn pm(pgno: u32) -> impl Fn(crate::page::PageError) -> Fail {
    move |e| Fail::page(pgno, e)
}

/// One source line (`LINEINFO`).
struct Entry {
    key: Vec<u8>,
    data: Vec<u8>,
    flags: LineFlags,
    cb_prefix: usize,
}

/// Applies a Merge2 macro.
pub fn redo_merge(sink: &mut ApplySink<'_>, op: &Redo<'_>) -> RedoResult {
    let needs = |pgno: u32| pgno != 0 && op.pages.iter().any(|(p, _)| *p == pgno);
    let mut levels: Vec<Merge<'_>> = Vec::new();
    for m in op.macro_records {
        match Record::decode_bytes(&m.bytes, m.lgpos, 0) {
            Ok(Record::Merge(x)) if m.lrtyp == LrType::MERGE2 => levels.push(*x),
            Ok(_) => {
                return Err(Fail::unsupported(
                    None,
                    format!("a merge macro holding a {} record at {} is not implemented", m.lrtyp.name(), m.lgpos),
                ))
            }
            Err(e) => return Err(Fail::new(LOG_CORRUPTED, None, e.to_string())),
        }
    }
    let Some(leaf) = levels.last() else {
        return Err(Fail::new(LOG_CORRUPTED, None, "a Merge2 macro without a Merge2 record"));
    };
    let d = leaf.page.dbtime;
    match leaf.merge_type {
        EMPTY_PAGE | FULL_RIGHT | PARTIAL_RIGHT | FULL_LEFT | PARTIAL_LEFT => {}
        t => {
            return Err(Fail::unsupported(
                leaf.page.pgno,
                format!("merge type {t} (0 none, 4 empty tree, 7 page move) is not implemented"),
            ))
        }
    }
    for (k, m) in levels.iter().enumerate() {
        if k + 1 == levels.len() {
            leaf_level(sink, m, d, &needs)?;
        } else if needs(m.page.pgno) {
            internal_level(sink, m, leaf, d)?;
        }
    }
    Ok(())
}

fn leaf_level(sink: &mut ApplySink<'_>, m: &Merge<'_>, d: u64, needs: &dyn Fn(u32) -> bool) -> RedoResult {
    let src = m.page.pgno;
    let mt = m.merge_type;
    let right = matches!(mt, FULL_RIGHT | PARTIAL_RIGHT);
    let partial = matches!(mt, PARTIAL_RIGHT | PARTIAL_LEFT);
    let dest = if right { m.pgno_right } else { m.pgno_left };
    let need_src = needs(src);
    let need_dest = mt != EMPTY_PAGE && needs(dest);
    let iline_merge = usize::from(m.iline_merge);

    if need_dest {
        // The source's lines: the page itself, or the record's pre-image (§4.5).
        let source: Vec<u8> = if need_src {
            sink.existing(src)?.clone()
        } else {
            expand_preimage(
                src,
                m.page.dbtime_before,
                m.preimage_flags.unwrap_or(0),
                m.page_before_image.0,
                sink.page_size(),
                dest,
            )?
        };
        let sv = PageView::new(&source).map_err(pm(src))?;
        sink.existing(dest)?;
        sink.with_page(dest, |p| {
            let dv = p.view();
            let prefix: Vec<u8> = dv.prefix_source().map_err(pm(dest))?.map(<[u8]>::to_vec).unwrap_or_default();
            let clines = sv.line_count();
            let mut lines = Vec::with_capacity(clines);
            for i in 0..clines {
                let l = sv.line(i).map_err(pm(src))?;
                let key = l.key().to_vec();
                let cb_prefix = cb_prefix_against(&key, &prefix);
                lines.push(Entry {
                    key,
                    data: l.data.to_vec(),
                    flags: l.flags.without(LineFlags::COMPRESSED),
                    cb_prefix,
                });
            }
            let (lo, hi, at) = if right { (iline_merge, clines, 0) } else { (0, iline_merge + 1, dv.line_count()) };
            if lo >= hi || hi > clines {
                return Err(Fail::new(
                    LOG_OPERATION_INCONSISTENT,
                    src,
                    format!("ilineMerge {iline_merge} does not fit the source's {clines} lines"),
                ));
            }
            for e in lines.get(lo..hi).unwrap_or_default().iter().rev() {
                if e.flags.contains(LineFlags::DELETED) {
                    continue;
                }
                let node = Node { flags: e.flags, key: &e.key, cb_prefix: e.cb_prefix, data: &e.data };
                p.insert(at, &node).map_err(pm(dest))?;
            }
            p.set_cb_uncommitted_free(usize::from(m.cb_unc_free_dest)).map_err(pm(dest))?;
            p.stamp_dbtime(d);
            Ok(())
        })?;
    }
    if need_src {
        sink.existing(src)?;
        sink.with_page(src, |p| {
            let n = p.view().line_count();
            for iline in (0..n).rev() {
                if (mt == PARTIAL_RIGHT && iline >= iline_merge) || (mt == PARTIAL_LEFT && iline <= iline_merge) {
                    p.delete(iline).map_err(pm(src))?;
                }
            }
            if m.merge_flags & F_EMPTY_PAGE != 0 {
                super::space::empty_page(p, src)?;
            }
            p.stamp_dbtime(d);
            Ok(())
        })?;
    }
    if !partial {
        // BTIMergeFixSiblings.
        if m.pgno_left != 0 && needs(m.pgno_left) {
            sink.existing(m.pgno_left)?;
            sink.with_page(m.pgno_left, |p| {
                p.set_pgno_next(m.pgno_right);
                p.stamp_dbtime(d);
                Ok(())
            })?;
        }
        if m.pgno_right != 0 && needs(m.pgno_right) {
            sink.existing(m.pgno_right)?;
            sink.with_page(m.pgno_right, |p| {
                p.set_pgno_prev(m.pgno_left);
                p.stamp_dbtime(d);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// `BTIChangeKeyOfPagePointer`: line `iline` deleted and inserted again with `key`, the same
/// page number, flags 0, cbPrefix against the page's prefix.
fn change_key(p: &mut PageMut<'_>, pgno: u32, iline: usize, key: &[u8]) -> RedoResult {
    let v = p.view();
    let data = v.line(iline).map_err(pm(pgno))?.data.to_vec();
    let cb_prefix = match v.prefix_source().map_err(pm(pgno))? {
        Some(src) => cb_prefix_against(key, src),
        None => 0,
    };
    p.delete(iline).map_err(pm(pgno))?;
    p.insert(iline, &Node { flags: LineFlags::NONE, key, cb_prefix, data: &data }).map_err(pm(pgno))
}

fn internal_level(sink: &mut ApplySink<'_>, m: &Merge<'_>, leaf: &Merge<'_>, d: u64) -> RedoResult {
    let pgno = m.page.pgno;
    let iline = usize::from(m.page.iline);
    let (del, key) = (m.merge_flags & DELETE_NODE != 0, m.merge_flags & KEY_CHANGE != 0);
    sink.existing(pgno)?;
    sink.with_page(pgno, |p| {
        let below = |what: &str| {
            Fail::new(LOG_OPERATION_INCONSISTENT, pgno, format!("{what}: ILine {iline} has no line before it"))
        };
        if leaf.merge_type == FULL_LEFT && del && key {
            let prev = iline.checked_sub(1).ok_or_else(|| below("a full left merge"))?;
            p.replace_data(iline, &leaf.pgno_left.to_le_bytes()).map_err(pm(pgno))?;
            p.delete(prev).map_err(pm(pgno))?;
        } else if del {
            let null_last = p.view().line(iline).map_err(pm(pgno))?.key().is_empty();
            p.delete(iline).map_err(pm(pgno))?;
            if null_last {
                let prev = iline.checked_sub(1).ok_or_else(|| below("a null-keyed last node"))?;
                change_key(p, pgno, prev, &[])?;
            }
        } else if key {
            let at = if leaf.merge_type == PARTIAL_LEFT {
                iline.checked_sub(1).ok_or_else(|| below("a partial left merge"))?
            } else {
                iline
            };
            change_key(p, pgno, at, leaf.key_parent_sep.0)?;
        }
        if m.merge_flags & F_EMPTY_PAGE != 0 {
            super::space::empty_page(p, pgno)?;
        }
        p.stamp_dbtime(d);
        Ok(())
    })
}
