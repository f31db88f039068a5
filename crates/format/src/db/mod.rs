//! Reading a database (or streaming-file) header: both copies, page-size detection, checksums
//! and validation.
//!
//! Sources: docs/format-database.md §1.1 (placement), §1.5 (page-size detection and acceptance),
//! docs/format-page.md §6.1 (checksum), docs/output.md §10.2 (eseutil's warnings).

pub mod header;

use serde::{Serialize, Serializer};

use crate::bytes::Fields;
use crate::checksum::xor32_legacy;
use crate::db::header::{DbFileHeader, DbState, DB_MAGIC, DB_VERSION_ESE97};
use crate::error::{Error, Result};
use crate::findings::{Finding, Severity};

/// Page sizes a header may have, smallest first (`FValidCbPage`; 2 KiB is legacy).
pub const PAGE_SIZES: [u32; 5] = [2048, 4096, 8192, 16384, 32768];

/// How many bytes from offset 0 [`read_database_header`] needs at most: two 32 KiB pages.
/// Nothing beyond this is ever read, whatever the size of the database.
pub const DB_HEADER_READ_LEN: usize = 2 * 32768;

/// Offset of `le_cbPageSize` inside a header copy.
const OFFSET_PAGE_SIZE: usize = 0x0EC;

/// Which copy of a shadowed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Copy {
    /// The primary copy at offset 0.
    Primary,
    /// The shadow copy at offset `cbPage`.
    Shadow,
}

impl Copy {
    /// `primary` or `shadow`.
    pub fn name(&self) -> &'static str {
        match self {
            Copy::Primary => "primary",
            Copy::Shadow => "shadow",
        }
    }
}

/// The verdict on one header copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyStatus {
    /// Its checksum matches and its page-size field agrees with its size.
    Valid,
    /// It is all there but its checksum (or page-size field) is wrong.
    BadChecksum,
    /// The file ends before the copy does.
    Missing,
}

/// One header copy as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCopy {
    /// Which copy.
    pub which: Copy,
    /// Absolute offset of the copy (0, or the page size).
    pub offset: u64,
    /// Size the copy was checked at (the page size).
    pub size: u32,
    /// How many bytes of the copy the file holds (less than `size` when truncated).
    pub present: u32,
    /// The verdict.
    pub status: CopyStatus,
    /// `le_ulChecksum` as stored, when the first four bytes are there.
    pub stored_checksum: Option<u32>,
    /// The checksum computed over `size` bytes, when they are all there.
    pub computed_checksum: Option<u32>,
    /// The stored checksum equals the computed one (a copy can still be rejected when its
    /// `le_cbPageSize` disagrees with the size it was found at).
    pub checksum_ok: bool,
    /// The decoded fields, when the 748 bytes of the structure are there (even if invalid).
    pub header: Option<DbFileHeader>,
}

impl HeaderCopy {
    fn is_valid(&self) -> bool {
        self.status == CopyStatus::Valid
    }

    /// The raw bytes of the copy, for comparing the two.
    fn bytes<'a>(&self, buf: &'a [u8]) -> Option<&'a [u8]> {
        let start = usize::try_from(self.offset).ok()?;
        buf.get(start..start.checked_add(self.size as usize)?)
    }
}

/// What kind of file a database header describes (`le_filetype`, `le_attrib`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DbKind {
    /// `le_filetype` 1 (or 0, the old format) with `le_attrib` 0.
    Database,
    /// Exchange 2000/2003 streaming file (`.stm`): `le_filetype` 2 or `le_attrib` 1.
    StreamingFile,
    /// `le_filetype` 5.
    TempDatabase,
    /// Any other `le_filetype` or `le_attrib`.
    Unknown,
}

impl DbKind {
    /// Derives the kind from a decoded header.
    pub fn of(h: &DbFileHeader) -> Self {
        match (h.file_type, h.attrib) {
            (2, _) | (0 | 1, 1) => DbKind::StreamingFile,
            (5, 0) => DbKind::TempDatabase,
            (0 | 1, 0) => DbKind::Database,
            _ => DbKind::Unknown,
        }
    }
}

