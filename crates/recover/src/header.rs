//! The database header a recovery on a copy writes: the header the engine's create writes for a
//! database the logs create (from the CreateDB record and the records of the creation), and the
//! header at the end of recovery (Clean Shutdown, highest dbtime and objid, Last Consistent, Log
//! Required cleared), written to both copies with the legacy XOR checksum.
//!
//! Sources: docs/format-database.md §1.2 (every `DBFILEHDR` field and its offset), §1.5 (the
//! checksum and the two copies); docs/format-page.md §6.1 (XOR-32); docs/page-internals.md §4.9
//! (the header at the end of recovery), §8 items 1-2; docs/log-records.md §3.5 (CreateDB), §5.4
//! (CreateDB redo; headers at the end), §7 item 13.
//!
//! The engine's create (`InitDBDbfilehdr`, `ErrDBCreateDatabase` in `ese/db.cxx`) zeroes a
//! header page and sets: magic, version 0x620 and update 0x14 (raised later by the logged
//! SetDbVersion), create version 0x620/0x14, `signDb` (from the record), state Just Created,
//! page size, `signLog`, file type 1, `le_dbid`, `le_lgposAttach` = the CreateDB record, and the
//! Log Required/Committed/Consistent generations = its generation.
//!
//! ## Last Consistent on a copy (a design choice, docs/log-records.md §7 item 13)
//! ESE points `le_lgposConsistent` and `le_lgposDetach` at a ShutDownMark it appends to the log.
//! A copy-based recovery appends nothing (the logs are never written). esehdr writes:
//! - the LGPOS of the ShutDownMark the replayed data ends with, when it ends with one (then the
//!   copy's header equals the engine's: the Server 2022 SRUM stream ends `ShutDownMark (2,1,606)`,
//!   `Term`, and the engine's header says `(0x2,1,606)`);
//! - otherwise the end of the replayed data (the `--until` position, or the end of the last
//!   log's data): the place where ESE would have appended its ShutDownMark;
//! - a database that no attachment of the replayed logs names (a Clean Shutdown database the
//!   logs after the checkpoint do not touch) keeps its own Last Consistent.
//!
//! Log Required, Log Committed, Log Consistent and Log Recovering are written as 0, as in the
//! engine's Clean Shutdown files of the corpus (docs/page-internals.md §8 item 1 leaves them
//! open).

use esehdr_format::checksum::xor32_legacy;
use esehdr_format::{Lgpos, LogTime, Signature};

