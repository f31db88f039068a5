//! `DBFILEHDR`: the 748-byte database header (one copy).
//!
//! Sources: docs/format-database.md §1.2 (field table), §1.6 (streaming files), docs/output.md §10.2
//! (eseutil names).
//! This module only decodes; [`crate::db`] finds the two copies and validates them.

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

use crate::bytes::Fields;
use crate::error::Result;
use crate::primitives::{BkInfo, Lgpos, LgposTime, LogTime, Signature};

/// `ulDAEMagic`, the database magic at offset 4.
pub const DB_MAGIC: u32 = 0x89AB_CDEF;
/// `sizeof(DBFILEHDR)`.
pub const DB_HEADER_SIZE: usize = 748;
/// `le_ulVersion` of every database ESE97 and later can attach.
pub const DB_VERSION_ESE97: u32 = 0x620;

/// `le_dbstate` (docs/format-database.md §1.2 "Database states"); unknown values are kept.
#[doc(alias = "le_dbstate")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbState {
    /// 1 `JET_dbstateJustCreated`.
    JustCreated,
    /// 2 `JET_dbstateDirtyShutdown`.
    DirtyShutdown,
    /// 3 `JET_dbstateCleanShutdown`.
    CleanShutdown,
    /// 4 `JET_dbstateBeingConverted`.
    BeingConverted,
    /// 5 `JET_dbstateForceDetach`.
    ForceDetach,
    /// 6 `JET_dbstateIncrementalReseedInProgress`.
    IncrementalReseedInProgress,
    /// 7 `JET_dbstateDirtyAndPatchedShutdown`.
    DirtyAndPatchedShutdown,
    /// 8 `JET_dbstateRevertInProgress`.
    RevertInProgress,
    /// 0 (header never initialised) or a value no engine defines.
    Other(u32),
}

impl DbState {
    /// Decodes the raw `le_dbstate`.
    pub fn from_code(code: u32) -> Self {
        match code {
            1 => Self::JustCreated,
            2 => Self::DirtyShutdown,
            3 => Self::CleanShutdown,
            4 => Self::BeingConverted,
            5 => Self::ForceDetach,
            6 => Self::IncrementalReseedInProgress,
            7 => Self::DirtyAndPatchedShutdown,
            8 => Self::RevertInProgress,
            other => Self::Other(other),
        }
    }

    /// The raw number.
    pub fn code(&self) -> u32 {
        match self {
            Self::JustCreated => 1,
            Self::DirtyShutdown => 2,
            Self::CleanShutdown => 3,
            Self::BeingConverted => 4,
            Self::ForceDetach => 5,
            Self::IncrementalReseedInProgress => 6,
            Self::DirtyAndPatchedShutdown => 7,
            Self::RevertInProgress => 8,
            Self::Other(c) => *c,
        }
    }

    /// The JSON name (`clean_shutdown`, ...; `illegal` for 0 and unknown values).
    pub fn name(&self) -> &'static str {
        match self {
            Self::JustCreated => "just_created",
            Self::DirtyShutdown => "dirty_shutdown",
            Self::CleanShutdown => "clean_shutdown",
            Self::BeingConverted => "being_converted",
            Self::ForceDetach => "force_detach",
            Self::IncrementalReseedInProgress => "incremental_reseed_in_progress",
            Self::DirtyAndPatchedShutdown => "dirty_and_patched_shutdown",
            Self::RevertInProgress => "revert_in_progress",
            Self::Other(_) => "illegal",
        }
    }

    /// The text the current eseutil prints after `State:` (`SzFromState`): state 5 has no case
    /// there and prints `Illegal`, like 0 and unknown values.
    pub fn eseutil(&self) -> &'static str {
        match self {
            Self::JustCreated => "Just Created",
            Self::DirtyShutdown => "Dirty Shutdown",
            Self::CleanShutdown => "Clean Shutdown",
            Self::BeingConverted => "Being Converted",
            Self::IncrementalReseedInProgress => "Incremental Reseed In Progress",
            Self::DirtyAndPatchedShutdown => "Dirty and Patched Shutdown",
            Self::RevertInProgress => "Database Revert in Progress",
            Self::ForceDetach | Self::Other(_) => "Illegal",
        }
    }

    /// Whether the value is one the engine defines (1-8).
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }
}

