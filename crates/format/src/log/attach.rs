//! The attached-database list (`ATTACHINFO` records) of log headers and checkpoints.
//!
//! Sources: ../shared/FORMAT.md §4.3. The list is 2048 bytes (`rgbAttach`, offset 671 in a log
//! header, 679 in a checkpoint): records of a 64-byte fixed part and `cbNames` bytes of names,
//! ended by a record whose first byte (the DBID) is 0.

use byteorder::{ByteOrder, LittleEndian};
use nom::bytes::complete::take;
use nom::number::complete::{le_i32, le_u16, le_u32, le_u64, le_u8};
use nom::{IResult, Parser};
use serde::Serialize;

use crate::error::Error;
use crate::primitives::{Lgpos, Signature};

/// Size of the attach area.
pub const ATTACH_AREA_SIZE: usize = 2048;
/// Size of the fixed part of one record.
pub const ATTACHINFO_FIXED_SIZE: usize = 64;
/// `fATCHINFOUnicodeNames`: the names are UTF-16LE.
pub const FLAG_UNICODE_NAMES: u8 = 0x20;
/// `fATCHINFOSparseEnabledFile`.
pub const FLAG_SPARSE: u8 = 0x40;

/// One `ATTACHINFO` record.
#[doc(alias = "ATTACHINFO")]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AttachInfo {
    /// `m_dbid` @+0.
    pub dbid: u8,
    /// `m_fATCHINFOFlags` @+1, all bits kept.
    pub flags: u8,
    /// The database path: the first string of the names area.
    pub path: String,
    /// Any further strings of the names area (legacy records may carry the streaming-file
    /// path after the database path).
    pub extra_names: Vec<String>,
    /// Names are UTF-16LE (flag 0x20); otherwise 8-bit ANSI.
    pub unicode_names: bool,
    /// `signDb` @+36: must equal the database header's DB signature.
    pub db_signature: Signature,
    /// `le_lgposAttach` @+20.
    pub last_attach: Lgpos,
    /// `le_lgposConsistent` @+28.
    pub last_consistent: Lgpos,
    /// `mle_dbtime` @+4.
    pub dbtime: u64,
    /// `mle_objidLast` @+12.
    pub objid_last: u32,
    /// `mle_cpgDatabaseSizeMax` @+16 (0 = unlimited).
    pub max_db_size_pages: i32,
    /// `mle_cbNames` @+2: bytes of names after the fixed part.
    #[serde(skip)]
    pub names_len: u16,
}

impl AttachInfo {
    /// `fATCHINFOSparseEnabledFile`.
    pub fn sparse(&self) -> bool {
        self.flags & FLAG_SPARSE != 0
    }
}

fn lgpos(i: &[u8]) -> IResult<&[u8], Lgpos> {
    take(8usize)
        .map(|b: &[u8]| {
            let mut raw = [0u8; 8];
            raw.copy_from_slice(b);
            Lgpos::from_bytes(raw)
        })
        .parse(i)
}

fn signature(i: &[u8]) -> IResult<&[u8], Signature> {
    take(28usize)
        .map(|b: &[u8]| {
            let mut raw = [0u8; 28];
            raw.copy_from_slice(b);
            Signature::from_bytes(raw)
        })
        .parse(i)
}

/// The 64-byte fixed part and the names of one record.
fn record(i: &[u8]) -> IResult<&[u8], AttachInfo> {
    let (i, (dbid, flags, names_len, dbtime, objid_last, max_db_size_pages)) =
        (le_u8, le_u8, le_u16, le_u64, le_u32, le_i32).parse(i)?; // @+0 .. @+20
    let (i, (last_attach, last_consistent, db_signature)) = (lgpos, lgpos, signature).parse(i)?; // @+20 .. @+64
    let (i, names) = take(names_len).parse(i)?;
    let unicode_names = flags & FLAG_UNICODE_NAMES != 0;
    let mut strings = split_names(names, unicode_names).into_iter();
    Ok((
        i,
        AttachInfo {
            dbid,
            flags,
            path: strings.next().unwrap_or_default(),
            extra_names: strings.collect(),
            unicode_names,
            db_signature,
            last_attach,
            last_consistent,
            dbtime,
            objid_last,
            max_db_size_pages,
            names_len,
        },
    ))
}

/// Every non-empty NUL-terminated string of a names area.
pub(crate) fn split_names(names: &[u8], unicode: bool) -> Vec<String> {
    if unicode {
        let units: Vec<u16> = names
            .chunks_exact(2)
            .map(LittleEndian::read_u16) // chunks_exact(2): always two bytes
            .collect();
        units.split(|&u| u == 0).filter(|s| !s.is_empty()).map(String::from_utf16_lossy).collect()
    } else {
        names.split(|&b| b == 0).filter(|s| !s.is_empty()).map(crate::log::dbms_param::ansi).collect()
    }
}

