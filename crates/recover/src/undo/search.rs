//! Finding a node by its bookmark: on the page a record named, else from the tree's FDP root
//! down through the internal pages' separators (a later split or merge may have moved it).
//!
//! ```text
//!  pgnoFDP (root) ── internal: line i = {separator S(i), child pgno u32 LE}; the last line has
//!        │          the null key (+∞). Child i holds keys in [S(i−1), S(i)): descend into the
//!        ▼          first line whose separator is greater than the bookmark.
//!   ... ── leaf: the node whose key (and, on non-unique trees, data) equals the bookmark
//! ```
//!
//! The walk is bounded: at most [`MAX_DEPTH`] levels and never the same page twice.
//!
//! Sources: docs/page-internals.md §2.4 (internal pages, separators), §2.1-§2.2 (keys,
//! prefixes), §5.2 (search from the FDP by bookmark); docs/log-records.md §5.6 (RCEs keyed by
//! bookmark); Microsoft's `NDGetBookmarkFromKDF` (unique trees: the key; non-unique: key and
//! data).

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use crate::page::{PageView, Result as PageResult};

/// Internal levels followed at most (ESE trees are a handful of levels deep).
pub const MAX_DEPTH: usize = 32;

/// Page access for undo: redo's `ApplySink` implements it over the pages it holds (reading a
/// page from the database being recovered on first touch).
pub trait PageAccess {
    /// Page `pgno`'s bytes, to read and change; an error when it cannot be read (beyond the end
    /// of the file, I/O).
    fn page_mut(&mut self, pgno: u32) -> Result<&mut [u8], String>;
}

/// Pages held in memory by page number (tests, and a redo outcome's `pages`).
impl PageAccess for BTreeMap<u32, Vec<u8>> {
    fn page_mut(&mut self, pgno: u32) -> Result<&mut [u8], String> {
        self.get_mut(&pgno).map(Vec::as_mut_slice).ok_or_else(|| format!("page {pgno} is not held"))
    }
}

/// A node's bookmark (`BOOKMARK`): the full key, plus the data on non-unique trees (empty on
/// unique ones).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Bookmark {
    /// The full key (prefix ‖ suffix).
    pub key: Vec<u8>,
    /// The node's data when the tree is not unique; empty otherwise.
    pub data: Vec<u8>,
}

impl Bookmark {
    /// Bytes held.
    pub fn len(&self) -> usize {
        self.key.len() + self.data.len()
    }
    /// No key and no data.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// What separators are compared with: the key, followed by the data on non-unique trees.
    fn search_key(&self) -> Vec<u8> {
        let mut v = self.key.clone();
        v.extend_from_slice(&self.data);
        v
    }
}

impl fmt::Display for Bookmark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.key.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
        if !self.data.is_empty() {
            f.write_str("|")?;
            self.data.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
        }
        Ok(())
    }
}

/// The tree a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tree {
    /// `le_pgnoFDP`: the tree's root page.
    pub pgno_fdp: u32,
    /// `le_objidFDP`: every page of the tree carries it.
    pub objid_fdp: u32,
}

/// Where a node was found, or why not.
type Found = std::result::Result<(u32, usize), String>;

/// Finds the node with bookmark `bm` in `tree`: first on page `hint` (when it is a leaf of the
/// tree), then from the FDP root down. `Ok(Ok((pgno, iline)))` when found, `Ok(Err(why))` when
/// not; `Err` when a page cannot be read.
pub fn locate(
    pages: &mut dyn PageAccess,
    tree: Tree,
    bm: &Bookmark,
    hint: Option<u32>,
) -> Result<Found, (u32, String)> {
    if let Some(pgno) = hint {
        let bytes = pages.page_mut(pgno).map_err(|m| (pgno, m))?;
        if let Ok(v) = PageView::new(bytes) {
            if is_leaf_of(&v, tree) {
                if let Some(iline) = scan_leaf(&v, bm) {
                    return Ok(Ok((pgno, iline)));
                }
            }
        }
    }
    let key = bm.search_key();
    let mut pgno = tree.pgno_fdp;
    let mut seen = HashSet::new();
    for _ in 0..MAX_DEPTH {
        if !seen.insert(pgno) {
            return Ok(Err(format!("page {pgno} met twice on the way down")));
        }
        let bytes = pages.page_mut(pgno).map_err(|m| (pgno, m))?;
        let v = match PageView::new(bytes) {
            Ok(v) => v,
            Err(e) => return Ok(Err(format!("page {pgno}: {e}"))),
        };
        if v.objid_fdp() != tree.objid_fdp || v.flags().is_pre_init() {
            return Ok(Err(format!(
                "page {pgno} should belong to objid {}, but it belongs to {} (flags {})",
                tree.objid_fdp,
                v.objid_fdp(),
                v.flags()
            )));
        }
        if v.flags().is_leaf() {
            if let Some(iline) = scan_leaf(&v, bm) {
                return Ok(Ok((pgno, iline)));
            }
            // Equal keys can straddle a boundary on non-unique trees: look at the neighbours.
            for next in [v.pgno_next(), v.pgno_prev()] {
                if next == 0 || seen.contains(&next) {
                    continue;
                }
                let bytes = pages.page_mut(next).map_err(|m| (next, m))?;
                if let Ok(n) = PageView::new(bytes) {
                    if is_leaf_of(&n, tree) {
                        if let Some(iline) = scan_leaf(&n, bm) {
                            return Ok(Ok((next, iline)));
                        }
                    }
                }
            }
            return Ok(Err(format!("leaf page {pgno}, where the separators lead, has no such node")));
        }
        match child(&v, &key) {
            Ok(Some(c)) => pgno = c,
            Ok(None) => return Ok(Err(format!("internal page {pgno} has no line to follow"))),
            Err(e) => return Ok(Err(format!("internal page {pgno}: {e}"))),
        }
    }
    Ok(Err(format!("deeper than {MAX_DEPTH} levels")))
}

fn is_leaf_of(v: &PageView<'_>, tree: Tree) -> bool {
    v.objid_fdp() == tree.objid_fdp && v.flags().is_leaf() && !v.flags().is_pre_init()
}

/// The line of a leaf page whose key (and data, when the bookmark has data) equals `bm`.
fn scan_leaf(v: &PageView<'_>, bm: &Bookmark) -> Option<usize> {
    v.lines().flatten().find(|l| matches(l, bm)).map(|l| l.iline)
}

/// Whether `line` is the node of `bm`.
pub(crate) fn matches(l: &crate::page::Line<'_>, bm: &Bookmark) -> bool {
    l.key().len() == bm.key.len()
        && l.key().iter().eq(bm.key.iter().copied())
        && (bm.data.is_empty() || l.data == bm.data.as_slice())
}

/// The child to follow on an internal page: the first line whose separator is greater than
/// `key` (the null-key last line stands for +∞).
fn child(v: &PageView<'_>, key: &[u8]) -> PageResult<Option<u32>> {
    let n = v.line_count();
    for i in 0..n {
        let l = v.line(i)?;
        let last = i + 1 == n;
        let sep = l.key().to_vec();
        if (last && sep.is_empty()) || sep.as_slice() > key {
            let p = l.data.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok()).map(u32::from_le_bytes);
            return Ok(p);
        }
    }
    Ok(None)
}