/// A database header read from the start of a file: both copies, the one to use, and what
/// validation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseHeader {
    /// Page size in bytes (detected; a best guess when no copy is valid).
    pub page_size: u32,
    /// The primary copy.
    pub primary: HeaderCopy,
    /// The shadow copy.
    pub shadow: HeaderCopy,
    /// The copy eseutil would use: the primary if valid, else the shadow if valid.
    pub used: Option<Copy>,
    /// Both copies are present and byte-identical.
    pub identical: bool,
    /// What validation noticed, most serious first.
    pub findings: Vec<Finding>,
}

impl DatabaseHeader {
    /// The validated header eseutil would print, if any copy is valid.
    pub fn header(&self) -> Option<&DbFileHeader> {
        match self.used? {
            Copy::Primary => self.primary.header.as_ref(),
            Copy::Shadow => self.shadow.header.as_ref(),
        }
    }

    /// The validated header, else whatever copy could be decoded (to show a damaged header).
    pub fn best_effort(&self) -> Option<&DbFileHeader> {
        self.header().or(self.primary.header.as_ref()).or(self.shadow.header.as_ref())
    }

    /// Whether a valid copy was found.
    pub fn is_valid(&self) -> bool {
        self.used.is_some()
    }

    /// The copy struct for `which`.
    pub fn copy(&self, which: Copy) -> &HeaderCopy {
        match which {
            Copy::Primary => &self.primary,
            Copy::Shadow => &self.shadow,
        }
    }

    /// Database, streaming file, temp database or unknown, from the best header available.
    pub fn kind(&self) -> DbKind {
        self.best_effort().map_or(DbKind::Unknown, DbKind::of)
    }

    /// The state of the validated header.
    pub fn state(&self) -> Option<DbState> {
        self.header().map(|h| h.state)
    }
}

/// The per-copy checksum pair in JSON.
#[derive(Serialize)]
struct ChecksumJson {
    stored: Option<u32>,
    computed: Option<u32>,
}

/// `header` in JSON: the verdict on each copy and the checksums of the one used.
#[derive(Serialize)]
struct HeaderJson {
    primary: CopyStatus,
    shadow: CopyStatus,
    identical: bool,
    used: Option<Copy>,
    stored_checksum: Option<u32>,
    computed_checksum: Option<u32>,
    primary_checksum: ChecksumJson,
    shadow_checksum: ChecksumJson,
}

/// The header fields in JSON: flattened when a copy is valid; otherwise `state` and
/// `state_code` are null and whatever could be decoded is kept apart under `unvalidated`, so no
/// script mistakes a damaged header's values for real ones.
#[derive(Serialize)]
#[serde(untagged)]
enum FieldsJson<'a> {
    Valid(&'a DbFileHeader),
    Invalid { state: Option<&'static str>, state_code: Option<u32>, unvalidated: Option<&'a DbFileHeader> },
}

#[derive(Serialize)]
struct DatabaseJson<'a> {
    kind: DbKind,
    page_size: u32,
    valid: bool,
    #[serde(flatten)]
    fields: FieldsJson<'a>,
    header: HeaderJson,
    findings: &'a [Finding],
}

/// The JSON contract of `esehdr mh --json` (without `file`, which the caller adds): `kind`,
/// `page_size`, `valid`, every `DBFILEHDR` field of the copy in use (when neither copy is valid:
/// `state: null` and the best decodable copy under `unvalidated`), `header` and `findings`.
impl Serialize for DatabaseHeader {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shown = self.used.map_or(&self.primary, |c| self.copy(c));
        DatabaseJson {
            kind: self.kind(),
            page_size: self.page_size,
            valid: self.is_valid(),
            fields: match self.header() {
                Some(h) => FieldsJson::Valid(h),
                None => FieldsJson::Invalid { state: None, state_code: None, unvalidated: self.best_effort() },
            },
            header: HeaderJson {
                primary: self.primary.status,
                shadow: self.shadow.status,
                identical: self.identical,
                used: self.used,
                stored_checksum: shown.stored_checksum,
                computed_checksum: shown.computed_checksum,
                primary_checksum: ChecksumJson {
                    stored: self.primary.stored_checksum,
                    computed: self.primary.computed_checksum,
                },
                shadow_checksum: ChecksumJson {
                    stored: self.shadow.stored_checksum,
                    computed: self.shadow.computed_checksum,
                },
            },
            findings: &self.findings,
        }
        .serialize(s)
    }
}

