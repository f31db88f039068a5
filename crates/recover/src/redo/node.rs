//! Redo of the single-page node records (`ErrLGRIRedoNodeOperation`): one function per record,
//! each checking that the record targets the page and its object, applying the operation as
//! the engine's `ErrND*` does in redo, then stamping the record's dbtime.
//!
//! Sources: docs/page-internals.md §3.3 (the logged operations as redo runs them), §3.4
//! (delta), §3.7 (dbtime after a redone record), §4.2 (the table of records); docs/log-records.md
//! §3.15 (layouts, the ReplaceD diff), §5.7.

use esehdr_format::log::records::decode::{Delta, FlagInsert, Insert, NodeOnly, Replace, SetExternalHeader};
use esehdr_format::log::records::{NodeHeader, Record};

use super::{ApplySink, Fail, RedoResult, LOG_CORRUPTED, LR_VERSIONED};
use crate::page::{LineFlags, Node, PageMut, PageView};

/// The record's page must be one the driver decided to write, and of the record's object.
fn target(sink: &mut ApplySink<'_>, h: &NodeHeader, pages: &[(u32, u64)]) -> RedoResult<(u32, u64)> {
    let pgno = h.page.pgno;
    let Some(&(_, dbtime)) = pages.iter().find(|(p, _)| *p == pgno) else {
        return Err(Fail::new(super::DATABASE_CORRUPTED, pgno, "the driver gave no dbtime for the record's page"));
    };
    let page = sink.existing(pgno)?;
    let v = PageView::new(page).map_err(|e| Fail::page(pgno, e))?;
    // docs/page-internals.md §4.1 RULE: objidFDP mismatch on a page needing redo is corruption.
    if v.objid_fdp() != h.objid_fdp {
        return Err(Fail::new(
            super::DATABASE_CORRUPTED,
            pgno,
            format!("the page belongs to object {}, but the record is for object {}", v.objid_fdp(), h.objid_fdp),
        ));
    }
    Ok((pgno, dbtime))
}

fn versioned(h: &NodeHeader) -> bool {
    h.page.flags & LR_VERSIONED != 0
}

fn pm(pgno: u32) -> impl Fn(crate::page::PageError) -> Fail {
    move |e| Fail::page(pgno, e)
}

/// Dispatches a single-page node record (not FDP creation, NewPage, EmptyTree: see
/// [`super::space`]).
pub fn redo_node(sink: &mut ApplySink<'_>, rec: &Record<'_>, pages: &[(u32, u64)]) -> RedoResult {
    match rec {
        Record::Insert(x) => insert(sink, x, pages),
        Record::FlagInsert(x) => flag_insert(sink, x, pages),
        Record::FlagInsertAndReplaceData(x) => flag_insert_and_replace_data(sink, x, pages),
        Record::FlagDelete(x) => flag_delete(sink, x, pages),
        Record::Delete(x) => delete(sink, x, pages),
        Record::Replace(x) => replace(sink, x, pages),
        Record::ReplaceD(x) => replace_d(sink, x, pages),
        Record::Delta(x) => delta(sink, x, pages, false),
        Record::Delta64(x) => delta(sink, x, pages, true),
        Record::SetExternalHeader(x) => set_external_header(sink, x, pages),
        Record::Scrub(x) => Err(Fail::unsupported(
            x.node.page.pgno,
            "esehdr does not implement Scrub redo (how the scrub operations map to lines is not settled, docs/log-records.md §7 item 10)",
        )),
        // The version store applied the physical undo (`VERRedoPhysicalUndo`, [`Sink::version`]
        // runs before redo): only the dbtime is stamped here.
        Record::Undo(x) if sink.undo_ready => on_page(sink, &x.node, pages, |_, _| Ok(())),
        Record::Undo(x) => Err(Fail::unsupported(
            x.node.page.pgno,
            "an Undo record whose version the store did not hold or apply (docs/log-records.md §5.6)",
        )),
        other => Err(Fail::unsupported(
            pages.first().map(|p| p.0),
            format!("esehdr does not implement the redo of this record ({other:?})").chars().take(200).collect::<String>(),
        )),
    }
}

