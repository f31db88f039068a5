//! Typed decoding: a [`RawRecord`] turned into one [`Record`] whose variants borrow the record's
//! bytes.
//!
//! Sources: docs/log-records.md §3 (byte layouts; offsets below are from the record's
//! first byte, the `lrtyp`), §3.22 (where the common keys live), §4.6 (page references), §8
//! (what the corpus settled: `LRBEGIN` nibbles, `lgpos_init` of Term records).
//!
//! Every record is checked to be exactly `CbLGSizeOfRec` bytes long before a field is read, so
//! the fixed part is always there; the variable parts are cut in the order §3 lists them and must
//! end exactly at the record's end. Field names serialize in snake_case; data-carrying payloads
//! serialize as lowercase hex ([`Hex`]).

use std::fmt;

use byteorder::{ByteOrder, LittleEndian};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use crate::log::attach::split_names;
use crate::log::dbms_param::{DbmsParam, DBMS_PARAM_SIZE};
use crate::log::records::error::{RecordError, RecordErrorKind};
use crate::log::records::types::{record_size, LrType};
use crate::log::records::walk::RawRecord;
use crate::primitives::{Lgpos, LogTime, Signature};

/// Payload bytes, serialized as a lowercase hex string; `Debug` and `Display` show the hex too.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Hex<'r>(pub &'r [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hex({self})")
    }
}

impl Serialize for Hex<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `LRPAGE_`: the 32-byte header of every page-operation record (docs/log-records.md §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageHeader {
    /// `le_procid` @1: the session.
    #[doc(alias = "le_procid")]
    pub procid: u16,
    /// `dbid` @3: the database (1-6).
    pub dbid: u8,
    /// `le_pgno` @4: the page operated on (for FDP creation: the new FDP page).
    #[doc(alias = "le_pgno")]
    pub pgno: u32,
    /// `le_dbtime` @8: the page's dbtime after the operation (dbtimeAfter).
    #[doc(alias = "le_dbtime")]
    pub dbtime: u64,
    /// `le_dbtimeBefore` @16: the page's dbtime before (`dbtimeNil` inside split/merge macros).
    #[doc(alias = "le_dbtimeBefore")]
    pub dbtime_before: u64,
    /// `le_trxBegin0` @24: the transaction's Begin0 trx.
    #[doc(alias = "le_trxBegin0")]
    pub trx_begin0: u32,
    /// `level` @28: transaction level.
    pub level: u8,
    /// `mle_iline` @29: line (node index) on the page.
    #[doc(alias = "mle_iline")]
    pub iline: u16,
    /// `m_fLRPageFlags` @31: 0x01 Versioned, 0x02 Deleted, 0x04 Unique, 0x08 Space, 0x10 ConcCI,
    /// 0x20 SystemTask.
    #[doc(alias = "m_fLRPageFlags")]
    pub flags: u8,
}

/// `LRNODE_`: [`PageHeader`] plus the node fields (44 bytes, docs/log-records.md §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NodeHeader {
    /// The page header.
    #[serde(flatten)]
    pub page: PageHeader,
    /// `le_rceid` @32: version-store RCE id.
    #[doc(alias = "le_rceid")]
    pub rceid: u32,
    /// `le_pgnoFDP` @36: root page of the tree.
    #[doc(alias = "le_pgnoFDP")]
    pub pgno_fdp: u32,
    /// `le_objidFDP` @40: object id of the tree.
    #[doc(alias = "le_objidFDP")]
    pub objid_fdp: u32,
}

/// Init (1), Init2 (49): `LRINIT`, `LRINIT2` (§3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Init {
    /// `dbms_param` @1 (567 bytes).
    pub dbms_param: DbmsParam,
    /// `logtime` @568: Init2 only.
    pub logtime: Option<LogTime>,
}

/// Term (2), Term2 (50): `LRTERMREC`, `LRTERMREC2` (§3.3, §8 item 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    /// `lgpos` @1: the LGPOS of the Init2 that started this run.
    pub lgpos_init: Lgpos,
    /// `lgposRedoFrom` @9 (zero for Term).
    pub lgpos_redo_from: Lgpos,
    /// `fHard` @17.
    pub hard: u8,
    /// `logtime` @18: Term2 only.
    pub logtime: Option<LogTime>,
}

/// RecoveryQuit (18), RecoveryQuit2 (52), RecoveryQuitKeepAttachments (80) (§3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecoveryQuit {
    /// `lgpos` @1: the LGPOS of this recovery's RecoveryUndo2 ("UndoRecordFrom").
    pub lgpos_undo: Lgpos,
    /// `lgposRedoFrom` @9: where this recovery started redo.
    pub lgpos_redo_from: Lgpos,
    /// `fHard` @17: 1 = hard recovery (restore).
    pub hard: u8,
    /// `logtime` @18: the "2" variants and 80 only.
    pub logtime: Option<LogTime>,
}

/// RecoveryUndo (17), RecoveryUndo2 (51) (§3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecoveryUndo {
    /// `logtime` @1: RecoveryUndo2 only.
    pub logtime: Option<LogTime>,
}

/// A one-byte record with no fields (NOP, End, ShutDownMark).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Empty {}

/// CreateDB (14): `LRCREATEDB` (§3.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateDb {
    /// `le_procid` @1.
    pub procid: u16,
    /// `dbid` @3.
    pub dbid: u8,
    /// `le_grbit` @4: JetCreateDatabase grbits.
    pub grbit: u32,
    /// `le_cpgDatabaseSizeMax` @8 (0 = unlimited).
    pub cpg_database_size_max: u32,
    /// `signDb` @12: the new database's signature.
    pub db_signature: Signature,
    /// `m_fLRCreateDbFlags` @42: 0x04 VersionInfo, 0x08 Unicode names, 0x10 sparse.
    pub flags: u8,
    /// `usVersion`, `usUpdateMajor` @43 (flag 0x04).
    pub version: Option<(u16, u16)>,
    /// The database path (UTF-16LE with flag 0x08, else ANSI read as Windows-1252).
    pub path: String,
}

/// AttachDB (15): `LRATTACHDB` (§3.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachDb {
    /// `le_procid` @1.
    pub procid: u16,
    /// `dbid` @3: the DBID assigned in this log stream.
    pub dbid: u8,
    /// `le_cpgDatabaseSizeMax` @4.
    pub cpg_database_size_max: u32,
    /// `lgposConsistent` @8: the database header's Last Consistent at attach time.
    pub last_consistent: Lgpos,
    /// `signDb` @16.
    pub db_signature: Signature,
    /// `signLog` @44: the database header's log signature at attach time.
    pub log_signature: Signature,
    /// `m_fLRAttachDbFlags` @74: 0x08 Unicode names, 0x10 sparse.
    pub flags: u8,
    /// The path (UTF-16LE with flag 0x08, else ANSI).
    pub path: String,
}

/// DetachDB (16): `LRDETACHDB` (§3.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetachDb {
    /// `le_procid` @1.
    pub procid: u16,
    /// `dbid` @3.
    pub dbid: u8,
    /// `m_fLRDetachDbFlags` @6: 0x10 Unicode names.
    pub flags: u8,
    /// The path (UTF-16LE with flag 0x10, else ANSI).
    pub path: String,
}

/// CreateDBFinish (79), SignalAttachDb (97): a session and a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DbMark {
    /// `le_procid` @1 (CreateDBFinish only).
    pub procid: Option<u16>,
    /// `dbid` @3 (CreateDBFinish) / `le_dbid` @1 (SignalAttachDb).
    pub dbid: u8,
}

/// Begin (5), Begin0 (8), BeginDT (53): `LRBEGIN`, `LRBEGIN0` (§3.10, §8 item 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Begin {
    /// `le_procid` @1.
    pub procid: u16,
    /// `levelBeginFrom` @3, low nibble.
    pub level_begin_from: u8,
    /// `clevelsToBegin` @3, high nibble.
    pub clevels_to_begin: u8,
    /// `le_trxBegin0` @4 (Begin0, BeginDT).
    pub trx_begin0: Option<u32>,
}

/// Commit (6), Commit0 (9): `LRCOMMIT`, `LRCOMMIT0` (§3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// `le_procid` @1.
    pub procid: u16,
    /// `levelCommitTo` @3.
    pub level_commit_to: u8,
    /// `le_trxCommit0` @4 (Commit0).
    pub trx_commit0: Option<u32>,
}

/// Rollback (7): `LRROLLBACK` (§3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rollback {
    /// `le_procid` @1.
    pub procid: u16,
    /// `levelRollback` @3: levels rolled back.
    pub level_rollback: u8,
}

/// MacroBegin (11), MacroCommit (12), MacroAbort (13): `LRMACROBEGIN`, `LRMACROEND` (§3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Macro {
    /// `le_procid` @1.
    pub procid: u16,
    /// `le_dbtime` @3: identifies the macro.
    pub dbtime: u64,
}

/// Insert (29): `LRINSERT` (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Insert<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// Key prefix (`cbPrefix` @46 bytes; > 0 means the node is prefix-compressed).
    pub key_prefix: Hex<'r>,
    /// Key suffix (`cbSuffix` @44 bytes).
    pub key_suffix: Hex<'r>,
    /// Data (`cbData` @48 bytes).
    pub data: Hex<'r>,
}

/// FlagInsert (30), FlagInsertAndReplaceData (31) (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FlagInsert<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// `le_rceidReplace` @48 (FlagInsertAndReplaceData).
    pub rceid_replace: Option<u32>,
    /// Key (`cbKey` @44).
    pub key: Hex<'r>,
    /// Data (`cbData` @46).
    pub data: Hex<'r>,
}

/// FlagDelete (32), Delete (35): the node header only (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NodeOnly {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
}

/// Replace (33), ReplaceD (34): `LRREPLACE` (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Replace<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// `mle_cb` @44 bit 15 (`fDiff2`): diff entries use the 3-byte `DIFFHDR2`.
    pub diff2: bool,
    /// `cbOldData` @46: before-image size.
    pub old_size: u16,
    /// `cbNewData` @48: after-image size.
    pub new_size: u16,
    /// Replace: the new data; ReplaceD: the diff list ([`Replace::diffs`]).
    pub data: Hex<'r>,
}

/// One entry of a ReplaceD diff list (`DIFFHDR` / `DIFFHDR2`, §3.15 "ReplaceD diff list").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DiffEntry<'r> {
    /// `ib`: offset in the old data where the entry applies.
    pub ib: u16,
    /// `Insert`: the new bytes are inserted, nothing is replaced.
    pub insert: bool,
    /// `ReplaceWithSameLength`: as many old bytes are replaced as there are new ones.
    pub same_length: bool,
    /// `cbDataOld`: old bytes replaced (0 for Insert; the new length for SameLength).
    pub old_len: u16,
    /// The new bytes (`cbDataNew`).
    pub data: Hex<'r>,
}

/// A malformed ReplaceD diff list: the byte of the list (`at`) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffError {
    /// Offset inside the diff list.
    pub at: usize,
    /// The part at fault (`DIFFHDR`, `cbDataNew`, `cbDataOld`, `ib`, `cbNewData`).
    pub field: &'static str,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {} of the diff list: {}", self.field, self.at, self.message)
    }
}

impl std::error::Error for DiffError {}

/// The entries of a ReplaceD diff list, in order; stops after the first error.
#[derive(Debug, Clone)]
pub struct Diffs<'r> {
    list: &'r [u8],
    at: usize,
    diff2: bool,
    failed: bool,
}

impl<'r> Iterator for Diffs<'r> {
    type Item = Result<DiffEntry<'r>, DiffError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.at >= self.list.len() {
            return None;
        }
        let r = self.entry();
        self.failed = r.is_err();
        Some(r)
    }
}

