//! `LRTYP`: the record type byte, and the one table that gives every type its eseutil name,
//! fixed size (`CbLGFixedSizeOfRec`) and full-size rule (`CbLGSizeOfRec`).
//!
//! Sources: docs/log-records.md §2 (table of the 102 types, sizes, dump names), §3 (the
//! length fields the size rules read), §8 item 7 (types 53 and 55).

use std::fmt;

use serde::{Serialize, Serializer};

/// `lrtypMax`: types 0..=101 exist; a byte >= 102 where a record is expected is corruption.
pub const LRTYP_MAX: u8 = 102;

/// The record type byte (`LRTYP`, @0 of every record). Every byte value is representable; only
/// 0..[`LRTYP_MAX`] are defined.
#[doc(alias = "LRTYP")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LrType(pub u8);

/// One length field a size rule adds to the fixed size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LenField {
    /// A little-endian u16 at this offset.
    U16(usize),
    /// A little-endian u16 at this offset, bits 0-14 only (`LRREPLACE::mle_cb`; bit 15 is `fDiff2`).
    U16Low15(usize),
    /// A little-endian u32 at this offset.
    U32(usize),
}

impl LenField {
    /// Offset of the field inside the record.
    pub fn offset(self) -> usize {
        match self {
            Self::U16(o) | Self::U16Low15(o) | Self::U32(o) => o,
        }
    }

    /// Width of the field in bytes.
    pub fn width(self) -> usize {
        match self {
            Self::U16(_) | Self::U16Low15(_) => 2,
            Self::U32(_) => 4,
        }
    }

    /// The field's value in `rec` (which must hold the fixed part), or `None` when it is short.
    #[inline]
    fn read(self, rec: &[u8]) -> Option<u64> {
        let at = rec.get(self.offset()..)?;
        Some(match self {
            Self::U16(_) => u64::from(u16::from_le_bytes(*at.first_chunk()?)),
            Self::U16Low15(_) => u64::from(u16::from_le_bytes(*at.first_chunk()?) & 0x7FFF),
            Self::U32(_) => u64::from(u32::from_le_bytes(*at.first_chunk()?)),
        })
    }
}

/// How `CbLGSizeOfRec` sizes a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeRule {
    /// Always the fixed size (`mplrtyplrd[lrtyp].cb != 0`).
    Fixed,
    /// The fixed size plus the sum of these length fields of the fixed part.
    Plus(&'static [LenField]),
    /// `LRCREATEDB`: 43 + `mle_cbPath` (@40) + 4 when `m_fLRCreateDbFlags` (@42) has 0x04
    /// (VersionInfo present).
    CreateDb,
    /// No rule: the engine returns 0 and the record cannot be walked past (40, 41, 43, 44, 47,
    /// 55, 56; docs/log-records.md §7 item 2).
    None,
}

/// One row of the type table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeInfo {
    /// The type byte.
    pub lrtyp: LrType,
    /// Microsoft's name without its `lrtyp` prefix (`FlagInsertAndReplaceData`).
    pub ident: &'static str,
    /// eseutil's name (`SzLrtyp`), padding trimmed (`FInsertRD`, `McroBegin`, `*UNKNOWN*`).
    pub name: &'static str,
    /// `CbLGFixedSizeOfRec` (`mplrtypn`): bytes that must be there before the size can be read.
    pub fixed: usize,
    /// How the full size is computed.
    pub rule: SizeRule,
}

use LenField::{U16Low15, U16, U32};

const fn row(t: u8, ident: &'static str, name: &'static str, fixed: usize, rule: SizeRule) -> TypeInfo {
    TypeInfo { lrtyp: LrType(t), ident, name, fixed, rule }
}

const F: SizeRule = SizeRule::Fixed;
/// The LRIGNORED family: @1 u32 `cb`.
const IGN: SizeRule = SizeRule::Plus(&[U32(1)]);