/// `le_ulChecksum`.
pub const OFF_CHECKSUM: usize = 0x000;
/// `le_ulMagic`.
pub const OFF_MAGIC: usize = 0x004;
/// `le_ulVersion`.
pub const OFF_VERSION: usize = 0x008;
/// `le_dbtimeDirtied`.
pub const OFF_DBTIME: usize = 0x010;
/// `signDb`.
pub const OFF_SIGN_DB: usize = 0x018;
/// `le_dbstate`.
pub const OFF_DBSTATE: usize = 0x034;
/// `le_lgposConsistent`.
pub const OFF_LGPOS_CONSISTENT: usize = 0x038;
/// `logtimeConsistent`.
pub const OFF_LOGTIME_CONSISTENT: usize = 0x040;
/// `logtimeAttach`.
pub const OFF_LOGTIME_ATTACH: usize = 0x048;
/// `le_lgposAttach`.
pub const OFF_LGPOS_ATTACH: usize = 0x050;
/// `logtimeDetach`.
pub const OFF_LOGTIME_DETACH: usize = 0x058;
/// `le_lgposDetach`.
pub const OFF_LGPOS_DETACH: usize = 0x060;
/// `le_dbid`.
pub const OFF_DBID: usize = 0x068;
/// `signLog`.
pub const OFF_SIGN_LOG: usize = 0x06C;
/// `bkinfoIncPrev`.
pub const OFF_BKINFO_INC_PREV: usize = 0x0A0;
/// `bkinfoFullCur`.
pub const OFF_BKINFO_FULL_CUR: usize = 0x0B8;
/// `m_ulDbFlags`.
pub const OFF_DB_FLAGS: usize = 0x0D0;
/// `le_objidLast`.
pub const OFF_OBJID_LAST: usize = 0x0D4;
/// `le_ulDaeUpdateMajor`.
pub const OFF_UPDATE_MAJOR: usize = 0x0E8;
/// `le_cbPageSize`.
pub const OFF_PAGE_SIZE: usize = 0x0EC;
/// `le_lGenMinRequired`.
pub const OFF_GEN_MIN_REQUIRED: usize = 0x128;
/// `le_lGenMaxRequired`.
pub const OFF_GEN_MAX_REQUIRED: usize = 0x12C;
/// `bkinfoSnapshotCur`.
pub const OFF_BKINFO_SNAPSHOT_CUR: usize = 0x13C;
/// `le_ulCreateVersion`.
pub const OFF_CREATE_VERSION: usize = 0x154;
/// `le_ulCreateUpdate`.
pub const OFF_CREATE_UPDATE: usize = 0x158;
/// `logtimeGenMaxCreate`.
pub const OFF_LOGTIME_GEN_MAX_CREATE: usize = 0x15C;
/// `le_lGenMaxCommitted`.
pub const OFF_GEN_MAX_COMMITTED: usize = 0x1A0;
/// `le_qwSortVersion`.
pub const OFF_SORT_VERSION: usize = 0x1FC;
/// `le_lGenRecovering`.
pub const OFF_GEN_RECOVERING: usize = 0x218;
/// `le_ulExtendCount`.
pub const OFF_EXTEND_COUNT: usize = 0x21C;
/// `logtimeLastExtend`.
pub const OFF_LOGTIME_LAST_EXTEND: usize = 0x220;
/// `signDbHdrFlush`.
pub const OFF_SIGN_DB_HDR_FLUSH: usize = 0x248;
/// `signFlushMapHdrFlush`.
pub const OFF_SIGN_FLUSH_MAP_HDR_FLUSH: usize = 0x264;
/// `le_lGenMinConsistent`.
pub const OFF_GEN_MIN_CONSISTENT: usize = 0x280;
/// `le_ulDaeUpdateMinor`.
pub const OFF_UPDATE_MINOR: usize = 0x284;
/// `le_efvMaxBinAttachDiagnostic`.
pub const OFF_EFV_MAX_BIN_ATTACH: usize = 0x288;
/// `le_lgposLastResize`.
pub const OFF_LGPOS_LAST_RESIZE: usize = 0x290;
/// `le_filetype` (unaligned).
pub const OFF_FILETYPE: usize = 0x29B;
/// `logtimeGenMaxRequired`.
pub const OFF_LOGTIME_GEN_MAX_REQUIRED: usize = 0x2A0;
/// `le_lGenPreRedoMinConsistent`.
pub const OFF_GEN_PRE_REDO_MIN_CONSISTENT: usize = 0x2A8;
/// `le_lGenPreRedoMinRequired`.
pub const OFF_GEN_PRE_REDO_MIN_REQUIRED: usize = 0x2AC;

/// `ulDAEMagic`.
const DAE_MAGIC: u32 = 0x89AB_CDEF;
/// `ulDAEVersionMax_BeforeSetDbVerLr` and `ulDAEUpdateMajorMax_BeforeSetDbVerLr` (`InitDBDbfilehdr`):
/// what create writes before the logged SetDbVersion raises the version.
const CREATE_VERSION: (u32, u32) = (0x620, 0x14);
/// `JET_dbstateJustCreated`, `JET_dbstateCleanShutdown`, `JET_dbstateDirtyAndPatchedShutdown`.
const STATE_JUST_CREATED: u32 = 1;
const STATE_CLEAN: u32 = 3;
const STATE_DIRTY_AND_PATCHED: u32 = 7;
/// `JET_filetypeDatabase`.
const FILETYPE_DATABASE: u32 = 1;
/// `JET_bitDbShadowingOff` in the CreateDB grbit; `fDbShadowingDisabled` in `m_ulDbFlags`.
const GRBIT_SHADOWING_OFF: u32 = 0x80;
const DB_FLAG_SHADOWING_DISABLED: u32 = 0x1;
/// `g_qwUpgradedLocalesTable` (`ese/cat.cxx`): every create and attach outside recovery sets it
/// once MSysLocales exists (`ese/db.cxx`).
const SORT_VERSION_UPGRADED_LOCALES: u64 = u64::MAX;
/// `JET_efvLgposLastResize` = 9180: from this engine format version the header keeps
/// `le_lgposLastResize`; its database version is (0x620, 110, 240) (`g_rgfmtversEngine`).
const UPDATE_MAJOR_LGPOS_LAST_RESIZE: u32 = 110;

