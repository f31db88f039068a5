//! What the replay driver reads of a decoded record ([`esehdr_format::log::records::Record`],
//! the shared typed decoder): the page-operation key of §3.22 and the pages a record or a
//! macro's structural record writes, with the dbtime each must have before.
//!
//! Sources: docs/log-records.md §3.1 (LRPAGE_), §3.14 (NewPage, RootPageMove, PageMove),
//! §3.16 (Split2), §3.17 (Merge2), §3.18 (FDP creation), §3.22 (where the keys live), §5.5 (new
//! pages); docs/page-internals.md §4.3 and §10 F1 (ConvertFDP: OE and AE roots are new pages).

use esehdr_format::log::records::{NodeHeader, PageHeader, Record};

/// `dbtimeNil`: the writer did not dirty the page itself (docs/log-records.md §0).
pub(crate) const DBTIME_NIL: u64 = u64::MAX;
/// `dbtimeInvalid`.
pub(crate) const DBTIME_INVALID: u64 = u64::MAX - 1;

/// The key of a page-operation record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageKey {
    /// `le_procid`.
    pub procid: u16,
    /// `dbid`.
    pub dbid: u8,
    /// `le_pgno` (0 for RootPageMove).
    pub pgno: u32,
    /// dbtimeAfter (`le_dbtime`; NewPage `le_dbtimeAfter` @12; RootPageMove @1).
    pub dbtime: u64,
    /// `le_dbtimeBefore` (`dbtimeNil` where the record has none).
    pub dbtime_before: u64,
}

fn of(h: &PageHeader) -> PageKey {
    PageKey { procid: h.procid, dbid: h.dbid, pgno: h.pgno, dbtime: h.dbtime, dbtime_before: h.dbtime_before }
}

fn node(n: &NodeHeader) -> PageKey {
    of(&n.page)
}

/// The key of a page-operation record (LRPAGE_ family, NewPage, RootPageMove), `None` for the
/// other records.
pub(crate) fn page_key(r: &Record<'_>) -> Option<PageKey> {
    use Record as R;
    Some(match r {
        R::Insert(x) => node(&x.node),
        R::FlagInsert(x) | R::FlagInsertAndReplaceData(x) => node(&x.node),
        R::FlagDelete(x) | R::Delete(x) => node(&x.node),
        R::Replace(x) | R::ReplaceD(x) => node(&x.node),
        R::Delta(x) | R::Delta64(x) => node(&x.node),
        R::SetExternalHeader(x) => node(&x.node),
        R::Undo(x) => node(&x.node),
        R::UndoInfo(x) => node(&x.node),
        R::Scrub(x) => node(&x.node),
        R::EmptyTree(x) => node(&x.node),
        R::Split(x) => of(&x.page),
        R::Merge(x) => of(&x.page),
        R::CreateMultipleExtentFdp(x) | R::CreateSingleExtentFdp(x) | R::ConvertFdp(x) => of(&x.page),
        R::PageMove(x) => of(&x.page),
        R::NewPage(x) => {
            PageKey { procid: x.procid, dbid: x.dbid, pgno: x.pgno, dbtime: x.dbtime, dbtime_before: DBTIME_NIL }
        }
        R::RootPageMove(x) => {
            PageKey { procid: x.procid, dbid: x.dbid, pgno: 0, dbtime: x.dbtime, dbtime_before: DBTIME_NIL }
        }
        _ => return None,
    })
}