/// Serialized (flattened into its parent) as two keys: `state` (name) and `state_code` (number).
impl Serialize for DbState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("DbState", 2)?;
        st.serialize_field("state", self.name())?;
        st.serialize_field("state_code", &self.code())?;
        st.end()
    }
}

/// `BKINFOTYPE` of a backup record (docs/format-database.md §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackupType {
    /// 0 `backupNormal`.
    Normal,
    /// 1 `backupOSSnapshot`.
    OsSnapshot,
    /// 2 `backupSnapshot`.
    Snapshot,
    /// 3 `backupSurrogate` (should never be persisted).
    Surrogate,
    /// Anything else.
    Other(u32),
}

impl BackupType {
    /// Decodes the raw value.
    pub fn from_code(code: u32) -> Self {
        match code {
            0 => Self::Normal,
            1 => Self::OsSnapshot,
            2 => Self::Snapshot,
            3 => Self::Surrogate,
            other => Self::Other(other),
        }
    }

    /// The raw value.
    pub fn code(&self) -> u32 {
        match self {
            Self::Normal => 0,
            Self::OsSnapshot => 1,
            Self::Snapshot => 2,
            Self::Surrogate => 3,
            Self::Other(c) => *c,
        }
    }

    /// The suffix eseutil appends to a backup block's `Log Gen:` line.
    pub fn eseutil_suffix(&self) -> &'static str {
        match self {
            Self::Normal => "",
            Self::OsSnapshot => " - OSSnapshot",
            Self::Snapshot => " - Snapshot",
            Self::Surrogate | Self::Other(_) => " - UNKNOWN",
        }
    }
}

impl Serialize for BackupType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Self::Normal => "normal",
            Self::OsSnapshot => "os_snapshot",
            Self::Snapshot => "snapshot",
            Self::Surrogate => "surrogate",
            Self::Other(_) => "unknown",
        })
    }
}

/// One backup record with its type where the header keeps one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Backup {
    /// The `BKINFO`.
    #[serde(flatten)]
    pub info: BkInfo,
    /// Its `bkinfoType*`, for the four "previous" records.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<BackupType>,
}

/// The six backup records, in eseutil's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Backups {
    /// `bkinfoFullPrev` @0x088, type `bkinfoTypeFullPrev` @0x164.
    pub previous_full: Backup,
    /// `bkinfoIncPrev` @0x0A0, type `bkinfoTypeIncPrev` @0x168.
    pub previous_incremental: Backup,
    /// `bkinfoCopyPrev` @0x1A4, type `bkinfoTypeCopyPrev` @0x1D4.
    pub previous_copy: Backup,
    /// `bkinfoDiffPrev` @0x1BC, type `bkinfoTypeDiffPrev` @0x1D8.
    pub previous_differential: Backup,
    /// `bkinfoFullCur` @0x0B8 (a full backup in progress).
    pub current_full: Backup,
    /// `bkinfoSnapshotCur` @0x13C (a shadow-copy backup in progress).
    pub current_snapshot: Backup,
}

/// Database format version (`DbVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FormatVersion {
    /// `le_ulVersion` @0x008 (0x620 for every ESE97-and-later database).
    pub major: u32,
    /// `le_ulDaeUpdateMajor` @0x0E8.
    pub update_major: u32,
    /// `le_ulDaeUpdateMinor` @0x284 (0 before EFV 8940).
    pub update_minor: u32,
    /// `le_efvMaxBinAttachDiagnostic` @0x288: highest engine format version that attached it.
    pub attached_by_efv: u32,
}

/// The version the database was created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CreateVersion {
    /// `le_ulCreateVersion` @0x154.
    pub major: u32,
    /// `le_ulCreateUpdate` @0x158.
    pub update: u32,
}

