//! Minimal private field readers for the records the replay driver needs.
//!
//! **To be swapped** for the typed decoder of `esehdr_format::log::records` once it lands (the
//! `records` branch builds it): these readers only cover the fixed fields the driver uses, at
//! the offsets of ../shared/FORMAT-LOGREC.md §3, and return `None` where a record is shorter
//! than the field (the framing layer has already sized each record by `CbLGSizeOfRec`, so that
//! does not happen on a record the walker returns).
//!
//! Sources: ../shared/FORMAT-LOGREC.md §3.1 (LRPAGE_), §3.5 (CreateDB), §3.6 (AttachDB), §3.7
//! (DetachDB), §3.10 (transaction records), §3.14 (NewPage, RootPageMove, PageMove), §3.16
//! (Split2), §3.17 (Merge2), §3.18 (FDP creation), §3.22 (where the keys live).

use esehdr_format::log::records::LrType;
use esehdr_format::{Lgpos, Signature};

/// `dbtimeNil`: the writer did not dirty the page itself (FORMAT-LOGREC §0).
pub(crate) const DBTIME_NIL: u64 = u64::MAX;
/// `dbtimeInvalid`.
pub(crate) const DBTIME_INVALID: u64 = u64::MAX - 1;

fn u8_at(b: &[u8], at: usize) -> Option<u8> {
    b.get(at).copied()
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(s.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(s.try_into().ok()?))
}

fn lgpos_at(b: &[u8], at: usize) -> Option<Lgpos> {
    let s = b.get(at..at.checked_add(Lgpos::SIZE)?)?;
    Some(Lgpos::from_bytes(s.try_into().ok()?))
}

fn signature_at(b: &[u8], at: usize) -> Option<Signature> {
    let s = b.get(at..at.checked_add(Signature::SIZE)?)?;
    Some(Signature::from_bytes(s.try_into().ok()?))
}

/// The first NUL-terminated name of a CreateDB/AttachDB name area: UTF-16LE or 8-bit.
fn name_area(area: &[u8], unicode: bool) -> String {
    if unicode {
        let units: Vec<u16> = area
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes(<[u8; 2]>::try_from(c).unwrap_or([0, 0])))
            .take_while(|u| *u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        let end = area.iter().position(|b| *b == 0).unwrap_or(area.len());
        area.get(..end).unwrap_or_default().iter().map(|b| char::from(*b)).collect()
    }
}

/// The LRPAGE_ header (32 bytes) shared by every page-operation record (FORMAT-LOGREC §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageHeader {
    /// `le_procid` @1.
    pub procid: u16,
    /// `dbid` @3.
    pub dbid: u8,
    /// `le_pgno` @4.
    pub pgno: u32,
    /// `le_dbtime` @8: dbtimeAfter.
    pub dbtime: u64,
    /// `le_dbtimeBefore` @16.
    pub dbtime_before: u64,
}

/// LRPAGE_ family (§3.22): 24-39, 48, 58, 62-65, 93.
pub(crate) fn is_lrpage(t: LrType) -> bool {
    matches!(t.0, 24..=39 | 48 | 58 | 62..=65 | 93)
}

/// The LRPAGE_ header of a record of that family.
pub(crate) fn page_header(b: &[u8]) -> Option<PageHeader> {
    Some(PageHeader {
        procid: u16_at(b, 1)?,
        dbid: u8_at(b, 3)?,
        pgno: u32_at(b, 4)?,
        dbtime: u64_at(b, 8)?,
        dbtime_before: u64_at(b, 16)?,
    })
}

/// NewPage (95, §3.14): @1 procid, @3 dbid, @4 pgno, @12 dbtimeAfter (no dbtimeBefore).
pub(crate) fn new_page(b: &[u8]) -> Option<PageHeader> {
    Some(PageHeader {
        procid: u16_at(b, 1)?,
        dbid: u8_at(b, 3)?,
        pgno: u32_at(b, 4)?,
        dbtime: u64_at(b, 12)?,
        dbtime_before: DBTIME_NIL,
    })
}

/// RootPageMove (96, §3.14): @1 dbtimeAfter, @9 dbid, @14 procid; no page of its own.
pub(crate) fn root_page_move(b: &[u8]) -> Option<PageHeader> {
    Some(PageHeader {
        procid: u16_at(b, 14)?,
        dbid: u8_at(b, 9)?,
        pgno: 0,
        dbtime: u64_at(b, 1)?,
        dbtime_before: DBTIME_NIL,
    })
}

