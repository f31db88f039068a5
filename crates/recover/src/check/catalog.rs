//! What the tree check needs from the catalog and from FDP roots: the trees a database holds
//! (`MSysObjects` rows naming an FDP) and where a tree keeps its space trees (`SPACE_HEADER`).
//!
//! Sources: docs/page-internals.md §0 (`pgnoSystemRoot` 1, `pgnoFDPMSO` 4), §2.3 (the external
//! header of an FDP root, plain and extended form), §2.5 (`SPACE_HEADER`), §6.2 ("the catalog
//! still points at existing FDPs"). The catalog record layout below was read from the corpus
//! databases themselves: `MSysObjects` describes its own columns in its first rows (fixed
//! columns 1 `ObjidTable` u32, 2 `Type` u16, 3 `Id` u32, 4 `ColtypOrPgnoFDP` u32, ...), so the
//! engine's files are the oracle for it.

use crate::page::layout::{rd16, rd32};

/// `pgnoSystemRoot`: the database's root FDP.
pub const PGNO_SYSTEM_ROOT: u32 = 1;
/// `objidSystemRoot`: the objid of the database root.
pub const OBJID_SYSTEM_ROOT: u32 = 1;
/// `pgnoFDPMSO`: the catalog's FDP.
pub const PGNO_CATALOG: u32 = 4;
/// `objidFDPMSO`: the catalog's objid.
pub const OBJID_CATALOG: u32 = 2;

/// `sysobjTable`, `sysobjIndex`, `sysobjLongValue`: the catalog row types that name a tree.
pub mod sysobj {
    /// A table: `Id` is its objid, `ColtypOrPgnoFDP` its FDP.
    pub const TABLE: u16 = 1;
    /// A column (no tree).
    pub const COLUMN: u16 = 2;
    /// An index: its own tree unless its FDP is the table's (the primary index).
    pub const INDEX: u16 = 3;
    /// The long-value tree of a table.
    pub const LONG_VALUE: u16 = 4;
}

/// Offsets inside a catalog record (the record starts with `fidFixedLastInRec` u8,
/// `fidVarLastInRec` u8, `ibEndOfFixedData` u16, then the fixed columns in column order).
mod rec {
    /// `fidFixedLastInRec`: the highest fixed column present.
    pub const FID_FIXED_LAST: usize = 0;
    /// `ibEndOfFixedData` (u16): where the fixed data (and its null bitmap) end.
    pub const IB_END_OF_FIXED: usize = 2;
    /// Column 1 `ObjidTable` (u32).
    pub const OBJID_TABLE: usize = 4;
    /// Column 2 `Type` (u16).
    pub const TYPE: usize = 8;
    /// Column 3 `Id` (u32).
    pub const ID: usize = 10;
    /// Column 4 `ColtypOrPgnoFDP` (u32).
    pub const PGNO_FDP: usize = 14;
    /// End of column 4.
    pub const END_OF_COLUMN_4: usize = 18;
}

/// One catalog row that names a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogTree {
    /// `ObjidTable`: the table the row belongs to.
    pub objid_table: u32,
    /// `Type` ([`sysobj`]).
    pub kind: u16,
    /// `Id`: the tree's objid (for an index, the index's).
    pub objid: u32,
    /// `ColtypOrPgnoFDP`: the tree's FDP.
    pub pgno_fdp: u32,
}

/// Decodes the first four fixed columns of a catalog record (the node's data). `Ok(None)` for
/// rows that name no tree (columns, callbacks); `Err` with what is wrong when the record does
/// not hold those columns.
pub fn catalog_row(data: &[u8]) -> Result<Option<CatalogTree>, String> {
    let fixed_last = data.get(rec::FID_FIXED_LAST).copied().unwrap_or(0);
    let ib_end = rd16(data, rec::IB_END_OF_FIXED).map(usize::from).unwrap_or(0);
    if fixed_last < 4 || ib_end < rec::END_OF_COLUMN_4 || data.len() < rec::END_OF_COLUMN_4 {
        return Err(format!(
            "a catalog record should hold fixed columns 1-4 (fidFixedLastInRec ≥ 4, ibEndOfFixedData ≥ {}), \
             but fidFixedLastInRec is {fixed_last}, ibEndOfFixedData {ib_end} and the record {} bytes",
            rec::END_OF_COLUMN_4,
            data.len()
        ));
    }
    // In range: data.len() ≥ 18 was checked above.
    let (objid_table, kind, objid, pgno_fdp) = (
        rd32(data, rec::OBJID_TABLE).unwrap_or(0),
        rd16(data, rec::TYPE).unwrap_or(0),
        rd32(data, rec::ID).unwrap_or(0),
        rd32(data, rec::PGNO_FDP).unwrap_or(0),
    );
    Ok(matches!(kind, sysobj::TABLE | sysobj::INDEX | sysobj::LONG_VALUE).then_some(CatalogTree {
        objid_table,
        kind,
        objid,
        pgno_fdp,
    }))
}

