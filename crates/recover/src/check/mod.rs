//! The structure check of a database (`esehdr check`): every page of every B-tree, reached
//! from the trees' roots, checked page by page and tree by tree.
//!
//! Which trees: the database root (pgno 1, objid 1), the catalog `MSysObjects` (pgno 4,
//! objid 2), and every table, secondary index and long-value tree a catalog row names
//! (`Type` 1, 3, 4 with their `Id` and `ColtypOrPgnoFDP`; a primary index shares its table's
//! tree), each with its OwnExt and AvailExt space trees when its `SPACE_HEADER` says it has
//! multiple extents. Roots are taken from the catalog, not from a scan for pages flagged Root:
//! a scan would walk foreign bytes whose flag word happens to have bit 0 set (the corpus has
//! such pages past the owned end of files), while the catalog is what the engine itself reads.
//!
//! Per page ([`crate::page::check::check_page`]): TAGs inside the page, lines inside the data
//! area, the free-space totals, flag combinations, nodes that decode, keys in order. Per tree
//! ([`walk`]): the objid of each page, the level flags (Root only on the root, ParentOfLeaf
//! over leaves, all leaves at one depth), the tree-kind bits, sibling links both ways at every
//! level, each key inside the bracket of its parent's separators, keys increasing across
//! pages, every page reached once, and every page a tree uses inside its OwnExt extents (or its
//! single extent) and not listed in its AvailExt (or availability bitmap). The walk uses an explicit stack, a depth limit and a
//! visited set; it reads one page at a time and collects every finding instead of stopping.
//!
//! Sources: docs/page-internals.md §1.4 (page flags), §1.5 (page invariants), §2.3-§2.6
//! (external header, internal pages, SPACE_HEADER, space trees), §6.1-§6.2 (the checks),
//! §9 (what the corpus confirmed).

pub mod catalog;
pub mod walk;

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use serde::Serialize;

use crate::page::check::Rule as PageRule;

pub use walk::{check_database, CheckOptions, MAX_DEPTH};

/// Pages of a database by page number (file offset `(pgno + 1) × cbPage`).
pub trait PageSource {
    /// `cbPage`.
    fn page_size(&self) -> usize;
    /// The highest page number the file holds whole (0 when it holds none).
    fn last_pgno(&self) -> u32;
    /// Reads page `pgno` into `buf` (`page_size` bytes); `Ok(false)` beyond the end of the file.
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool>;
}

/// A database held in memory or memory-mapped: the whole file as one slice.
#[derive(Debug, Clone, Copy)]
pub struct SlicePages<'a> {
    bytes: &'a [u8],
    page_size: usize,
}

impl<'a> SlicePages<'a> {
    /// The file's bytes (both header pages included) and its page size.
    pub fn new(bytes: &'a [u8], page_size: usize) -> Self {
        SlicePages { bytes, page_size }
    }
}

fn last_pgno_of(len: u64, page_size: usize) -> u32 {
    let pages = len / (page_size.max(1) as u64);
    u32::try_from(pages.saturating_sub(2)).unwrap_or(u32::MAX)
}

fn page_offset(pgno: u32, page_size: usize) -> Option<u64> {
    u64::from(pgno).checked_add(1)?.checked_mul(page_size as u64)
}

