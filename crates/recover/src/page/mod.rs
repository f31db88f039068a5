//! The page model: ESE database pages as the engine lays them out, read ([`PageView`]),
//! changed ([`PageMut`]), created ([`PageBuilder`]) and checked ([`check`]).
//!
//! ```text
//!  offset 0          40 (small) / 80 (large)                  cbPage − 4·itagMicFree     cbPage
//!  ┌────────────────┬──────────────────────────────┬──────────────┬──────────────────────┐
//!  │ PGHDR / PGHDR2 │ lines: TAG 0's bytes (the     │ free space   │ TAG[n−1] … TAG[1]     │
//!  │                │ external header), then the   │ (contiguous   │ TAG[0]                │
//!  │                │ nodes, holes between them    │  part)        │ (grows downwards)    │
//!  └────────────────┴──────────────────────────────┴──────────────┴──────────────────────┘
//!                   ib = 0                   ibMicFree
//!
//!  PGHDR (40 bytes, all pages)                 PGHDR2 (80 bytes, 16/32 KiB pages)
//!   @0  checksum           u64                  @0  PGHDR (as left)
//!   @8  dbtimeDirtied      u64                  @40 rgChecksum[3]   3 × u64
//!   @16 pgnoPrev           u32                  @64 pgno            u32
//!   @20 pgnoNext           u32                  @68 rgbReserved     12 bytes
//!   @24 objidFDP           u32
//!   @28 cbFree             u16    free bytes of the data area, holes included
//!   @30 cbUncommittedFree  u16
//!   @32 ibMicFree          u16    first byte after the highest line (data-area relative)
//!   @34 itagState          u16    bits 0-11 itagMicFree, bits 12-14 ctagReserved (0 = 1)
//!   @36 fFlags             u32
//!
//!  TAG itag at cbPage − 4·(itag+1):  @0 cb_ u16   @2 ib_ u16   (ib relative to the data area)
//!   small pages (≤ 8 KiB): cb/ib = low 13 bits; line flags = ib_ bits 13-15
//!   large pages (16/32 KiB): cb/ib = low 15 bits; line flags = top 3 bits of the line's first u16
//!
//!  node line (itag ≥ ctagReserved):  [cbPrefix u16 if fNDCompressed] cbSuffix u16 | suffix | data
//!   key = prefix source[..cbPrefix] ‖ suffix; flags fNDVersion 0x1, fNDDeleted 0x2, fNDCompressed 0x4
//!   prefix source: the external header (non-root pages), after its 16-byte SPLIT_BUFFER (space-tree
//!   roots), none (other roots)
//! ```
//!
//! Invariant (checked by [`check::check_structure`] after every mutation in debug builds):
//! `Σcb(all TAGs) + cbFree + 4·itagMicFree = cbPage − header`, every line inside `[0, ibMicFree)`,
//! no two lines overlapping.
//!
//! Sources: docs/page-internals.md §1 (page layout), §2 (nodes), §3 (primitives), §6.1 (checks).
//!
//! ## Getting started
//! 1. Take one page of a database (page `pgno` starts at file offset `(pgno + 1) × cbPage`) and
//!    read it with [`PageView::new`]: header fields, TAGs, and lines with their key and data.
//! 2. To change a page, copy it and open the copy with [`PageMut::new`]: every operation
//!    validates its inputs first and refuses without writing a byte; the bytes land where the
//!    engine puts them.
//! 3. Make new pages with [`PageBuilder`]; check any page with [`check_page`].
//!
//! ```
//! use esehdr_recover::page::{check_page, LineFlags, Node, PageBuilder, PageFlags, PageMut, PageView};
//! let db = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/db/srum-server2022-clean.dat"))?;
//! // Page 4, the catalog's root: an internal page with two nodes pointing at its leaves.
//! let page = PageView::new(&db[5 * 4096..6 * 4096])?;
//! assert_eq!((page.objid_fdp(), page.flags().bits() & 0xff, page.line_count()), (2, 0x05, 2));
//! let last = page.line(1)?;
//! assert!(last.key().is_empty());
//! assert_eq!(last.data, &14u32.to_le_bytes());
//! assert!(check_page(&page).is_empty());
//!
//! // A fresh leaf page with one node, then a rejected insert that leaves it untouched.
//! let mut bytes = PageBuilder::new(4096)?.objid_fdp(2).consumed(PageFlags(PageFlags::LEAF), b"")?;
//! let mut p = PageMut::new(&mut bytes)?;
//! p.insert(0, &Node { flags: LineFlags::NONE, key: b"k", cb_prefix: 0, data: b"v" })?;
//! let before = p.bytes().to_vec();
//! assert!(p.insert(5, &Node { flags: LineFlags::NONE, key: b"x", cb_prefix: 0, data: b"y" }).is_err());
//! assert_eq!(p.bytes(), &before[..]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod builder;
pub mod check;
pub mod error;
pub mod layout;
pub mod page_mut;
pub mod view;

pub use builder::PageBuilder;
pub use check::{check_page, check_structure, derive, Derived, Problem, Rule};
pub use error::{PageError, Result};
pub use layout::{Geometry, LineFlags, PageFlags, Tag};
pub use page_mut::{encode_node, Node, PageMut};
pub use view::{Key, Line, PageHeader, PageView};