/// Whether `buf` (the start of a file) carries the database magic in either header copy.
pub fn has_db_magic(buf: &[u8]) -> bool {
    let magic_at = |off: usize| buf.get(off..off.saturating_add(4)).is_some_and(|b| b == DB_MAGIC.to_le_bytes());
    magic_at(4) || PAGE_SIZES.iter().any(|&c| magic_at(c as usize + 4))
}

/// `le_cbPageSize` of the copy at `offset`, resolved (0 means 4096), if it is a valid size.
fn page_size_field_at(buf: &[u8], offset: usize) -> Option<u32> {
    let f = Fields::new(buf.get(offset..)?, offset as u64);
    let raw = f.u32(OFFSET_PAGE_SIZE, "le_cbPageSize").ok()?;
    let size = if raw == 0 { 4096 } else { raw };
    PAGE_SIZES.contains(&size).then_some(size)
}

/// Whether the copy `[offset, offset + size)` passes the engine's acceptance test: its checksum
/// over `size` bytes matches and its page-size field says `size` (docs/format-database.md §1.5 step 2).
fn copy_accepted(buf: &[u8], offset: usize, size: u32) -> bool {
    let Some(page) = buf.get(offset..offset.saturating_add(size as usize)) else {
        return false;
    };
    if page.len() != size as usize {
        return false;
    }
    let stored = Fields::new(page, offset as u64).u32(0, "le_ulChecksum").ok();
    stored == Some(xor32_legacy(page)) && page_size_field_at(buf, offset) == Some(size)
}

/// The largest candidate size at which the copy's checksum matches, ignoring `le_cbPageSize`
/// (the bytes after the 748-byte structure are zero, so a header also matches at every smaller
/// size; the largest is its real page size). For the shadow the offset moves with the size.
fn checksum_only_size(buf: &[u8], which: Copy) -> Option<u32> {
    PAGE_SIZES.iter().rev().copied().find(|&c| {
        let offset = if which == Copy::Shadow { c as usize } else { 0 };
        buf.get(offset..offset.saturating_add(c as usize))
            .filter(|p| p.len() == c as usize)
            .is_some_and(|p| Fields::new(p, 0).u32(0, "le_ulChecksum").ok() == Some(xor32_legacy(p)))
    })
}

fn examine_copy(buf: &[u8], which: Copy, size: u32, valid: bool) -> HeaderCopy {
    let offset = match which {
        Copy::Primary => 0usize,
        Copy::Shadow => size as usize,
    };
    let region = buf.get(offset..).unwrap_or(&[]);
    let f = Fields::new(region, offset as u64);
    let stored_checksum = f.u32(0, "le_ulChecksum").ok();
    let whole = region.get(..size as usize).filter(|p| p.len() == size as usize);
    let computed_checksum = whole.map(xor32_legacy);
    let status = if valid {
        CopyStatus::Valid
    } else if whole.is_none() {
        CopyStatus::Missing
    } else {
        CopyStatus::BadChecksum
    };
    let checksum_ok = computed_checksum.is_some() && computed_checksum == stored_checksum;
    HeaderCopy {
        which,
        offset: offset as u64,
        size,
        present: u32::try_from(region.len().min(size as usize)).unwrap_or(size),
        status,
        stored_checksum,
        computed_checksum,
        checksum_ok,
        header: DbFileHeader::decode(region, offset as u64).ok(),
    }
}