impl PageSource for SlicePages<'_> {
    fn page_size(&self) -> usize {
        self.page_size
    }
    fn last_pgno(&self) -> u32 {
        last_pgno_of(self.bytes.len() as u64, self.page_size)
    }
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool> {
        let Some(start) = page_offset(pgno, self.page_size).and_then(|o| usize::try_from(o).ok()) else {
            return Ok(false);
        };
        match self.bytes.get(start..start.saturating_add(self.page_size)) {
            Some(page) if pgno > 0 && buf.len() == page.len() => {
                buf.copy_from_slice(page);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// A database read with plain positioned reads, one page at a time.
#[derive(Debug)]
pub struct FilePages {
    file: File,
    len: u64,
    page_size: usize,
}

impl FilePages {
    /// A file opened read-only by the caller, its length and its page size.
    pub fn new(file: File, len: u64, page_size: usize) -> Self {
        FilePages { file, len, page_size }
    }
}

impl PageSource for FilePages {
    fn page_size(&self) -> usize {
        self.page_size
    }
    fn last_pgno(&self) -> u32 {
        last_pgno_of(self.len, self.page_size)
    }
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool> {
        if pgno == 0 || pgno > self.last_pgno() || buf.len() != self.page_size {
            return Ok(false);
        }
        let Some(at) = page_offset(pgno, self.page_size) else { return Ok(false) };
        let mut f = &self.file;
        f.seek(SeekFrom::Start(at))?;
        f.read_exact(buf)?;
        Ok(true)
    }
}

/// The rule a finding breaks: a page rule of `CPAGE::ErrCheckPage` (§1.5) or a tree rule
/// (§6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    /// A rule of the page checker ([`crate::page::check::Rule`]).
    Page(PageRule),
    /// The page cannot be read: beyond the end of the file, or an I/O error.
    Unreadable,
    /// The page's checksum does not verify (docs/format-page.md §6): its bytes are not what
    /// the engine wrote, so the findings that follow on it describe damage.
    Checksum,
    /// A page of a tree that is all zero, pre-initialised or emptied.
    NotATreePage,
    /// `objidFDP` differs from the tree's objid.
    ObjidMismatch,
    /// Root flag missing on a root, or set below it.
    RootFlag,
    /// Leaf / ParentOfLeaf flags that do not fit the page's place in the tree, or leaves at
    /// different depths.
    LevelFlags,
    /// The tree-kind bits (SpaceTree, Index, LongValue, NonUniqueKeys) differ from the root's,
    /// or do not fit the catalog row.
    TreeKindFlags,
    /// `pgnoPrev` / `pgnoNext` do not link the pages of a level in order.
    SiblingLink,
    /// A key outside the bracket its parent's separators give it.
    KeyOutOfRange,
    /// A page's first key sorts before the previous page's last key (or equals it in a
    /// unique tree).
    KeysOutOfOrder,
    /// An internal page's last node: a null key is required on the rightmost page of a level.
    NullSeparator,
    /// A child page number that is 0 or beyond the end of the file.
    ChildPgno,
    /// A page reached a second time: owned by two parents or two trees, or a cycle.
    PageReachedTwice,
    /// The tree is deeper than [`MAX_DEPTH`] levels.
    TooDeep,
    /// An FDP root whose external header holds no `SPACE_HEADER`.
    SpaceHeader,
    /// A page a tree uses that is not in its OwnExt (or its single extent), or that its
    /// AvailExt (or availability bitmap) lists as free.
    SpaceOwnership,
    /// A space-tree node that does not decode as an extent.
    SpaceExtent,
    /// The catalog cannot be read: its root is not objid 2, or a row does not decode.
    Catalog,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Page(r) => fmt::Display::fmt(r, f),
            other => fmt::Debug::fmt(other, f),
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One problem: page, line (when one), rule and what was expected and found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The page.
    pub pgno: u32,
    /// The line (`iline`), when the problem is in one.
    pub iline: Option<usize>,
    /// The rule broken.
    pub rule: Rule,
    /// What was expected and what was found.
    pub message: String,
    /// The bytes concerned, data-area relative (`ib`, `ib + cb`), when the page checker names
    /// them. In the text report only: the JSON contract is `{pgno, iline, rule, message}`.
    #[serde(skip)]
    pub range: Option<(usize, usize)>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "page {}", self.pgno)?;
        if let Some(i) = self.iline {
            write!(f, " line {i}")?;
        }
        if let Some((a, b)) = self.range {
            write!(f, " bytes {a}..{b}")?;
        }
        write!(f, ": {}: {}", self.rule, self.message)
    }
}

/// What the check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Pages read and checked (each once).
    pub pages_checked: u64,
    /// B-trees walked, space trees included.
    pub trees_checked: u64,
    /// Every problem, in the order found.
    pub problems: Vec<Finding>,
}

impl CheckReport {
    /// No problem.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The body of the `check` fuzz target (`fuzz/fuzz_targets/check.rs`), run on the stable
/// toolchain by `crates/cli/tests/check.rs` on every input under `fuzz/artifacts/check/`:
/// byte 0 picks the page size, the rest are the pages from pgno 1 on (the two header pages are
/// zero). The whole-database check and the page checker of each page must return, whatever
/// the bytes.
#[doc(hidden)]
pub fn fuzz(data: &[u8]) {
    const SIZES: [usize; 4] = [4096, 8192, 16384, 32768];
    let page_size = SIZES.get(usize::from(data.first().copied().unwrap_or(0) & 3)).copied().unwrap_or(4096);
    let body = data.get(1..).unwrap_or_default();
    let mut file = vec![0u8; 2 * page_size];
    file.extend_from_slice(body);
    let opts = CheckOptions { verify_checksums: false };
    if let Ok(r) = check_database(&SlicePages::new(&file, page_size), opts) {
        let _ = r.ok();
    }
    for page in body.chunks_exact(page_size) {
        if let Ok(view) = crate::page::PageView::new(page) {
            let _ = crate::page::check::check_page(&view);
        }
    }
}
