//! Redo of the records that create pages and trees, empty trees and size the file: NewPage,
//! CreateSingleExtentFDP, CreateMultipleExtentFDP, ConvertFDP2, EmptyTree, ExtendDB; the shrink
//! and trim records, page moves and merges are refused (not implemented).
//!
//! Sources: docs/page-internals.md §1.6 (pre-initialised pages, consuming them), §2.5
//! (`SPACE_HEADER`), §2.6 (space-tree nodes: big-endian keys), §3.2 (`NDEmptyPage`,
//! `NDSetEmptyTree`), §4.3 (NewPage), §4.6 (EmptyTree), §4.7 (FDP creation), §4.8 (file size),
//! §10 F1 (ConvertFDP2), F4 (order inside a creation), F5 (creators re-create the page), F8, F12;
//! docs/log-records.md §3.14, §3.18, §3.20.

use esehdr_format::log::records::decode::{EmptyTree, Fdp, NewPage};
use esehdr_format::log::records::{LrType, Record};
use esehdr_format::Lgpos;

use super::{ApplySink, Fail, RedoResult, LOG_OPERATION_INCONSISTENT, LR_UNIQUE};
use crate::driver::Redo;
use crate::errors::{DB_TIME_TOO_NEW, DB_TIME_TOO_OLD};
use crate::page::{Node, PageBuilder, PageFlags, PageMut};

/// `fSPHMultipleExtent`, `fSPHNonUnique` (byte 8 of `SPACE_HEADER`, §2.5).
const SPH_MULTIPLE_EXTENT: u32 = 0x01;
const SPH_NON_UNIQUE: u32 = 0x02;
/// `cpgSmallSpaceAvailMost`: the single-extent bitmap covers 32 pages.
const CPG_SMALL_SPACE_AVAIL_MOST: i32 = 32;

/// The 16-byte `SPACE_HEADER` (§2.5): `m_cpgPrimary`, `m_pgnoParent`, `m_ulSPHFlags`,
/// `m_rgbitAvail` / `m_pgnoOE`.
fn space_header(cpg_primary: i32, pgno_parent: u32, flags: u32, avail_or_oe: u32) -> [u8; 16] {
    let mut h = [0u8; 16];
    h[0..4].copy_from_slice(&cpg_primary.to_le_bytes());
    h[4..8].copy_from_slice(&pgno_parent.to_le_bytes());
    h[8..12].copy_from_slice(&flags.to_le_bytes());
    h[12..16].copy_from_slice(&avail_or_oe.to_le_bytes());
    h
}

/// Re-creates page `pgno` as the engine's `ErrGetNewPreInitPageForRedo` does (§10 F5): a
/// pre-initialised page at `dbtime − 1` for `objid`, then `ConsumePreInitPage(flags)`.
fn consume_new(sink: &mut ApplySink<'_>, pgno: u32, objid: u32, dbtime: u64, flags: u32) -> RedoResult {
    let b = PageBuilder::new(sink.page_size()).map_err(|e| Fail::page(pgno, e))?;
    let b = b.pgno(pgno).objid_fdp(objid).dbtime(dbtime.wrapping_sub(1));
    let buf = sink.fresh(pgno);
    b.pre_init_into(buf).map_err(|e| Fail::page(pgno, e))?;
    sink.with_page(pgno, |p| p.consume_pre_init(PageFlags(flags)).map_err(|e| Fail::page(pgno, e)))
}

/// A space-tree node (§2.6): 4-byte big-endian last page → i32 LE page count, flags 0, no
/// prefix, inserted at its place in key order.
fn insert_extent(p: &mut PageMut<'_>, pgno: u32, last: u32, count: i32) -> RedoResult {
    let key = last.to_be_bytes();
    let data = count.to_le_bytes();
    let v = p.view();
    let mut at = v.line_count();
    for i in 0..v.line_count() {
        let l = v.line(i).map_err(|e| Fail::page(pgno, e))?;
        if l.key().iter().cmp(key.iter().copied()) == std::cmp::Ordering::Greater {
            at = i;
            break;
        }
    }
    let node = Node { flags: crate::page::LineFlags::NONE, key: &key, cb_prefix: 0, data: &data };
    p.insert(at, &node).map_err(|e| Fail::page(pgno, e))
}

/// NewPage (`ErrLGRIRedoNewPage`, §4.3): a pre-initialised page for `le_objid`, dbtime =
/// `le_dbtimeAfter`. It stays pre-initialised until a split, FDP creation or convert uses it.
pub fn new_page(sink: &mut ApplySink<'_>, x: &NewPage, need: Option<u64>) -> RedoResult {
    if need.is_none() {
        return Ok(());
    }
    let b = PageBuilder::new(sink.page_size()).map_err(|e| Fail::page(x.pgno, e))?;
    let b = b.pgno(x.pgno).objid_fdp(x.objid).dbtime(x.dbtime);
    let buf = sink.fresh(x.pgno);
    b.pre_init_into(buf).map_err(|e| Fail::page(x.pgno, e))
}