/// Reads the database header from the first bytes of a file.
///
/// `buf` holds the first `min(file size, DB_HEADER_READ_LEN)` bytes. The page size is detected
/// as the engine does (docs/format-database.md §1.5): each copy is accepted at the first candidate size whose
/// checksum matches and whose `le_cbPageSize` agrees. A file whose primary fails falls back to
/// the shadow, with a warning, as eseutil does.
///
/// Errors only when `buf` is not a database at all: no magic in either copy (`BadMagic`), or
/// too short to hold the magic (`Truncated`). A database whose copies are all damaged or
/// truncated is returned with `used == None` and error findings, so it can still be shown.
pub fn read_database_header(buf: &[u8]) -> Result<DatabaseHeader> {
    let f = Fields::new(buf, 0);
    let magic = f.u32(0x004, "le_ulMagic")?;
    if !has_db_magic(buf) {
        return Err(Error::BadMagic { field: "le_ulMagic", offset: 4, expected: DB_MAGIC, found: magic });
    }

    let primary_size = PAGE_SIZES.iter().copied().find(|&c| copy_accepted(buf, 0, c));
    let shadow_size = PAGE_SIZES.iter().copied().find(|&c| copy_accepted(buf, c as usize, c));

    // The size each copy is judged at: its own when valid, else the other copy's. With neither
    // valid: the primary's page-size field when the file ends inside that page (truncated);
    // else the largest size the primary's checksum covers (the field is wrong); else the
    // field; else the shadow's field; else the default 4 KiB.
    let field = page_size_field_at(buf, 0);
    let field_page_complete = field.is_some_and(|f| buf.len() >= f as usize);
    let guess = primary_size
        .or(shadow_size)
        .or_else(|| if field.is_some() && !field_page_complete { field } else { None })
        .or_else(|| checksum_only_size(buf, Copy::Primary))
        .or(field)
        .or_else(|| checksum_only_size(buf, Copy::Shadow))
        .or_else(|| PAGE_SIZES.iter().copied().find(|&c| page_size_field_at(buf, c as usize) == Some(c)))
        .unwrap_or(4096);
    let primary = examine_copy(buf, Copy::Primary, primary_size.unwrap_or(guess), primary_size.is_some());
    let shadow = examine_copy(buf, Copy::Shadow, shadow_size.unwrap_or(guess), shadow_size.is_some());

    let used = if primary.is_valid() {
        Some(Copy::Primary)
    } else if shadow.is_valid() {
        Some(Copy::Shadow)
    } else {
        None
    };
    let page_size = match used {
        Some(Copy::Primary) => primary.size,
        Some(Copy::Shadow) => shadow.size,
        None => guess,
    };
    let identical = match (primary.bytes(buf), shadow.bytes(buf)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };

    let mut header = DatabaseHeader { page_size, primary, shadow, used, identical, findings: Vec::new() };
    header.findings = validate(&header);
    Ok(header)
}