/// A header page that cannot be finished.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The buffer is shorter than the 748-byte `DBFILEHDR`, or not a page size.
    #[error("the header page is {found} bytes; it should be a page size of at least 4096 bytes")]
    Size {
        /// What was given.
        found: usize,
    },
}

/// What the logs say about a database they create (docs/log-records.md §3.5), and what the
/// records of the creation add to its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateFacts {
    /// LGPOS of the CreateDB record (`le_lgposAttach`).
    pub lgpos: Lgpos,
    /// `dbid`.
    pub dbid: u8,
    /// `le_grbit`.
    pub grbit: u32,
    /// `signDb`.
    pub db_signature: Signature,
    /// The stream's `signLog`.
    pub log_signature: Signature,
    /// The page size (the log header's `le_cbPageSize`, 0 read as 4096).
    pub page_size: u32,
    /// The SetDbVersion of the creation: (`ulDbMajorVersion`, update major, update minor).
    pub db_version: Option<(u32, u32, u32)>,
    /// The engine format version of the log that holds the CreateDB (`le_efvEngineCurrentDiagnostic`),
    /// written to `le_efvMaxBinAttachDiagnostic` (0: not known).
    pub engine_efv: u32,
    /// ExtendDB records of the creation (`le_ulExtendCount`).
    pub extend_count: u32,
    /// The closest logged time at or before the attach: the creation time of the log holding
    /// the CreateDB (`logtimeAttach` itself is "now" at do-time and is not logged).
    pub attach_time: LogTime,
}

fn put(page: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = page.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

fn put_u32(page: &mut [u8], at: usize, v: u32) {
    put(page, at, &v.to_le_bytes());
}

fn put_u64(page: &mut [u8], at: usize, v: u64) {
    put(page, at, &v.to_le_bytes());
}

fn get_u32(page: &[u8], at: usize) -> u32 {
    page.get(at..at + 4).and_then(|b| b.try_into().ok()).map_or(0, u32::from_le_bytes)
}

fn get_u64(page: &[u8], at: usize) -> u64 {
    page.get(at..at + 8).and_then(|b| b.try_into().ok()).map_or(0, u64::from_le_bytes)
}

/// The eight bytes of an `LGPOS` (`le_ib`, `le_isec`, `le_lGeneration`).
pub fn lgpos_bytes(l: Lgpos) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[0..2].copy_from_slice(&l.ib.to_le_bytes());
    b[2..4].copy_from_slice(&l.isec.to_le_bytes());
    b[4..8].copy_from_slice(&l.generation.to_le_bytes());
    b
}

/// The 28 bytes of a `SIGNATURE`.
pub fn signature_bytes(s: &Signature) -> [u8; 28] {
    let mut b = [0u8; 28];
    b[0..4].copy_from_slice(&s.random.to_le_bytes());
    b[4..12].copy_from_slice(&s.created.raw);
    b[12..28].copy_from_slice(&s.computer_raw);
    b
}

/// A UTC `LOGTIME` from a time since the Unix epoch (docs/format-common.md §2).
pub fn logtime_utc(since_epoch: std::time::Duration) -> LogTime {
    let secs = since_epoch.as_secs();
    let ms = since_epoch.subsec_millis();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let b = |v: i64| u8::try_from(v).unwrap_or(0);
    let ms_low = u8::try_from(ms & 0x7F).unwrap_or(0);
    let ms_high = u8::try_from((ms >> 7) & 0x07).unwrap_or(0);
    LogTime::from_bytes([
        b((rem % 60) as i64),
        b(((rem / 60) % 60) as i64),
        b((rem / 3600) as i64),
        b(day),
        b(month),
        b(year - 1900),
        (ms_low << 1) | 0x01,
        ms_high << 1,
    ])
}

/// Stores the legacy XOR-32 checksum of a header page at offset 0 (docs/format-page.md §6.1).
pub fn write_header_checksum(page: &mut [u8]) {
    let sum = xor32_legacy(page);
    put_u32(page, OFF_CHECKSUM, sum);
}

fn check_size(page: &[u8]) -> Result<(), HeaderError> {
    if page.len() < 4096 || !page.len().is_power_of_two() {
        return Err(HeaderError::Size { found: page.len() });
    }
    Ok(())
}