/// The space facts of an FDP root's external header (§2.3, §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceHeader {
    /// `m_cpgPrimary`.
    pub cpg_primary: u32,
    /// `m_pgnoParent`: the parent object's FDP.
    pub pgno_parent: u32,
    /// `fSPHMultipleExtent`: the tree has OwnExt and AvailExt trees.
    pub multiple_extent: bool,
    /// Multiple extents: `m_pgnoOE`, the OwnExt root (AvailExt is OE + 1). Single extent: the
    /// availability bitmap `m_rgbitAvail`.
    pub pgno_oe_or_bits: u32,
}

/// Size of `SPACE_HEADER`.
pub const SPACE_HEADER_SIZE: usize = 16;
/// `fSPHMultipleExtent` in byte 8.
const F_SPH_MULTIPLE_EXTENT: u8 = 0x01;
/// The extended external header's flag for "a SPACE_HEADER follows".
const NODE_ROOT_FIELD_SPACE_HEADER: u8 = 0x01;

/// Reads the `SPACE_HEADER` from an FDP root's external header: the plain 16-byte form, or the
/// extended form (a flag byte, then the fields whose bits are set, the space header first).
pub fn space_header(ext: &[u8]) -> Result<SpaceHeader, String> {
    let sph = if ext.len() == SPACE_HEADER_SIZE {
        ext
    } else {
        match ext.first() {
            Some(f) if f & NODE_ROOT_FIELD_SPACE_HEADER != 0 => ext.get(1..1 + SPACE_HEADER_SIZE).unwrap_or(&[]),
            _ => &[],
        }
    };
    if sph.len() != SPACE_HEADER_SIZE {
        return Err(format!(
            "the external header of an FDP root should be a 16-byte SPACE_HEADER (or a flag byte 0x01 and one), \
             but it has {} bytes",
            ext.len()
        ));
    }
    Ok(SpaceHeader {
        cpg_primary: rd32(sph, 0).unwrap_or(0),
        pgno_parent: rd32(sph, 4).unwrap_or(0),
        multiple_extent: sph.get(8).is_some_and(|b| b & F_SPH_MULTIPLE_EXTENT != 0),
        pgno_oe_or_bits: rd32(sph, 12).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_row_from_the_server_2022_srum_catalog() {
        // The MSysObjects row of SruDbIdMapTable: fixed 8, var 128, ibEnd 32, ObjidTable 8,
        // Type 1, Id 8, pgnoFDP 31 (read from the corpus file by hand).
        let mut d = vec![8, 128, 32, 0];
        d.extend_from_slice(&8u32.to_le_bytes());
        d.extend_from_slice(&1u16.to_le_bytes());
        d.extend_from_slice(&8u32.to_le_bytes());
        d.extend_from_slice(&31u32.to_le_bytes());
        d.resize(40, 0);
        assert_eq!(
            catalog_row(&d),
            Ok(Some(CatalogTree { objid_table: 8, kind: sysobj::TABLE, objid: 8, pgno_fdp: 31 }))
        );
        d[8] = 2; // a column
        assert_eq!(catalog_row(&d), Ok(None));
        assert!(catalog_row(&d[..17]).is_err());
    }

    #[test]
    fn space_header_plain_and_extended() {
        let mut s = [0u8; 16];
        s[0] = 10;
        s[8] = 1;
        s[12] = 2;
        let h = space_header(&s).unwrap();
        assert!(h.multiple_extent && h.pgno_oe_or_bits == 2 && h.cpg_primary == 10);
        let mut e = vec![0x03];
        e.extend_from_slice(&s);
        e.extend_from_slice(&[0; 8]);
        assert_eq!(space_header(&e), Ok(h));
        assert!(space_header(&[]).is_err());
    }
}
