//! `CHECKPOINT`: the checkpoint file (`E00.chk`, `edb.chk`, `<base>.jcp`).
//!
//! Sources: docs/format-checkpoint.md §5. Two 4096-byte copies (primary at 0, shadow at 4096), each
//! with the legacy XOR-32 checksum; the reader falls back to the shadow like the engine.

use serde::{Serialize, Serializer};

use crate::bytes::Fields;
use crate::checksum::xor32_legacy;
use crate::db::{Copy, CopyStatus};
use crate::error::{Error, Result};
use crate::findings::{Finding, Severity};
use crate::log::attach::{parse_attach_list, AttachInfo, ATTACH_AREA_SIZE};
use crate::log::dbms_param::{DbmsParam, DbmsSizes};
use crate::primitives::{Lgpos, LogTime, Signature};

/// Size of one checkpoint copy.
pub const CHECKPOINT_COPY_SIZE: usize = 4096;
/// Size of a checkpoint file: two copies.
pub const CHECKPOINT_FILE_SIZE: usize = 2 * CHECKPOINT_COPY_SIZE;
/// Offset of `rgbAttach`.
pub const OFFSET_ATTACH: usize = 679;
/// `fCheckpointAttachInfoPresent`.
pub const FLAG_ATTACH_INFO_PRESENT: u8 = 0x01;

/// One decoded copy of `CHECKPOINT` (docs/format-checkpoint.md §5).
#[doc(alias = "CHECKPOINT")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointFields {
    /// `le_ulChecksum` @0x000.
    pub checksum: u32,
    /// `le_lgposLastFullBackupCheckpoint` @0x004.
    pub last_full_backup_checkpoint: Lgpos,
    /// `le_lgposCheckpoint` @0x00C: the checkpoint.
    #[doc(alias = "le_lgposCheckpoint")]
    pub checkpoint: Lgpos,
    /// `signLog` @0x014.
    pub log_signature: Signature,
    /// `dbms_param` @0x030.
    pub dbms_param: DbmsParam,
    /// `le_lgposFullBackup` @0x267.
    pub full_backup: Lgpos,
    /// `logtimeFullBackup` @0x26F.
    pub full_backup_time: LogTime,
    /// `le_lgposIncBackup` @0x277.
    pub incremental_backup: Lgpos,
    /// `logtimeIncBackup` @0x27F.
    pub incremental_backup_time: LogTime,
    /// `fVersion` @0x287.
    pub version_flags: u8,
    /// `le_lgposDbConsistency` @0x288 as stored (all zero: the reader substitutes the checkpoint).
    pub db_consistency_raw: Lgpos,
    /// `le_filetype` @0x29B: 4, or 0 in old files.
    pub file_type: u32,
    /// `rgbAttach` @0x2A7.
    pub attached: Vec<AttachInfo>,
    /// The attach list ran past its 2048 bytes.
    pub attach_error: Option<Error>,
}

impl CheckpointFields {
    /// Decodes one 4096-byte copy (`base` is its absolute offset).
    pub fn decode(buf: &[u8], base: u64) -> Result<Self> {
        let f = Fields::new(buf, base);
        f.bytes(0, OFFSET_ATTACH + ATTACH_AREA_SIZE, "CHECKPOINT fixed part and rgbAttach (2727 bytes)")?;
        let (attached, attach_error) = parse_attach_list(
            f.bytes(OFFSET_ATTACH, ATTACH_AREA_SIZE, "rgbAttach")?,
            base.saturating_add(OFFSET_ATTACH as u64),
        );
        Ok(Self {
            checksum: f.u32(0x000, "le_ulChecksum")?,
            last_full_backup_checkpoint: f.lgpos(0x004, "le_lgposLastFullBackupCheckpoint")?,
            checkpoint: f.lgpos(0x00C, "le_lgposCheckpoint")?,
            log_signature: f.signature(0x014, "signLog")?,
            dbms_param: DbmsParam::decode(&f, 0x030)?,
            full_backup: f.lgpos(0x267, "le_lgposFullBackup")?,
            full_backup_time: f.logtime(0x26F, "logtimeFullBackup")?,
            incremental_backup: f.lgpos(0x277, "le_lgposIncBackup")?,
            incremental_backup_time: f.logtime(0x27F, "logtimeIncBackup")?,
            version_flags: f.u8(0x287, "fVersion")?,
            db_consistency_raw: f.lgpos(0x288, "le_lgposDbConsistency")?,
            file_type: f.u32(0x29B, "le_filetype")?,
            attached,
            attach_error,
        })
    }