/// CreateSingleExtentFDP / CreateMultipleExtentFDP (`ErrSPICreateSingle`, `ErrLGIRedoFDPPage`,
/// `ErrLGRIRedoSpaceRootPage`, §4.7, §10 F4): the FDP root (and the OE and AE roots), each
/// only when it needs redo.
pub fn create_fdp(sink: &mut ApplySink<'_>, f: &Fdp, multiple: bool, needs: &dyn Fn(u32) -> Option<u64>) -> RedoResult {
    let pgno_fdp = f.page.pgno;
    let dbtime = f.page.dbtime;
    let flags = f.page_flags.unwrap_or(0);
    let non_unique = if f.page.flags & LR_UNIQUE == 0 { SPH_NON_UNIQUE } else { 0 };
    let cpg = f.cpg_primary;
    if multiple {
        let (oe, ae) = (f.pgno_oe.unwrap_or(0), f.pgno_ae.unwrap_or(0));
        if oe == 0 || ae == 0 {
            return Err(Fail::new(LOG_OPERATION_INCONSISTENT, pgno_fdp, "a multiple-extent FDP without OE or AE root"));
        }
        let last = pgno_fdp.wrapping_add(cpg as u32).wrapping_sub(1);
        // §10 F4: ErrLGRIRedoSpaceRootPage runs for AE before OE.
        for (pgno, count) in [(ae, cpg - 3), (oe, cpg)] {
            if needs(pgno).is_none() {
                continue;
            }
            consume_new(
                sink,
                pgno,
                f.objid_fdp,
                dbtime,
                flags | PageFlags::ROOT | PageFlags::LEAF | PageFlags::SPACE_TREE,
            )?;
            sink.with_page(pgno, |p| {
                p.set_external_header(&[0u8; 16]).map_err(|e| Fail::page(pgno, e))?;
                if count != 0 {
                    insert_extent(p, pgno, last, count)?;
                }
                p.stamp_dbtime(dbtime);
                Ok(())
            })?;
        }
        if needs(pgno_fdp).is_some() {
            let hdr = space_header(cpg, f.pgno_fdp_parent, SPH_MULTIPLE_EXTENT | non_unique, oe);
            fdp_root(sink, f, flags, &hdr)?;
        }
    } else if needs(pgno_fdp).is_some() {
        let avail = if cpg > CPG_SMALL_SPACE_AVAIL_MOST {
            u32::MAX
        } else if cpg <= 1 {
            0
        } else {
            (1u32 << (cpg - 1)) - 1
        };
        let hdr = space_header(cpg, f.pgno_fdp_parent, non_unique, avail);
        fdp_root(sink, f, flags, &hdr)?;
    }
    Ok(())
}

fn fdp_root(sink: &mut ApplySink<'_>, f: &Fdp, flags: u32, hdr: &[u8; 16]) -> RedoResult {
    let pgno = f.page.pgno;
    consume_new(sink, pgno, f.objid_fdp, f.page.dbtime, flags | PageFlags::ROOT | PageFlags::LEAF)?;
    sink.with_page(pgno, |p| {
        p.set_external_header(hdr).map_err(|e| Fail::page(pgno, e))?;
        p.stamp_dbtime(f.page.dbtime);
        Ok(())
    })
}

/// The free extents of a single-extent bitmap, highest page first (`SPIConvertCalcExtents`,
/// §10 F1): (last page, page count).
pub fn convert_extents(pgno_fdp: u32, cpg_primary: i32, rgbit_avail: u32) -> Vec<(u32, i32)> {
    let mut extents: Vec<(u32, i32)> = Vec::new();
    let mut bit: u32 = 1 << 31;
    let mut pgno = pgno_fdp.wrapping_add(32);
    if cpg_primary - 1 > 32 {
        extents.push((pgno_fdp.wrapping_add(cpg_primary as u32).wrapping_sub(1), cpg_primary - 33));
    } else {
        while bit != 0 && extents.is_empty() {
            if rgbit_avail & bit != 0 {
                extents.push((pgno, 1));
            }
            pgno = pgno.wrapping_sub(1);
            bit >>= 1;
        }
    }
    while bit != 0 {
        if rgbit_avail & bit != 0 {
            match extents.last_mut() {
                Some((last, n)) if last.wrapping_sub(*n as u32) == pgno => *n += 1,
                _ => extents.push((pgno, 1)),
            }
        }
        pgno = pgno.wrapping_sub(1);
        bit >>= 1;
    }
    extents
}