impl<'r> Diffs<'r> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'r [u8], DiffError> {
        let start = self.at;
        let bytes = start.checked_add(n).and_then(|e| self.list.get(start..e)).ok_or_else(|| DiffError {
            at: start,
            field,
            message: format!("needs {n} bytes, but the list has {} left", self.list.len() - start.min(self.list.len())),
        })?;
        self.at = start + n;
        Ok(bytes)
    }

    fn len(&mut self, two_bytes: bool, field: &'static str) -> Result<u16, DiffError> {
        Ok(if two_bytes {
            LittleEndian::read_u16(self.take(2, field)?)
        } else {
            u16::from(self.take(1, field)?.first().copied().unwrap_or_default())
        })
    }

    fn entry(&mut self) -> Result<DiffEntry<'r>, DiffError> {
        // DIFFHDR: u16, bits 0-12 ib, 0x2000 SameLength, 0x4000 Insert, 0x8000 TwoBytes.
        // DIFFHDR2: u16 ib, then u8 flags 0x20 SameLength, 0x40 Insert, 0x80 TwoBytes.
        let (ib, flags) = if self.diff2 {
            let h = self.take(3, "DIFFHDR2")?;
            (LittleEndian::read_u16(h.get(..2).unwrap_or(&[0; 2])), h.get(2).copied().unwrap_or_default())
        } else {
            let h = LittleEndian::read_u16(self.take(2, "DIFFHDR")?);
            (h & 0x1FFF, (h >> 8) as u8 & 0xE0)
        };
        let same_length = flags & 0x20 != 0;
        let insert = flags & 0x40 != 0;
        let two_bytes = flags & 0x80 != 0;
        let new_len = self.len(two_bytes, "cbDataNew")?;
        let old_len = if insert {
            0
        } else if same_length {
            new_len
        } else {
            self.len(two_bytes, "cbDataOld")?
        };
        let data = Hex(self.take(usize::from(new_len), "new bytes")?);
        Ok(DiffEntry { ib, insert, same_length, old_len, data })
    }
}

impl<'r> Replace<'r> {
    /// The entries of a ReplaceD record's diff list (`data`); for a Replace record the same
    /// call reads its full after-image as a diff list, which is meaningless.
    pub fn diffs(&self) -> Diffs<'r> {
        Diffs { list: self.data.0, at: 0, diff2: self.diff2, failed: false }
    }

    /// Builds the after-image of a ReplaceD record from the before-image `old` into `out`
    /// (cleared first; it never grows beyond `cbNewData` bytes), as `ErrLGGetAfterImage` does.
    pub fn after_image(&self, old: &[u8], out: &mut Vec<u8>) -> Result<(), DiffError> {
        out.clear();
        let limit = usize::from(self.new_size);
        let mut old_cur = 0usize;
        let push = |out: &mut Vec<u8>, bytes: &[u8], at: usize| {
            if out.len() + bytes.len() > limit {
                return Err(DiffError {
                    at,
                    field: "cbNewData",
                    message: format!("the after-image grows past cbNewData ({limit} bytes)"),
                });
            }
            out.extend_from_slice(bytes);
            Ok(())
        };
        let mut diffs = self.diffs();
        loop {
            let at = diffs.at;
            let Some(entry) = diffs.next() else { break };
            let e = entry?;
            let ib = usize::from(e.ib);
            let copy = old.get(old_cur..ib).ok_or_else(|| DiffError {
                at,
                field: "ib",
                message: format!("should be between {old_cur} and {} (the old data), but it is {ib}", old.len()),
            })?;
            push(out, copy, at)?;
            push(out, e.data.0, at)?;
            old_cur = ib + usize::from(e.old_len);
            if old_cur > old.len() {
                return Err(DiffError {
                    at,
                    field: "cbDataOld",
                    message: format!("replaces bytes up to {old_cur}, past the old data ({} bytes)", old.len()),
                });
            }
        }
        push(out, old.get(old_cur..).unwrap_or_default(), self.data.0.len())?;
        if out.len() != limit {
            return Err(DiffError {
                at: self.data.0.len(),
                field: "cbNewData",
                message: format!("should be the after-image's length {}, but it is {limit}", out.len()),
            });
        }
        Ok(())
    }
}

/// Delta (37), Delta64 (93): `LRDELTA32`, `LRDELTA64` (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delta<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// `delta` @48 (i32 in Delta, i64 in Delta64).
    pub delta: i64,
    /// `cbOffset` @52 / @56: offset of the counter inside the record data.
    pub offset: u16,
    /// Bookmark key (`cbBookmarkKey` @44).
    pub bookmark_key: Hex<'r>,
    /// Bookmark data (`cbBookmarkData` @46).
    pub bookmark_data: Hex<'r>,
}

/// SetExternalHeader (38): `LRSETEXTERNALHEADER` (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SetExternalHeader<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// The new external header (`cbData` @44).
    pub data: Hex<'r>,
}

/// Undo (39): `LRUNDO` (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Undo<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// `le_oper` @48: 1 Insert, 2 Replace, 3 FlagDelete, 4 Delta, 9 Delta64.
    pub oper: u16,
    /// `level` @50: level of the RCE being undone.
    pub undo_level: u8,
    /// Bookmark key (`cbBookmarkKey` @44).
    pub bookmark_key: Hex<'r>,
    /// Bookmark data (`cbBookmarkData` @46).
    pub bookmark_data: Hex<'r>,
}

/// UndoInfo (36): `LRUNDOINFO` (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UndoInfo<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// `le_oper` @48: 2 Replace or 3 FlagDelete.
    pub oper: u16,
    /// `le_cbMaxSize` @50.
    pub cb_max_size: i16,
    /// `le_cbDelta` @52.
    pub cb_delta: i16,
    /// Bookmark key (`cbBookmarkKey` @44).
    pub bookmark_key: Hex<'r>,
    /// Bookmark data (`cbBookmarkData` @46).
    pub bookmark_data: Hex<'r>,
    /// The before-image (`le_cbData` @54).
    pub data: Hex<'r>,
}

/// Scrub (64): `LRSCRUB` (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scrub<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// `mle_fLRScrubFlags` @44: 0x1 unused page.
    pub scrub_flags: u32,
    /// `mle_cscrubOper` @48: number of one-byte SCRUBOPER codes at the start of `data`.
    pub cscrub_oper: u32,
    /// SCRUBOPER codes then padding (`mle_cbData` @52).
    pub data: Hex<'r>,
}

/// One `EMPTYPAGE` of an EmptyTree record (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EmptyPage {
    /// `dbtimeBefore` @0.
    pub dbtime_before: u64,
    /// `pgno` @8.
    pub pgno: u32,
    /// `ulFlags` @12: page flags (debugging).
    pub flags: u32,
}

/// The `EMPTYPAGE` array of an EmptyTree record, serialized as a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmptyPages<'r>(pub &'r [u8]);

impl EmptyPages<'_> {
    /// The entries (whole 16-byte entries; the decoder checks the length is a multiple of 16).
    pub fn iter(&self) -> impl Iterator<Item = EmptyPage> + '_ {
        self.0.chunks_exact(16).map(|e| EmptyPage {
            dbtime_before: LittleEndian::read_u64(e.get(0..8).unwrap_or(&[0; 8])),
            pgno: LittleEndian::read_u32(e.get(8..12).unwrap_or(&[0; 4])),
            flags: LittleEndian::read_u32(e.get(12..16).unwrap_or(&[0; 4])),
        })
    }
}

impl Serialize for EmptyPages<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len() / 16))?;
        self.iter().try_for_each(|p| seq.serialize_element(&p))?;
        seq.end()
    }
}

/// EmptyTree (48): `LREMPTYTREE` (§3.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EmptyTree<'r> {
    /// The node header.
    #[serde(flatten)]
    pub node: NodeHeader,
    /// The emptied pages (`le_cbEmptyPageList` @44 bytes).
    pub empty_pages: EmptyPages<'r>,
}

/// NewPage (95): `LRNEWPAGE` (§3.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NewPage {
    /// `le_procid` @1.
    pub procid: u16,
    /// `le_dbid` @3.
    pub dbid: u8,
    /// `le_pgno` @4.
    pub pgno: u32,
    /// `le_objid` @8.
    pub objid: u32,
    /// `le_dbtimeAfter` @12.
    pub dbtime: u64,
}

/// Split (27), Split2 (62): `LRSPLITOLD`, `LRSPLITNEW` (§3.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Split<'r> {
    /// The page header (`pgno` = the page being split).
    #[serde(flatten)]
    pub page: PageHeader,
    /// `le_pgnoNew` @32 (0: a record for the parent of a split page).
    pub pgno_new: u32,
    /// `le_pgnoRight` @36.
    pub pgno_right: u32,
    /// `le_dbtimeRightBefore` @40.
    pub dbtime_right_before: u64,
    /// `le_pgnoParent` @48.
    pub pgno_parent: u32,
    /// `le_dbtimeParentBefore` @52.
    pub dbtime_parent_before: u64,
    /// `le_pgnoFDP` @60.
    pub pgno_fdp: u32,
    /// `le_objidFDP` @64.
    pub objid_fdp: u32,
    /// `splittype` @68: 0 Vertical, 1 Right, 2 Append.
    pub split_type: u8,
    /// `splitoper` @69: 0 None, 1 Insert, 2 Replace, 3 FlagInsertAndReplaceData.
    pub split_oper: u8,
    /// `le_ilineOper` @70.
    pub iline_oper: u16,
    /// `le_ilineSplit` @72.
    pub iline_split: u16,
    /// `le_clines` @74.
    pub clines: u16,
    /// `le_fNewPageFlags` @76.
    pub new_page_flags: u32,
    /// `le_fSplitPageFlags` @80.
    pub split_page_flags: u32,
    /// `le_cbUncFreeSrc` @84.
    pub cb_unc_free_src: i16,
    /// `le_cbUncFreeDest` @86.
    pub cb_unc_free_dest: i16,
    /// `le_ilinePrefixSplit` @88.
    pub iline_prefix_split: i32,
    /// `le_ilinePrefixNew` @92.
    pub iline_prefix_new: i32,
    /// `le_flags` @102 (Split2): 0x1 pre-image dehydrated, 0x2 Xpress-compressed.
    pub preimage_flags: Option<u32>,
    /// Key to insert in the parent (`le_cbKeyParent` @100).
    pub key_parent: Hex<'r>,
    /// Old prefix of the split page (`le_cbPrefixSplitOld` @96).
    pub prefix_split_old: Hex<'r>,
    /// New prefix (`le_cbPrefixSplitNew` @98).
    pub prefix_split_new: Hex<'r>,
    /// The split page's before-image (`le_cbPageBeforeImage` @106, Split2).
    pub page_before_image: Hex<'r>,
}

/// Merge (28), Merge2 (63): `LRMERGEOLD`, `LRMERGENEW` (§3.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Merge<'r> {
    /// The page header (`pgno` = the page being merged).
    #[serde(flatten)]
    pub page: PageHeader,
    /// `le_pgnoRight` @32.
    pub pgno_right: u32,
    /// `le_dbtimeRightBefore` @36.
    pub dbtime_right_before: u64,
    /// `le_pgnoLeft` @44.
    pub pgno_left: u32,
    /// `le_dbtimeLeftBefore` @48.
    pub dbtime_left_before: u64,
    /// `le_pgnoParent` @56.
    pub pgno_parent: u32,
    /// `le_dbtimeParentBefore` @60.
    pub dbtime_parent_before: u64,
    /// `le_pgnoFDP` @68.
    pub pgno_fdp: u32,
    /// `le_objidFDP` @72.
    pub objid_fdp: u32,
    /// `le_cbSizeTotal` @76.
    pub cb_size_total: u16,
    /// `le_cbSizeMaxTotal` @78.
    pub cb_size_max_total: u16,
    /// `le_cbUncFreeDest` @80.
    pub cb_unc_free_dest: u16,
    /// `mle_ilineMerge` @82.
    pub iline_merge: u16,
    /// `m_fLRMergeFlags` @84: 0x01 KeyChange, 0x02 DeleteNode, 0x04 EmptyPage.
    pub merge_flags: u8,
    /// `mergetype` @85.
    pub merge_type: u8,
    /// `le_flags` @88 (Merge2).
    pub preimage_flags: Option<u32>,
    /// Separator key for the grandparent (`le_cbKeyParentSep` @86).
    pub key_parent_sep: Hex<'r>,
    /// The page before-image (`le_cbPageBeforeImage` @92, Merge2).
    pub page_before_image: Hex<'r>,
}