/// OS version that last wrote the header (for sort-order tracking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct OsVersion {
    /// `le_dwMajorVersion` @0x0D8.
    pub major: u32,
    /// `le_dwMinorVersion` @0x0DC.
    pub minor: u32,
    /// `le_dwBuildNumber` @0x0E0.
    pub build: u32,
    /// `le_lSPNumber` @0x0E4 (31 bits used).
    pub service_pack: i32,
    /// `le_qwSortVersion` @0x1FC (deprecated NLS version; all ones = MSysLocales in use).
    pub sort_version: u64,
}

/// `le_lGenMinRequired` .. `le_lGenMaxRequired`: what eseutil calls "Log Required".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LogRequired {
    /// `le_lGenMinRequired` @0x128.
    pub min: i32,
    /// `le_lGenMaxRequired` @0x12C.
    pub max: i32,
    /// `le_lGenPreRedoMinRequired` @0x2AC (0 if not overridden).
    pub min_pre_redo: i32,
    /// `logtimeGenMaxRequired` @0x2A0: creation time of the genMax log (EFV 9260 and later).
    pub max_creation_time: LogTime,
}

/// `le_lGenMinConsistent` and its pre-redo override: what eseutil calls "Log Consistent".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LogConsistent {
    /// `le_lGenMinConsistent` @0x280.
    pub min: i32,
    /// `le_lGenPreRedoMinConsistent` @0x2A8.
    pub min_pre_redo: i32,
}

/// A counter the header keeps with the time of its last increment and its value before the
/// last repair or defragmentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Counter {
    /// The count.
    pub count: u32,
    /// Time of the last event.
    pub last_time: LogTime,
    /// The count before the last repair or defragmentation.
    pub count_old: u32,
}

/// Database-maintenance (checksum scan) progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DbMaintenance {
    /// `logtimeDbscanPrev` @0x204: last scan finish.
    pub last_finish: LogTime,
    /// `logtimeDbscanStart` @0x20C: current scan start.
    pub current_start: LogTime,
    /// `le_pgnoDbscanHighestContinuous` @0x214.
    pub highest_continuous_page: u32,
    /// `le_pgnoDbscanHighest` @0x28C.
    pub highest_page: u32,
}

/// Revert-snapshot bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Revert {
    /// `le_ulRevertCount` @0x2CC.
    pub count: u32,
    /// `logtimeRevertFrom` @0x2D0.
    pub from_time: LogTime,
    /// `logtimeRevertTo` @0x2D8.
    pub to_time: LogTime,
    /// `le_ulRevertPageCount` @0x2E0.
    pub page_count: u32,
    /// `le_lgposCommitBeforeRevert` @0x2E4.
    pub last_commit_before_revert: Lgpos,
}

/// Upgrade bookkeeping (`le_cpgUpgrade*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Upgrade {
    /// `le_cpgUpgrade55Format` @0x130.
    pub cpg_upgrade_55_format: i32,
    /// `le_cpgUpgradeFreePages` @0x134.
    pub cpg_upgrade_free_pages: i32,
    /// `le_cpgUpgradeSpaceMapPages` @0x138.
    pub cpg_upgrade_space_map_pages: i32,
}

/// `m_ulDbFlags` @0x0D0, all bits kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DbFlags(pub u32);

impl DbFlags {
    /// Byte 0 bit 0x01: shadowing disabled (eseutil `Shadowed: No`).
    pub fn shadowing_disabled(&self) -> bool {
        self.0 & 0x0000_0001 != 0
    }
    /// Byte 0 bit 0x02: upgrade database.
    pub fn upgrade_db(&self) -> bool {
        self.0 & 0x0000_0002 != 0
    }
    /// Byte 0 bit 0x04: a streaming (SLV) file exists (obsolete).
    pub fn slv_exists(&self) -> bool {
        self.0 & 0x0000_0004 != 0
    }
    /// Byte 3 bit 0x01: attached by ESENT (Windows).
    pub fn esent_attached(&self) -> bool {
        self.0 & 0x0100_0000 != 0
    }
    /// Byte 3 bit 0x02: attached by ESE (Exchange).
    pub fn ese_attached(&self) -> bool {
        self.0 & 0x0200_0000 != 0
    }
    /// Byte 3 bit 0x04: attached by a private build.
    pub fn private_build(&self) -> bool {
        self.0 & 0x0400_0000 != 0
    }
    /// Byte 3 bit 0x08: external-extent-cache build option.
    pub fn external_extent_cache(&self) -> bool {
        self.0 & 0x0800_0000 != 0
    }
}