/// Applies `f` to the page, then stamps the dbtime (`CoordinatedDirty`: Scrubbed cleared).
fn on_page(
    sink: &mut ApplySink<'_>,
    h: &NodeHeader,
    pages: &[(u32, u64)],
    f: impl FnOnce(&mut PageMut<'_>, u32) -> RedoResult,
) -> RedoResult {
    let (pgno, dbtime) = target(sink, h, pages)?;
    sink.with_page(pgno, |p| {
        f(p, pgno)?;
        p.stamp_dbtime(dbtime);
        Ok(())
    })
}

/// Insert (`ErrNDInsert`): the node at `iline` with the record's prefix/suffix split, flags
/// `fNDVersion` if versioned.
pub fn insert(sink: &mut ApplySink<'_>, x: &Insert<'_>, pages: &[(u32, u64)]) -> RedoResult {
    let mut key = x.key_prefix.0.to_vec();
    key.extend_from_slice(x.key_suffix.0);
    let flags = if versioned(&x.node) { LineFlags::VERSION } else { LineFlags::NONE };
    let node = Node { flags, key: &key, cb_prefix: x.key_prefix.0.len(), data: x.data.0 };
    on_page(sink, &x.node, pages, |p, pgno| p.insert(usize::from(x.node.page.iline), &node).map_err(pm(pgno)))
}

/// FlagInsert (`ErrNDFlagInsert`): clears `fNDDeleted`, sets `fNDVersion` if versioned.
pub fn flag_insert(sink: &mut ApplySink<'_>, x: &FlagInsert<'_>, pages: &[(u32, u64)]) -> RedoResult {
    let v = versioned(&x.node);
    on_page(sink, &x.node, pages, |p, pgno| {
        let iline = usize::from(x.node.page.iline);
        p.view().line(iline).map_err(pm(pgno))?;
        if v {
            p.set_line_flags(iline, LineFlags::VERSION).map_err(pm(pgno))?;
        }
        p.clear_line_flags(iline, LineFlags::DELETED).map_err(pm(pgno))
    })
}

/// FlagInsertAndReplaceData (`ErrNDFlagInsertAndReplaceData`): the line must be flag-deleted;
/// new data with the same key encoding and flags (+`fNDVersion`), then `fNDDeleted` cleared.
pub fn flag_insert_and_replace_data(sink: &mut ApplySink<'_>, x: &FlagInsert<'_>, pages: &[(u32, u64)]) -> RedoResult {
    let v = versioned(&x.node);
    on_page(sink, &x.node, pages, |p, pgno| {
        let iline = usize::from(x.node.page.iline);
        let l = p.view().line(iline).map_err(pm(pgno))?;
        if !l.flags.contains(LineFlags::DELETED) {
            return Err(Fail::new(
                super::LOG_OPERATION_INCONSISTENT,
                pgno,
                format!("line {iline} should be flag-deleted, but its flags are {}", l.flags),
            ));
        }
        p.replace_data(iline, x.data.0).map_err(pm(pgno))?;
        if v {
            p.set_line_flags(iline, LineFlags::VERSION).map_err(pm(pgno))?;
        }
        p.clear_line_flags(iline, LineFlags::DELETED).map_err(pm(pgno))
    })
}

/// FlagDelete (`ErrNDFlagDelete`): sets `fNDDeleted` (+`fNDVersion` if versioned).
pub fn flag_delete(sink: &mut ApplySink<'_>, x: &NodeOnly, pages: &[(u32, u64)]) -> RedoResult {
    let f = if versioned(&x.node) { LineFlags::DELETED.union(LineFlags::VERSION) } else { LineFlags::DELETED };
    on_page(sink, &x.node, pages, |p, pgno| p.set_line_flags(usize::from(x.node.page.iline), f).map_err(pm(pgno)))
}

/// Delete (`ErrNDDelete`): removes line `iline`.
pub fn delete(sink: &mut ApplySink<'_>, x: &NodeOnly, pages: &[(u32, u64)]) -> RedoResult {
    on_page(sink, &x.node, pages, |p, pgno| p.delete(usize::from(x.node.page.iline)).map_err(pm(pgno)))
}

fn replace_with(p: &mut PageMut<'_>, pgno: u32, h: &NodeHeader, data: &[u8]) -> RedoResult {
    let iline = usize::from(h.page.iline);
    p.replace_data(iline, data).map_err(pm(pgno))?;
    if versioned(h) {
        p.set_line_flags(iline, LineFlags::VERSION).map_err(pm(pgno))?;
    }
    Ok(())
}

/// Replace (`ErrNDReplace`): the record's after-image, same key encoding, old flags
/// (+`fNDVersion` if versioned).
pub fn replace(sink: &mut ApplySink<'_>, x: &Replace<'_>, pages: &[(u32, u64)]) -> RedoResult {
    on_page(sink, &x.node, pages, |p, pgno| replace_with(p, pgno, &x.node, x.data.0))
}

/// The after-image of a ReplaceD from the line's current data (`ErrLGGetAfterImage`); its
/// length must be `cbNewData`, else -1852.
pub fn after_image(x: &Replace<'_>, old: &[u8], pgno: u32) -> RedoResult<Vec<u8>> {
    let mut out = Vec::new();
    x.after_image(old, &mut out).map_err(|e| Fail::new(LOG_CORRUPTED, pgno, e.to_string()))?;
    Ok(out)
}

/// ReplaceD: Replace with the after-image computed from the diff and the current data.
pub fn replace_d(sink: &mut ApplySink<'_>, x: &Replace<'_>, pages: &[(u32, u64)]) -> RedoResult {
    on_page(sink, &x.node, pages, |p, pgno| {
        let old = p.view().line(usize::from(x.node.page.iline)).map_err(pm(pgno))?.data.to_vec();
        let new = after_image(x, &old, pgno)?;
        replace_with(p, pgno, &x.node, &new)
    })
}

/// Delta / Delta64 (`ErrNDDelta<T>`): wrapping add at `cbOffset` of the node data; `fNDVersion`
/// if versioned.
pub fn delta(sink: &mut ApplySink<'_>, x: &Delta<'_>, pages: &[(u32, u64)], wide: bool) -> RedoResult {
    on_page(sink, &x.node, pages, |p, pgno| {
        let iline = usize::from(x.node.page.iline);
        let off = usize::from(x.offset);
        if wide {
            p.delta_i64(iline, off, x.delta).map_err(pm(pgno))?;
        } else {
            // Delta (32-bit): the decoder widened le_delta (i32) to i64.
            let d =
                i32::try_from(x.delta).map_err(|_| Fail::new(LOG_CORRUPTED, pgno, "a 32-bit delta out of range"))?;
            p.delta_i32(iline, off, d).map_err(pm(pgno))?;
        }
        if versioned(&x.node) {
            p.set_line_flags(iline, LineFlags::VERSION).map_err(pm(pgno))?;
        }
        Ok(())
    })
}

/// SetExternalHeader (`ErrNDSetExternalHeader`): TAG 0 := the record's bytes, after
/// `ErrNDValidateSetExternalHeader` (-626 when a line's cbPrefix would exceed it).
pub fn set_external_header(sink: &mut ApplySink<'_>, x: &SetExternalHeader<'_>, pages: &[(u32, u64)]) -> RedoResult {
    on_page(sink, &x.node, pages, |p, pgno| p.set_external_header(x.data.0).map_err(pm(pgno)))
}