/// The pages a page record (outside a macro) is checked against: `(pgno, dbtimeBefore, or
/// None for a page the record (re)initialises)`.
pub(crate) fn record_pages(r: &Record<'_>, k: &PageKey) -> Vec<(u32, Option<u64>)> {
    let new_roots = |oe: Option<u32>, ae: Option<u32>| [oe, ae].into_iter().flatten().filter(|p| *p != 0);
    match r {
        // FDP creation initialises the FDP page (and the OE and AE roots): §3.18, PG §4.7.
        Record::CreateMultipleExtentFdp(f) | Record::CreateSingleExtentFdp(f) => {
            std::iter::once((k.pgno, None)).chain(new_roots(f.pgno_oe, f.pgno_ae).map(|p| (p, None))).collect()
        }
        // ConvertFDP changes the FDP page and initialises its new OE and AE roots (PG §10 F1).
        Record::ConvertFdp(f) => std::iter::once((k.pgno, Some(k.dbtime_before)))
            .chain(new_roots(f.pgno_oe, f.pgno_ae).map(|p| (p, None)))
            .collect(),
        Record::NewPage(_) => vec![(k.pgno, None)],
        // EmptyTree: the root, and each page it empties with its own dbtimeBefore (PG §4.6,
        // `ErrLGRIRedoFreeEmptyPages` decides each page apart: a root already on disk does not
        // mean its emptied pages are).
        Record::EmptyTree(e) => std::iter::once((k.pgno, Some(k.dbtime_before)))
            .chain(e.empty_pages.iter().map(|p| (p.pgno, Some(p.dbtime_before))))
            .collect(),
        Record::RootPageMove(_) => Vec::new(),
        _ => vec![(k.pgno, Some(k.dbtime_before))],
    }
}

/// The pages of a macro's structural record (Split/Split2 §3.16, Merge/Merge2 §3.17, PageMove
/// §3.14) with the dbtime each must have before the macro; `None` for the new page of a split or
/// the destination of a move (initialised). Unused slots (pgno 0) are left out; empty for the
/// other records.
pub(crate) fn macro_pages(r: &Record<'_>) -> Vec<(u32, Option<u64>)> {
    let slots: Vec<(u32, Option<u64>)> = match r {
        Record::Split(s) => vec![
            (s.page.pgno, Some(s.page.dbtime_before)),
            (s.pgno_new, None),
            (s.pgno_right, Some(s.dbtime_right_before)),
            (s.pgno_parent, Some(s.dbtime_parent_before)),
        ],
        Record::Merge(m) => vec![
            (m.page.pgno, Some(m.page.dbtime_before)),
            (m.pgno_right, Some(m.dbtime_right_before)),
            (m.pgno_left, Some(m.dbtime_left_before)),
            (m.pgno_parent, Some(m.dbtime_parent_before)),
        ],
        Record::PageMove(m) => vec![
            (m.page.pgno, Some(m.page.dbtime_before)),
            (m.pgno_dest, None),
            (m.pgno_left, Some(m.dbtime_left_before)),
            (m.pgno_right, Some(m.dbtime_right_before)),
            (m.pgno_parent, Some(m.dbtime_parent_before)),
        ],
        _ => Vec::new(),
    };
    slots.into_iter().filter(|(p, _)| *p != 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use esehdr_format::Lgpos;

    #[test]
    fn split2_pages_leave_out_unused_slots() {
        // A Split2 (62) of 110 bytes with no variable data: page 10 (before 90), new page 11,
        // no right sibling, parent 3 (before 80).
        let mut b = vec![0u8; 110];
        b[0] = 62;
        b[3] = 1;
        b[4..8].copy_from_slice(&10u32.to_le_bytes());
        b[8..16].copy_from_slice(&100u64.to_le_bytes());
        b[16..24].copy_from_slice(&90u64.to_le_bytes());
        b[32..36].copy_from_slice(&11u32.to_le_bytes());
        b[40..48].copy_from_slice(&u64::MAX.to_le_bytes());
        b[48..52].copy_from_slice(&3u32.to_le_bytes());
        b[52..60].copy_from_slice(&80u64.to_le_bytes());
        let r = Record::decode_bytes(&b, Lgpos::default(), 0).unwrap();
        assert_eq!(macro_pages(&r), vec![(10, Some(90)), (11, None), (3, Some(80))]);
        let k = page_key(&r).unwrap();
        assert_eq!((k.dbid, k.pgno, k.dbtime, k.dbtime_before), (1, 10, 100, 90));
    }

    #[test]
    fn new_page_has_no_before() {
        let mut b = vec![0u8; 20];
        b[0] = 95;
        b[3] = 1;
        b[4..8].copy_from_slice(&32u32.to_le_bytes());
        b[12..20].copy_from_slice(&0x17fu64.to_le_bytes());
        let r = Record::decode_bytes(&b, Lgpos::default(), 0).unwrap();
        let k = page_key(&r).unwrap();
        assert_eq!((k.pgno, k.dbtime, k.dbtime_before), (32, 0x17f, DBTIME_NIL));
        assert_eq!(record_pages(&r, &k), vec![(32, None)]);
    }
}