impl Serialize for DbFlags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("DbFlags", 8)?;
        st.serialize_field("raw", &self.0)?;
        st.serialize_field("shadowing_disabled", &self.shadowing_disabled())?;
        st.serialize_field("upgrade_db", &self.upgrade_db())?;
        st.serialize_field("slv_exists", &self.slv_exists())?;
        st.serialize_field("esent_attached", &self.esent_attached())?;
        st.serialize_field("ese_attached", &self.ese_attached())?;
        st.serialize_field("private_build", &self.private_build())?;
        st.serialize_field("external_extent_cache", &self.external_extent_cache())?;
        st.end()
    }
}

/// One decoded copy of `DBFILEHDR` (docs/format-database.md §1.2), every field typed.
///
/// Decoding needs 748 bytes and nothing else: no checksum, magic or version is checked here, so
/// a damaged header can still be shown. Validation is [`crate::db::read_database_header`].
#[doc(alias = "DBFILEHDR")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbFileHeader {
    /// `le_ulChecksum` @0x000 (reported under `header` in JSON).
    #[serde(skip)]
    pub checksum: u32,
    /// `le_ulMagic` @0x004; 0x89ABCDEF.
    pub magic: u32,
    /// `le_ulVersion` @0x008, `le_ulDaeUpdateMajor` @0x0E8, `le_ulDaeUpdateMinor` @0x284.
    pub format_version: FormatVersion,
    /// `le_attrib` @0x00C: 0 database, 1 (obsolete `attribSLV`) streaming file.
    pub attrib: i32,
    /// `le_dbtimeDirtied` @0x010.
    #[doc(alias = "le_dbtimeDirtied")]
    pub dbtime: u64,
    /// `signDb` @0x018.
    #[doc(alias = "signDb")]
    pub db_signature: Signature,
    /// `le_dbstate` @0x034.
    #[serde(flatten)]
    pub state: DbState,
    /// `le_lgposConsistent` @0x038 and `logtimeConsistent` @0x040 ("Last Consistent").
    #[doc(alias = "le_lgposConsistent")]
    pub last_consistent: LgposTime,
    /// `le_lgposAttach` @0x050 and `logtimeAttach` @0x048 ("Last Attach").
    pub last_attach: LgposTime,
    /// `le_lgposDetach` @0x060 and `logtimeDetach` @0x058 ("Last Detach").
    pub last_detach: LgposTime,
    /// `le_dbid` @0x068 (eseutil prints it as a signed 16-bit number).
    pub dbid: u32,
    /// `signLog` @0x06C: the log stream the database belongs to.
    #[doc(alias = "signLog")]
    pub log_signature: Signature,
    /// The six `BKINFO` records.
    pub backup: Backups,
    /// `m_ulDbFlags` @0x0D0.
    pub db_flags: DbFlags,
    /// `le_objidLast` @0x0D4.
    pub objid_last: u32,
    /// `le_dwMajorVersion` .. `le_lSPNumber` @0x0D8-0x0E7 and `le_qwSortVersion` @0x1FC.
    pub os_version: OsVersion,
    /// `le_cbPageSize` @0x0EC as stored (0 means 4096).
    #[doc(alias = "le_cbPageSize")]
    pub page_size_field: u32,
    /// `le_ulRepairCount` @0x0F0.
    pub repair_count: u32,
    /// `logtimeRepair` @0x0F4.
    pub repair_time: LogTime,
    /// `le_ulRepairCountOld` @0x16C.
    pub repair_count_old: u32,
    /// `rgbReservedSignSLV` @0x0FC: the streaming file's signature in SLV-era databases.
    pub streaming_file_signature: Signature,
    /// `le_dbtimeLastScrub` @0x118.
    pub scrub_dbtime: u64,
    /// `logtimeScrub` @0x120.
    pub scrub_time: LogTime,
    /// `le_lGenMinRequired` @0x128, `le_lGenMaxRequired` @0x12C ("Log Required").
    #[doc(alias = "le_lGenMinRequired")]
    pub log_required: LogRequired,
    /// `le_cpgUpgrade55Format` .. @0x130-0x13B.
    pub upgrade: Upgrade,
    /// `le_ulCreateVersion` @0x154, `le_ulCreateUpdate` @0x158.
    pub create_version: CreateVersion,
    /// `le_lGenMaxCommitted` @0x1A0 ("Log Committed").
    #[doc(alias = "le_lGenMaxCommitted")]
    pub log_committed: i32,
    /// `logtimeGenMaxCreate` @0x15C ("Gen. Max. Com. Creation Time").
    pub log_committed_creation_time: LogTime,
    /// `le_ulECCFixSuccess` @0x170, `logtimeECCFixSuccess` @0x174, `..Old` @0x17C.
    pub ecc_fix_success: Counter,
    /// `le_ulECCFixFail` @0x180, `logtimeECCFixFail` @0x184, `..Old` @0x18C.
    pub ecc_fix_fail: Counter,
    /// `le_ulBadChecksum` @0x190, `logtimeBadChecksum` @0x194, `..Old` @0x19C.
    pub bad_checksum: Counter,
    /// `le_ulIncrementalReseedCount` @0x1DC, time @0x1E0, old @0x1E8.
    pub incremental_reseed: Counter,
    /// `le_ulPagePatchCount` @0x1EC, time @0x1F0, old @0x1F8.
    pub page_patch: Counter,
    /// Database maintenance (`logtimeDbscanPrev` @0x204 ...).
    pub db_maintenance: DbMaintenance,
    /// `le_lGenRecovering` @0x218 ("Log Recovering").
    pub log_recovering: i32,
    /// `le_ulExtendCount` @0x21C.
    pub extend_count: u32,
    /// `logtimeLastExtend` @0x220.
    pub last_extend_time: LogTime,
    /// `le_ulShrinkCount` @0x228.
    pub shrink_count: u32,
    /// `logtimeLastShrink` @0x22C.
    pub last_shrink_time: LogTime,
    /// `le_lgposLastReAttach` @0x23C and `logtimeLastReAttach` @0x234 ("Last ReAttach").
    pub last_reattach: LgposTime,
    /// `le_ulTrimCount` @0x244.
    pub trim_count: u32,
    /// `signDbHdrFlush` @0x248.
    pub db_header_flush_signature: Signature,
    /// `signFlushMapHdrFlush` @0x264.
    pub flush_map_header_flush_signature: Signature,
    /// `le_lGenMinConsistent` @0x280, `le_lGenPreRedoMinConsistent` @0x2A8 ("Log Consistent").
    pub log_consistent: LogConsistent,
    /// `le_lgposLastResize` @0x290 ("Last Resize").
    pub last_resize: Lgpos,
    /// `le_filetype` @0x29B: 1 database, 2 streaming file, 5 temp database, 0 old format.
    #[doc(alias = "le_filetype")]
    pub file_type: u32,
    /// `signRBSHdrFlush` @0x2B0.
    pub rbs_header_flush_signature: Signature,
    /// Revert counters @0x2CC-0x2EB.
    pub revert: Revert,
}