/// ConvertFDP2 (`ErrLGRIRedoConvertFDP`, §10 F1): new OE and AE roots, then the FDP root's
/// `SPACE_HEADER` turned multiple-extent. The obsolete ConvertFDP (26) is refused.
pub fn convert_fdp(sink: &mut ApplySink<'_>, t: LrType, f: &Fdp, needs: &dyn Fn(u32) -> Option<u64>) -> RedoResult {
    let pgno_fdp = f.page.pgno;
    if t != LrType::CONVERT_FDP2 {
        return Err(Fail::new(
            crate::errors::BAD_LOG_VERSION,
            pgno_fdp,
            "the obsolete ConvertFDP (26) is not replayed by the engine",
        ));
    }
    let (Some(first), Some(cpg2), Some(avail), Some(cflags)) =
        (f.pgno_secondary_first, f.cpg_secondary, f.rgbit_avail, f.cpage_flags)
    else {
        return Err(Fail::new(super::LOG_CORRUPTED, pgno_fdp, "a ConvertFDP2 without its secondary extent fields"));
    };
    let oe = first;
    let ae = first.wrapping_add(1);
    let dbtime = f.page.dbtime;
    let cpg = f.cpg_primary;
    let space_flags = cflags | PageFlags::ROOT | PageFlags::LEAF | PageFlags::SPACE_TREE;
    let sec_last = first.wrapping_add(cpg2 as u32).wrapping_sub(1);
    if needs(pgno_fdp).is_some() {
        // Check the FDP root before the first write.
        let page = sink.existing(pgno_fdp)?;
        let v = crate::page::PageView::new(page).map_err(|e| Fail::page(pgno_fdp, e))?;
        if v.objid_fdp() != f.objid_fdp || v.external_header().map_err(|e| Fail::page(pgno_fdp, e))?.len() != 16 {
            return Err(Fail::new(
                LOG_OPERATION_INCONSISTENT,
                pgno_fdp,
                format!("the FDP root should be object {} with a 16-byte SPACE_HEADER", f.objid_fdp),
            ));
        }
    }
    // 1. The OE root.
    if needs(oe).is_some() {
        consume_new(sink, oe, f.objid_fdp, dbtime, space_flags)?;
        sink.with_page(oe, |p| {
            p.set_dbtime_dirtied(dbtime);
            p.set_external_header(&[0u8; 16]).map_err(|e| Fail::page(oe, e))?;
            insert_extent(p, oe, sec_last, cpg2)?;
            insert_extent(p, oe, pgno_fdp.wrapping_add(cpg as u32).wrapping_sub(1), cpg)?;
            p.stamp_dbtime(dbtime);
            Ok(())
        })?;
    }
    // 2. The AE root.
    if needs(ae).is_some() {
        let mut extents = convert_extents(pgno_fdp, cpg, avail);
        extents.reverse();
        consume_new(sink, ae, f.objid_fdp, dbtime, space_flags)?;
        sink.with_page(ae, |p| {
            p.set_dbtime_dirtied(dbtime);
            p.set_external_header(&[0u8; 16]).map_err(|e| Fail::page(ae, e))?;
            if cpg2 - 2 != 0 {
                insert_extent(p, ae, sec_last, cpg2 - 2)?;
            }
            for (last, n) in &extents {
                insert_extent(p, ae, *last, *n)?;
            }
            p.stamp_dbtime(dbtime);
            Ok(())
        })?;
    }
    // 3. The FDP root.
    if needs(pgno_fdp).is_some() {
        let non_unique = if f.page.flags & LR_UNIQUE == 0 { SPH_NON_UNIQUE } else { 0 };
        let hdr = space_header(cpg, f.pgno_fdp_parent, SPH_MULTIPLE_EXTENT | non_unique, oe);
        sink.with_page(pgno_fdp, |p| {
            p.set_dbtime_dirtied(dbtime);
            p.set_external_header(&hdr).map_err(|e| Fail::page(pgno_fdp, e))?;
            p.stamp_dbtime(dbtime);
            Ok(())
        })?;
    }
    Ok(())
}

/// `NDEmptyPage` (§3.2): null prefix, every line deleted (last first), `fPageEmpty`.
pub(crate) fn empty_page(p: &mut PageMut<'_>, pgno: u32) -> RedoResult {
    p.empty_page().map_err(|e| Fail::page(pgno, e))
}