    /// The DB consistency point: `le_lgposDbConsistency`, or the checkpoint when it is zero (as
    /// the engine reads it).
    pub fn db_consistency(&self) -> Lgpos {
        if self.db_consistency_raw.is_zero() {
            self.checkpoint
        } else {
            self.db_consistency_raw
        }
    }

    /// `fCheckpointAttachInfoPresent`.
    pub fn attach_info_present(&self) -> bool {
        self.version_flags & FLAG_ATTACH_INFO_PRESENT != 0
    }
}

/// One copy of the checkpoint as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointCopy {
    /// Which copy.
    pub which: Copy,
    /// The verdict.
    pub status: CopyStatus,
    /// `le_ulChecksum`, when its four bytes are there.
    pub stored_checksum: Option<u32>,
    /// The checksum over the 4096 bytes, when they are all there.
    pub computed_checksum: Option<u32>,
    /// The decoded fields, when the 2727 bytes are there (even if the checksum is wrong).
    pub fields: Option<CheckpointFields>,
}

/// A checkpoint file read and validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The primary copy at offset 0.
    pub primary: CheckpointCopy,
    /// The shadow copy at offset 4096.
    pub shadow: CheckpointCopy,
    /// The copy in use: the primary if valid, else the shadow if valid.
    pub used: Option<Copy>,
    /// Both copies whole and byte-identical.
    pub identical: bool,
    /// The file's size.
    pub file_len: u64,
    /// What validation noticed, most serious first.
    pub findings: Vec<Finding>,
}

impl Checkpoint {
    /// The validated fields, if a copy is valid.
    pub fn fields(&self) -> Option<&CheckpointFields> {
        match self.used? {
            Copy::Primary => self.primary.fields.as_ref(),
            Copy::Shadow => self.shadow.fields.as_ref(),
        }
    }

    /// Whether a copy is valid.
    pub fn is_valid(&self) -> bool {
        self.used.is_some()
    }

