//! JSON Lines: one JSON object per record, written as the walk goes (`esehdr ml FILE --records
//! --json`), so a stream of any size can be piped into `jq` without building one document.
//!
//! Every object has `lgpos` (`{generation, sector, offset}`), `type` (the `lrtyp` byte), `name`
//! (eseutil's name without padding) and `size` (bytes), then the record's fields in snake_case:
//! the page-record header (`procid`, `dbid`, `pgno`, `dbtime`, `dbtime_before`, `trx_begin0`,
//! `level`, `iline`, `flags`), the node fields (`rceid`, `pgno_fdp`, `objid_fdp`), and so on per
//! type. Payloads (insert and replace data, keys, bookmarks, diffs, before-images, unknown
//! payloads) are lowercase hex strings, in full. Fields a type does not have are left out. A
//! record that cannot be read gives one `{lgpos, error}` object and ends the output.
//! The field list per type is documented with the JSON contract (README, "JSON").
//!
//! Sources: ../shared/FORMAT-LOGREC.md §3 (offsets and Microsoft names, cited per field).

use std::fmt;
use std::io::{self, Write};

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use crate::log::content::ContentVerdict;
use crate::log::dbms_param::DbmsParam;
use crate::log::header::LgFileHeader;
use crate::log::records::dump::DumpContext;
use crate::log::records::peek::{db_name_area, path, Peek};
use crate::log::records::summary::{RecordSummary, Summarizer};
use crate::log::records::types::LrType;
use crate::log::records::walk::RecordWalker;
use crate::primitives::{Lgpos, LogTime, Signature};

/// Bytes serialized as one lowercase hex string, written without an intermediate buffer.
#[derive(Debug, Clone, Copy)]
pub struct Hex<'r>(pub &'r [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl Serialize for Hex<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Little-endian u32 page numbers, serialized as an array.
#[derive(Debug, Clone, Copy)]
pub struct Pgnos<'r>(pub &'r [u8]);

impl Serialize for Pgnos<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len() / 4))?;
        for c in self.0.chunks_exact(4) {
            seq.serialize_element(&Peek(c).u32(0))?;
        }
        seq.end()
    }
}