/// The pages a page record (outside a macro) is checked against: `(pgno, dbtimeBefore or
/// None for a page the record (re)initialises)`.
pub(crate) fn record_pages(t: LrType, b: &[u8], h: &PageHeader) -> Vec<(u32, Option<u64>)> {
    match t {
        // FDP creation initialises the FDP page (and, for 24, the OE and AE roots): §3.18.
        LrType::CREATE_MULTIPLE_EXTENT_FDP => {
            let mut v = vec![(h.pgno, None)];
            for at in [36, 40] {
                if let Some(p) = u32_at(b, at).filter(|p| *p != 0) {
                    v.push((p, None));
                }
            }
            v
        }
        LrType::CREATE_SINGLE_EXTENT_FDP | LrType::NEW_PAGE => vec![(h.pgno, None)],
        // ConvertFDP / ConvertFDP2 change the FDP page and initialise its new OE and AE roots
        // (@36, @40): FORMAT-PAGE §10 F1.
        LrType::CONVERT_FDP | LrType::CONVERT_FDP2 => {
            let mut v = vec![(h.pgno, Some(h.dbtime_before))];
            for at in [36, 40] {
                if let Some(p) = u32_at(b, at).filter(|p| *p != 0) {
                    v.push((p, None));
                }
            }
            v
        }
        _ => vec![(h.pgno, Some(h.dbtime_before))],
    }
}

/// The pages of a macro's structural record (Split/Split2 §3.16, Merge/Merge2 §3.17, PageMove
/// §3.14) with the dbtime each must have before the macro; `None` for the new page of a split
/// or the destination of a move (initialised). Unused slots (pgno 0) are left out.
pub(crate) fn macro_pages(t: LrType, b: &[u8]) -> Vec<(u32, Option<u64>)> {
    let at = |p: usize, d: Option<usize>| -> Option<(u32, Option<u64>)> {
        let pgno = u32_at(b, p)?;
        let before = match d {
            Some(d) => Some(u64_at(b, d)?),
            None => None,
        };
        (pgno != 0).then_some((pgno, before))
    };
    let slots: &[(usize, Option<usize>)] = match t {
        // le_pgno @4 / le_dbtimeBefore @16, pgnoNew @32, pgnoRight @36 / @40, pgnoParent @48 / @52.
        LrType::SPLIT | LrType::SPLIT2 => &[(4, Some(16)), (32, None), (36, Some(40)), (48, Some(52))],
        // le_pgno @4 / @16, pgnoRight @32 / @36, pgnoLeft @44 / @48, pgnoParent @56 / @60.
        LrType::MERGE | LrType::MERGE2 => &[(4, Some(16)), (32, Some(36)), (44, Some(48)), (56, Some(60))],
        // source @4 / @16, dest @32, left @36 / @48, right @40 / @56, parent @44 / @64.
        LrType::PAGE_MOVE => &[(4, Some(16)), (32, None), (36, Some(48)), (40, Some(56)), (44, Some(64))],
        _ => &[],
    };
    slots.iter().filter_map(|(p, d)| at(*p, *d)).collect()
}

/// CreateDB (14, §3.5) and AttachDB (15, §3.6): the fields of an attach event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DbEvent {
    /// `dbid` @3.
    pub dbid: u8,
    /// `signDb` (CreateDB @12, AttachDB @16).
    pub db_signature: Signature,
    /// AttachDB `signLog` @44 (the database's log signature at attach time).
    pub log_signature: Option<Signature>,
    /// AttachDB `lgposConsistent` @8.
    pub last_consistent: Lgpos,
    /// The path (first name of the name area).
    pub path: String,
}

/// CreateDB: @3 dbid, @12 signDb, @40 cbPath, @42 flags (0x04 VersionInfo, 0x08 Unicode), name
/// at @43 or @47.
pub(crate) fn create_db(b: &[u8]) -> Option<DbEvent> {
    let flags = u8_at(b, 42)?;
    let cb = usize::from(u16_at(b, 40)?);
    let start = if flags & 0x04 != 0 { 47 } else { 43 };
    let area = b.get(start..).map(|a| a.get(..cb.min(a.len())).unwrap_or_default()).unwrap_or_default();
    Some(DbEvent {
        dbid: u8_at(b, 3)?,
        db_signature: signature_at(b, 12)?,
        log_signature: None,
        last_consistent: Lgpos::default(),
        path: name_area(area, flags & 0x08 != 0),
    })
}