    /// No finding of severity error.
    pub fn is_sound(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

fn examine(buf: &[u8], which: Copy) -> CheckpointCopy {
    let offset = if which == Copy::Primary { 0 } else { CHECKPOINT_COPY_SIZE };
    let region = buf.get(offset..).unwrap_or(&[]);
    let stored_checksum = Fields::new(region, offset as u64).u32(0, "le_ulChecksum").ok();
    let computed_checksum =
        region.get(..CHECKPOINT_COPY_SIZE).filter(|p| p.len() == CHECKPOINT_COPY_SIZE).map(xor32_legacy);
    let fields = CheckpointFields::decode(region, offset as u64).ok();
    let type_ok = fields.as_ref().is_some_and(|f| matches!(f.file_type, 0 | 4));
    let status = match computed_checksum {
        None => CopyStatus::Missing,
        Some(c) if Some(c) == stored_checksum && type_ok => CopyStatus::Valid,
        Some(_) => CopyStatus::BadChecksum,
    };
    CheckpointCopy { which, status, stored_checksum, computed_checksum, fields }
}

/// Reads a checkpoint from the first 8192 bytes of its file; `file_len` is the file's size.
/// Never fails: a damaged file gives copies marked bad or missing and error findings.
pub fn read_checkpoint(buf: &[u8], file_len: u64) -> Checkpoint {
    let primary = examine(buf, Copy::Primary);
    let shadow = examine(buf, Copy::Shadow);
    let used = if primary.status == CopyStatus::Valid {
        Some(Copy::Primary)
    } else if shadow.status == CopyStatus::Valid {
        Some(Copy::Shadow)
    } else {
        None
    };
    let identical = match (buf.get(..CHECKPOINT_COPY_SIZE), buf.get(CHECKPOINT_COPY_SIZE..CHECKPOINT_FILE_SIZE)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    let mut c = Checkpoint { primary, shadow, used, identical, file_len, findings: Vec::new() };
    c.findings = validate(&c);
    c
}

fn validate(c: &Checkpoint) -> Vec<Finding> {
    let mut out = Vec::new();
    let severity = if c.used.is_none() { Severity::Error } else { Severity::Warning };
    for copy in [&c.primary, &c.shadow] {
        let name = copy.which.name();
        let offset = if copy.which == Copy::Primary { 0 } else { CHECKPOINT_COPY_SIZE };
        match copy.status {
            CopyStatus::Valid => {}
            CopyStatus::Missing => out.push(Finding::new(
                severity,
                if copy.which == Copy::Primary { "primary_truncated" } else { "shadow_truncated" },
                format!(
                    "{name} checkpoint copy at offset {offset:#x} should be 4096 bytes, but the file is {} bytes long",
                    c.file_len
                ),
            )),
            CopyStatus::BadChecksum => {
                let stored = copy.stored_checksum.unwrap_or_default();
                let computed = copy.computed_checksum.unwrap_or_default();
                let message = match &copy.fields {
                    Some(f) if stored == computed => format!(
                        "{name} checkpoint copy: le_filetype at offset {:#x} should be 4 (checkpoint) or 0, but it is {}",
                        offset + 0x29B,
                        f.file_type
                    ),
                    _ => format!(
                        "{name} checkpoint copy has a checksum error: le_ulChecksum at offset {offset:#x} should be {computed:#010x}, but it is {stored:#010x}"
                    ),
                };
                let code = if copy.which == Copy::Primary { "primary_bad_checksum" } else { "shadow_bad_checksum" };
                out.push(Finding::new(severity, code, message));
            }
        }
    }
    let both_whole = c.primary.computed_checksum.is_some() && c.shadow.computed_checksum.is_some();
    if both_whole && !c.identical {
        out.push(Finding::new(
            Severity::Warning,
            "copies_differ",
            "primary and shadow checkpoint copies are not identical",
        ));
    }
    if c.used.is_none() {
        out.push(Finding::new(
            Severity::Error,
            "no_valid_copy",
            "neither checkpoint copy is valid: the engine fails with -533 (JET_errCheckpointCorrupt)",
        ));
    }
    if c.file_len > CHECKPOINT_FILE_SIZE as u64 {
        out.push(Finding::new(
            Severity::Warning,
            "size_mismatch",
            format!("a checkpoint file should be 8192 bytes, but this one is {} bytes", c.file_len),
        ));
    }
    if let Some(e) = c.fields().and_then(|f| f.attach_error.as_ref()) {
        out.push(Finding::new(Severity::Warning, "attach_list_overflow", format!("attached-database list: {e}")));
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

#[derive(Serialize)]
struct BackupJson<'a> {
    position: &'a Lgpos,
    time: &'a LogTime,
}

#[derive(Serialize)]
struct HeaderJson {
    primary: CopyStatus,
    shadow: CopyStatus,
    identical: bool,
    used: Option<Copy>,
    stored_checksum: Option<u32>,
    computed_checksum: Option<u32>,
}

#[derive(Serialize)]
struct FieldsJson<'a> {
    checkpoint: &'a Lgpos,
    last_full_backup_checkpoint: &'a Lgpos,
    db_consistency: Lgpos,
    full_backup: BackupJson<'a>,
    incremental_backup: BackupJson<'a>,
    log_signature: &'a Signature,
    circular_logging: bool,
    system_path: &'a str,
    log_path: &'a str,
    params: &'a DbmsSizes,
    attach_info_present: bool,
    file_type: u32,
    attached: &'a [AttachInfo],
}

#[derive(Serialize)]
struct CheckpointJson<'a> {
    kind: &'static str,
    valid: bool,
    #[serde(flatten)]
    fields: Option<FieldsJson<'a>>,
    header: HeaderJson,
    findings: &'a [Finding],
}

/// The JSON contract of `esehdr mk --json FILE` (without `file`, which the caller adds). When
/// no copy is valid the checkpoint fields are absent and `valid` is false.
impl Serialize for Checkpoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shown = match self.used {
            Some(Copy::Shadow) => &self.shadow,
            _ => &self.primary,
        };
        CheckpointJson {
            kind: "checkpoint",
            valid: self.is_valid(),
            fields: self.fields().map(|f| FieldsJson {
                checkpoint: &f.checkpoint,
                last_full_backup_checkpoint: &f.last_full_backup_checkpoint,
                db_consistency: f.db_consistency(),
                full_backup: BackupJson { position: &f.full_backup, time: &f.full_backup_time },
                incremental_backup: BackupJson { position: &f.incremental_backup, time: &f.incremental_backup_time },
                log_signature: &f.log_signature,
                circular_logging: f.dbms_param.circular_logging(),
                system_path: &f.dbms_param.system_path,
                log_path: &f.dbms_param.log_path,
                params: &f.dbms_param.sizes,
                attach_info_present: f.attach_info_present(),
                file_type: f.file_type,
                attached: &f.attached,
            }),
            header: HeaderJson {
                primary: self.primary.status,
                shadow: self.shadow.status,
                identical: self.identical,
                used: self.used,
                stored_checksum: shown.stored_checksum,
                computed_checksum: shown.computed_checksum,
            },
            findings: &self.findings,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(generation: i32) -> Vec<u8> {
        let mut c = vec![0u8; CHECKPOINT_COPY_SIZE];
        c[0x00C..0x014].copy_from_slice(&[0xCC, 0, 0x2F, 0, 0, 0, 0, 0]);
        c[0x010..0x014].copy_from_slice(&generation.to_le_bytes());
        c[0x014..0x018].copy_from_slice(&0xFCEDu32.to_le_bytes());
        c[0x030 + 522] = 0x01;
        c[0x29B..0x29F].copy_from_slice(&4u32.to_le_bytes());
        let sum = xor32_legacy(&c);
        c[0..4].copy_from_slice(&sum.to_le_bytes());
        c
    }

    #[test]
    fn reads_the_primary_and_its_fields() {
        let file = [copy(0x83), copy(0x83)].concat();
        let c = read_checkpoint(&file, 8192);
        assert_eq!(c.used, Some(Copy::Primary));
        let f = c.fields().unwrap();
        assert_eq!(f.checkpoint, Lgpos { generation: 0x83, isec: 0x2F, ib: 0xCC });
        assert_eq!(f.db_consistency(), f.checkpoint, "a zero DbConsistency reads as the checkpoint");
        assert_eq!(f.log_signature.random, 0xFCED);
        assert!(f.dbms_param.circular_logging());
        assert!(c.identical && c.findings.is_empty());
    }

    #[test]
    fn falls_back_to_the_shadow() {
        let mut file = [copy(0x83), copy(0x84)].concat();
        file[0x100] ^= 1;
        let c = read_checkpoint(&file, 8192);
        assert_eq!(c.used, Some(Copy::Shadow));
        assert_eq!(c.fields().unwrap().checkpoint.generation, 0x84);
        assert_eq!(c.findings[0].code, "primary_bad_checksum");
        assert!(c.is_sound());
    }

    #[test]
    fn both_bad_is_an_error_and_truncation_is_missing() {
        let mut file = [copy(1), copy(1)].concat();
        file[0x100] ^= 1;
        file[0x1100] ^= 1;
        let c = read_checkpoint(&file, 8192);
        assert!(!c.is_valid() && !c.is_sound());
        assert!(c.findings.iter().any(|f| f.code == "no_valid_copy"));
        let c = read_checkpoint(&file[..4096], 4096);
        assert_eq!(c.shadow.status, CopyStatus::Missing);
        assert_eq!(read_checkpoint(&[], 0).primary.status, CopyStatus::Missing);
    }
}