impl DbFileHeader {
    /// Decodes one header copy. `buf` starts at the copy; `base` is its absolute file offset
    /// (for error messages). Fails only when `buf` is shorter than the 748-byte structure.
    pub fn decode(buf: &[u8], base: u64) -> Result<Self> {
        let f = Fields::new(buf, base);
        // Touch the last byte first, so a short buffer fails naming the field that runs out.
        f.bytes(0, DB_HEADER_SIZE, "DBFILEHDR (748 bytes)")?;
        let counter = |count: usize, time: usize, old: usize, n: [&'static str; 3]| -> Result<Counter> {
            Ok(Counter { count: f.u32(count, n[0])?, last_time: f.logtime(time, n[1])?, count_old: f.u32(old, n[2])? })
        };
        let backup = |at: usize, name: &'static str, kind: Option<(usize, &'static str)>| -> Result<Backup> {
            Ok(Backup {
                info: f.bkinfo(at, name)?,
                kind: match kind {
                    Some((off, n)) => Some(BackupType::from_code(f.u32(off, n)?)),
                    None => None,
                },
            })
        };
        Ok(Self {
            checksum: f.u32(0x000, "le_ulChecksum")?,
            magic: f.u32(0x004, "le_ulMagic")?,
            format_version: FormatVersion {
                major: f.u32(0x008, "le_ulVersion")?,
                update_major: f.u32(0x0E8, "le_ulDaeUpdateMajor")?,
                update_minor: f.u32(0x284, "le_ulDaeUpdateMinor")?,
                attached_by_efv: f.u32(0x288, "le_efvMaxBinAttachDiagnostic")?,
            },
            attrib: f.i32(0x00C, "le_attrib")?,
            dbtime: f.u64(0x010, "le_dbtimeDirtied")?,
            db_signature: f.signature(0x018, "signDb")?,
            state: DbState::from_code(f.u32(0x034, "le_dbstate")?),
            last_consistent: LgposTime {
                lgpos: f.lgpos(0x038, "le_lgposConsistent")?,
                time: f.logtime(0x040, "logtimeConsistent")?,
            },
            last_attach: LgposTime {
                time: f.logtime(0x048, "logtimeAttach")?,
                lgpos: f.lgpos(0x050, "le_lgposAttach")?,
            },
            last_detach: LgposTime {
                time: f.logtime(0x058, "logtimeDetach")?,
                lgpos: f.lgpos(0x060, "le_lgposDetach")?,
            },
            dbid: f.u32(0x068, "le_dbid")?,
            log_signature: f.signature(0x06C, "signLog")?,
            backup: Backups {
                previous_full: backup(0x088, "bkinfoFullPrev", Some((0x164, "bkinfoTypeFullPrev")))?,
                previous_incremental: backup(0x0A0, "bkinfoIncPrev", Some((0x168, "bkinfoTypeIncPrev")))?,
                current_full: backup(0x0B8, "bkinfoFullCur", None)?,
                current_snapshot: backup(0x13C, "bkinfoSnapshotCur", None)?,
                previous_copy: backup(0x1A4, "bkinfoCopyPrev", Some((0x1D4, "bkinfoTypeCopyPrev")))?,
                previous_differential: backup(0x1BC, "bkinfoDiffPrev", Some((0x1D8, "bkinfoTypeDiffPrev")))?,
            },
            db_flags: DbFlags(f.u32(0x0D0, "m_ulDbFlags")?),
            objid_last: f.u32(0x0D4, "le_objidLast")?,
            os_version: OsVersion {
                major: f.u32(0x0D8, "le_dwMajorVersion")?,
                minor: f.u32(0x0DC, "le_dwMinorVersion")?,
                build: f.u32(0x0E0, "le_dwBuildNumber")?,
                service_pack: f.i32(0x0E4, "le_lSPNumber")?,
                sort_version: f.u64(0x1FC, "le_qwSortVersion")?,
            },
            page_size_field: f.u32(0x0EC, "le_cbPageSize")?,
            repair_count: f.u32(0x0F0, "le_ulRepairCount")?,
            repair_time: f.logtime(0x0F4, "logtimeRepair")?,
            streaming_file_signature: f.signature(0x0FC, "rgbReservedSignSLV")?,
            scrub_dbtime: f.u64(0x118, "le_dbtimeLastScrub")?,
            scrub_time: f.logtime(0x120, "logtimeScrub")?,
            log_required: LogRequired {
                min: f.i32(0x128, "le_lGenMinRequired")?,
                max: f.i32(0x12C, "le_lGenMaxRequired")?,
                min_pre_redo: f.i32(0x2AC, "le_lGenPreRedoMinRequired")?,
                max_creation_time: f.logtime(0x2A0, "logtimeGenMaxRequired")?,
            },
            upgrade: Upgrade {
                cpg_upgrade_55_format: f.i32(0x130, "le_cpgUpgrade55Format")?,
                cpg_upgrade_free_pages: f.i32(0x134, "le_cpgUpgradeFreePages")?,
                cpg_upgrade_space_map_pages: f.i32(0x138, "le_cpgUpgradeSpaceMapPages")?,
            },
            create_version: CreateVersion {
                major: f.u32(0x154, "le_ulCreateVersion")?,
                update: f.u32(0x158, "le_ulCreateUpdate")?,
            },
            log_committed_creation_time: f.logtime(0x15C, "logtimeGenMaxCreate")?,
            repair_count_old: f.u32(0x16C, "le_ulRepairCountOld")?,
            ecc_fix_success: counter(
                0x170,
                0x174,
                0x17C,
                ["le_ulECCFixSuccess", "logtimeECCFixSuccess", "le_ulECCFixSuccessOld"],
            )?,
            ecc_fix_fail: counter(0x180, 0x184, 0x18C, ["le_ulECCFixFail", "logtimeECCFixFail", "le_ulECCFixFailOld"])?,
            bad_checksum: counter(
                0x190,
                0x194,
                0x19C,
                ["le_ulBadChecksum", "logtimeBadChecksum", "le_ulBadChecksumOld"],
            )?,
            log_committed: f.i32(0x1A0, "le_lGenMaxCommitted")?,
            incremental_reseed: counter(
                0x1DC,
                0x1E0,
                0x1E8,
                ["le_ulIncrementalReseedCount", "logtimeIncrementalReseed", "le_ulIncrementalReseedCountOld"],
            )?,
            page_patch: counter(
                0x1EC,
                0x1F0,
                0x1F8,
                ["le_ulPagePatchCount", "logtimePagePatch", "le_ulPagePatchCountOld"],
            )?,
            db_maintenance: DbMaintenance {
                last_finish: f.logtime(0x204, "logtimeDbscanPrev")?,
                current_start: f.logtime(0x20C, "logtimeDbscanStart")?,
                highest_continuous_page: f.u32(0x214, "le_pgnoDbscanHighestContinuous")?,
                highest_page: f.u32(0x28C, "le_pgnoDbscanHighest")?,
            },
            log_recovering: f.i32(0x218, "le_lGenRecovering")?,
            extend_count: f.u32(0x21C, "le_ulExtendCount")?,
            last_extend_time: f.logtime(0x220, "logtimeLastExtend")?,
            shrink_count: f.u32(0x228, "le_ulShrinkCount")?,
            last_shrink_time: f.logtime(0x22C, "logtimeLastShrink")?,
            last_reattach: LgposTime {
                time: f.logtime(0x234, "logtimeLastReAttach")?,
                lgpos: f.lgpos(0x23C, "le_lgposLastReAttach")?,
            },
            trim_count: f.u32(0x244, "le_ulTrimCount")?,
            db_header_flush_signature: f.signature(0x248, "signDbHdrFlush")?,
            flush_map_header_flush_signature: f.signature(0x264, "signFlushMapHdrFlush")?,
            log_consistent: LogConsistent {
                min: f.i32(0x280, "le_lGenMinConsistent")?,
                min_pre_redo: f.i32(0x2A8, "le_lGenPreRedoMinConsistent")?,
            },
            last_resize: f.lgpos(0x290, "le_lgposLastResize")?,
            file_type: f.u32(0x29B, "le_filetype")?,
            rbs_header_flush_signature: f.signature(0x2B0, "signRBSHdrFlush")?,
            revert: Revert {
                count: f.u32(0x2CC, "le_ulRevertCount")?,
                from_time: f.logtime(0x2D0, "logtimeRevertFrom")?,
                to_time: f.logtime(0x2D8, "logtimeRevertTo")?,
                page_count: f.u32(0x2E0, "le_ulRevertPageCount")?,
                last_commit_before_revert: f.lgpos(0x2E4, "le_lgposCommitBeforeRevert")?,
            },
        })
    }

    /// `le_cbPageSize` resolved: 0 means 4096.
    pub fn page_size(&self) -> u32 {
        if self.page_size_field == 0 {
            4096
        } else {
            self.page_size_field
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    /// A header with a distinct value in every field, so a wrong offset shows up.
    fn sample() -> Vec<u8> {
        let mut b = vec![0u8; DB_HEADER_SIZE];
        let put = |b: &mut Vec<u8>, off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
        put(&mut b, 0x004, &DB_MAGIC.to_le_bytes());
        put(&mut b, 0x008, &0x620u32.to_le_bytes());
        put(&mut b, 0x010, &0x1122_3344_5566_7788u64.to_le_bytes());
        put(&mut b, 0x018, &0xAABB_CCDDu32.to_le_bytes());
        put(&mut b, 0x034, &2u32.to_le_bytes());
        put(&mut b, 0x038, &[0x36, 0, 0x07, 0, 0x5C, 0, 0, 0]);
        put(&mut b, 0x0E8, &200u32.to_le_bytes());
        put(&mut b, 0x0EC, &8192u32.to_le_bytes());
        put(&mut b, 0x128, &92i32.to_le_bytes());
        put(&mut b, 0x12C, &93i32.to_le_bytes());
        put(&mut b, 0x1A0, &94i32.to_le_bytes());
        put(&mut b, 0x284, &440u32.to_le_bytes());
        put(&mut b, 0x29B, &1u32.to_le_bytes());
        put(&mut b, 0x2E4, &[1, 0, 2, 0, 3, 0, 0, 0]);
        b
    }

    #[test]
    fn decodes_fields_at_their_offsets() {
        let h = DbFileHeader::decode(&sample(), 0).unwrap();
        assert_eq!(h.magic, DB_MAGIC);
        assert_eq!(h.format_version.major, 0x620);
        assert_eq!(h.format_version.update_major, 200);
        assert_eq!(h.format_version.update_minor, 440);
        assert_eq!(h.dbtime, 0x1122_3344_5566_7788);
        assert_eq!(h.db_signature.random, 0xAABB_CCDD);
        assert_eq!(h.state, DbState::DirtyShutdown);
        assert_eq!(h.last_consistent.lgpos, Lgpos { generation: 0x5C, isec: 7, ib: 0x36 });
        assert_eq!(h.page_size(), 8192);
        assert_eq!((h.log_required.min, h.log_required.max, h.log_committed), (92, 93, 94));
        assert_eq!(h.file_type, 1);
        assert_eq!(h.revert.last_commit_before_revert, Lgpos { generation: 3, isec: 2, ib: 1 });
    }

    #[test]
    fn consumes_exactly_748_bytes() {
        assert!(DbFileHeader::decode(&sample(), 0).is_ok());
        let err = DbFileHeader::decode(&sample()[..DB_HEADER_SIZE - 1], 0x1000).unwrap_err();
        assert_eq!(
            err,
            Error::Truncated { field: "DBFILEHDR (748 bytes)", offset: 0x1000, needed: 748, end: 0x1000 + 747 }
        );
    }

    #[test]
    fn page_size_zero_means_4096() {
        let mut b = sample();
        b[0x0EC..0x0F0].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(DbFileHeader::decode(&b, 0).unwrap().page_size(), 4096);
    }

    #[test]
    fn states_round_trip_and_keep_unknown_values() {
        for code in 0..12 {
            assert_eq!(DbState::from_code(code).code(), code);
        }
        assert_eq!(DbState::from_code(5).eseutil(), "Illegal");
        assert_eq!(DbState::from_code(42).name(), "illegal");
        assert!(!DbState::from_code(0).is_known());
    }
}