/// The 102 defined types, indexed by their byte (docs/log-records.md §2).
pub const TYPES: [TypeInfo; LRTYP_MAX as usize] = [
    row(0, "NOP", "NOP", 1, F),
    row(1, "Init", "Init", 568, F),
    row(2, "Term", "Term", 18, F),
    row(3, "MS", "MS", 9, F),
    row(4, "End", "End", 1, F),
    row(5, "Begin", "Begin", 4, F),
    row(6, "Commit", "Commit", 4, F),
    row(7, "Rollback", "Rollback", 4, F),
    row(8, "Begin0", "Begin0", 8, F),
    row(9, "Commit0", "Commit0", 8, F),
    row(10, "Refresh", "Refresh", 7, F),
    row(11, "MacroBegin", "McroBegin", 11, F),
    row(12, "MacroCommit", "McroComit", 11, F),
    row(13, "MacroAbort", "McroAbort", 11, F),
    row(14, "CreateDB", "CreateDB", 43, SizeRule::CreateDb),
    row(15, "AttachDB", "AttachDB", 75, SizeRule::Plus(&[U16(72)])),
    row(16, "DetachDB", "DetachDB", 7, SizeRule::Plus(&[U16(4)])),
    row(17, "RecoveryUndo", "RcvUndo", 1, F),
    row(18, "RecoveryQuit", "RcvQuit", 18, F),
    row(19, "FullBackup", "FullBkUp", 3, SizeRule::Plus(&[U16(1)])),
    row(20, "IncBackup", "IncBkUp", 3, SizeRule::Plus(&[U16(1)])),
    row(21, "JetOp", "JetOp", 4, F),
    row(22, "Trace", "Trace", 5, SizeRule::Plus(&[U16(3)])),
    row(23, "ShutDownMark", "ShutDown", 1, F),
    row(24, "CreateMultipleExtentFDP", "Create M", 56, F),
    row(25, "CreateSingleExtentFDP", "Create S", 48, F),
    row(26, "ConvertFDP", "Convert", 60, F),
    row(27, "Split", "Split", 102, SizeRule::Plus(&[U16(100), U16(96), U16(98)])),
    row(28, "Merge", "Merge", 88, SizeRule::Plus(&[U16(86)])),
    row(29, "Insert", "Insert", 50, SizeRule::Plus(&[U16(44), U16(46), U16(48)])),
    row(30, "FlagInsert", "FInsert", 48, SizeRule::Plus(&[U16(44), U16(46)])),
    row(31, "FlagInsertAndReplaceData", "FInsertRD", 52, SizeRule::Plus(&[U16(44), U16(46)])),
    row(32, "FlagDelete", "FDelete", 44, F),
    row(33, "Replace", "Replace", 50, SizeRule::Plus(&[U16Low15(44)])),
    row(34, "ReplaceD", "ReplaceD", 50, SizeRule::Plus(&[U16Low15(44)])),
    row(35, "Delete", "Delete", 44, F),
    row(36, "UndoInfo", "UndoInfo", 56, SizeRule::Plus(&[U16(44), U16(46), U16(54)])),
    row(37, "Delta", "Delta", 54, SizeRule::Plus(&[U16(44), U16(46)])),
    row(38, "SetExternalHeader", "SetExtHdr", 46, SizeRule::Plus(&[U16(44)])),
    row(39, "Undo", "Undo", 51, SizeRule::Plus(&[U16(44), U16(46)])),
    row(40, "SLVPageAppend", "*UNKNOWN*", 0, SizeRule::None),
    row(41, "SLVSpace", "*UNKNOWN*", 0, SizeRule::None),
    row(42, "Checksum", "Checksum", 22, F),
    row(43, "SLVPageMove", "*UNKNOWN*", 0, SizeRule::None),
    row(44, "ForceDetachDB", "*UNKNOWN*", 0, SizeRule::None),
    row(45, "ExtRestore", "ExtRest", 3, SizeRule::Plus(&[U16(1)])),
    row(46, "Backup", "Backup", 5, SizeRule::Plus(&[U16(3)])),
    row(47, "UpgradeDB", "*UNKNOWN*", 0, SizeRule::None),
    row(48, "EmptyTree", "EmptyTree", 46, SizeRule::Plus(&[U16(44)])),
    row(49, "Init2", "Init", 576, F),
    row(50, "Term2", "Term", 26, F),
    row(51, "RecoveryUndo2", "RcvUndo", 9, F),
    row(52, "RecoveryQuit2", "RcvQuit", 26, F),
    row(53, "BeginDT", "BeginDT", 8, F),
    row(54, "PrepCommit", "PreCommit", 7, SizeRule::Plus(&[U32(3)])),
    row(55, "PrepRollback", "PreRollbk", 3, SizeRule::None),
    row(56, "DbList", "*UNKNOWN*", 0, SizeRule::None),
    row(57, "ForceWriteLog", "FWriteLog", 3, F),
    row(58, "ConvertFDP2", "Convert", 68, F),
    row(59, "ExtRestore2", "ExtRest2", 3, SizeRule::Plus(&[U16(1)])),
    row(60, "Backup2", "Backup2", 35, SizeRule::Plus(&[U16(33)])),
    row(61, "ForceLogRollover", "FRollLog", 5, SizeRule::Plus(&[U16(3)])),
    row(62, "Split2", "Split2", 110, SizeRule::Plus(&[U16(100), U16(96), U16(98), U32(106)])),
    row(63, "Merge2", "Merge2", 96, SizeRule::Plus(&[U16(86), U32(92)])),
    row(64, "Scrub", "Scrub", 54, SizeRule::Plus(&[U16(52)])),
    row(65, "PageMove", "PageMove", 96, SizeRule::Plus(&[U32(88), U32(92)])),
    row(66, "PagePatchRequest", "PagePatch", 46, F),
    row(67, "MacroInfo", "McroInfo", 5, IGN),
    row(68, "ExtendDB", "ExtendDB", 5, IGN),
    row(69, "CommitCtx", "CommitCtx", 5, IGN),
    row(70, "ScanCheck", "ScanCheck", 5, IGN),
    row(71, "NOP2", "NOP2", 5, IGN),
    row(72, "ReAttach", "ReAttach", 5, IGN),
    row(73, "MacroInfo2", "McroInfo2", 5, IGN),
    row(74, "FreeFDP", "FreeFDP", 5, IGN),
    row(75, "Ignored9", "Ignored", 5, IGN),
    row(76, "FragmentBegin", "FragBegin", 7, SizeRule::Plus(&[U16(5)])),
    row(77, "Fragment", "FragContd", 3, SizeRule::Plus(&[U16(1)])),
    row(78, "ShrinkDB", "ShrinkDB", 10, F),
    row(79, "CreateDBFinish", "CrDBFinsh", 4, F),
    row(80, "RecoveryQuitKeepAttachments", "RcvQKA", 26, F),
    row(81, "TrimDB", "TrimDB", 10, F),
    row(82, "Ignored10", "Ignored", 5, IGN),
    row(83, "Ignored11", "Ignored", 5, IGN),
    row(84, "Ignored12", "Ignored", 5, IGN),
    row(85, "Ignored13", "Ignored", 5, IGN),
    row(86, "Ignored14", "Ignored", 5, IGN),
    row(87, "Ignored15", "Ignored", 5, IGN),
    row(88, "Ignored16", "Ignored", 5, IGN),
    row(89, "Ignored17", "Ignored", 5, IGN),
    row(90, "Ignored18", "Ignored", 5, IGN),
    row(91, "Ignored19", "Ignored", 5, IGN),
    row(92, "SetDbVersion", "SetDbVer", 14, F),
    row(93, "Delta64", "Delta64", 58, SizeRule::Plus(&[U16(44), U16(46)])),
    row(94, "ShrinkDB2", "ShrinkDB2", 10, F),
    row(95, "NewPage", "NewPage", 20, F),
    row(96, "RootPageMove", "PageMoveR", 16, F),
    row(97, "SignalAttachDb", "SAttachDB", 2, F),
    row(98, "ScanCheck2", "ScanChk2", 27, F),
    row(99, "ShrinkDB3", "ShrinkDB3", 18, F),
    row(100, "ExtentFreed", "ExtFreed", 11, F),
    row(101, "ExtentFreed2", "ExtFreed2", 19, F),
];