/// CreateMultipleExtentFDP (24), CreateSingleExtentFDP (25), ConvertFDP (26), ConvertFDP2 (58)
/// (§3.18; `pgno` is the FDP page). Fields a type does not have are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fdp {
    /// The page header.
    #[serde(flatten)]
    pub page: PageHeader,
    /// `le_objidFDP` @32.
    pub objid_fdp: u32,
    /// `le_pgnoOE` (owned-extent tree root): @36 in 24, 26, 58.
    pub pgno_oe: Option<u32>,
    /// `le_pgnoAE` (available-extent tree root): @40 in 24, 26, 58.
    pub pgno_ae: Option<u32>,
    /// `le_pgnoFDPParent`: @44 (24, 26, 58), @36 (25).
    pub pgno_fdp_parent: u32,
    /// `le_pgnoSecondaryFirst` @48 (26, 58).
    pub pgno_secondary_first: Option<u32>,
    /// `le_cpgPrimary`: @48 (24), @40 (25), @52 (26, 58).
    pub cpg_primary: i32,
    /// `le_cpgSecondary` @56 (26, 58).
    pub cpg_secondary: Option<i32>,
    /// `le_fPageFlags`: @52 (24), @44 (25).
    pub page_flags: Option<u32>,
    /// `le_rgbitAvail` @60 (58).
    pub rgbit_avail: Option<u32>,
    /// `le_fCpageFlags` @64 (58).
    pub cpage_flags: Option<u32>,
}

/// PageMove (65): `LRPAGEMOVE` (§3.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageMove<'r> {
    /// The page header (`pgno` = the source page).
    #[serde(flatten)]
    pub page: PageHeader,
    /// `m_pgnoDest` @32.
    pub pgno_dest: u32,
    /// `m_pgnoLeft` @36.
    pub pgno_left: u32,
    /// `m_pgnoRight` @40.
    pub pgno_right: u32,
    /// `m_pgnoParent` @44.
    pub pgno_parent: u32,
    /// `m_dbtimeLeftBefore` @48.
    pub dbtime_left_before: u64,
    /// `m_dbtimeRightBefore` @56.
    pub dbtime_right_before: u64,
    /// `m_dbtimeParentBefore` @64.
    pub dbtime_parent_before: u64,
    /// `m_pgnoFDP` @72.
    pub pgno_fdp: u32,
    /// `m_objidFDP` @76.
    pub objid_fdp: u32,
    /// `m_ilineParent` @80.
    pub iline_parent: i32,
    /// `m_fMoveFlags` @84: 0x1 root FDP, 0x2 root OE, 0x4 root AE.
    pub move_flags: u32,
    /// The page's first `m_cbPageHeader` (@88) bytes.
    pub page_header: Hex<'r>,
    /// The page's last `m_cbPageTrailer` (@92) bytes.
    pub page_trailer: Hex<'r>,
}

/// RootPageMove (96): `LRROOTPAGEMOVE` (§3.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RootPageMove {
    /// `le_dbtimeAfter` @1.
    pub dbtime: u64,
    /// `le_dbid` @9.
    pub dbid: u8,
    /// `le_objid` @10.
    pub objid: u32,
    /// `le_procid` @14.
    pub procid: u16,
}

/// PagePatchRequest (66): `LRPAGEPATCHREQUEST` (§3.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PagePatchRequest {
    /// `m_dbid` @1.
    pub dbid: u8,
    /// `m_pgno` @2.
    pub pgno: u32,
    /// `m_dbtime` @6: current dbtime (the page's must be lower).
    pub dbtime: u64,
}

/// ShrinkDB (78), ShrinkDB2 (94), ShrinkDB3 (99): `LRSHRINKDB`, `LRSHRINKDB3` (§3.20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShrinkDb {
    /// `le_dbid` @1.
    pub dbid: u8,
    /// `le_pgnoLast` @2.
    pub pgno_last: u32,
    /// `le_cpgShrunk` @6.
    pub cpg_shrunk: i32,
    /// `le_dbtime` @10 (ShrinkDB3).
    pub dbtime: Option<u64>,
}

/// TrimDB (81): `LRTRIMDB` (§3.20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrimDb {
    /// `le_dbid` @1.
    pub dbid: u8,
    /// `le_pgnoStartZeroes` @2.
    pub pgno_start_zeroes: u32,
    /// `le_cpgZeroLength` @6.
    pub cpg_zero_length: i32,
}

/// ExtentFreed (100), ExtentFreed2 (101): `LREXTENTFREED`, `LREXTENTFREED2` (§3.20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExtentFreed {
    /// `le_dbid` @1.
    pub dbid: u8,
    /// `le_pgnoFirst` @2.
    pub pgno_first: u32,
    /// `le_cpgExtent` @6.
    pub cpg_extent: i32,
    /// flags @10: 0x1 table root page, 0x2 empty page / FDP deleted.
    pub flags: u8,
    /// `le_dbtime` @11 (ExtentFreed2).
    pub dbtime: Option<u64>,
}

/// SetDbVersion (92): `LRSETDBVERSION` (§3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SetDbVersion {
    /// `le_dbid` @1.
    pub dbid: u8,
    /// `ulDbMajorVersion` @2.
    pub major: u32,
    /// `ulDbUpdateMajor` @6.
    pub update_major: u32,
    /// `ulDbUpdateMinor` @10.
    pub update_minor: u32,
}

/// ExtendDB (68, LRIGNORED family) (§3.19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExtendDb {
    /// `le_dbid` @5.
    pub dbid: u8,
    /// `le_pgnoLast` @6: the new last page.
    pub pgno_last: u32,
}

/// MacroInfo (67), MacroInfo2 (73) (§3.19): the pages a macro touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MacroInfo<'r> {
    /// `le_dbid` @5 (MacroInfo2; MacroInfo implies database 1).
    pub dbid: Option<u8>,
    /// The page numbers, u32 little-endian each (MacroInfo @5, MacroInfo2 @10, `le_cpgno` @6).
    pub pgnos: Hex<'r>,
}

/// CommitCtx (69) (§3.19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommitCtx<'r> {
    /// `le_procid` @5.
    pub procid: u16,
    /// The client context after the procid (flags byte included for the newer form, whose choice
    /// depends on the log header version).
    pub context: Hex<'r>,
}

/// ScanCheck (70, LRIGNORED family) (§3.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScanCheck {
    /// `dbid` @5.
    pub dbid: u8,
    /// `le_pgno` @6 (0xFFFFFFFE: scan pass finished).
    pub pgno: u32,
    /// `le_dbtimePage` @10.
    pub dbtime_page: u64,
    /// `le_dbtimeCurrent` @18.
    pub dbtime_current: u64,
    /// `le_dbtimeBefore` @26.
    pub dbtime_before: u64,
    /// `le_dbtimeAfter` @34.
    pub dbtime_after: u64,
    /// `le_uschksum` @42.
    pub checksum: u16,
}

/// ScanCheck2 (98): `LRSCANCHECK2` (§3.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScanCheck2 {
    /// `le_dbid` @1.
    pub dbid: u8,
    /// `le_pgno` @2.
    pub pgno: u32,
    /// `le_bFlagsAndScs` @6: bits 0-1 scan source, 0x20 FDP delete, 0x40 empty page, 0x80 objid invalid.
    pub flags: u8,
    /// `le_dbtimePage` @7.
    pub dbtime_page: u64,
    /// `le_dbtimeCurrent` @15.
    pub dbtime_current: u64,
    /// `le_ulChksum` @23.
    pub checksum: u32,
}

/// ReAttach (72, LRIGNORED family) (§3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReAttach {
    /// `le_dbid` @5.
    pub dbid: u8,
    /// `lgposAttach` @6.
    pub lgpos_attach: Lgpos,
    /// `lgposConsistent` @14.
    pub last_consistent: Lgpos,
    /// `signDb` @22.
    pub db_signature: Signature,
}

/// FreeFDP (74, LRIGNORED family) (§3.19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FreeFdp {
    /// `le_dbid` @5.
    pub dbid: u8,
    /// `le_pgnoFDP` @6.
    pub pgno_fdp: u32,
    /// `le_trxCommitted` @10.
    pub trx_committed: u32,
    /// `bFDPType` @14: 1 table, 2 index.
    pub fdp_type: u8,
}

/// Any LRIGNORED-family record (67-75, 82-91) read by its length only: NOP2, Ignored9-19, and a
/// family member whose payload is too short for its typed view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ignored<'r> {
    /// `cb` @1: payload length.
    pub cb: u32,
    /// The payload.
    pub data: Hex<'r>,
}

/// Checksum (42, v7 framing): `LRCHECKSUM` (§3.21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Checksum {
    /// `le_cbBackwards` @1.
    pub cb_backwards: u32,
    /// `le_cbForwards` @5.
    pub cb_forwards: u32,
    /// `le_cbNext` @9.
    pub cb_next: u32,
    /// `le_ulChecksum` @13.
    pub checksum: u32,
    /// `le_ulShortChecksum` @17.
    pub short_checksum: u32,
    /// `bUseShortChecksum` @21: 0x9A on, 0xD1 off.
    pub use_short_checksum: u8,
}

/// Refresh (10): `LRREFRESH` (§3.10, "unused").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Refresh {
    /// `le_procid` @1.
    pub procid: u16,
    /// `le_trxBegin0` @3.
    pub trx_begin0: u32,
}

/// ForceWriteLog (57), JetOp (21): a session, and for JetOp its operation (§3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SessionMark {
    /// `le_procid` @1.
    pub procid: u16,
    /// `op` @3 (JetOp only).
    pub op: Option<u8>,
}

/// Trace (22), ForceLogRollover (61): `LRTRACE` (§3.10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// `le_procid` @1.
    pub procid: u16,
    /// The text (`le_cb` @3 bytes, 8-bit, read up to its NUL as Windows-1252).
    pub text: String,
}

/// ExtRestore (45), ExtRestore2 (59): `LREXTRESTORE`, `LREXTRESTORE2` (§3.11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtRestore {
    /// The instance name (first string of the `mle_cbInfo` @1 bytes; UTF-16LE in 59).
    pub instance: String,
    /// The log path (second string).
    pub log_path: String,
}

/// FullBackup (19), IncBackup (20), Backup (46), Backup2 (60) (§3.9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backup {
    /// Backup (46): `m_fBackupType` @1 (0 Full, 1 Incremental, 2 SnapshotStart, 3 SnapshotStop,
    /// 4 TruncateLogs, 5 OSSnapshot, 6 OSSnapshotIncremental).
    pub backup_type: Option<u8>,
    /// Backup2: `eBackupPhase` @1 (1 Begin, 2 PrepareLogs, 3 Truncate, 4 Update, 5 Abort, 6 Stop).
    pub phase: Option<u8>,
    /// Backup2: `eBackupType` @2 (BKINFOTYPE: 0 Normal, 1 OSSnapshot, 2 Snapshot, 3 Surrogate).
    pub bkinfo_type: Option<u32>,
    /// Backup2: `eBackupScope` @6 (1 Full, 2 Incremental, 5 Copy, 6 Differential).
    pub scope: Option<u8>,
    /// Backup2: `dbid` @7.
    pub dbid: Option<u8>,
    /// Backup2: `phaseDetails` @8.
    pub phase_details: Option<crate::primitives::BkInfo>,
    /// The path (8-bit, Windows-1252).
    pub path: String,
}

/// A type without a typed view: its bytes, kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Raw<'r> {
    /// The whole record.
    pub data: Hex<'r>,
}