/// The header page the engine's create writes (`InitDBDbfilehdr`, `ErrDBCreateDatabase`), with
/// what the logged creation adds (SetDbVersion, ExtendDB count). State Just Created; checksummed.
pub fn created_header(f: &CreateFacts) -> Result<Vec<u8>, HeaderError> {
    let page_size = if f.page_size == 0 { 4096 } else { f.page_size };
    let mut p = vec![0u8; usize::try_from(page_size).unwrap_or(4096)];
    check_size(&p)?;
    put_u32(&mut p, OFF_MAGIC, DAE_MAGIC);
    let (major, update_major, update_minor) = f.db_version.unwrap_or((CREATE_VERSION.0, CREATE_VERSION.1, 0));
    put_u32(&mut p, OFF_VERSION, major);
    put_u32(&mut p, OFF_UPDATE_MAJOR, update_major);
    put_u32(&mut p, OFF_UPDATE_MINOR, update_minor);
    put_u32(&mut p, OFF_CREATE_VERSION, CREATE_VERSION.0);
    put_u32(&mut p, OFF_CREATE_UPDATE, CREATE_VERSION.1);
    put_u32(&mut p, OFF_EFV_MAX_BIN_ATTACH, f.engine_efv);
    if f.grbit & GRBIT_SHADOWING_OFF != 0 {
        put_u32(&mut p, OFF_DB_FLAGS, DB_FLAG_SHADOWING_DISABLED);
    }
    put_u32(&mut p, OFF_DBID, u32::from(f.dbid));
    put(&mut p, OFF_SIGN_DB, &signature_bytes(&f.db_signature));
    put_u32(&mut p, OFF_DBSTATE, STATE_JUST_CREATED);
    put_u32(&mut p, OFF_PAGE_SIZE, page_size);
    put(&mut p, OFF_SIGN_LOG, &signature_bytes(&f.log_signature));
    put_u32(&mut p, OFF_FILETYPE, FILETYPE_DATABASE);
    put(&mut p, OFF_LGPOS_ATTACH, &lgpos_bytes(f.lgpos));
    put(&mut p, OFF_LOGTIME_ATTACH, &f.attach_time.raw);
    let g = u32::from_le_bytes(f.lgpos.generation.to_le_bytes());
    for at in [OFF_GEN_MIN_REQUIRED, OFF_GEN_MAX_REQUIRED, OFF_GEN_MAX_COMMITTED, OFF_GEN_MIN_CONSISTENT] {
        put_u32(&mut p, at, g);
    }
    put_u64(&mut p, OFF_SORT_VERSION, SORT_VERSION_UPGRADED_LOCALES);
    if f.extend_count > 0 {
        put_u32(&mut p, OFF_EXTEND_COUNT, f.extend_count);
        put(&mut p, OFF_LOGTIME_LAST_EXTEND, &f.attach_time.raw);
    }
    if update_major >= UPDATE_MAJOR_LGPOS_LAST_RESIZE {
        // A database attachment sets le_lgposLastResize to le_lgposAttach (DBFILEHDR comment).
        put(&mut p, OFF_LGPOS_LAST_RESIZE, &lgpos_bytes(f.lgpos));
    }
    write_header_checksum(&mut p);
    Ok(p)
}

/// What the end of recovery writes (docs/page-internals.md §4.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// The largest dbtime redo saw (`le_dbtimeDirtied` becomes the max of it and the header's).
    pub dbtime: u64,
    /// The largest objid redo saw.
    pub objid_last: u32,
    /// Last Consistent and Last Detach (see the module doc).
    pub consistent: Lgpos,
    /// "Now": `logtimeConsistent`, `logtimeDetach`, and the time of `signDbHdrFlush`.
    pub now: LogTime,
    /// The random part of the new `signDbHdrFlush`.
    pub flush_random: u32,
}

