//! [`PageBuilder`]: fresh pages as the engine makes them (§1.6).
//!
//! `PreInitializeNewPage_` zero-fills the page and writes a header with no TAG at all;
//! `ConsumePreInitPage` then adds the zero-length external header and the page flags; the
//! creator sets the external header (a `SPACE_HEADER`, a `SPLIT_BUFFER`, or a key prefix).
//!
//! Sources: docs/page-internals.md §1.6 (pre-initialised page, consuming it), §2.3 (external
//! header by page type), §3.7 (new pages are created at `dbtime − 1`), §10 F4/F5 (creation
//! order; creators re-create the page whatever a `NewPage` left); Microsoft's `ese/cpage.cxx`
//! `PreInitializeNewPage_`, `ConsumePreInitPage`.

use super::error::Result;
use super::layout::{off, Geometry, PageFlags};
use super::page_mut::PageMut;

/// `PGHDR.checksum` placeholder of a new large page (replaced at write time).
pub const NEW_PAGE_CHECKSUM: u64 = 0xDEAD_BEEF_BAAD_F00D;
/// `PGHDR2.rgChecksum` placeholders of a new large page ("ESE Super ECCXORChecksum" in ASCII).
pub const NEW_PAGE_RG_CHECKSUM: [u64; 3] = [0x6570_7553_2045_5345, 0x524F_5843_4345_2072, 0x6D75_736B_6365_6843];

/// The fields of a new page. `dbtime` is what `dbtimeDirtied` starts at: in redo the record's
/// dbtime − 1, stamped to the record's dbtime when the operation completes (§3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageBuilder {
    geo: Geometry,
    pgno: u32,
    objid_fdp: u32,
    dbtime: u64,
    reserved_tags_format: bool,
}

impl PageBuilder {
    /// A builder for pages of `page_size` bytes.
    pub fn new(page_size: usize) -> Result<Self> {
        Ok(PageBuilder {
            geo: Geometry::new(page_size)?,
            pgno: 0,
            objid_fdp: 0,
            dbtime: 0,
            reserved_tags_format: false,
        })
    }
    /// The page number (written into `PGHDR2.pgno` on large pages).
    pub fn pgno(mut self, pgno: u32) -> Self {
        self.pgno = pgno;
        self
    }
    /// `objidFDP`: the owning tree.
    pub fn objid_fdp(mut self, objid: u32) -> Self {
        self.objid_fdp = objid;
        self
    }
    /// `dbtimeDirtied` of the new page.
    pub fn dbtime(mut self, dbtime: u64) -> Self {
        self.dbtime = dbtime;
        self
    }
    /// Whether the database has `JET_efvReservedTags` (explicit `ctagReserved` in `itagState`).
    pub fn reserved_tags_format(mut self, enabled: bool) -> Self {
        self.reserved_tags_format = enabled;
        self
    }

    /// `PreInitializeNewPage_` into `page` (of the builder's page size): zero-filled, `fFlags`
    /// PreInit | NewRecordFormat, `cbFree = cbData`, no TAG, and on large pages the page number
    /// and the placeholder checksums.
    pub fn pre_init_into(&self, page: &mut [u8]) -> Result<()> {
        let mut p = PageMut::new(page)?;
        if p.view().geometry() != self.geo {
            return Err(super::error::PageError::BadPageSize { size: p.view().geometry().page_size() });
        }
        p.write_pre_init(self.geo, self.pgno, self.objid_fdp, self.dbtime);
        Ok(())
    }

    /// A pre-initialised page (what `lrtypNewPage` redo produces).
    pub fn pre_init(&self) -> Vec<u8> {
        let mut page = vec![0u8; self.geo.page_size()];
        // The length comes from a checked geometry, so `PageMut::new` accepts it.
        if let Ok(mut p) = PageMut::new(&mut page) {
            p.write_pre_init(self.geo, self.pgno, self.objid_fdp, self.dbtime);
        }
        page
    }

    /// A consumed page: pre-initialised, `ConsumePreInitPage(flags)`, then the external header
    /// set to `external_header` when it is not empty (FDP roots: the `SPACE_HEADER`; space-tree
    /// roots: the 16-byte `SPLIT_BUFFER`; other pages: the key prefix).
    pub fn consumed(&self, flags: PageFlags, external_header: &[u8]) -> Result<Vec<u8>> {
        let mut page = self.pre_init();
        let mut p = PageMut::new(&mut page)?.with_reserved_tags_format(self.reserved_tags_format);
        p.consume_pre_init(flags)?;
        if !external_header.is_empty() {
            p.set_external_header(external_header)?;
        }
        Ok(page)
    }
}

impl PageMut<'_> {
    /// The writes of `PreInitializeNewPage_`.
    pub(crate) fn write_pre_init(&mut self, geo: Geometry, pgno: u32, objid_fdp: u32, dbtime: u64) {
        self.bytes_mut().fill(0);
        self.set_dbtime_dirtied(dbtime);
        self.set_objid_fdp(objid_fdp);
        self.w16(off::CB_FREE, geo.data_len() as u16);
        self.w32(off::FLAGS, PageFlags::PRE_INIT | PageFlags::NEW_RECORD_FORMAT);
        if !geo.is_small() {
            self.w32(off::PGNO, pgno);
            self.w64(off::CHECKSUM, NEW_PAGE_CHECKSUM);
            for (i, v) in NEW_PAGE_RG_CHECKSUM.iter().enumerate() {
                self.w64(off::RG_CHECKSUM + 8 * i, *v);
            }
        }
    }
}