macro_rules! fields {
    ($($(#[$m:meta])* $name:ident : $ty:ty,)*) => {
        /// The fields of one record; `None` fields are not written.
        #[derive(Debug, Default, Serialize)]
        pub struct Fields<'r> {
            $($(#[$m])* #[serde(skip_serializing_if = "Option::is_none")] pub $name: Option<$ty>,)*
            #[serde(skip)]
            _bytes: std::marker::PhantomData<&'r [u8]>,
        }
    };
}

fields! {
    /// `le_procid`: the session.
    procid: u16,
    /// `dbid`.
    dbid: u8,
    /// `le_pgno` (the page operated on; first page of a range).
    pgno: u32,
    /// `le_dbtime` (dbtimeAfter), or the dbtime a record carries.
    dbtime: u64,
    /// `le_dbtimeBefore`.
    dbtime_before: u64,
    /// `le_trxBegin0`.
    trx_begin0: u32,
    /// `level` (transaction level; Commit: `levelCommitTo`).
    level: u8,
    /// `mle_iline`.
    iline: u16,
    /// Flags of the record (`m_fLRPageFlags`, create/attach/detach flags, ...), as stored.
    flags: u32,
    /// `le_rceid`.
    rceid: u32,
    /// `le_pgnoFDP`.
    pgno_fdp: u32,
    /// `le_objidFDP` (NewPage, RootPageMove: `le_objid`).
    objid_fdp: u32,
    /// Begin/Begin0: `levelBeginFrom`.
    level_from: u8,
    /// Begin/Begin0: `clevelsToBegin`.
    levels: u8,
    /// Commit0: `le_trxCommit0`.
    trx_commit0: u32,
    /// Rollback: `levelRollback`.
    levels_rolled_back: u8,
    /// Insert: key prefix.
    key_prefix: Hex<'r>,
    /// Insert: key suffix.
    key_suffix: Hex<'r>,
    /// Key (FlagInsert, FlagInsertAndReplaceData; Split: the key for the parent; Merge: the
    /// separator key).
    key: Hex<'r>,
    /// Data: inserted or replacing data, external header, before-image of UndoInfo, payloads.
    data: Hex<'r>,
    /// ReplaceD: the diff list (`fDiff2` says which header form).
    diff: Hex<'r>,
    /// ReplaceD: bit 15 of `mle_cb` (3-byte `DIFFHDR2` headers).
    diff2: bool,
    /// Replace/ReplaceD: `cbNewData`.
    data_new_size: u16,
    /// Replace/ReplaceD: `cbOldData`.
    data_old_size: u16,
    /// FlagInsertAndReplaceData: `le_rceidReplace`.
    rceid_replace: u32,
    /// Delta, Delta64: `delta`.
    delta: i64,
    /// Delta, Delta64: `cbOffset`.
    offset: u16,
    /// Delta, Undo, UndoInfo: bookmark key.
    bookmark_key: Hex<'r>,
    /// Delta, Undo, UndoInfo: bookmark data.
    bookmark_data: Hex<'r>,
    /// Undo, UndoInfo: `le_oper`.
    oper: u16,
    /// Undo: the level of the version being undone (@50).
    undo_level: u8,
    /// Scrub: `mle_cscrubOper`.
    scrub_opers: u32,
    /// Split/Merge/PageMove siblings and parent, FDP records' pages.
    pgno_new: u32,
    /// Right sibling.
    pgno_right: u32,
    /// Its dbtime before.
    dbtime_right_before: u64,
    /// Left sibling.
    pgno_left: u32,
    /// Its dbtime before.
    dbtime_left_before: u64,
    /// Parent page.
    pgno_parent: u32,
    /// Its dbtime before.
    dbtime_parent_before: u64,
    /// PageMove: destination page.
    pgno_dest: u32,
    /// Split: `splittype`.
    split_type: u8,
    /// Split: `splitoper`.
    split_oper: u8,
    /// Split: `le_ilineOper`.
    iline_oper: u16,
    /// Split: `le_ilineSplit`.
    iline_split: u16,
    /// Split: `le_clines`.
    clines: u16,
    /// Merge: `mergetype`.
    merge_type: u8,
    /// Merge: `mle_ilineMerge`.
    iline_merge: u16,
    /// Split2, Merge2: the page before-image; PageMove: the logged page header and trailer.
    before_image: Hex<'r>,
    /// FDP records: `le_pgnoOE`.
    pgno_oe: u32,
    /// FDP records: `le_pgnoAE`.
    pgno_ae: u32,
    /// FDP records: `le_pgnoFDPParent`.
    pgno_fdp_parent: u32,
    /// FDP records: `le_cpgPrimary`.
    cpg_primary: i32,
    /// Convert: `le_pgnoSecondaryFirst`.
    pgno_secondary_first: u32,
    /// Convert: `le_cpgSecondary`.
    cpg_secondary: i32,
    /// FDP records: page flags.
    page_flags: u32,
    /// PageMove: `m_ilineParent`.
    iline_parent: i32,
    /// Trace, ForceLogRollover: the text.
    text: String,
    /// Init: `szSystemPathDebugOnly`.
    system_path: String,
    /// Init: `szLogFilePathDebugOnly`.
    log_path: String,
    /// Init2, Term2, RecoveryUndo2, RecoveryQuit2/KA: the time.
    time: LogTime,
    /// Term: the Init's LGPOS (`lgpos`, FORMAT-LOGREC §8 item 1).
    lgpos_init: Lgpos,
    /// RecoveryQuit: the RecoveryUndo's LGPOS.
    lgpos_undo: Lgpos,
    /// RecoveryQuit: `lgposRedoFrom`.
    lgpos_redo_from: Lgpos,
    /// RecoveryQuit: `fHard`.
    hard: bool,
    /// CreateDB, AttachDB, DetachDB: the path.
    path: String,
    /// CreateDB, AttachDB, ReAttach: `signDb`.
    db_signature: Signature,
    /// AttachDB: `signLog`.
    log_signature: Signature,
    /// AttachDB, ReAttach: `lgposConsistent`.
    last_consistent: Lgpos,
    /// ReAttach: `lgposAttach`.
    lgpos_attach: Lgpos,
    /// CreateDB, AttachDB: `le_cpgDatabaseSizeMax`.
    cpg_max: u32,
    /// CreateDB: `usVersion`, `usUpdateMajor`; SetDbVersion: major, update major, update minor.
    version: Vec<u32>,
    /// ExtendDB, ShrinkDB: `le_pgnoLast`.
    pgno_last: u32,
    /// ShrinkDB: `le_cpgShrunk`; TrimDB: `le_cpgZeroLength`; ExtentFreed: `le_cpgExtent`.
    cpg: i32,
    /// MacroInfo, MacroInfo2: the pages.
    pgnos: Pgnos<'r>,
    /// FreeFDP: `le_trxCommitted`.
    trx_committed: u32,
    /// FreeFDP: `bFDPType` (1 table, 2 index).
    fdp_type: u8,
    /// LRIGNORED family: `cb`.
    cb: u32,
    /// Backup2: `eBackupPhase`.
    backup_phase: u8,
    /// Backup2: `eBackupType`; Backup: `m_fBackupType`.
    backup_type: u32,
    /// Backup2: `eBackupScope`.
    backup_scope: u8,
    /// ExtRestore: instance name.
    instance: String,
    /// Checksum: `le_cbBackwards`.
    cb_backwards: u32,
    /// Checksum: `le_cbForwards`.
    cb_forwards: u32,
    /// Checksum: `le_cbNext`.
    cb_next: u32,
    /// Checksum: `le_ulChecksum`; ScanCheck: `le_uschksum`; ScanCheck2: `le_ulChksum`.
    checksum: u32,
    /// Checksum: `le_ulShortChecksum`.
    short_checksum: u32,
    /// Checksum: `bUseShortChecksum`.
    use_short_checksum: u8,
    /// ScanCheck2: `le_dbtimePage`.
    dbtime_page: u64,
}

/// One JSON Lines object.
#[derive(Debug, Serialize)]
pub struct RecordJson<'r> {
    /// LGPOS as eseutil reports it.
    pub lgpos: Lgpos,
    /// The `lrtyp` byte.
    #[serde(rename = "type")]
    pub lrtyp: u8,
    /// eseutil's name without padding.
    pub name: &'static str,
    /// Size in bytes (`CbLGSizeOfRec`).
    pub size: usize,
    /// The fields of its type.
    #[serde(flatten)]
    pub fields: Fields<'r>,
}

/// The error object that ends a JSON Lines output.
#[derive(Debug, Serialize)]
pub struct ErrorJson<'a> {
    /// LGPOS of the record that could not be read.
    pub lgpos: Lgpos,
    /// What was wrong.
    pub error: &'a str,
}

fn page_header(r: Peek<'_>, f: &mut Fields<'_>) {
    f.procid = Some(r.u16(1));
    f.dbid = Some(r.u8(3));
    f.pgno = Some(r.u32(4));
    f.dbtime = Some(r.u64(8));
    f.dbtime_before = Some(r.u64(16));
    f.trx_begin0 = Some(r.u32(24));
    f.level = Some(r.u8(28));
    f.iline = Some(r.u16(29));
    f.flags = Some(u32::from(r.u8(31)));
}

fn node_header(r: Peek<'_>, f: &mut Fields<'_>) {
    page_header(r, f);
    f.rceid = Some(r.u32(32));
    f.pgno_fdp = Some(r.u32(36));
    f.objid_fdp = Some(r.u32(40));
}

/// The JSON object of one record (FORMAT-LOGREC §3).
pub fn record_json<'r>(lgpos: Lgpos, rec: &'r [u8], ctx: &DumpContext) -> RecordJson<'r> {
    let r = Peek(rec);
    let t = LrType(r.u8(0));
    let mut f = Fields::default();
    let len16 = |o: usize| usize::from(r.u16(o));
    match t.0 {
        29 => {
            node_header(r, &mut f);
            let (suffix, prefix, data) = (len16(44), len16(46), len16(48));
            f.key_prefix = Some(Hex(r.bytes(50, prefix)));
            f.key_suffix = Some(Hex(r.bytes(50 + prefix, suffix)));
            f.data = Some(Hex(r.bytes(50 + prefix + suffix, data)));
        }
        30 | 31 => {
            node_header(r, &mut f);
            let (key, data, at) = (len16(44), len16(46), if t.0 == 30 { 48 } else { 52 });
            f.key = Some(Hex(r.bytes(at, key)));
            f.data = Some(Hex(r.bytes(at + key, data)));
            if t.0 == 31 {
                f.rceid_replace = Some(r.u32(48));
            }
        }
        32 | 35 => node_header(r, &mut f),
        33 | 34 => {
            node_header(r, &mut f);
            let cb = r.u16(44);
            f.data_old_size = Some(r.u16(46));
            f.data_new_size = Some(r.u16(48));
            let payload = Hex(r.bytes(50, usize::from(cb & 0x7FFF)));
            if t.0 == 33 {
                f.data = Some(payload);
            } else {
                f.diff = Some(payload);
                f.diff2 = Some(cb & 0x8000 != 0);
            }
        }
        37 | 93 | 39 | 36 => {
            node_header(r, &mut f);
            let (k, d) = (len16(44), len16(46));
            let at = match t.0 {
                37 => 54,
                93 => 58,
                39 => 51,
                _ => 56,
            };
            f.bookmark_key = Some(Hex(r.bytes(at, k)));
            f.bookmark_data = Some(Hex(r.bytes(at + k, d)));
            match t.0 {
                37 => {
                    f.delta = Some(i64::from(r.i32(48)));
                    f.offset = Some(r.u16(52));
                }
                93 => {
                    f.delta = Some(r.i64(48));
                    f.offset = Some(r.u16(56));
                }
                39 => {
                    f.oper = Some(r.u16(48));
                    f.undo_level = Some(r.u8(50));
                }
                _ => {
                    f.oper = Some(r.u16(48));
                    f.data = Some(Hex(r.bytes(at + k + d, len16(54))));
                }
            }
        }
        38 => {
            node_header(r, &mut f);
            f.data = Some(Hex(r.bytes(46, len16(44))));
        }
        64 => {
            node_header(r, &mut f);
            f.flags = Some(r.u32(44));
            f.scrub_opers = Some(r.u32(48));
            f.data = Some(Hex(r.bytes(54, len16(52))));
        }
        48 => {
            node_header(r, &mut f);
            f.data = Some(Hex(r.bytes(46, len16(44))));
        }
        24 | 25 | 26 | 58 => {
            page_header(r, &mut f);
            f.objid_fdp = Some(r.u32(32));
            if t.0 == 25 {
                f.pgno_fdp_parent = Some(r.u32(36));
                f.cpg_primary = Some(r.i32(40));
                f.page_flags = Some(r.u32(44));
            } else {
                f.pgno_oe = Some(r.u32(36));
                f.pgno_ae = Some(r.u32(40));
                f.pgno_fdp_parent = Some(r.u32(44));
                if t.0 == 24 {
                    f.cpg_primary = Some(r.i32(48));
                    f.page_flags = Some(r.u32(52));
                } else {
                    f.pgno_secondary_first = Some(r.u32(48));
                    f.cpg_primary = Some(r.i32(52));
                    f.cpg_secondary = Some(r.i32(56));
                    if t.0 == 58 {
                        f.page_flags = Some(r.u32(64));
                    }
                }
            }
        }
        27 | 62 => {
            page_header(r, &mut f);
            f.pgno_new = Some(r.u32(32));
            f.pgno_right = Some(r.u32(36));
            f.dbtime_right_before = Some(r.u64(40));
            f.pgno_parent = Some(r.u32(48));
            f.dbtime_parent_before = Some(r.u64(52));
            f.pgno_fdp = Some(r.u32(60));
            f.objid_fdp = Some(r.u32(64));
            f.split_type = Some(r.u8(68));
            f.split_oper = Some(r.u8(69));
            f.iline_oper = Some(r.u16(70));
            f.iline_split = Some(r.u16(72));
            f.clines = Some(r.u16(74));
            let at = if t.0 == 62 { 110 } else { 102 };
            let (key, old, new) = (len16(100), len16(96), len16(98));
            f.key = Some(Hex(r.bytes(at, key)));
            if t.0 == 62 {
                f.before_image = Some(Hex(r.bytes(at + key + old + new, r.u32(106) as usize)));
            }
        }
        28 | 63 => {
            page_header(r, &mut f);
            f.pgno_right = Some(r.u32(32));
            f.dbtime_right_before = Some(r.u64(36));
            f.pgno_left = Some(r.u32(44));
            f.dbtime_left_before = Some(r.u64(48));
            f.pgno_parent = Some(r.u32(56));
            f.dbtime_parent_before = Some(r.u64(60));
            f.pgno_fdp = Some(r.u32(68));
            f.objid_fdp = Some(r.u32(72));
            f.iline_merge = Some(r.u16(82));
            f.merge_type = Some(r.u8(85));
            let at = if t.0 == 63 { 96 } else { 88 };
            let key = len16(86);
            f.key = Some(Hex(r.bytes(at, key)));
            if t.0 == 63 {
                f.before_image = Some(Hex(r.bytes(at + key, r.u32(92) as usize)));
            }
        }
        65 => {
            page_header(r, &mut f);
            f.pgno_dest = Some(r.u32(32));
            f.pgno_left = Some(r.u32(36));
            f.pgno_right = Some(r.u32(40));
            f.pgno_parent = Some(r.u32(44));
            f.dbtime_left_before = Some(r.u64(48));
            f.dbtime_right_before = Some(r.u64(56));
            f.dbtime_parent_before = Some(r.u64(64));
            f.pgno_fdp = Some(r.u32(72));
            f.objid_fdp = Some(r.u32(76));
            f.iline_parent = Some(r.i32(80));
            f.flags = Some(r.u32(84));
            f.before_image = Some(Hex(r.rest(96)));
        }
        95 => {
            f.procid = Some(r.u16(1));
            f.dbid = Some(r.u8(3));
            f.pgno = Some(r.u32(4));
            f.objid_fdp = Some(r.u32(8));
            f.dbtime = Some(r.u64(12));
        }
        96 => {
            f.dbtime = Some(r.u64(1));
            f.dbid = Some(r.u8(9));
            f.objid_fdp = Some(r.u32(10));
            f.procid = Some(r.u16(14));
        }
        66 => {
            f.dbid = Some(r.u8(1));
            f.pgno = Some(r.u32(2));
            f.dbtime = Some(r.u64(6));
        }
        70 => {
            f.cb = Some(r.u32(1));
            f.dbid = Some(r.u8(5));
            f.pgno = Some(r.u32(6));
            f.dbtime_before = Some(r.u64(26));
            f.dbtime = Some(r.u64(34));
            f.checksum = Some(u32::from(r.u16(42)));
        }
        98 => {
            f.dbid = Some(r.u8(1));
            f.pgno = Some(r.u32(2));
            f.flags = Some(u32::from(r.u8(6)));
            f.dbtime_page = Some(r.u64(7));
            f.dbtime = Some(r.u64(15));
            f.checksum = Some(r.u32(23));
        }
        5 | 8 | 53 => {
            f.procid = Some(r.u16(1));
            let b = r.u8(3);
            f.level_from = Some(b & 0x0F);
            f.levels = Some(b >> 4);
            if t.0 != 5 {
                f.trx_begin0 = Some(r.u32(4));
            }
        }
        6 | 9 => {
            f.procid = Some(r.u16(1));
            f.level = Some(r.u8(3));
            if t.0 == 9 {
                f.trx_commit0 = Some(r.u32(4));
            }
        }
        7 => {
            f.procid = Some(r.u16(1));
            f.levels_rolled_back = Some(r.u8(3));
        }
        10 => {
            f.procid = Some(r.u16(1));
            f.trx_begin0 = Some(r.u32(3));
        }
        11..=13 => {
            f.procid = Some(r.u16(1));
            f.dbtime = Some(r.u64(3));
        }
        57 | 21 | 55 => f.procid = Some(r.u16(1)),
        22 | 61 => {
            f.procid = Some(r.u16(1));
            f.text = Some(crate::log::dbms_param::ansi_z(r.bytes(5, len16(3))));
        }
        54 => {
            f.procid = Some(r.u16(1));
            f.data = Some(Hex(r.bytes(7, r.u32(3) as usize)));
        }
        1 | 49 => {
            if let Ok(p) = DbmsParam::decode(&crate::bytes::Fields::new(rec, 0), 1) {
                f.system_path = Some(p.system_path);
                f.log_path = Some(p.log_path);
                f.flags = Some(u32::from(p.flags));
            }
            if t.0 == 49 {
                f.time = Some(r.logtime(568));
            }
        }
        2 | 50 => {
            f.lgpos_init = Some(r.lgpos(1));
            if t.0 == 50 {
                f.time = Some(r.logtime(18));
            }
        }
        18 | 52 | 80 => {
            f.lgpos_undo = Some(r.lgpos(1));
            f.lgpos_redo_from = Some(r.lgpos(9));
            f.hard = Some(r.u8(17) != 0);
            if t.0 != 18 {
                f.time = Some(r.logtime(18));
            }
        }
        51 => f.time = Some(r.logtime(1)),
        14..=16 => {
            f.procid = Some(r.u16(1));
            f.dbid = Some(r.u8(3));
            let (area, unicode) = db_name_area(r).unwrap_or_default();
            f.path = Some(path(area, unicode));
            match t.0 {
                14 => {
                    f.flags = Some(u32::from(r.u8(42)));
                    f.cpg_max = Some(r.u32(8));
                    f.db_signature = Some(r.signature(12));
                    if r.u8(42) & 0x04 != 0 {
                        f.version = Some(vec![u32::from(r.u16(43)), u32::from(r.u16(45))]);
                    }
                }
                15 => {
                    f.flags = Some(u32::from(r.u8(74)));
                    f.cpg_max = Some(r.u32(4));
                    f.last_consistent = Some(r.lgpos(8));
                    f.db_signature = Some(r.signature(16));
                    f.log_signature = Some(r.signature(44));
                }
                _ => f.flags = Some(u32::from(r.u8(6))),
            }
        }
        79 => {
            f.procid = Some(r.u16(1));
            f.dbid = Some(r.u8(3));
        }
        72 => {
            f.cb = Some(r.u32(1));
            f.dbid = Some(r.u8(5));
            f.lgpos_attach = Some(r.lgpos(6));
            f.last_consistent = Some(r.lgpos(14));
            f.db_signature = Some(r.signature(22));
        }
        97 => f.dbid = Some(r.u8(1)),
        92 => {
            f.dbid = Some(r.u8(1));
            f.version = Some(vec![r.u32(2), r.u32(6), r.u32(10)]);
        }
        68 => {
            f.cb = Some(r.u32(1));
            f.dbid = Some(r.u8(5));
            f.pgno_last = Some(r.u32(6));
        }
        78 | 94 | 99 => {
            f.dbid = Some(r.u8(1));
            f.pgno_last = Some(r.u32(2));
            f.cpg = Some(r.i32(6));
            if t.0 == 99 {
                f.dbtime = Some(r.u64(10));
            }
        }
        81 => {
            f.dbid = Some(r.u8(1));
            f.pgno = Some(r.u32(2));
            f.cpg = Some(r.i32(6));
        }
        100 | 101 => {
            f.dbid = Some(r.u8(1));
            f.pgno = Some(r.u32(2));
            f.cpg = Some(r.i32(6));
            f.flags = Some(u32::from(r.u8(10)));
            if t.0 == 101 {
                f.dbtime = Some(r.u64(11));
            }
        }
        67 => {
            f.cb = Some(r.u32(1));
            f.pgnos = Some(Pgnos(r.bytes(5, r.u32(1) as usize)));
        }
        73 => {
            f.cb = Some(r.u32(1));
            f.dbid = Some(r.u8(5));
            f.pgnos = Some(Pgnos(r.bytes(10, (r.u32(6) as usize).saturating_mul(4))));
        }
        74 => {
            f.cb = Some(r.u32(1));
            f.dbid = Some(r.u8(5));
            f.pgno_fdp = Some(r.u32(6));
            f.trx_committed = Some(r.u32(10));
            f.fdp_type = Some(r.u8(14));
        }
        69 => {
            let cb = r.u32(1) as usize;
            f.cb = Some(r.u32(1));
            f.procid = Some(r.u16(5));
            if ctx.new_commit_ctx {
                f.flags = Some(u32::from(r.u8(7)));
                f.data = Some(Hex(r.bytes(8, cb.saturating_sub(3))));
            } else {
                f.data = Some(Hex(r.bytes(7, cb.saturating_sub(2))));
            }
        }
        71 => f.cb = Some(r.u32(1)),
        75 | 82..=91 => {
            f.cb = Some(r.u32(1));
            f.data = Some(Hex(r.rest(5)));
        }
        19 | 20 => f.path = Some(crate::log::dbms_param::ansi_z(r.bytes(3, len16(1)))),
        46 => {
            f.backup_type = Some(u32::from(r.u8(1)));
            f.path = Some(crate::log::dbms_param::ansi_z(r.bytes(5, len16(3))));
        }
        60 => {
            f.backup_phase = Some(r.u8(1));
            f.backup_type = Some(r.u32(2));
            f.backup_scope = Some(r.u8(6));
            f.dbid = Some(r.u8(7));
            f.path = Some(crate::log::dbms_param::ansi_z(r.bytes(35, len16(33))));
        }
        45 | 59 => {
            let info = r.bytes(3, len16(1));
            if t.0 == 45 {
                let mut it = info.split(|&c| c == 0);
                f.instance = Some(crate::log::dbms_param::ansi(it.next().unwrap_or_default()));
                f.path = Some(crate::log::dbms_param::ansi(it.next().unwrap_or_default()));
            } else {
                let first = path(info, true);
                let skip = (first.encode_utf16().count() + 1) * 2;
                f.path = Some(path(info.get(skip..).unwrap_or_default(), true));
                f.instance = Some(first);
            }
        }
        42 => {
            f.cb_backwards = Some(r.u32(1));
            f.cb_forwards = Some(r.u32(5));
            f.cb_next = Some(r.u32(9));
            f.checksum = Some(r.u32(13));
            f.short_checksum = Some(r.u32(17));
            f.use_short_checksum = Some(r.u8(21));
        }
        0 | 4 | 17 | 23 => {}
        _ => f.data = Some(Hex(r.rest(1))),
    }
    RecordJson { lgpos, lrtyp: t.0, name: t.name(), size: rec.len(), fields: f }
}