/// Walks an attach area (`area` starts at absolute offset `base`). Returns the records read and,
/// if a record runs past the end of the area, the error naming where (the records before it
/// are kept).
pub fn parse_attach_list(area: &[u8], base: u64) -> (Vec<AttachInfo>, Option<Error>) {
    let area = area.get(..ATTACH_AREA_SIZE).unwrap_or(area);
    let mut out = Vec::new();
    let mut rest = area;
    loop {
        match rest.first() {
            None | Some(0) => return (out, None), // dbid 0 ends the list
            Some(_) => {}
        }
        let at = base.saturating_add((area.len() - rest.len()) as u64);
        match record(rest) {
            Ok((next, info)) => {
                out.push(info);
                rest = next;
            }
            Err(_) => {
                let field =
                    if rest.len() < ATTACHINFO_FIXED_SIZE { "ATTACHINFO (64 bytes)" } else { "ATTACHINFO szNames" };
                let needed = if rest.len() < ATTACHINFO_FIXED_SIZE {
                    ATTACHINFO_FIXED_SIZE
                } else {
                    ATTACHINFO_FIXED_SIZE + rest.get(2..4).map_or(0, |b| usize::from(LittleEndian::read_u16(b)))
                };
                let end = base.saturating_add(area.len() as u64);
                return (out, Some(Error::Truncated { field, offset: at, needed, end }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(dbid: u8, flags: u8, names: &[u8]) -> Vec<u8> {
        let mut r = vec![0u8; ATTACHINFO_FIXED_SIZE];
        r[0] = dbid;
        r[1] = flags;
        r[2..4].copy_from_slice(&(names.len() as u16).to_le_bytes());
        r[4..12].copy_from_slice(&0x1234u64.to_le_bytes());
        r[20..28].copy_from_slice(&[1, 0, 2, 0, 3, 0, 0, 0]);
        r[36..40].copy_from_slice(&0xCAFEu32.to_le_bytes());
        r.extend_from_slice(names);
        r
    }

    fn utf16z(s: &str) -> Vec<u8> {
        s.encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn reads_unicode_and_ansi_records_and_stops_at_dbid_0() {
        let mut area = rec(1, 0x20, &utf16z("C:\\Windows\\System32\\sru\\SRUDB.dat"));
        area.extend(rec(2, 0x10, b"C:\\EXCHSRVR\\MDBDATA\\priv1.edb\0C:\\EXCHSRVR\\MDBDATA\\priv1.stm\0"));
        area.resize(ATTACH_AREA_SIZE, 0);
        let (list, err) = parse_attach_list(&area, 671);
        assert!(err.is_none());
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].path, "C:\\Windows\\System32\\sru\\SRUDB.dat");
        assert!(list[0].unicode_names);
        assert_eq!(list[0].db_signature.random, 0xCAFE);
        assert_eq!(list[0].last_attach, Lgpos { generation: 3, isec: 2, ib: 1 });
        assert_eq!(list[0].dbtime, 0x1234);
        assert_eq!(list[1].path, "C:\\EXCHSRVR\\MDBDATA\\priv1.edb");
        assert_eq!(list[1].extra_names, vec!["C:\\EXCHSRVR\\MDBDATA\\priv1.stm".to_string()]);
        assert!(!list[1].unicode_names);
    }

    #[test]
    fn a_record_running_past_2048_bytes_is_reported_with_its_offset() {
        let mut area = rec(1, 0x20, &utf16z("a.edb"));
        let second_at = area.len();
        let mut bad = rec(2, 0, b"");
        bad[2..4].copy_from_slice(&4000u16.to_le_bytes());
        area.extend(bad);
        area.resize(ATTACH_AREA_SIZE, 0);
        let (list, err) = parse_attach_list(&area, 671);
        assert_eq!(list.len(), 1);
        assert_eq!(
            err,
            Some(Error::Truncated {
                field: "ATTACHINFO szNames",
                offset: 671 + second_at as u64,
                needed: 4064,
                end: 671 + 2048
            })
        );
    }

    #[test]
    fn empty_and_short_areas() {
        assert_eq!(parse_attach_list(&[], 0), (vec![], None));
        assert_eq!(parse_attach_list(&[0; 2048], 0), (vec![], None));
        let (list, err) = parse_attach_list(&[1, 0, 0], 10);
        assert!(list.is_empty());
        assert!(matches!(err, Some(Error::Truncated { field: "ATTACHINFO (64 bytes)", offset: 10, .. })));
    }
}