/// Finishes a header page in place: Clean Shutdown (Dirty and Patched is kept), dbtime and
/// objid, Last Consistent = Last Detach (= Last Resize from update 110 on), their times, Log
/// Required/Committed/Consistent/Recovering 0, the current backup records cleared when a full
/// backup was in progress, a new `signDbHdrFlush`, no flush map; then the checksum.
pub fn finish_header(page: &mut [u8], f: &Finish) -> Result<(), HeaderError> {
    check_size(page)?;
    let dbtime = get_u64(page, OFF_DBTIME).max(f.dbtime);
    put_u64(page, OFF_DBTIME, dbtime);
    let objid = get_u32(page, OFF_OBJID_LAST).max(f.objid_last);
    put_u32(page, OFF_OBJID_LAST, objid);
    if get_u32(page, OFF_DBSTATE) != STATE_DIRTY_AND_PATCHED {
        put_u32(page, OFF_DBSTATE, STATE_CLEAN);
    }
    let at = lgpos_bytes(f.consistent);
    put(page, OFF_LGPOS_CONSISTENT, &at);
    put(page, OFF_LGPOS_DETACH, &at);
    if get_u32(page, OFF_UPDATE_MAJOR) >= UPDATE_MAJOR_LGPOS_LAST_RESIZE {
        put(page, OFF_LGPOS_LAST_RESIZE, &at);
    }
    put(page, OFF_LOGTIME_CONSISTENT, &f.now.raw);
    put(page, OFF_LOGTIME_DETACH, &f.now.raw);
    for at in [
        OFF_GEN_MIN_REQUIRED,
        OFF_GEN_MAX_REQUIRED,
        OFF_GEN_MAX_COMMITTED,
        OFF_GEN_MIN_CONSISTENT,
        OFF_GEN_RECOVERING,
        OFF_GEN_PRE_REDO_MIN_CONSISTENT,
        OFF_GEN_PRE_REDO_MIN_REQUIRED,
    ] {
        put_u32(page, at, 0);
    }
    put(page, OFF_LOGTIME_GEN_MAX_REQUIRED, &[0; 8]);
    put(page, OFF_LOGTIME_GEN_MAX_CREATE, &[0; 8]);
    // bkinfoFullCur.le_genLow is at +16 of the BKINFO.
    if get_u32(page, OFF_BKINFO_FULL_CUR + 16) != 0 {
        put(page, OFF_BKINFO_FULL_CUR, &[0; 24]);
        put(page, OFF_BKINFO_SNAPSHOT_CUR, &[0; 24]);
        put(page, OFF_BKINFO_INC_PREV, &[0; 24]);
    }
    let flush = Signature { random: f.flush_random, created: f.now, computer_raw: [0; 16] };
    put(page, OFF_SIGN_DB_HDR_FLUSH, &signature_bytes(&flush));
    put(page, OFF_SIGN_FLUSH_MAP_HDR_FLUSH, &[0; 28]);
    write_header_checksum(page);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use esehdr_format::{read_database_header, DbState};

    #[test]
    fn logtime_from_epoch() {
        // 2023-10-18 02:50:32.868 UTC = 1697597432.868 s.
        let t = logtime_utc(std::time::Duration::from_millis(1_697_597_432_868));
        assert_eq!(t.eseutil(), "10/18/2023 02:50:32.868 UTC");
        let t = logtime_utc(std::time::Duration::from_secs(951_782_400)); // 2000-02-29
        assert_eq!(t.eseutil_bare(), "02/29/2000 00:00:00.000");
    }

    #[test]
    fn finished_header_validates_in_both_copies() {
        let facts = CreateFacts {
            lgpos: Lgpos { generation: 3, isec: 1, ib: 0x20 },
            dbid: 2,
            grbit: 0,
            db_signature: Signature { random: 7, ..Signature::default() },
            log_signature: Signature { random: 9, ..Signature::default() },
            page_size: 8192,
            db_version: None,
            engine_efv: 0,
            extend_count: 0,
            attach_time: LogTime::default(),
        };
        let mut p = created_header(&facts).unwrap();
        let finish = Finish {
            dbtime: 0x99,
            objid_last: 12,
            consistent: Lgpos { generation: 4, isec: 2, ib: 0 },
            now: LogTime::default(),
            flush_random: 1,
        };
        finish_header(&mut p, &finish).unwrap();
        let mut file = p.clone();
        file.extend_from_slice(&p);
        let db = read_database_header(&file).unwrap();
        assert!(db.is_valid());
        let h = db.header().unwrap();
        assert_eq!(h.state, DbState::CleanShutdown);
        assert_eq!((h.dbtime, h.objid_last, h.page_size(), h.dbid), (0x99, 12, 8192, 2));
        assert_eq!(h.last_consistent.lgpos, finish.consistent);
        assert_eq!(h.last_attach.lgpos, facts.lgpos);
        assert_eq!((h.log_required.min, h.log_required.max), (0, 0));
        // Update 0x14 < 110: no Last Resize.
        assert_eq!(h.last_resize, Lgpos::default());
        assert!(finish_header(&mut [0u8; 100], &finish).is_err());
    }
}