/// One decoded record. Serialized as its fields only (untagged); the caller adds LGPOS, type and
/// name around them.
///
/// The three largest views (Split, Merge, PageMove: rare, a few per log) are boxed so that the
/// enum stays small (at most 128 bytes): moving a larger value costs a `memcpy` call per record,
/// which dominated walk+decode in the `records` bench.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is named after its lrtyp; its struct says the rest
pub enum Record<'r> {
    Nop(Empty),
    End(Empty),
    ShutDownMark(Empty),
    Init(Init),
    Term(Term),
    RecoveryUndo(RecoveryUndo),
    RecoveryQuit(RecoveryQuit),
    CreateDb(CreateDb),
    CreateDbFinish(DbMark),
    AttachDb(AttachDb),
    DetachDb(DetachDb),
    SignalAttachDb(DbMark),
    Begin(Begin),
    Commit(Commit),
    Rollback(Rollback),
    MacroBegin(Macro),
    MacroCommit(Macro),
    MacroAbort(Macro),
    Insert(Insert<'r>),
    FlagInsert(FlagInsert<'r>),
    FlagInsertAndReplaceData(FlagInsert<'r>),
    FlagDelete(NodeOnly),
    Delete(NodeOnly),
    Replace(Replace<'r>),
    ReplaceD(Replace<'r>),
    Delta(Delta<'r>),
    Delta64(Delta<'r>),
    SetExternalHeader(SetExternalHeader<'r>),
    Undo(Undo<'r>),
    UndoInfo(UndoInfo<'r>),
    Scrub(Scrub<'r>),
    EmptyTree(EmptyTree<'r>),
    NewPage(NewPage),
    Split(Box<Split<'r>>),
    Merge(Box<Merge<'r>>),
    CreateMultipleExtentFdp(Fdp),
    CreateSingleExtentFdp(Fdp),
    ConvertFdp(Fdp),
    PageMove(Box<PageMove<'r>>),
    RootPageMove(RootPageMove),
    PagePatchRequest(PagePatchRequest),
    ShrinkDb(ShrinkDb),
    TrimDb(TrimDb),
    ExtentFreed(ExtentFreed),
    SetDbVersion(SetDbVersion),
    ExtendDb(ExtendDb),
    MacroInfo(MacroInfo<'r>),
    CommitCtx(CommitCtx<'r>),
    ScanCheck(ScanCheck),
    ScanCheck2(ScanCheck2),
    ReAttach(ReAttach),
    FreeFdp(FreeFdp),
    Ignored(Ignored<'r>),
    Checksum(Checksum),
    Refresh(Refresh),
    SessionMark(SessionMark),
    Trace(Trace),
    ExtRestore(ExtRestore),
    Backup(Backup),
    Raw(Raw<'r>),
}

/// How a page reference uses the page (docs/log-records.md §4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageAccess {
    /// Read and written (R).
    ReadWrite,
    /// Written only (W: a new page).
    Write,
    /// Read only (Rd).
    Read,
}

/// One page reference of a record (`ErrLrToPageRef`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PageRef {
    /// The database.
    pub dbid: u8,
    /// The page.
    pub pgno: u32,
    /// How it is used.
    pub access: PageAccess,
}

/// A cursor over one record's bytes that turns a short read into a [`RecordError`].
struct Reader<'r> {
    b: &'r [u8],
    /// Where the variable data continue.
    at: usize,
    lgpos: Lgpos,
    offset: u64,
    lrtyp: LrType,
}

impl<'r> Reader<'r> {
    fn err(&self, field: &'static str, kind: RecordErrorKind) -> RecordError {
        RecordError { lgpos: self.lgpos, offset: self.offset, lrtyp: Some(self.lrtyp), field, kind }
    }

    fn bytes(&self, o: usize, n: usize, field: &'static str) -> Result<&'r [u8], RecordError> {
        o.checked_add(n).and_then(|e| self.b.get(o..e)).ok_or_else(|| {
            let kind = RecordErrorKind::RunsPast { needed: (o + n) as u64, available: self.b.len() as u64 };
            self.err(field, kind)
        })
    }

    // Fixed-part reads. `Record::decode_bytes` checks that the record is exactly its
    // `CbLGSizeOfRec` bytes (so at least its fixed part) before any of them runs, and the
    // LRIGNORED readers check the payload length first: these reads are always in range. They
    // return the value itself (0 if it were ever out of range), which keeps the hot path free of
    // error values; the field name documents the read.
    fn fixed<const N: usize>(&self, o: usize) -> [u8; N] {
        let mut out = [0u8; N];
        if let Some(src) = o.checked_add(N).and_then(|e| self.b.get(o..e)) {
            out.copy_from_slice(src);
        }
        out
    }
    fn u8(&self, o: usize, _field: &'static str) -> u8 {
        self.b.get(o).copied().unwrap_or_default()
    }
    fn u16(&self, o: usize, _field: &'static str) -> u16 {
        u16::from_le_bytes(self.fixed(o))
    }
    fn i16(&self, o: usize, _field: &'static str) -> i16 {
        i16::from_le_bytes(self.fixed(o))
    }
    fn u32(&self, o: usize, _field: &'static str) -> u32 {
        u32::from_le_bytes(self.fixed(o))
    }
    fn i32(&self, o: usize, _field: &'static str) -> i32 {
        i32::from_le_bytes(self.fixed(o))
    }
    fn u64(&self, o: usize, _field: &'static str) -> u64 {
        u64::from_le_bytes(self.fixed(o))
    }
    fn lgpos(&self, o: usize, _field: &'static str) -> Lgpos {
        Lgpos::from_bytes(self.fixed(o))
    }
    fn logtime(&self, o: usize, _field: &'static str) -> LogTime {
        LogTime::from_bytes(self.fixed(o))
    }
    fn signature(&self, o: usize, _field: &'static str) -> Signature {
        Signature::from_bytes(self.fixed(o))
    }
    /// The next `n` bytes of the variable data.
    fn take(&mut self, n: usize, field: &'static str) -> Result<Hex<'r>, RecordError> {
        let s = self.bytes(self.at, n, field)?;
        self.at += n;
        Ok(Hex(s))
    }
    /// The next `len_field`-sized part, the length being a u16 at `o`.
    fn take16(&mut self, o: usize, field: &'static str) -> Result<Hex<'r>, RecordError> {
        let n = usize::from(self.u16(o, field));
        self.take(n, field)
    }
    fn take32(&mut self, o: usize, field: &'static str) -> Result<Hex<'r>, RecordError> {
        let n = self.u32(o, field) as usize;
        self.take(n, field)
    }
    /// The same reader over a copy of the record's first `N` bytes: a fixed head read through
    /// it costs one bounds check in all, not one per field.
    fn head<'h, const N: usize>(&self, head: &'h [u8; N]) -> Reader<'h> {
        Reader { b: head, at: self.at, lgpos: self.lgpos, offset: self.offset, lrtyp: self.lrtyp }
    }

    fn page(&self) -> PageHeader {
        let head: [u8; 32] = self.fixed(0);
        self.head(&head).page_fields()
    }

    fn page_fields(&self) -> PageHeader {
        PageHeader {
            procid: self.u16(1, "le_procid"),               // @1
            dbid: self.u8(3, "dbid"),                       // @3
            pgno: self.u32(4, "le_pgno"),                   // @4
            dbtime: self.u64(8, "le_dbtime"),               // @8
            dbtime_before: self.u64(16, "le_dbtimeBefore"), // @16
            trx_begin0: self.u32(24, "le_trxBegin0"),       // @24
            level: self.u8(28, "level"),                    // @28
            iline: self.u16(29, "mle_iline"),               // @29
            flags: self.u8(31, "m_fLRPageFlags"),           // @31
        }
    }

    fn node(&self) -> NodeHeader {
        let head: [u8; 44] = self.fixed(0);
        let r = self.head(&head);
        NodeHeader {
            page: r.page_fields(),
            rceid: r.u32(32, "le_rceid"),        // @32
            pgno_fdp: r.u32(36, "le_pgnoFDP"),   // @36
            objid_fdp: r.u32(40, "le_objidFDP"), // @40
        }
    }

    /// A NUL-terminated name area of `n` bytes at the cursor: the first string.
    fn path(&mut self, n: usize, unicode: bool, field: &'static str) -> Result<String, RecordError> {
        let area = self.take(n, field)?;
        Ok(split_names(area.0, unicode).into_iter().next().unwrap_or_default())
    }
}

impl<'r> Record<'r> {
    /// Decodes a record. The record must be exactly `CbLGSizeOfRec` bytes long.
    #[inline]
    pub fn decode(raw: &RawRecord<'r>) -> Result<Self, RecordError> {
        Self::decode_bytes(raw.bytes, raw.lgpos, raw.offset)
    }

    /// Decodes the record in `bytes` (all of it), at `lgpos` / file `offset` for errors.
    #[inline]
    pub fn decode_bytes(bytes: &'r [u8], lgpos: Lgpos, offset: u64) -> Result<Self, RecordError> {
        // A v7 log is full of one-byte NOP records (docs/log-records.md §1.2: the writer pads to
        // sector boundaries with them; a fifth of the records of the CatRoot2 logs): answered
        // here, where the caller's code sees it, without the full decoder's call.
        if bytes == [LrType::NOP.0] {
            return Ok(Record::Nop(Empty {}));
        }
        Self::decode_sized(bytes, lgpos, offset)
    }

    /// [`Record::decode_bytes`]: checks the size, then decodes by type.
    fn decode_sized(bytes: &'r [u8], lgpos: Lgpos, offset: u64) -> Result<Self, RecordError> {
        let t = LrType(bytes.first().copied().unwrap_or_default());
        let mut r = Reader { b: bytes, at: t.fixed_size().unwrap_or(0), lgpos, offset, lrtyp: t };
        if bytes.is_empty() {
            return Err(r.err("lrtyp", RecordErrorKind::RunsPast { needed: 1, available: 0 }));
        }
        // Most records (NOP, Begin, Commit, ...) have their type's fixed size: one table lookup
        // says the length is right. Everything else takes `CbLGSizeOfRec`, which also says
        // what is wrong with a wrong length.
        let sized = t.fixed_record_size() == Some(bytes.len());
        match if sized { Ok(bytes.len() as u64) } else { record_size(bytes) } {
            Ok(n) if n == bytes.len() as u64 => {}
            Ok(n) => {
                let kind = RecordErrorKind::BadField {
                    expected: format!("{n} bytes"),
                    found: format!("{} bytes", bytes.len()),
                };
                return Err(r.err("record size (CbLGSizeOfRec)", kind));
            }
            Err(crate::log::records::types::SizeError::TypeOutOfRange) => {
                return Err(r.err("lrtyp", RecordErrorKind::TypeOutOfRange))
            }
            Err(crate::log::records::types::SizeError::NoSizeRule) => {
                return Err(r.err("lrtyp", RecordErrorKind::NoSizeRule))
            }
            Err(crate::log::records::types::SizeError::FixedPartShort { needed, available }) => {
                let kind = RecordErrorKind::RunsPast { needed: needed as u64, available: available as u64 };
                return Err(r.err("fixed part (CbLGFixedSizeOfRec)", kind));
            }
        }
        // The variable parts are cut from exactly the length fields the size rule adds up (the
        // test over all 256 type bytes checks that every decoder ends at the record's end), so
        // the record is consumed exactly; the result goes straight to the caller.
        decode_typed(&mut r, t)
    }

    /// Every page reference this record adds to eseutil's count (`ErrLrToPageRef`, §4.6), in
    /// order. `ExtentFreed` records add one per page of their extent (at most 2^31, as eseutil).
    pub fn for_each_page_ref(&self, mut f: impl FnMut(PageRef)) {
        use PageAccess::{Read, ReadWrite, Write};
        let mut add = |dbid: u8, pgno: u32, access: PageAccess| f(PageRef { dbid, pgno, access });
        match self {
            Record::Insert(Insert { node, .. })
            | Record::FlagInsert(FlagInsert { node, .. })
            | Record::FlagInsertAndReplaceData(FlagInsert { node, .. })
            | Record::FlagDelete(NodeOnly { node })
            | Record::Delete(NodeOnly { node })
            | Record::Replace(Replace { node, .. })
            | Record::ReplaceD(Replace { node, .. })
            | Record::Delta(Delta { node, .. })
            | Record::Delta64(Delta { node, .. })
            | Record::SetExternalHeader(SetExternalHeader { node, .. })
            | Record::Undo(Undo { node, .. })
            | Record::Scrub(Scrub { node, .. }) => add(node.page.dbid, node.page.pgno, ReadWrite),
            Record::Split(s) => {
                let db = s.page.dbid;
                [(s.page.pgno, ReadWrite), (s.pgno_new, Write), (s.pgno_parent, ReadWrite), (s.pgno_right, ReadWrite)]
                    .into_iter()
                    .filter(|(p, _)| *p != 0)
                    .for_each(|(p, a)| add(db, p, a));
            }
            Record::Merge(m) => {
                [m.page.pgno, m.pgno_right, m.pgno_left, m.pgno_parent]
                    .into_iter()
                    .filter(|p| *p != 0)
                    .for_each(|p| add(m.page.dbid, p, ReadWrite));
            }
            Record::CreateMultipleExtentFdp(c) | Record::ConvertFdp(c) => {
                add(c.page.dbid, c.page.pgno, ReadWrite);
                add(c.page.dbid, c.pgno_oe.unwrap_or_default(), Write);
                add(c.page.dbid, c.pgno_ae.unwrap_or_default(), Write);
            }
            Record::CreateSingleExtentFdp(c) => add(c.page.dbid, c.page.pgno, Write),
            Record::EmptyTree(e) => e.empty_pages.iter().for_each(|p| add(e.node.page.dbid, p.pgno, ReadWrite)),
            Record::PageMove(m) => {
                [
                    (m.page.pgno, ReadWrite),
                    (m.pgno_dest, Write),
                    (m.pgno_parent, ReadWrite),
                    (m.pgno_left, ReadWrite),
                    (m.pgno_right, ReadWrite),
                ]
                .into_iter()
                .filter(|(p, _)| *p != 0)
                .for_each(|(p, a)| add(m.page.dbid, p, a));
            }
            Record::ScanCheck(s) => add(s.dbid, s.pgno, Read),
            Record::ScanCheck2(s) => add(s.dbid, s.pgno, Read),
            Record::NewPage(n) => add(n.dbid, n.pgno, Write),
            Record::ExtentFreed(e) => (0..u32::try_from(e.cpg_extent).unwrap_or(0))
                .for_each(|i| add(e.dbid, e.pgno_first.wrapping_add(i), Read)),
            _ => {}
        }
    }

    /// The number of page references ([`Record::for_each_page_ref`]), without listing them.
    pub fn page_ref_count(&self) -> u64 {
        match self {
            Record::ExtentFreed(e) => u64::from(u32::try_from(e.cpg_extent).unwrap_or(0)),
            Record::EmptyTree(e) => (e.empty_pages.0.len() / 16) as u64,
            _ => {
                let mut n = 0;
                self.for_each_page_ref(|_| n += 1);
                n
            }
        }
    }

    /// The `LRPAGE_` header of a page-operation record (the LRPAGE_ family of §3.22: 24-39, 48,
    /// 58, 62-65, 93), `None` for every other record.
    pub fn page_header(&self) -> Option<&PageHeader> {
        Some(match self {
            Record::Insert(Insert { node, .. })
            | Record::FlagInsert(FlagInsert { node, .. })
            | Record::FlagInsertAndReplaceData(FlagInsert { node, .. })
            | Record::FlagDelete(NodeOnly { node })
            | Record::Delete(NodeOnly { node })
            | Record::Replace(Replace { node, .. })
            | Record::ReplaceD(Replace { node, .. })
            | Record::Delta(Delta { node, .. })
            | Record::Delta64(Delta { node, .. })
            | Record::SetExternalHeader(SetExternalHeader { node, .. })
            | Record::Undo(Undo { node, .. })
            | Record::UndoInfo(UndoInfo { node, .. })
            | Record::Scrub(Scrub { node, .. })
            | Record::EmptyTree(EmptyTree { node, .. }) => &node.page,
            Record::Split(s) => &s.page,
            Record::Merge(m) => &m.page,
            Record::CreateMultipleExtentFdp(c) | Record::CreateSingleExtentFdp(c) | Record::ConvertFdp(c) => &c.page,
            Record::PageMove(m) => &m.page,
            _ => return None,
        })
    }

    /// The database a record concerns, where it names one (§3.22).
    pub fn dbid(&self) -> Option<u8> {
        Some(match self {
            Record::Insert(Insert { node, .. })
            | Record::FlagInsert(FlagInsert { node, .. })
            | Record::FlagInsertAndReplaceData(FlagInsert { node, .. })
            | Record::FlagDelete(NodeOnly { node })
            | Record::Delete(NodeOnly { node })
            | Record::Replace(Replace { node, .. })
            | Record::ReplaceD(Replace { node, .. })
            | Record::Delta(Delta { node, .. })
            | Record::Delta64(Delta { node, .. })
            | Record::SetExternalHeader(SetExternalHeader { node, .. })
            | Record::Undo(Undo { node, .. })
            | Record::UndoInfo(UndoInfo { node, .. })
            | Record::Scrub(Scrub { node, .. })
            | Record::EmptyTree(EmptyTree { node, .. }) => node.page.dbid,
            Record::Split(s) => s.page.dbid,
            Record::Merge(m) => m.page.dbid,
            Record::CreateMultipleExtentFdp(c) | Record::CreateSingleExtentFdp(c) | Record::ConvertFdp(c) => {
                c.page.dbid
            }
            Record::PageMove(m) => m.page.dbid,
            Record::NewPage(n) => n.dbid,
            Record::RootPageMove(m) => m.dbid,
            Record::PagePatchRequest(p) => p.dbid,
            Record::CreateDb(c) => c.dbid,
            Record::AttachDb(a) => a.dbid,
            Record::DetachDb(d) => d.dbid,
            Record::CreateDbFinish(d) | Record::SignalAttachDb(d) => d.dbid,
            Record::ShrinkDb(s) => s.dbid,
            Record::TrimDb(t) => t.dbid,
            Record::ExtentFreed(e) => e.dbid,
            Record::SetDbVersion(s) => s.dbid,
            Record::ExtendDb(e) => e.dbid,
            Record::MacroInfo(m) => m.dbid?,
            Record::ScanCheck(s) => s.dbid,
            Record::ScanCheck2(s) => s.dbid,
            Record::ReAttach(r) => r.dbid,
            Record::FreeFdp(f) => f.dbid,
            _ => return None,
        })
    }
}

fn decode_typed<'r>(r: &mut Reader<'r>, t: LrType) -> Result<Record<'r>, RecordError> {
    use Record as R;
    match t {
        LrType::NOP => Ok(R::Nop(Empty {})),
        LrType::END => Ok(R::End(Empty {})),
        LrType::SHUTDOWN_MARK => Ok(R::ShutDownMark(Empty {})),
        LrType::INIT | LrType::INIT2 => Ok({
            let area = r.bytes(1, DBMS_PARAM_SIZE, "dbms_param")?;
            let dbms_param = DbmsParam::decode(&crate::bytes::Fields::new(area, r.offset + 1), 0).map_err(|_| {
                r.err("dbms_param", RecordErrorKind::RunsPast { needed: 568, available: r.b.len() as u64 })
            })?;
            let logtime = if t == LrType::INIT2 { Some(r.logtime(568, "logtime")) } else { None };
            R::Init(Init { dbms_param, logtime })
        }),
        LrType::TERM | LrType::TERM2 => Ok(R::Term(Term {
            lgpos_init: r.lgpos(1, "lgpos"),
            lgpos_redo_from: r.lgpos(9, "lgposRedoFrom"),
            hard: r.u8(17, "fHard"),
            logtime: if t == LrType::TERM2 { Some(r.logtime(18, "logtime")) } else { None },
        })),
        LrType::RECOVERY_QUIT | LrType::RECOVERY_QUIT2 | LrType::RECOVERY_QUIT_KEEP_ATTACHMENTS => Ok({
            R::RecoveryQuit(RecoveryQuit {
                lgpos_undo: r.lgpos(1, "lgpos"),
                lgpos_redo_from: r.lgpos(9, "lgposRedoFrom"),
                hard: r.u8(17, "fHard"),
                logtime: if t == LrType::RECOVERY_QUIT { None } else { Some(r.logtime(18, "logtime")) },
            })
        }),
        LrType::RECOVERY_UNDO => Ok(R::RecoveryUndo(RecoveryUndo { logtime: None })),
        LrType::RECOVERY_UNDO2 => Ok(R::RecoveryUndo(RecoveryUndo { logtime: Some(r.logtime(1, "logtime")) })),
        LrType::CREATE_DB => Ok({
            let flags = r.u8(42, "m_fLRCreateDbFlags");
            let version = if flags & 0x04 != 0 {
                let v = (r.u16(43, "usVersion"), r.u16(45, "usUpdateMajor"));
                r.take(4, "VersionInfo")?;
                Some(v)
            } else {
                None
            };
            let cb_path = usize::from(r.u16(40, "mle_cbPath"));
            R::CreateDb(CreateDb {
                procid: r.u16(1, "le_procid"),
                dbid: r.u8(3, "dbid"),
                grbit: r.u32(4, "le_grbit"),
                cpg_database_size_max: r.u32(8, "le_cpgDatabaseSizeMax"),
                db_signature: r.signature(12, "signDb"),
                flags,
                version,
                path: r.path(cb_path, flags & 0x08 != 0, "mle_cbPath")?,
            })
        }),
        LrType::ATTACH_DB => Ok({
            let flags = r.u8(74, "m_fLRAttachDbFlags");
            let cb_path = usize::from(r.u16(72, "mle_cbPath"));
            R::AttachDb(AttachDb {
                procid: r.u16(1, "le_procid"),
                dbid: r.u8(3, "dbid"),
                cpg_database_size_max: r.u32(4, "le_cpgDatabaseSizeMax"),
                last_consistent: r.lgpos(8, "lgposConsistent"),
                db_signature: r.signature(16, "signDb"),
                log_signature: r.signature(44, "signLog"),
                flags,
                path: r.path(cb_path, flags & 0x08 != 0, "mle_cbPath")?,
            })
        }),
        LrType::DETACH_DB => Ok({
            let flags = r.u8(6, "m_fLRDetachDbFlags");
            let cb_path = usize::from(r.u16(4, "mle_cbPath"));
            R::DetachDb(DetachDb {
                procid: r.u16(1, "le_procid"),
                dbid: r.u8(3, "dbid"),
                flags,
                path: r.path(cb_path, flags & 0x10 != 0, "mle_cbPath")?,
            })
        }),
        LrType::CREATE_DB_FINISH => {
            Ok(R::CreateDbFinish(DbMark { procid: Some(r.u16(1, "le_procid")), dbid: r.u8(3, "dbid") }))
        }
        LrType::SIGNAL_ATTACH_DB => Ok(R::SignalAttachDb(DbMark { procid: None, dbid: r.u8(1, "le_dbid") })),
        LrType::BEGIN | LrType::BEGIN0 | LrType::BEGIN_DT => Ok({
            let levels = r.u8(3, "levelBeginFrom/clevelsToBegin");
            R::Begin(Begin {
                procid: r.u16(1, "le_procid"),
                level_begin_from: levels & 0x0F,
                clevels_to_begin: levels >> 4,
                trx_begin0: if t == LrType::BEGIN { None } else { Some(r.u32(4, "le_trxBegin0")) },
            })
        }),
        LrType::COMMIT | LrType::COMMIT0 => Ok(R::Commit(Commit {
            procid: r.u16(1, "le_procid"),
            level_commit_to: r.u8(3, "levelCommitTo"),
            trx_commit0: if t == LrType::COMMIT0 { Some(r.u32(4, "le_trxCommit0")) } else { None },
        })),
        LrType::ROLLBACK => {
            Ok(R::Rollback(Rollback { procid: r.u16(1, "le_procid"), level_rollback: r.u8(3, "levelRollback") }))
        }
        LrType::MACRO_BEGIN | LrType::MACRO_COMMIT | LrType::MACRO_ABORT => Ok({
            let m = Macro { procid: r.u16(1, "le_procid"), dbtime: r.u64(3, "le_dbtime") };
            match t {
                LrType::MACRO_BEGIN => R::MacroBegin(m),
                LrType::MACRO_COMMIT => R::MacroCommit(m),
                _ => R::MacroAbort(m),
            }
        }),
        LrType::INSERT => Ok({
            let node = r.node();
            let key_prefix = r.take16(46, "cbPrefix")?;
            let key_suffix = r.take16(44, "cbSuffix")?;
            let data = r.take16(48, "cbData")?;
            R::Insert(Insert { node, key_prefix, key_suffix, data })
        }),
        LrType::FLAG_INSERT | LrType::FLAG_INSERT_AND_REPLACE_DATA => Ok({
            let node = r.node();
            let fiard = t == LrType::FLAG_INSERT_AND_REPLACE_DATA;
            let rceid_replace = if fiard { Some(r.u32(48, "le_rceidReplace")) } else { None };
            let key = r.take16(44, "cbKey")?;
            let data = r.take16(46, "cbData")?;
            let v = FlagInsert { node, rceid_replace, key, data };
            if fiard {
                R::FlagInsertAndReplaceData(v)
            } else {
                R::FlagInsert(v)
            }
        }),
        LrType::FLAG_DELETE => Ok(R::FlagDelete(NodeOnly { node: r.node() })),
        LrType::DELETE => Ok(R::Delete(NodeOnly { node: r.node() })),
        LrType::REPLACE | LrType::REPLACE_D => Ok({
            let node = r.node();
            let mle_cb = r.u16(44, "mle_cb");
            let v = Replace {
                node,
                diff2: mle_cb & 0x8000 != 0,
                old_size: r.u16(46, "cbOldData"),
                new_size: r.u16(48, "cbNewData"),
                data: r.take(usize::from(mle_cb & 0x7FFF), "mle_cb")?,
            };
            if t == LrType::REPLACE {
                R::Replace(v)
            } else {
                R::ReplaceD(v)
            }
        }),
        LrType::DELTA | LrType::DELTA64 => Ok({
            let node = r.node();
            let (delta, offset) = if t == LrType::DELTA {
                (i64::from(r.i32(48, "delta")), r.u16(52, "cbOffset"))
            } else {
                (r.u64(48, "delta") as i64, r.u16(56, "cbOffset"))
            };
            let bookmark_key = r.take16(44, "cbBookmarkKey")?;
            let bookmark_data = r.take16(46, "cbBookmarkData")?;
            let v = Delta { node, delta, offset, bookmark_key, bookmark_data };
            if t == LrType::DELTA {
                R::Delta(v)
            } else {
                R::Delta64(v)
            }
        }),
        LrType::SET_EXTERNAL_HEADER => Ok({
            let node = r.node();
            R::SetExternalHeader(SetExternalHeader { node, data: r.take16(44, "cbData")? })
        }),
        LrType::UNDO => Ok({
            let node = r.node();
            R::Undo(Undo {
                node,
                oper: r.u16(48, "le_oper"),
                undo_level: r.u8(50, "level"),
                bookmark_key: r.take16(44, "cbBookmarkKey")?,
                bookmark_data: r.take16(46, "cbBookmarkData")?,
            })
        }),
        LrType::UNDO_INFO => Ok({
            let node = r.node();
            R::UndoInfo(UndoInfo {
                node,
                oper: r.u16(48, "le_oper"),
                cb_max_size: r.i16(50, "le_cbMaxSize"),
                cb_delta: r.i16(52, "le_cbDelta"),
                bookmark_key: r.take16(44, "cbBookmarkKey")?,
                bookmark_data: r.take16(46, "cbBookmarkData")?,
                data: r.take16(54, "le_cbData")?,
            })
        }),
        LrType::SCRUB => Ok({
            let node = r.node();
            let cscrub_oper = r.u32(48, "mle_cscrubOper");
            let data = r.take16(52, "mle_cbData")?;
            if cscrub_oper as usize > data.0.len() {
                let kind = RecordErrorKind::BadField {
                    expected: format!("at most mle_cbData ({})", data.0.len()),
                    found: cscrub_oper.to_string(),
                };
                return Err(r.err("mle_cscrubOper", kind));
            }
            R::Scrub(Scrub { node, scrub_flags: r.u32(44, "mle_fLRScrubFlags"), cscrub_oper, data })
        }),
        LrType::EMPTY_TREE => Ok({
            let node = r.node();
            let list = r.take16(44, "le_cbEmptyPageList")?;
            if list.0.len() % 16 != 0 {
                let kind = RecordErrorKind::BadField {
                    expected: "a multiple of 16 (EMPTYPAGE)".into(),
                    found: list.0.len().to_string(),
                };
                return Err(r.err("le_cbEmptyPageList", kind));
            }
            R::EmptyTree(EmptyTree { node, empty_pages: EmptyPages(list.0) })
        }),
        LrType::NEW_PAGE => Ok(R::NewPage(NewPage {
            procid: r.u16(1, "le_procid"),
            dbid: r.u8(3, "le_dbid"),
            pgno: r.u32(4, "le_pgno"),
            objid: r.u32(8, "le_objid"),
            dbtime: r.u64(12, "le_dbtimeAfter"),
        })),
        LrType::SPLIT | LrType::SPLIT2 => Ok({
            let two = t == LrType::SPLIT2;
            let page = r.page();
            let key_parent = r.take16(100, "le_cbKeyParent")?;
            let prefix_split_old = r.take16(96, "le_cbPrefixSplitOld")?;
            let prefix_split_new = r.take16(98, "le_cbPrefixSplitNew")?;
            let page_before_image = if two { r.take32(106, "le_cbPageBeforeImage")? } else { Hex(&[]) };
            R::Split(Box::new(Split {
                page,
                pgno_new: r.u32(32, "le_pgnoNew"),
                pgno_right: r.u32(36, "le_pgnoRight"),
                dbtime_right_before: r.u64(40, "le_dbtimeRightBefore"),
                pgno_parent: r.u32(48, "le_pgnoParent"),
                dbtime_parent_before: r.u64(52, "le_dbtimeParentBefore"),
                pgno_fdp: r.u32(60, "le_pgnoFDP"),
                objid_fdp: r.u32(64, "le_objidFDP"),
                split_type: r.u8(68, "splittype"),
                split_oper: r.u8(69, "splitoper"),
                iline_oper: r.u16(70, "le_ilineOper"),
                iline_split: r.u16(72, "le_ilineSplit"),
                clines: r.u16(74, "le_clines"),
                new_page_flags: r.u32(76, "le_fNewPageFlags"),
                split_page_flags: r.u32(80, "le_fSplitPageFlags"),
                cb_unc_free_src: r.i16(84, "le_cbUncFreeSrc"),
                cb_unc_free_dest: r.i16(86, "le_cbUncFreeDest"),
                iline_prefix_split: r.i32(88, "le_ilinePrefixSplit"),
                iline_prefix_new: r.i32(92, "le_ilinePrefixNew"),
                preimage_flags: if two { Some(r.u32(102, "le_flags")) } else { None },
                key_parent,
                prefix_split_old,
                prefix_split_new,
                page_before_image,
            }))
        }),
        LrType::MERGE | LrType::MERGE2 => Ok({
            let two = t == LrType::MERGE2;
            let page = r.page();
            let key_parent_sep = r.take16(86, "le_cbKeyParentSep")?;
            let page_before_image = if two { r.take32(92, "le_cbPageBeforeImage")? } else { Hex(&[]) };
            R::Merge(Box::new(Merge {
                page,
                pgno_right: r.u32(32, "le_pgnoRight"),
                dbtime_right_before: r.u64(36, "le_dbtimeRightBefore"),
                pgno_left: r.u32(44, "le_pgnoLeft"),
                dbtime_left_before: r.u64(48, "le_dbtimeLeftBefore"),
                pgno_parent: r.u32(56, "le_pgnoParent"),
                dbtime_parent_before: r.u64(60, "le_dbtimeParentBefore"),
                pgno_fdp: r.u32(68, "le_pgnoFDP"),
                objid_fdp: r.u32(72, "le_objidFDP"),
                cb_size_total: r.u16(76, "le_cbSizeTotal"),
                cb_size_max_total: r.u16(78, "le_cbSizeMaxTotal"),
                cb_unc_free_dest: r.u16(80, "le_cbUncFreeDest"),
                iline_merge: r.u16(82, "mle_ilineMerge"),
                merge_flags: r.u8(84, "m_fLRMergeFlags"),
                merge_type: r.u8(85, "mergetype"),
                preimage_flags: if two { Some(r.u32(88, "le_flags")) } else { None },
                key_parent_sep,
                page_before_image,
            }))
        }),
        LrType::CREATE_MULTIPLE_EXTENT_FDP => Ok(R::CreateMultipleExtentFdp(Fdp {
            page: r.page(),
            objid_fdp: r.u32(32, "le_objidFDP"),
            pgno_oe: Some(r.u32(36, "le_pgnoOE")),
            pgno_ae: Some(r.u32(40, "le_pgnoAE")),
            pgno_fdp_parent: r.u32(44, "le_pgnoFDPParent"),
            pgno_secondary_first: None,
            cpg_primary: r.i32(48, "le_cpgPrimary"),
            cpg_secondary: None,
            page_flags: Some(r.u32(52, "le_fPageFlags")),
            rgbit_avail: None,
            cpage_flags: None,
        })),
        LrType::CREATE_SINGLE_EXTENT_FDP => Ok(R::CreateSingleExtentFdp(Fdp {
            page: r.page(),
            objid_fdp: r.u32(32, "le_objidFDP"),
            pgno_oe: None,
            pgno_ae: None,
            pgno_fdp_parent: r.u32(36, "le_pgnoFDPParent"),
            pgno_secondary_first: None,
            cpg_primary: r.i32(40, "le_cpgPrimary"),
            cpg_secondary: None,
            page_flags: Some(r.u32(44, "le_fPageFlags")),
            rgbit_avail: None,
            cpage_flags: None,
        })),
        LrType::CONVERT_FDP | LrType::CONVERT_FDP2 => Ok({
            let two = t == LrType::CONVERT_FDP2;
            R::ConvertFdp(Fdp {
                page: r.page(),
                objid_fdp: r.u32(32, "le_objidFDP"),
                pgno_oe: Some(r.u32(36, "le_pgnoOE")),
                pgno_ae: Some(r.u32(40, "le_pgnoAE")),
                pgno_fdp_parent: r.u32(44, "le_pgnoFDPParent"),
                pgno_secondary_first: Some(r.u32(48, "le_pgnoSecondaryFirst")),
                cpg_primary: r.i32(52, "le_cpgPrimary"),
                cpg_secondary: Some(r.i32(56, "le_cpgSecondary")),
                page_flags: None,
                rgbit_avail: if two { Some(r.u32(60, "le_rgbitAvail")) } else { None },
                cpage_flags: if two { Some(r.u32(64, "le_fCpageFlags")) } else { None },
            })
        }),
        LrType::PAGE_MOVE => Ok({
            let page = r.page();
            let page_header = r.take32(88, "m_cbPageHeader")?;
            let page_trailer = r.take32(92, "m_cbPageTrailer")?;
            R::PageMove(Box::new(PageMove {
                page,
                pgno_dest: r.u32(32, "m_pgnoDest"),
                pgno_left: r.u32(36, "m_pgnoLeft"),
                pgno_right: r.u32(40, "m_pgnoRight"),
                pgno_parent: r.u32(44, "m_pgnoParent"),
                dbtime_left_before: r.u64(48, "m_dbtimeLeftBefore"),
                dbtime_right_before: r.u64(56, "m_dbtimeRightBefore"),
                dbtime_parent_before: r.u64(64, "m_dbtimeParentBefore"),
                pgno_fdp: r.u32(72, "m_pgnoFDP"),
                objid_fdp: r.u32(76, "m_objidFDP"),
                iline_parent: r.i32(80, "m_ilineParent"),
                move_flags: r.u32(84, "m_fMoveFlags"),
                page_header,
                page_trailer,
            }))
        }),
        LrType::ROOT_PAGE_MOVE => Ok(R::RootPageMove(RootPageMove {
            dbtime: r.u64(1, "le_dbtimeAfter"),
            dbid: r.u8(9, "le_dbid"),
            objid: r.u32(10, "le_objid"),
            procid: r.u16(14, "le_procid"),
        })),
        LrType::PAGE_PATCH_REQUEST => Ok(R::PagePatchRequest(PagePatchRequest {
            dbid: r.u8(1, "m_dbid"),
            pgno: r.u32(2, "m_pgno"),
            dbtime: r.u64(6, "m_dbtime"),
        })),
        LrType::SHRINK_DB | LrType::SHRINK_DB2 | LrType::SHRINK_DB3 => Ok(R::ShrinkDb(ShrinkDb {
            dbid: r.u8(1, "le_dbid"),
            pgno_last: r.u32(2, "le_pgnoLast"),
            cpg_shrunk: r.i32(6, "le_cpgShrunk"),
            dbtime: if t == LrType::SHRINK_DB3 { Some(r.u64(10, "le_dbtime")) } else { None },
        })),
        LrType::TRIM_DB => Ok(R::TrimDb(TrimDb {
            dbid: r.u8(1, "le_dbid"),
            pgno_start_zeroes: r.u32(2, "le_pgnoStartZeroes"),
            cpg_zero_length: r.i32(6, "le_cpgZeroLength"),
        })),
        LrType::EXTENT_FREED | LrType::EXTENT_FREED2 => Ok(R::ExtentFreed(ExtentFreed {
            dbid: r.u8(1, "le_dbid"),
            pgno_first: r.u32(2, "le_pgnoFirst"),
            cpg_extent: r.i32(6, "le_cpgExtent"),
            flags: r.u8(10, "flags"),
            dbtime: if t == LrType::EXTENT_FREED2 { Some(r.u64(11, "le_dbtime")) } else { None },
        })),
        LrType::SET_DB_VERSION => Ok(R::SetDbVersion(SetDbVersion {
            dbid: r.u8(1, "le_dbid"),
            major: r.u32(2, "ulDbMajorVersion"),
            update_major: r.u32(6, "ulDbUpdateMajor"),
            update_minor: r.u32(10, "ulDbUpdateMinor"),
        })),
        LrType::SCAN_CHECK2 => Ok(R::ScanCheck2(ScanCheck2 {
            dbid: r.u8(1, "le_dbid"),
            pgno: r.u32(2, "le_pgno"),
            flags: r.u8(6, "le_bFlagsAndScs"),
            dbtime_page: r.u64(7, "le_dbtimePage"),
            dbtime_current: r.u64(15, "le_dbtimeCurrent"),
            checksum: r.u32(23, "le_ulChksum"),
        })),
        LrType::CHECKSUM => Ok(R::Checksum(Checksum {
            cb_backwards: r.u32(1, "le_cbBackwards"),
            cb_forwards: r.u32(5, "le_cbForwards"),
            cb_next: r.u32(9, "le_cbNext"),
            checksum: r.u32(13, "le_ulChecksum"),
            short_checksum: r.u32(17, "le_ulShortChecksum"),
            use_short_checksum: r.u8(21, "bUseShortChecksum"),
        })),
        LrType::REFRESH => {
            Ok(R::Refresh(Refresh { procid: r.u16(1, "le_procid"), trx_begin0: r.u32(3, "le_trxBegin0") }))
        }
        LrType::FORCE_WRITE_LOG => Ok(R::SessionMark(SessionMark { procid: r.u16(1, "le_procid"), op: None })),
        LrType::JET_OP => Ok(R::SessionMark(SessionMark { procid: r.u16(1, "le_procid"), op: Some(r.u8(3, "op")) })),
        LrType::TRACE | LrType::FORCE_LOG_ROLLOVER => Ok({
            let text = r.take16(3, "le_cb")?;
            R::Trace(Trace { procid: r.u16(1, "le_procid"), text: crate::log::dbms_param::ansi_z(text.0) })
        }),
        LrType::EXT_RESTORE | LrType::EXT_RESTORE2 => Ok({
            let info = r.take16(1, "mle_cbInfo")?;
            // Two consecutive NUL-terminated strings; an empty one is kept as such.
            let (instance, log_path) = if t == LrType::EXT_RESTORE2 {
                let units: Vec<u16> = info.0.chunks_exact(2).map(LittleEndian::read_u16).collect();
                let mut parts = units.split(|&u| u == 0).map(String::from_utf16_lossy);
                (parts.next().unwrap_or_default(), parts.next().unwrap_or_default())
            } else {
                let mut parts = info.0.split(|&b| b == 0).map(crate::log::dbms_param::ansi);
                (parts.next().unwrap_or_default(), parts.next().unwrap_or_default())
            };
            R::ExtRestore(ExtRestore { instance, log_path })
        }),
        LrType::FULL_BACKUP | LrType::INC_BACKUP => Ok({
            let path = r.take16(1, "le_cbPath")?;
            R::Backup(Backup {
                backup_type: None,
                phase: None,
                bkinfo_type: None,
                scope: None,
                dbid: None,
                phase_details: None,
                path: crate::log::dbms_param::ansi_z(path.0),
            })
        }),
        LrType::BACKUP => Ok({
            let path = r.take16(3, "le_cbPath")?;
            R::Backup(Backup {
                backup_type: Some(r.u8(1, "m_fBackupType")),
                phase: None,
                bkinfo_type: None,
                scope: None,
                dbid: None,
                phase_details: None,
                path: crate::log::dbms_param::ansi_z(path.0),
            })
        }),
        LrType::BACKUP2 => Ok({
            let path = r.take16(33, "le_cbPath")?;
            R::Backup(Backup {
                backup_type: None,
                phase: Some(r.u8(1, "eBackupPhase")),
                bkinfo_type: Some(r.u32(2, "eBackupType")),
                scope: Some(r.u8(6, "eBackupScope")),
                dbid: Some(r.u8(7, "dbid")),
                phase_details: Some(crate::primitives::BkInfo::from_bytes(r.fixed(8))),
                path: crate::log::dbms_param::ansi_z(path.0),
            })
        }),
        t if t.is_ignored_family() => Ok({
            let payload = r.take32(1, "cb")?;
            ignored_family(r, t, payload)
        }),
        _ => Ok({
            r.at = r.b.len();
            R::Raw(Raw { data: Hex(r.b) })
        }),
    }
}

/// The LRIGNORED family (§3.19): typed where the payload is long enough (every read below is
/// inside the payload, whose length is checked first), else by its length.
fn ignored_family<'r>(r: &Reader<'r>, t: LrType, payload: Hex<'r>) -> Record<'r> {
    let p = payload.0;
    let n = p.len();
    match t {
        LrType::EXTEND_DB if n >= 5 => {
            Record::ExtendDb(ExtendDb { dbid: r.u8(5, "le_dbid"), pgno_last: r.u32(6, "le_pgnoLast") })
        }
        LrType::MACRO_INFO if n % 4 == 0 => Record::MacroInfo(MacroInfo { dbid: None, pgnos: payload }),
        LrType::MACRO_INFO2 if n >= 5 && (r.u32(6, "le_cpgno") as usize).checked_mul(4) == Some(n - 5) => {
            Record::MacroInfo(MacroInfo { dbid: Some(r.u8(5, "le_dbid")), pgnos: Hex(p.get(5..).unwrap_or_default()) })
        }
        LrType::COMMIT_CTX if n >= 2 => {
            Record::CommitCtx(CommitCtx { procid: r.u16(5, "le_procid"), context: Hex(p.get(2..).unwrap_or_default()) })
        }
        LrType::SCAN_CHECK if n >= 39 => Record::ScanCheck(ScanCheck {
            dbid: r.u8(5, "dbid"),
            pgno: r.u32(6, "le_pgno"),
            dbtime_page: r.u64(10, "le_dbtimePage"),
            dbtime_current: r.u64(18, "le_dbtimeCurrent"),
            dbtime_before: r.u64(26, "le_dbtimeBefore"),
            dbtime_after: r.u64(34, "le_dbtimeAfter"),
            checksum: r.u16(42, "le_uschksum"),
        }),
        LrType::RE_ATTACH if n >= 45 => Record::ReAttach(ReAttach {
            dbid: r.u8(5, "le_dbid"),
            lgpos_attach: r.lgpos(6, "lgposAttach"),
            last_consistent: r.lgpos(14, "lgposConsistent"),
            db_signature: r.signature(22, "signDb"),
        }),
        LrType::FREE_FDP if n >= 10 => Record::FreeFdp(FreeFdp {
            dbid: r.u8(5, "le_dbid"),
            pgno_fdp: r.u32(6, "le_pgnoFDP"),
            trx_committed: r.u32(10, "le_trxCommitted"),
            fdp_type: r.u8(14, "bFDPType"),
        }),
        // NOP2, Ignored9-19, and a payload that does not fit its typed view: skippable by length.
        _ => Record::Ignored(Ignored { cb: n as u32, data: payload }),
    }
}

#[cfg(test)]
#[allow(clippy::panic)] // `let ... else { panic!() }` picks a variant in tests
mod tests {
    use super::*;
    use crate::log::records::types::{SizeError, SizeRule, TYPES};

    /// The length fields of each type as docs/log-records.md §2 ("Total size") lists them, written out
    /// here independently of [`TYPES`]: (offset, width in bytes).
    fn spec_length_fields(t: u8) -> &'static [(usize, usize)] {
        match t {
            15 => &[(72, 2)],
            16 => &[(4, 2)],
            19 | 20 | 45 | 59 => &[(1, 2)],
            22 | 46 | 61 => &[(3, 2)],
            27 => &[(100, 2), (96, 2), (98, 2)],
            28 => &[(86, 2)],
            29 => &[(44, 2), (46, 2), (48, 2)],
            30 | 31 | 37 | 39 | 93 => &[(44, 2), (46, 2)],
            33 | 34 | 38 | 48 => &[(44, 2)],
            36 => &[(44, 2), (46, 2), (54, 2)],
            54 => &[(3, 4)],
            60 => &[(33, 2)],
            62 => &[(100, 2), (96, 2), (98, 2), (106, 4)],
            63 => &[(86, 2), (92, 4)],
            64 => &[(52, 2)],
            65 => &[(88, 4), (92, 4)],
            67..=75 | 82..=91 => &[(1, 4)],
            76 => &[(5, 2)],
            77 => &[(1, 2)],
            _ => &[],
        }
    }

    /// Types with a typed view (everything else decodes to `Raw`).
    fn has_typed_view(t: u8) -> bool {
        !matches!(t, 3 | 54 | 76 | 77)
    }

    #[test]
    fn table_sizing_and_decoder_agree_on_all_256_type_bytes() {
        for t in 0..=255u8 {
            let lt = LrType(t);
            assert_eq!(lt.info().is_some(), t < 102, "{t}");
            let fixed = lt.fixed_size().unwrap_or(0);
            let mut rec = vec![0u8; fixed.max(1)];
            rec[0] = t;
            if t == 14 {
                rec[40] = 6; // mle_cbPath, no VersionInfo
            }
            let mut extra = if t == 14 { 6 } else { 0 };
            for (i, &(o, w)) in spec_length_fields(t).iter().enumerate() {
                // Multiples of 16 so that list lengths (EmptyTree) stay valid.
                let v = 16 * (i + 1);
                rec[o..o + w].copy_from_slice(&v.to_le_bytes()[..w]);
                extra += v;
            }
            rec.resize((fixed + extra).max(1), 0xAB);
            let size = record_size(&rec);
            let decoded = Record::decode_bytes(&rec, Lgpos::default(), 0x1000);
            match lt.info().map(|i| i.rule) {
                None => {
                    assert_eq!(size, Err(SizeError::TypeOutOfRange), "{t}");
                    assert_eq!(decoded.unwrap_err().kind, RecordErrorKind::TypeOutOfRange, "{t}");
                    assert_eq!(lt.name(), "*UNKNOWN*");
                }
                Some(SizeRule::None) => {
                    assert_eq!(size, Err(SizeError::NoSizeRule), "{t}");
                    assert_eq!(decoded.unwrap_err().kind, RecordErrorKind::NoSizeRule, "{t}");
                }
                Some(_) => {
                    assert_eq!(size, Ok(rec.len() as u64), "{t} {}", lt.name());
                    let d = decoded.unwrap_or_else(|e| panic!("{t} {}: {e}", lt.name()));
                    let mut r = Reader { b: &rec, at: fixed, lgpos: Lgpos::default(), offset: 0, lrtyp: lt };
                    decode_typed(&mut r, lt).unwrap();
                    assert_eq!(r.at, rec.len(), "{t} {}: the decoder does not end at the record's end", lt.name());
                    assert_eq!(matches!(d, Record::Raw(_)), !has_typed_view(t), "{t} {}: {d:?}", lt.name());
                    // One byte short, and one byte too many, are errors naming the size.
                    let short = Record::decode_bytes(&rec[..rec.len() - 1], Lgpos::default(), 0);
                    assert!(short.is_err(), "{t}");
                    let mut long = rec.clone();
                    long.push(0);
                    assert!(Record::decode_bytes(&long, Lgpos::default(), 0).is_err(), "{t}");
                }
            }
        }
        assert_eq!(TYPES.len(), 102);
    }

    fn node_record(t: u8, fixed: usize) -> Vec<u8> {
        let mut r = vec![0u8; fixed];
        r[0] = t;
        r[1..3].copy_from_slice(&7u16.to_le_bytes()); // le_procid
        r[3] = 1; // dbid
        r[4..8].copy_from_slice(&0x1234u32.to_le_bytes()); // le_pgno
        r[8..16].copy_from_slice(&0x55u64.to_le_bytes()); // le_dbtime
        r[16..24].copy_from_slice(&u64::MAX.to_le_bytes()); // le_dbtimeBefore = dbtimeNil
        r[24..28].copy_from_slice(&0x99u32.to_le_bytes()); // le_trxBegin0
        r[28] = 2; // level
        r[29..31].copy_from_slice(&3u16.to_le_bytes()); // mle_iline
        r[31] = 0x05; // Versioned | Unique
        r[32..36].copy_from_slice(&0x77u32.to_le_bytes()); // le_rceid
        r[36..40].copy_from_slice(&0x10u32.to_le_bytes()); // le_pgnoFDP
        r[40..44].copy_from_slice(&0x11u32.to_le_bytes()); // le_objidFDP
        r
    }

    #[test]
    fn insert_cuts_prefix_suffix_and_data_and_serializes_snake_case_with_hex() {
        let mut r = node_record(29, 50);
        r[44..46].copy_from_slice(&2u16.to_le_bytes()); // cbSuffix
        r[46..48].copy_from_slice(&1u16.to_le_bytes()); // cbPrefix
        r[48..50].copy_from_slice(&3u16.to_le_bytes()); // cbData
        r.extend_from_slice(&[0xAA, 0xB1, 0xB2, 0xD1, 0xD2, 0xD3]);
        let Record::Insert(i) = Record::decode_bytes(&r, Lgpos::default(), 0).unwrap() else { panic!() };
        assert_eq!(
            (i.key_prefix.0, i.key_suffix.0, i.data.0),
            (&[0xAA][..], &[0xB1, 0xB2][..], &[0xD1, 0xD2, 0xD3][..])
        );
        let json = serde_json::to_value(Record::Insert(i)).unwrap();
        let want = serde_json::json!({
            "procid": 7, "dbid": 1, "pgno": 0x1234, "dbtime": 0x55, "dbtime_before": u64::MAX,
            "trx_begin0": 0x99, "level": 2, "iline": 3, "flags": 5, "rceid": 0x77, "pgno_fdp": 0x10,
            "objid_fdp": 0x11, "key_prefix": "aa", "key_suffix": "b1b2", "data": "d1d2d3"
        });
        assert_eq!(json, want);
    }

    #[test]
    fn attach_db_reads_paths_signatures_and_last_consistent() {
        let mut r = vec![0u8; 75];
        r[0] = 15;
        r[3] = 2; // dbid
        r[8..16].copy_from_slice(&[0x36, 0, 7, 0, 2, 0, 0, 0]); // lgposConsistent (2,7,36)
        r[16..20].copy_from_slice(&0x67b5_8b71u32.to_le_bytes()); // signDb.le_ulRandom
        r[44..48].copy_from_slice(&0xed86_73f7u32.to_le_bytes()); // signLog.le_ulRandom
        let path: Vec<u8> = "C:\\a\\SRUDB.dat".encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect();
        r[72..74].copy_from_slice(&(path.len() as u16).to_le_bytes());
        r[74] = 0x08;
        r.extend_from_slice(&path);
        let Record::AttachDb(a) = Record::decode_bytes(&r, Lgpos::default(), 0).unwrap() else { panic!() };
        assert_eq!(a.path, "C:\\a\\SRUDB.dat");
        assert_eq!(a.dbid, 2);
        assert_eq!(a.last_consistent, Lgpos { generation: 2, isec: 7, ib: 0x36 });
        assert_eq!((a.db_signature.random, a.log_signature.random), (0x67b5_8b71, 0xed86_73f7));
        // ANSI names (no Unicode flag) are Windows-1252.
        let mut d = vec![16u8, 0, 0, 1, 8, 0, 0];
        d.extend_from_slice(b"C:\\\x80.db\0");
        let Record::DetachDb(d) = Record::decode_bytes(&d, Lgpos::default(), 0).unwrap() else { panic!() };
        assert_eq!(d.path, "C:\\€.db");
    }

    #[test]
    fn begin_nibbles_split_and_page_references() {
        // §8 item 2: Begin0 byte 0x20 = from level 0, 2 levels.
        let r = [8u8, 5, 0, 0x20, 4, 0, 0, 0];
        let Record::Begin(b) = Record::decode_bytes(&r, Lgpos::default(), 0).unwrap() else { panic!() };
        assert_eq!((b.level_begin_from, b.clevels_to_begin, b.trx_begin0), (0, 2, Some(4)));
        // Trace: @1 procid, @3 cb, @5 text with its NUL.
        let t = [22u8, 5, 0, 4, 0, b'a', b'b', b'c', 0];
        let Record::Trace(t) = Record::decode_bytes(&t, Lgpos::default(), 0).unwrap() else { panic!() };
        assert_eq!((t.procid, t.text.as_str()), (5, "abc"));
        // ExtRestore2: two UTF-16 strings.
        let info: Vec<u8> = "inst\0C:\\logs\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut e = vec![59u8];
        e.extend_from_slice(&(info.len() as u16).to_le_bytes());
        e.extend_from_slice(&info);
        let Record::ExtRestore(e) = Record::decode_bytes(&e, Lgpos::default(), 0).unwrap() else { panic!() };
        assert_eq!((e.instance.as_str(), e.log_path.as_str()), ("inst", "C:\\logs"));
        // A Split2 with new page 9, parent 5, no right sibling: R pgno, W new, R parent.
        let mut s = node_record(62, 110);
        s[32..44].fill(0);
        s[32..36].copy_from_slice(&9u32.to_le_bytes());
        s[48..52].copy_from_slice(&5u32.to_le_bytes());
        let rec = Record::decode_bytes(&s, Lgpos::default(), 0).unwrap();
        let mut refs = Vec::new();
        rec.for_each_page_ref(|p| refs.push((p.pgno, p.access)));
        assert_eq!(refs, vec![(0x1234, PageAccess::ReadWrite), (9, PageAccess::Write), (5, PageAccess::ReadWrite)]);
        assert_eq!(rec.page_ref_count(), 3);
        assert_eq!(rec.dbid(), Some(1));
    }

    #[test]
    fn replace_d_diffs_rebuild_the_after_image() {
        // DIFFHDR (2 bytes): at ib 1 replace 2 old bytes with "XYZ"; at ib 5 insert "!"; at
        // ib 6 replace one byte with the same length.
        let mut list = Vec::new();
        list.extend_from_slice(&1u16.to_le_bytes());
        list.extend_from_slice(&[3, 2]);
        list.extend_from_slice(b"XYZ");
        list.extend_from_slice(&(5u16 | 0x4000).to_le_bytes());
        list.extend_from_slice(&[1]);
        list.extend_from_slice(b"!");
        list.extend_from_slice(&(6u16 | 0x2000).to_le_bytes());
        list.extend_from_slice(&[1]);
        list.extend_from_slice(b"g");
        let old = b"abcdefG";
        let want = b"aXYZde!fg";
        let mut rec = node_record(34, 50);
        rec[44..46].copy_from_slice(&(list.len() as u16).to_le_bytes());
        rec[46..48].copy_from_slice(&(old.len() as u16).to_le_bytes());
        rec[48..50].copy_from_slice(&(want.len() as u16).to_le_bytes());
        rec.extend_from_slice(&list);
        let Record::ReplaceD(r) = Record::decode_bytes(&rec, Lgpos::default(), 0).unwrap() else { panic!() };
        let entries: Vec<_> = r.diffs().map(Result::unwrap).collect();
        assert_eq!(entries.len(), 3);
        assert_eq!((entries[0].ib, entries[0].old_len, entries[0].data.0), (1, 2, &b"XYZ"[..]));
        assert!(entries[1].insert && entries[2].same_length);
        let mut out = Vec::new();
        r.after_image(old, &mut out).unwrap();
        assert_eq!(out, want);
        // DIFFHDR2 (3 bytes, fDiff2): the same first entry.
        let mut list2 = 1u16.to_le_bytes().to_vec();
        list2.extend_from_slice(&[0x00, 3, 2]);
        list2.extend_from_slice(b"XYZ");
        let r2 = Replace { diff2: true, new_size: 8, data: Hex(&list2), ..r };
        r2.after_image(old, &mut out).unwrap();
        assert_eq!(out, b"aXYZdefG");
        // An entry going backwards, and a list cut short, are errors, not panics.
        let mut bad = list.clone();
        bad.extend_from_slice(&0u16.to_le_bytes());
        bad.extend_from_slice(&[1, 1, b'q']);
        let r3 = Replace { data: Hex(&bad), ..r };
        assert_eq!(r3.after_image(old, &mut out).unwrap_err().field, "ib");
        let r4 = Replace { data: Hex(&list[..list.len() - 1]), ..r };
        assert_eq!(r4.diffs().last().unwrap().unwrap_err().field, "new bytes");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_decode_or_fail_cleanly(mut bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..700)) {
            // Cut to the size the bytes announce when they hold it, so most cases decode.
            if let Ok(n) = record_size(&bytes) {
                if n <= bytes.len() as u64 {
                    bytes.truncate(n as usize);
                }
            }
            if let Ok(rec) = Record::decode_bytes(&bytes, Lgpos::default(), 0) {
                // A decoded record is exactly its size, serializes, and counts its references.
                proptest::prop_assert_eq!(record_size(&bytes), Ok(bytes.len() as u64));
                proptest::prop_assert!(serde_json::to_string(&rec).is_ok());
                let _ = rec.page_ref_count();
                if let Record::ReplaceD(r) = &rec {
                    let mut out = Vec::new();
                    let _ = r.after_image(&bytes, &mut out);
                    proptest::prop_assert!(out.len() <= usize::from(r.new_size));
                }
            }
        }
    }

    #[test]
    fn a_hostile_ignored_payload_stays_raw_and_bounded() {
        // MacroInfo2 whose le_cpgno disagrees with cb: kept as an Ignored record by its length.
        let mut r = vec![73u8, 9, 0, 0, 0, 1];
        r.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        r.extend_from_slice(&[0; 4]);
        let rec = Record::decode_bytes(&r, Lgpos::default(), 0).unwrap();
        assert!(matches!(rec, Record::Ignored(Ignored { cb: 9, .. })), "{rec:?}");
        // ExtentFreed with a negative extent adds no page reference.
        let mut e = vec![100u8, 1, 5, 0, 0, 0];
        e.extend_from_slice(&(-3i32).to_le_bytes());
        e.push(0);
        assert_eq!(Record::decode_bytes(&e, Lgpos::default(), 0).unwrap().page_ref_count(), 0);
    }
}

#[cfg(test)]
mod size {
    #[test]
    fn record_fits_in_128_bytes() {
        assert!(std::mem::size_of::<super::Record<'_>>() <= 128, "{}", std::mem::size_of::<super::Record<'_>>());
    }
}