macro_rules! lrtyp_consts {
    ($($name:ident = $v:expr, $doc:literal;)*) => {
        impl LrType {
            $(#[doc = $doc] pub const $name: LrType = LrType($v);)*
        }
    };
}

lrtyp_consts! {
    NOP = 0, "0 `lrtypNOP`: one fill byte (v7 records; v8 fill, skipped).";
    INIT = 1, "1 `lrtypInit`.";
    TERM = 2, "2 `lrtypTerm`.";
    MS = 3, "3 `lrtypMS` (obsolete multi-sector flush).";
    END = 4, "4 `lrtypEnd` (never written by current engines).";
    BEGIN = 5, "5 `lrtypBegin`.";
    COMMIT = 6, "6 `lrtypCommit`.";
    ROLLBACK = 7, "7 `lrtypRollback`.";
    BEGIN0 = 8, "8 `lrtypBegin0`.";
    COMMIT0 = 9, "9 `lrtypCommit0`.";
    REFRESH = 10, "10 `lrtypRefresh`.";
    MACRO_BEGIN = 11, "11 `lrtypMacroBegin`.";
    MACRO_COMMIT = 12, "12 `lrtypMacroCommit`.";
    MACRO_ABORT = 13, "13 `lrtypMacroAbort`.";
    CREATE_DB = 14, "14 `lrtypCreateDB`.";
    ATTACH_DB = 15, "15 `lrtypAttachDB`.";
    DETACH_DB = 16, "16 `lrtypDetachDB`.";
    RECOVERY_UNDO = 17, "17 `lrtypRecoveryUndo`.";
    RECOVERY_QUIT = 18, "18 `lrtypRecoveryQuit`.";
    FULL_BACKUP = 19, "19 `lrtypFullBackup`.";
    INC_BACKUP = 20, "20 `lrtypIncBackup`.";
    JET_OP = 21, "21 `lrtypJetOp` (debug only).";
    TRACE = 22, "22 `lrtypTrace` (debug only).";
    SHUTDOWN_MARK = 23, "23 `lrtypShutDownMark`.";
    CREATE_MULTIPLE_EXTENT_FDP = 24, "24 `lrtypCreateMultipleExtentFDP`.";
    CREATE_SINGLE_EXTENT_FDP = 25, "25 `lrtypCreateSingleExtentFDP`.";
    CONVERT_FDP = 26, "26 `lrtypConvertFDP` (obsolete layout).";
    SPLIT = 27, "27 `lrtypSplit` (old layout).";
    MERGE = 28, "28 `lrtypMerge` (old layout).";
    INSERT = 29, "29 `lrtypInsert`.";
    FLAG_INSERT = 30, "30 `lrtypFlagInsert`.";
    FLAG_INSERT_AND_REPLACE_DATA = 31, "31 `lrtypFlagInsertAndReplaceData`.";
    FLAG_DELETE = 32, "32 `lrtypFlagDelete`.";
    REPLACE = 33, "33 `lrtypReplace`.";
    REPLACE_D = 34, "34 `lrtypReplaceD` (diff against the before-image).";
    DELETE = 35, "35 `lrtypDelete`.";
    UNDO_INFO = 36, "36 `lrtypUndoInfo`.";
    DELTA = 37, "37 `lrtypDelta`.";
    SET_EXTERNAL_HEADER = 38, "38 `lrtypSetExternalHeader`.";
    UNDO = 39, "39 `lrtypUndo`.";
    SLV_PAGE_APPEND = 40, "40 `lrtypSLVPageAppend` (obsolete, cannot be sized).";
    SLV_SPACE = 41, "41 `lrtypSLVSpace` (obsolete, cannot be sized).";
    CHECKSUM = 42, "42 `lrtypChecksum` (`LRCHECKSUM`, v7 framing).";
    SLV_PAGE_MOVE = 43, "43 `lrtypSLVPageMove` (obsolete, cannot be sized).";
    FORCE_DETACH_DB = 44, "44 `lrtypForceDetachDB` (obsolete, cannot be sized).";
    EXT_RESTORE = 45, "45 `lrtypExtRestore`.";
    BACKUP = 46, "46 `lrtypBackup` (obsolete layout).";
    UPGRADE_DB = 47, "47 `lrtypUpgradeDB` (cannot be sized).";
    EMPTY_TREE = 48, "48 `lrtypEmptyTree`.";
    INIT2 = 49, "49 `lrtypInit2`.";
    TERM2 = 50, "50 `lrtypTerm2`.";
    RECOVERY_UNDO2 = 51, "51 `lrtypRecoveryUndo2`.";
    RECOVERY_QUIT2 = 52, "52 `lrtypRecoveryQuit2`.";
    BEGIN_DT = 53, "53 `lrtypBeginDT`.";
    PREP_COMMIT = 54, "54 `lrtypPrepCommit`.";
    PREP_ROLLBACK = 55, "55 `lrtypPrepRollback` (no size rule).";
    DB_LIST = 56, "56 `lrtypDbList` (unused, cannot be sized).";
    FORCE_WRITE_LOG = 57, "57 `lrtypForceWriteLog`.";
    CONVERT_FDP2 = 58, "58 `lrtypConvertFDP2`.";
    EXT_RESTORE2 = 59, "59 `lrtypExtRestore2`.";
    BACKUP2 = 60, "60 `lrtypBackup2`.";
    FORCE_LOG_ROLLOVER = 61, "61 `lrtypForceLogRollover`.";
    SPLIT2 = 62, "62 `lrtypSplit2`.";
    MERGE2 = 63, "63 `lrtypMerge2`.";
    SCRUB = 64, "64 `lrtypScrub`.";
    PAGE_MOVE = 65, "65 `lrtypPageMove`.";
    PAGE_PATCH_REQUEST = 66, "66 `lrtypPagePatchRequest`.";
    MACRO_INFO = 67, "67 `lrtypMacroInfo` (LRIGNORED family).";
    EXTEND_DB = 68, "68 `lrtypExtendDB` (LRIGNORED family).";
    COMMIT_CTX = 69, "69 `lrtypCommitCtx` (LRIGNORED family).";
    SCAN_CHECK = 70, "70 `lrtypScanCheck` (LRIGNORED family).";
    NOP2 = 71, "71 `lrtypNOP2`: v8 filler (LRIGNORED family).";
    RE_ATTACH = 72, "72 `lrtypReAttach` (LRIGNORED family).";
    MACRO_INFO2 = 73, "73 `lrtypMacroInfo2` (LRIGNORED family).";
    FREE_FDP = 74, "74 `lrtypFreeFDP` (LRIGNORED family).";
    IGNORED9 = 75, "75 `lrtypIgnored9` (LRIGNORED family).";
    FRAGMENT_BEGIN = 76, "76 `lrtypFragmentBegin` (v8 framing).";
    FRAGMENT = 77, "77 `lrtypFragment` (v8 framing).";
    SHRINK_DB = 78, "78 `lrtypShrinkDB`.";
    CREATE_DB_FINISH = 79, "79 `lrtypCreateDBFinish`.";
    RECOVERY_QUIT_KEEP_ATTACHMENTS = 80, "80 `lrtypRecoveryQuitKeepAttachments`.";
    TRIM_DB = 81, "81 `lrtypTrimDB`.";
    IGNORED10 = 82, "82 `lrtypIgnored10` (LRIGNORED family, reserved).";
    IGNORED11 = 83, "83 `lrtypIgnored11` (LRIGNORED family, reserved).";
    IGNORED12 = 84, "84 `lrtypIgnored12` (LRIGNORED family, reserved).";
    IGNORED13 = 85, "85 `lrtypIgnored13` (LRIGNORED family, reserved).";
    IGNORED14 = 86, "86 `lrtypIgnored14` (LRIGNORED family, reserved).";
    IGNORED15 = 87, "87 `lrtypIgnored15` (LRIGNORED family, reserved).";
    IGNORED16 = 88, "88 `lrtypIgnored16` (LRIGNORED family, reserved).";
    IGNORED17 = 89, "89 `lrtypIgnored17` (LRIGNORED family, reserved).";
    IGNORED18 = 90, "90 `lrtypIgnored18` (LRIGNORED family, reserved).";
    IGNORED19 = 91, "91 `lrtypIgnored19` (LRIGNORED family, reserved).";
    SET_DB_VERSION = 92, "92 `lrtypSetDbVersion`.";
    DELTA64 = 93, "93 `lrtypDelta64`.";
    SHRINK_DB2 = 94, "94 `lrtypShrinkDB2`.";
    NEW_PAGE = 95, "95 `lrtypNewPage`.";
    ROOT_PAGE_MOVE = 96, "96 `lrtypRootPageMove`.";
    SIGNAL_ATTACH_DB = 97, "97 `lrtypSignalAttachDb`.";
    SCAN_CHECK2 = 98, "98 `lrtypScanCheck2`.";
    SHRINK_DB3 = 99, "99 `lrtypShrinkDB3`.";
    EXTENT_FREED = 100, "100 `lrtypExtentFreed`.";
    EXTENT_FREED2 = 101, "101 `lrtypExtentFreed2`.";
}

impl LrType {
    /// The table row, or `None` for a byte >= [`LRTYP_MAX`].
    pub fn info(self) -> Option<&'static TypeInfo> {
        TYPES.get(usize::from(self.0))
    }

    /// eseutil's name, trimmed (`*UNKNOWN*` for undefined bytes, as `SzLrtyp` prints them).
    pub fn name(self) -> &'static str {
        self.info().map_or("*UNKNOWN*", |i| i.name)
    }

    /// eseutil's 9-character name as the dump prints it (padded with blanks).
    pub fn padded_name(self) -> String {
        format!("{:<9}", self.name())
    }

    /// Microsoft's identifier without the `lrtyp` prefix, `None` for undefined bytes.
    pub fn ident(self) -> Option<&'static str> {
        self.info().map(|i| i.ident)
    }

    /// A defined type (< 102).
    pub fn is_defined(self) -> bool {
        self.0 < LRTYP_MAX
    }

    /// The LRIGNORED family (67-75, 82-91): skippable by its @1 `cb`.
    pub fn is_ignored_family(self) -> bool {
        matches!(self.0, 67..=75 | 82..=91)
    }

    /// `CbLGFixedSizeOfRec`, `None` for undefined bytes.
    pub fn fixed_size(self) -> Option<usize> {
        self.info().map(|i| i.fixed)
    }

    /// `CbLGSizeOfRec` of a type whose every record has the same size ([`SizeRule::Fixed`]:
    /// NOP, Begin, Commit, Checksum, ...), `None` for a type whose size depends on its length
    /// fields, has no rule, or is undefined. One lookup in a table built from [`TYPES`] at
    /// compile time: the walker and the decoder size most records with it instead of
    /// [`record_size`].
    #[inline]
    pub fn fixed_record_size(self) -> Option<usize> {
        match FIXED_RECORD_SIZE.get(usize::from(self.0)).copied() {
            Some(0) | None => None,
            Some(n) => Some(usize::from(n)),
        }
    }
}