/// EmptyTree (`ErrLGRIRedoFreeEmptyPages`, §4.6): each listed page decided with its own
/// `dbtimeBefore` and emptied; then the root (`NDSetEmptyTree`).
pub fn empty_tree(sink: &mut ApplySink<'_>, e: &EmptyTree<'_>, needs: &dyn Fn(u32) -> Option<u64>) -> RedoResult {
    let dbtime = e.node.page.dbtime;
    for ep in e.empty_pages.iter() {
        let page = sink.dbtime_of(ep.pgno).map_err(|x| Fail::new(super::DATABASE_CORRUPTED, ep.pgno, x.0))?;
        if page >= dbtime {
            continue;
        }
        if page != ep.dbtime_before {
            let (err, how) =
                if page < ep.dbtime_before { (DB_TIME_TOO_OLD, "older") } else { (DB_TIME_TOO_NEW, "newer") };
            return Err(Fail::new(
                err,
                ep.pgno,
                format!(
                    "page {} has dbtime {page:#x}, {how} than the record expects before it ({:#x})",
                    ep.pgno, ep.dbtime_before
                ),
            ));
        }
        sink.existing(ep.pgno)?;
        sink.with_page(ep.pgno, |p| {
            p.stamp_dbtime(dbtime);
            empty_page(p, ep.pgno)
        })?;
    }
    let root = e.node.page.pgno;
    if needs(root).is_some() {
        sink.existing(root)?;
        sink.with_page(root, |p| {
            let v = p.view();
            if v.line_count() != 1 || v.flags().is_leaf() {
                return Err(Fail::new(
                    LOG_OPERATION_INCONSISTENT,
                    root,
                    format!(
                        "the root should be an internal page with one line, but it has {} lines, flags {}",
                        v.line_count(),
                        v.flags()
                    ),
                ));
            }
            let flags = (v.flags().bits() & !PageFlags::PARENT_OF_LEAF) | PageFlags::LEAF;
            p.delete(0).map_err(|x| Fail::page(root, x))?;
            p.set_flags(PageFlags(flags)).map_err(|x| Fail::page(root, x))?;
            p.stamp_dbtime(dbtime);
            Ok(())
        })?;
    }
    Ok(())
}

/// ExtendDB (`ErrLGRIRedoExtendDB`, §4.8): the logged size grows to `le_pgnoLast` (never
/// shrinks); SetDbVersion and CreateDBFinish are noted; ShrinkDB*, TrimDB and ExtentFreed*
/// are refused.
pub fn database_record(sink: &mut ApplySink<'_>, lgpos: Lgpos, r: &Record<'_>) -> RedoResult {
    match r {
        Record::ExtendDb(x) => {
            sink.out.pgno_last = sink.out.pgno_last.max(x.pgno_last);
            Ok(())
        }
        Record::SetDbVersion(x) => {
            sink.out.db_version = Some((x.major, x.update_major, x.update_minor));
            Ok(())
        }
        Record::CreateDbFinish(_) => {
            if let Some(c) = sink.out.create.as_mut() {
                c.finish = Some(lgpos);
            }
            Ok(())
        }
        Record::ShrinkDb(x) => Err(Fail::unsupported(
            x.pgno_last,
            "esehdr does not implement ShrinkDB redo (the shrink redo maps of docs/page-internals.md §4.8)",
        )),
        Record::TrimDb(x) => Err(Fail::unsupported(x.pgno_start_zeroes, "esehdr does not implement TrimDB redo")),
        Record::ExtentFreed(x) => Err(Fail::unsupported(x.pgno_first, "esehdr does not implement ExtentFreed redo")),
        _ => Ok(()),
    }
}

/// PageMove and RootPageMove macros, and a macro of any other head: not implemented.
pub fn refuse_macro(op: &Redo<'_>) -> RedoResult {
    let pgno = op.pages.first().map(|p| p.0);
    Err(Fail::unsupported(
        pgno,
        format!(
            "esehdr does not implement the redo of a {} macro ({} records)",
            op.lrtyp.name(),
            op.macro_records.len()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convert_extents_of_the_corpus_convert() {
        // docs/page-internals.md §10 F1: pgno 31, cpgPrimary 1, rgbitAvail 0: no free extent.
        assert!(convert_extents(31, 1, 0).is_empty());
        // Bits 0 and 1 free (pages FDP+1, FDP+2) and bit 4 (FDP+5): two extents, highest first.
        assert_eq!(convert_extents(100, 8, 0b1_0011), vec![(105, 1), (102, 2)]);
        // cpgPrimary beyond the bitmap: the pages past it are one free extent.
        assert_eq!(convert_extents(10, 40, 0), vec![(49, 7)]);
    }

    #[test]
    fn space_header_layout() {
        // §10 F1: the corpus convert's FDP header 01000000 01000000 01000000 20000000.
        assert_eq!(space_header(1, 1, SPH_MULTIPLE_EXTENT, 0x20), [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0x20, 0, 0, 0]);
    }
}