/// Walks the records of `file` and writes one JSON object per line; a record that cannot be
/// read gives one `{lgpos, error}` line and ends the output. Returns the summary.
pub fn write_jsonl(
    w: &mut dyn Write,
    file: &[u8],
    header: &LgFileHeader,
    verdict: &ContentVerdict,
) -> io::Result<RecordSummary> {
    let ctx = DumpContext::of(header);
    let mut walker = RecordWalker::with_verdict(file, header, verdict);
    let mut sum = Summarizer::new(header.attached.iter().map(|a| (a.dbid, a.path.as_str())));
    while let Some(item) = walker.next_record() {
        match item {
            Ok(rec) => {
                sum.add(&rec);
                serde_json::to_writer(&mut *w, &record_json(rec.lgpos, rec.bytes, &ctx))?;
            }
            Err(e) => {
                serde_json::to_writer(&mut *w, &ErrorJson { lgpos: e.lgpos, error: &e.to_string() })?;
            }
        }
        w.write_all(b"\n")?;
    }
    Ok(sum.finish(walker.stop()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(rec: &[u8]) -> serde_json::Value {
        serde_json::to_value(record_json(Lgpos { generation: 2, isec: 3, ib: 4 }, rec, &DumpContext::default()))
            .unwrap()
    }

    #[test]
    fn insert_has_the_page_header_and_full_hex_payloads() {
        let mut r = vec![0u8; 50];
        r[0] = 29;
        r[1] = 0x0c;
        r[3] = 1;
        r[4] = 218;
        r[8] = 0x03;
        r[9] = 0x36;
        r[31] = 0x04;
        r[44] = 20; // cbSuffix
        r[46] = 1; // cbPrefix
        r[48] = 2; // cbData
        r.push(0xAA);
        r.extend(0..20u8);
        r.extend([0xBE, 0xEF]);
        let v = json(&r);
        assert_eq!(v["lgpos"], serde_json::json!({"generation": 2, "sector": 3, "offset": 4}));
        assert_eq!((v["type"].as_u64(), v["name"].as_str(), v["size"].as_u64()), (Some(29), Some("Insert"), Some(73)));
        assert_eq!((v["procid"].as_u64(), v["dbid"].as_u64(), v["pgno"].as_u64()), (Some(12), Some(1), Some(218)));
        assert_eq!((v["dbtime"].as_u64(), v["flags"].as_u64()), (Some(0x3603), Some(4)));
        assert_eq!(v["key_prefix"], "aa");
        assert_eq!(v["key_suffix"], "000102030405060708090a0b0c0d0e0f10111213");
        assert_eq!(v["data"], "beef");
        assert!(v.get("path").is_none());
    }

    #[test]
    fn transaction_and_attach_fields() {
        let v = json(&[8, 5, 0, 0x20, 0x8e, 0x33, 0, 0]);
        assert_eq!((v["procid"].as_u64(), v["level_from"].as_u64(), v["levels"].as_u64()), (Some(5), Some(0), Some(2)));
        assert_eq!(v["trx_begin0"].as_u64(), Some(0x338e));
        let mut a = vec![0u8; 75];
        a[0] = 15;
        a[3] = 2;
        a[8..16].copy_from_slice(&[0x3D, 0, 5, 0, 4, 0, 0, 0]);
        a[16..20].copy_from_slice(&0x1234u32.to_le_bytes());
        a[72] = 4;
        a[74] = 0x08;
        a.extend([b'C', 0, 0, 0]);
        let v = json(&a);
        assert_eq!(v["path"], "C");
        assert_eq!(v["db_signature"]["random"].as_u64(), Some(0x1234));
        assert_eq!(v["last_consistent"], serde_json::json!({"generation": 4, "sector": 5, "offset": 0x3D}));
    }

    #[test]
    fn every_type_byte_serializes() {
        for t in 0..=255u8 {
            let mut r = vec![0xFFu8; 120];
            r[0] = t;
            let v = json(&r);
            assert_eq!(v["type"].as_u64(), Some(u64::from(t)));
        }
    }
}