/// [`LrType::fixed_record_size`] by type byte, 0 where there is none (no record is 0 bytes).
static FIXED_RECORD_SIZE: [u16; 256] = fixed_record_sizes();

const fn fixed_record_sizes() -> [u16; 256] {
    let mut out = [0u16; 256];
    // Row i of TYPES is type byte i (a test checks): it fills slot i.
    let mut rows: &[TypeInfo] = &TYPES;
    let mut slots: &mut [u16] = &mut out;
    while let ([row, more_rows @ ..], [slot, more_slots @ ..]) = (rows, slots) {
        if matches!(row.rule, SizeRule::Fixed) {
            *slot = row.fixed as u16; // at most 576 (Init2)
        }
        rows = more_rows;
        slots = more_slots;
    }
    out
}

impl fmt::Display for LrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (lrtyp {})", self.name(), self.0)
    }
}

/// Serialized as the type byte.
impl Serialize for LrType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

/// Why a record cannot be sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeError {
    /// The type byte is >= 102.
    TypeOutOfRange,
    /// The type has no size rule (`CbLGSizeOfRec` returns 0).
    NoSizeRule,
    /// Fewer bytes than the fixed part are there: `needed` (the fixed size), `available`.
    FixedPartShort {
        /// `CbLGFixedSizeOfRec`.
        needed: usize,
        /// Bytes there.
        available: usize,
    },
}