/// Validation: every way the header can be off, as findings (docs/format-database.md §1.5, docs/output.md §10.2).
fn validate(h: &DatabaseHeader) -> Vec<Finding> {
    let mut out = Vec::new();
    let no_valid = h.used.is_none();
    for copy in [&h.primary, &h.shadow] {
        let name = copy.which.name();
        // A bad primary is only a warning when the shadow stands in (eseutil's behaviour); a
        // bad shadow is always a warning unless neither copy is usable.
        let severity = if no_valid { Severity::Error } else { Severity::Warning };
        match copy.status {
            CopyStatus::Valid => {
                if copy.computed_checksum == Some(0) {
                    out.push(Finding::new(
                        Severity::Warning,
                        if copy.which == Copy::Primary { "primary_zeroed_checksum" } else { "shadow_zeroed_checksum" },
                        format!(
                            "{name} header has a zeroed checksum (le_ulChecksum at offset {:#x} is 0)",
                            copy.offset
                        ),
                    ));
                }
            }
            CopyStatus::BadChecksum => {
                let stored = copy.stored_checksum.unwrap_or_default();
                let computed = copy.computed_checksum.unwrap_or_default();
                let message = match (copy.checksum_ok, copy.header.as_ref()) {
                    (true, Some(hdr)) => format!(
                        "{name} header: le_cbPageSize at offset {:#x} should be {} (the size its checksum covers), but it is {}",
                        copy.offset.saturating_add(OFFSET_PAGE_SIZE as u64),
                        copy.size,
                        hdr.page_size_field
                    ),
                    _ => format!(
                        "{name} header has a checksum error: le_ulChecksum at offset {:#x} should be {computed:#010x} (computed over {} bytes), but it is {stored:#010x}",
                        copy.offset, copy.size
                    ),
                };
                let code = match (copy.which, copy.checksum_ok) {
                    (Copy::Primary, false) => "primary_bad_checksum",
                    (Copy::Shadow, false) => "shadow_bad_checksum",
                    (Copy::Primary, true) => "primary_page_size_mismatch",
                    (Copy::Shadow, true) => "shadow_page_size_mismatch",
                };
                out.push(Finding::new(severity, code, message));
            }
            CopyStatus::Missing => out.push(Finding::new(
                severity,
                if copy.which == Copy::Primary { "primary_truncated" } else { "shadow_truncated" },
                format!(
                    "{name} header at offset {:#x} should be {} bytes, but the file ends after {} of them",
                    copy.offset, copy.size, copy.present
                ),
            )),
        }
    }
    let both_whole = h.primary.computed_checksum.is_some() && h.shadow.computed_checksum.is_some();
    if both_whole && !h.identical {
        out.push(Finding::new(
            Severity::Warning,
            "copies_differ",
            format!(
                "primary header (offset 0x0, {} bytes) and shadow header (offset {:#x}, {} bytes) are not identical",
                h.primary.size, h.shadow.offset, h.shadow.size
            ),
        ));
    }
    if no_valid {
        out.push(Finding::new(
            Severity::Error,
            "no_valid_header",
            "neither header copy is valid: the engine would fail with -1206 (JET_errDatabaseCorrupted)",
        ));
    }
    if let Some(hdr) = h.header() {
        if !hdr.state.is_known() {
            out.push(Finding::new(
                Severity::Warning,
                "unknown_state",
                format!("le_dbstate at offset 0x34 should be 1-8, but it is {}", hdr.state.code()),
            ));
        }
        if hdr.format_version.major < DB_VERSION_ESE97 {
            out.push(Finding::new(
                Severity::Warning,
                "old_version",
                format!(
                    "le_ulVersion at offset 0x8 is {:#x}, below 0x620: the current engine will not attach it ({})",
                    hdr.format_version.major,
                    match hdr.format_version.major {
                        0x500 => "-1212 JET_errDatabase500Format",
                        0x400 => "-1211 JET_errDatabase400Format",
                        0x1 => "-1210 JET_errDatabase200Format",
                        _ => "-1209 JET_errInvalidDatabaseVersion",
                    }
                ),
            ));
        }
        if h.page_size == 2048 {
            out.push(Finding::new(
                Severity::Warning,
                "legacy_2k_pages",
                "this is a legacy database using a 2KB page size, which current ESE no longer supports",
            ));
        }
        if !matches!(hdr.file_type, 0 | 1 | 2 | 5) {
            out.push(Finding::new(
                Severity::Warning,
                "unexpected_file_type",
                format!(
                    "le_filetype at offset 0x29b should be 0, 1, 2 or 5 for a database, but it is {}",
                    hdr.file_type
                ),
            ));
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::header::DB_HEADER_SIZE;

    /// One header page of `size` bytes with the given state, file type and attrib, checksummed.
    fn page(size: u32, field: u32, state: u32, file_type: u32, attrib: i32) -> Vec<u8> {
        let mut p = vec![0u8; size as usize];
        p[4..8].copy_from_slice(&DB_MAGIC.to_le_bytes());
        p[8..12].copy_from_slice(&DB_VERSION_ESE97.to_le_bytes());
        p[12..16].copy_from_slice(&attrib.to_le_bytes());
        p[0x34..0x38].copy_from_slice(&state.to_le_bytes());
        p[OFFSET_PAGE_SIZE..OFFSET_PAGE_SIZE + 4].copy_from_slice(&field.to_le_bytes());
        p[0x29B..0x29F].copy_from_slice(&file_type.to_le_bytes());
        let c = xor32_legacy(&p);
        p[0..4].copy_from_slice(&c.to_le_bytes());
        p
    }

    fn file(size: u32) -> Vec<u8> {
        let p = page(size, size, 3, 1, 0);
        [p.clone(), p].concat()
    }

    #[test]
    fn detects_every_page_size() {
        for size in PAGE_SIZES {
            let db = read_database_header(&file(size)).unwrap();
            assert_eq!(db.page_size, size);
            assert_eq!(db.used, Some(Copy::Primary));
            assert!(db.identical);
            assert_eq!(db.shadow.offset, u64::from(size));
        }
    }

    #[test]
    fn raw_zero_page_size_means_4k() {
        let p = page(4096, 0, 3, 1, 0);
        let db = read_database_header(&[p.clone(), p].concat()).unwrap();
        assert_eq!(db.page_size, 4096);
        assert_eq!(db.header().unwrap().page_size_field, 0);
    }

    #[test]
    fn two_kib_pages_are_flagged_as_legacy() {
        let db = read_database_header(&file(2048)).unwrap();
        assert!(db.findings.iter().any(|f| f.code == "legacy_2k_pages"));
    }

    #[test]
    fn bad_primary_falls_back_to_shadow() {
        let mut f = file(8192);
        f[0x100] ^= 0x40;
        let db = read_database_header(&f).unwrap();
        assert_eq!(db.used, Some(Copy::Shadow));
        assert_eq!(db.primary.status, CopyStatus::BadChecksum);
        assert_eq!(db.page_size, 8192);
        assert_eq!(db.findings[0].code, "primary_bad_checksum");
        assert_eq!(db.findings[0].severity, Severity::Warning);
    }

    #[test]
    fn magic_only_in_the_shadow_is_still_a_database() {
        let mut f = file(4096);
        f[..4096].fill(0);
        let db = read_database_header(&f).unwrap();
        assert_eq!(db.used, Some(Copy::Shadow));
    }

    #[test]
    fn no_magic_is_an_error_naming_the_field_and_offset() {
        let err = read_database_header(&[0u8; 8192]).unwrap_err();
        assert_eq!(err, Error::BadMagic { field: "le_ulMagic", offset: 4, expected: DB_MAGIC, found: 0 });
        let err = read_database_header(&[0xEF, 0xCD, 0xAB]).unwrap_err();
        assert!(matches!(err, Error::Truncated { field: "le_ulMagic", offset: 4, .. }));
    }

    #[test]
    fn truncated_inside_the_structure_keeps_no_fields() {
        let f = file(4096);
        let db = read_database_header(&f[..DB_HEADER_SIZE - 1]).unwrap();
        assert!(!db.is_valid());
        assert_eq!(db.primary.status, CopyStatus::Missing);
        assert_eq!(db.primary.present, (DB_HEADER_SIZE - 1) as u32);
        assert!(db.best_effort().is_none());
        assert_eq!(db.findings.last().unwrap().code, "no_valid_header");
    }

    #[test]
    fn kinds_from_file_type_and_attrib() {
        let kind = |ft, attrib| {
            let p = page(4096, 4096, 3, ft, attrib);
            read_database_header(&[p.clone(), p].concat()).unwrap().kind()
        };
        assert_eq!(kind(1, 0), DbKind::Database);
        assert_eq!(kind(0, 0), DbKind::Database);
        assert_eq!(kind(2, 1), DbKind::StreamingFile);
        assert_eq!(kind(0, 1), DbKind::StreamingFile);
        assert_eq!(kind(5, 0), DbKind::TempDatabase);
        assert_eq!(kind(9, 0), DbKind::Unknown);
    }

    #[test]
    fn json_of_a_valid_header_has_the_contract_keys() {
        let db = read_database_header(&file(4096)).unwrap();
        let v: serde_json::Value = serde_json::to_value(&db).unwrap();
        for key in [
            "kind",
            "page_size",
            "state",
            "state_code",
            "format_version",
            "db_signature",
            "log_signature",
            "last_consistent",
            "last_attach",
            "last_detach",
            "log_required",
            "log_committed",
            "log_recovering",
            "dbtime",
            "dbid",
            "objid_last",
            "repair_count",
            "os_version",
            "backup",
            "header",
            "findings",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["state"], "clean_shutdown");
        assert_eq!(v["header"]["primary"], "valid");
        assert_eq!(v["last_consistent"]["generation"], 0);
        assert!(v["last_consistent"]["time"].is_null());
        for b in [
            "previous_full",
            "previous_incremental",
            "previous_copy",
            "previous_differential",
            "current_full",
            "current_snapshot",
        ] {
            assert!(v["backup"][b]["gen_low"].is_number(), "backup.{b}");
        }
    }

    proptest::proptest! {
        /// Whatever the state, generation and page size written, the parser reads them back.
        #[test]
        fn build_then_parse_round_trips(
            size_index in 0usize..5,
            state in 0u32..12,
            generation in proptest::num::i32::ANY,
            random in proptest::num::u32::ANY,
        ) {
            let size = PAGE_SIZES[size_index];
            let mut p = page(size, size, state, 1, 0);
            p[0x38 + 4..0x38 + 8].copy_from_slice(&generation.to_le_bytes());
            p[0x6C..0x70].copy_from_slice(&random.to_le_bytes());
            let c = xor32_legacy(&p);
            p[0..4].copy_from_slice(&c.to_le_bytes());
            let db = read_database_header(&[p.clone(), p].concat()).unwrap();
            let h = db.header().unwrap();
            proptest::prop_assert_eq!(db.page_size, size);
            proptest::prop_assert_eq!(h.state.code(), state);
            proptest::prop_assert_eq!(h.last_consistent.lgpos.generation, generation);
            proptest::prop_assert_eq!(h.log_signature.random, random);
        }
    }
}