/// AttachDB: @3 dbid, @8 lgposConsistent, @16 signDb, @44 signLog, @72 cbPath, @74 flags
/// (0x08 Unicode), @75 name.
pub(crate) fn attach_db(b: &[u8]) -> Option<DbEvent> {
    let cb = usize::from(u16_at(b, 72)?);
    let area = b.get(75..).map(|a| a.get(..cb.min(a.len())).unwrap_or_default()).unwrap_or_default();
    Some(DbEvent {
        dbid: u8_at(b, 3)?,
        db_signature: signature_at(b, 16)?,
        log_signature: Some(signature_at(b, 44)?),
        last_consistent: lgpos_at(b, 8)?,
        path: name_area(area, u8_at(b, 74)? & 0x08 != 0),
    })
}

/// `dbid` @3 of DetachDB (16), CreateDBFinish (79).
pub(crate) fn dbid_at3(b: &[u8]) -> Option<u8> {
    u8_at(b, 3)
}

/// `le_procid` @1 of every LRTRX_ record (§3.1, §3.10).
pub(crate) fn procid(b: &[u8]) -> Option<u16> {
    u16_at(b, 1)
}

/// Begin / Begin0 @3: `levelBeginFrom` (low nibble) and `clevelsToBegin` (high nibble), FORMAT-LOGREC §8 item 2.
pub(crate) fn begin_levels(b: &[u8]) -> Option<(u8, u8)> {
    let v = u8_at(b, 3)?;
    Some((v & 0x0F, v >> 4))
}

/// Begin0 `le_trxBegin0` @4.
pub(crate) fn trx_begin0(b: &[u8]) -> Option<u32> {
    u32_at(b, 4)
}

/// Commit `levelCommitTo` @3, Rollback `levelRollback` @3.
pub(crate) fn level_byte(b: &[u8]) -> Option<u8> {
    u8_at(b, 3)
}

/// MacroBegin / MacroCommit / MacroAbort `le_dbtime` @3 (identifies the macro).
pub(crate) fn macro_dbtime(b: &[u8]) -> Option<u64> {
    u64_at(b, 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_header_offsets() {
        let mut b = vec![0u8; 44];
        b[0] = 29;
        b[1..3].copy_from_slice(&7u16.to_le_bytes());
        b[3] = 1;
        b[4..8].copy_from_slice(&0x1234u32.to_le_bytes());
        b[8..16].copy_from_slice(&500u64.to_le_bytes());
        b[16..24].copy_from_slice(&499u64.to_le_bytes());
        let h = page_header(&b).unwrap();
        assert_eq!((h.procid, h.dbid, h.pgno, h.dbtime, h.dbtime_before), (7, 1, 0x1234, 500, 499));
        assert_eq!(page_header(&b[..23]), None, "one byte short of le_dbtimeBefore");
    }

    #[test]
    fn split2_pages_leave_out_unused_slots() {
        let mut b = vec![0u8; 110];
        b[0] = 62;
        b[4..8].copy_from_slice(&10u32.to_le_bytes());
        b[16..24].copy_from_slice(&90u64.to_le_bytes());
        b[32..36].copy_from_slice(&11u32.to_le_bytes());
        b[48..52].copy_from_slice(&3u32.to_le_bytes());
        b[52..60].copy_from_slice(&80u64.to_le_bytes());
        assert_eq!(macro_pages(LrType::SPLIT2, &b), vec![(10, Some(90)), (11, None), (3, Some(80))]);
    }

    #[test]
    fn attach_db_unicode_path() {
        let path: Vec<u8> = "C:\\x.dat\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut b = vec![0u8; 75];
        b[0] = 15;
        b[3] = 2;
        b[72..74].copy_from_slice(&(path.len() as u16).to_le_bytes());
        b[74] = 0x08;
        b.extend_from_slice(&path);
        let e = attach_db(&b).unwrap();
        assert_eq!((e.dbid, e.path.as_str()), (2, "C:\\x.dat"));
    }
}