/// `CbLGSizeOfRec` for the record starting at `rec[0]`, reading only its fixed part (so `rec`
/// may be the record's first [`TypeInfo::fixed`] bytes, or everything up to the end of the
/// data). The result may exceed `rec.len()`; the caller checks it against the bytes there.
pub fn record_size(rec: &[u8]) -> Result<u64, SizeError> {
    let t = LrType(*rec.first().ok_or(SizeError::FixedPartShort { needed: 1, available: 0 })?);
    let info = t.info().ok_or(SizeError::TypeOutOfRange)?;
    if rec.len() < info.fixed {
        return Err(SizeError::FixedPartShort { needed: info.fixed, available: rec.len() });
    }
    let fixed = info.fixed as u64;
    let short = SizeError::FixedPartShort { needed: info.fixed, available: rec.len() };
    match info.rule {
        SizeRule::Fixed => Ok(fixed),
        SizeRule::None => Err(SizeError::NoSizeRule),
        SizeRule::Plus(fields) => {
            let mut size = fixed;
            for f in fields {
                size = size.saturating_add(f.read(rec).ok_or(short)?);
            }
            Ok(size)
        }
        SizeRule::CreateDb => {
            let cb_path = U16(40).read(rec).ok_or(short)?; // @40 mle_cbPath
            let flags = rec.get(42).copied().ok_or(short)?; // @42 m_fLRCreateDbFlags
            Ok(fixed + cb_path + if flags & 0x04 != 0 { 4 } else { 0 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_its_byte_and_names_fit_nine_columns() {
        for (i, row) in TYPES.iter().enumerate() {
            assert_eq!(usize::from(row.lrtyp.0), i);
            assert!(row.name.len() <= 9 && row.name == row.name.trim(), "{}", row.name);
            assert_eq!(row.lrtyp.padded_name().len(), 9);
        }
        assert_eq!(LrType(102).name(), "*UNKNOWN*");
        assert_eq!(LrType::FLAG_INSERT_AND_REPLACE_DATA.name(), "FInsertRD");
        assert_eq!(LrType::MACRO_COMMIT.padded_name(), "McroComit");
        assert_eq!(LrType::INIT2.padded_name(), "Init     ");
    }

    #[test]
    fn every_type_has_a_named_constant() {
        let named = [
            LrType::NOP,
            LrType::INIT,
            LrType::TERM,
            LrType::MS,
            LrType::END,
            LrType::BEGIN,
            LrType::COMMIT,
            LrType::ROLLBACK,
            LrType::BEGIN0,
            LrType::COMMIT0,
            LrType::REFRESH,
            LrType::MACRO_BEGIN,
            LrType::MACRO_COMMIT,
            LrType::MACRO_ABORT,
            LrType::CREATE_DB,
            LrType::ATTACH_DB,
            LrType::DETACH_DB,
            LrType::RECOVERY_UNDO,
            LrType::RECOVERY_QUIT,
            LrType::FULL_BACKUP,
            LrType::INC_BACKUP,
            LrType::JET_OP,
            LrType::TRACE,
            LrType::SHUTDOWN_MARK,
            LrType::CREATE_MULTIPLE_EXTENT_FDP,
            LrType::CREATE_SINGLE_EXTENT_FDP,
            LrType::CONVERT_FDP,
            LrType::SPLIT,
            LrType::MERGE,
            LrType::INSERT,
            LrType::FLAG_INSERT,
            LrType::FLAG_INSERT_AND_REPLACE_DATA,
            LrType::FLAG_DELETE,
            LrType::REPLACE,
            LrType::REPLACE_D,
            LrType::DELETE,
            LrType::UNDO_INFO,
            LrType::DELTA,
            LrType::SET_EXTERNAL_HEADER,
            LrType::UNDO,
            LrType::SLV_PAGE_APPEND,
            LrType::SLV_SPACE,
            LrType::CHECKSUM,
            LrType::SLV_PAGE_MOVE,
            LrType::FORCE_DETACH_DB,
            LrType::EXT_RESTORE,
            LrType::BACKUP,
            LrType::UPGRADE_DB,
            LrType::EMPTY_TREE,
            LrType::INIT2,
            LrType::TERM2,
            LrType::RECOVERY_UNDO2,
            LrType::RECOVERY_QUIT2,
            LrType::BEGIN_DT,
            LrType::PREP_COMMIT,
            LrType::PREP_ROLLBACK,
            LrType::DB_LIST,
            LrType::FORCE_WRITE_LOG,
            LrType::CONVERT_FDP2,
            LrType::EXT_RESTORE2,
            LrType::BACKUP2,
            LrType::FORCE_LOG_ROLLOVER,
            LrType::SPLIT2,
            LrType::MERGE2,
            LrType::SCRUB,
            LrType::PAGE_MOVE,
            LrType::PAGE_PATCH_REQUEST,
            LrType::MACRO_INFO,
            LrType::EXTEND_DB,
            LrType::COMMIT_CTX,
            LrType::SCAN_CHECK,
            LrType::NOP2,
            LrType::RE_ATTACH,
            LrType::MACRO_INFO2,
            LrType::FREE_FDP,
            LrType::IGNORED9,
            LrType::FRAGMENT_BEGIN,
            LrType::FRAGMENT,
            LrType::SHRINK_DB,
            LrType::CREATE_DB_FINISH,
            LrType::RECOVERY_QUIT_KEEP_ATTACHMENTS,
            LrType::TRIM_DB,
            LrType::IGNORED10,
            LrType::IGNORED11,
            LrType::IGNORED12,
            LrType::IGNORED13,
            LrType::IGNORED14,
            LrType::IGNORED15,
            LrType::IGNORED16,
            LrType::IGNORED17,
            LrType::IGNORED18,
            LrType::IGNORED19,
            LrType::SET_DB_VERSION,
            LrType::DELTA64,
            LrType::SHRINK_DB2,
            LrType::NEW_PAGE,
            LrType::ROOT_PAGE_MOVE,
            LrType::SIGNAL_ATTACH_DB,
            LrType::SCAN_CHECK2,
            LrType::SHRINK_DB3,
            LrType::EXTENT_FREED,
            LrType::EXTENT_FREED2,
        ];
        assert_eq!(named.iter().map(|t| usize::from(t.0)).collect::<Vec<_>>(), (0..102).collect::<Vec<_>>());
    }

    #[test]
    fn sizes_follow_the_length_fields() {
        // Insert: 50 + cbSuffix @44 + cbPrefix @46 + cbData @48.
        let mut r = [0u8; 50];
        r[0] = 29;
        r[44] = 3;
        r[46] = 4;
        r[48] = 5;
        assert_eq!(record_size(&r), Ok(62));
        // Replace: bit 15 of mle_cb is fDiff2, not length.
        let mut r = [0u8; 50];
        r[0] = 33;
        r[44..46].copy_from_slice(&0x8007u16.to_le_bytes());
        assert_eq!(record_size(&r), Ok(57));
        // CreateDB with VersionInfo.
        let mut r = [0u8; 43];
        r[0] = 14;
        r[40] = 10;
        r[42] = 0x0C;
        assert_eq!(record_size(&r), Ok(57));
        assert_eq!(record_size(&[55, 0, 0]), Err(SizeError::NoSizeRule));
        assert_eq!(record_size(&[102]), Err(SizeError::TypeOutOfRange));
        assert_eq!(record_size(&[29; 10]), Err(SizeError::FixedPartShort { needed: 50, available: 10 }));
        // A hostile u32 length is reported, never used to size anything here.
        assert_eq!(record_size(&[71, 0xFF, 0xFF, 0xFF, 0xFF]), Ok(5 + 0xFFFF_FFFF));
    }

    #[test]
    fn the_fixed_record_size_table_is_the_spec_whole_size_column() {
        // Oracle: the "whole size" column of the table in docs/log-records.md §2; a plain
        // number there is a type whose records all have that size.
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/log-records.md")).unwrap();
        let mut spec = [None; 256];
        for line in doc.lines().filter(|l| l.starts_with("| ")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if let (Ok(t), Some(Ok(whole))) = (cells[1].parse::<usize>(), cells.get(6).map(|c| c.parse::<usize>())) {
                spec[t] = (whole != 0).then_some(whole);
            }
        }
        assert_eq!(spec.iter().flatten().count(), 45, "rows with a plain whole size in §2");
        for t in 0..=255u8 {
            assert_eq!(LrType(t).fixed_record_size(), spec[usize::from(t)], "lrtyp {t}");
            // And the walker's shortcut gives what the full rule gives, whatever the bytes.
            for fill in [0u8, 0xFF] {
                let mut r = [fill; 600];
                r[0] = t;
                if let Some(n) = LrType(t).fixed_record_size() {
                    assert_eq!(record_size(&r), Ok(n as u64), "lrtyp {t}");
                }
            }
        }
        assert_eq!(LrType::NOP.fixed_record_size(), Some(1));
        assert_eq!(LrType::INSERT.fixed_record_size(), None);
    }
}
