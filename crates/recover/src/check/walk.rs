//! The tree walker: every B-tree from its root, depth first with an explicit stack, a depth
//! limit and a visited set, one page in memory at a time.
//!
//! A stack frame is a page still to visit with what its parent says about it: its depth, the
//! level it must be (leaf under a ParentOfLeaf page, internal otherwise) and the bracket of
//! keys its parent's separators give it. Child *i* of an internal page holds the keys in
//! `[S(i−1), S(i))` (a search goes down the first node whose separator is greater than the
//! key, §2.4); the last node's null key stands for +∞. Children are pushed right to left, so
//! the pages of each level are met left to right and the sibling links can be followed level
//! by level with one remembered page per level.
//!
//! Sources: docs/page-internals.md §1.2 (`pgnoPrev`, `pgnoNext`, `objidFDP`), §1.4 (flags),
//! §2.2-§2.4 (keys, prefixes, internal pages), §2.5 (`SPACE_HEADER`), §2.6 (space trees),
//! §6.2 (per tree).

use std::collections::{BTreeSet, HashMap};

use esehdr_format::page::{verify_page, PageVerdict};

use super::catalog::{
    catalog_row, space_header, sysobj, CatalogTree, SpaceHeader, OBJID_CATALOG, OBJID_SYSTEM_ROOT, PGNO_CATALOG,
    PGNO_SYSTEM_ROOT,
};
use super::{CheckReport, Finding, PageSource, Rule};
use crate::page::check::check_page;
use crate::page::layout::{Geometry, LineFlags, PageFlags};
use crate::page::PageView;

/// The deepest tree the walk descends into (root = depth 0). ESE trees of the largest
/// databases are a handful of levels deep; a deeper chain is damage (or a cycle the visited
/// set has not closed yet).
pub const MAX_DEPTH: usize = 32;

/// The tree-kind bits every page of a tree shares (§1.4, §6.2).
const KIND_BITS: u32 = PageFlags::SPACE_TREE | PageFlags::INDEX | PageFlags::LONG_VALUE | PageFlags::NON_UNIQUE_KEYS;

/// What the check does besides the structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Verify the checksum of every page reached (a page that fails is reported once with
    /// [`Rule::Checksum`] and still checked).
    pub verify_checksums: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { verify_checksums: true }
    }
}

/// What kind of tree a walk starts on: what its root's kind bits must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TreeKind {
    /// The database root (pgno 1).
    DbRoot,
    /// `MSysObjects` (pgno 4): its leaves are read for the other trees.
    Catalog,
    /// A table's data tree.
    Table,
    /// A secondary index.
    Index,
    /// A long-value tree.
    LongValue,
    /// The OwnExt tree of an FDP.
    OwnExt,
    /// The AvailExt tree of an FDP.
    AvailExt,
}

impl TreeKind {
    fn name(self) -> &'static str {
        match self {
            TreeKind::DbRoot => "database root",
            TreeKind::Catalog => "catalog",
            TreeKind::Table => "table",
            TreeKind::Index => "index",
            TreeKind::LongValue => "long-value tree",
            TreeKind::OwnExt => "OwnExt space tree",
            TreeKind::AvailExt => "AvailExt space tree",
        }
    }
    /// The kind bit its pages must carry (0: none of SpaceTree, Index, LongValue).
    fn bit(self) -> u32 {
        match self {
            TreeKind::DbRoot | TreeKind::Catalog | TreeKind::Table => 0,
            TreeKind::Index => PageFlags::INDEX,
            TreeKind::LongValue => PageFlags::LONG_VALUE,
            TreeKind::OwnExt | TreeKind::AvailExt => PageFlags::SPACE_TREE,
        }
    }
    fn is_space(self) -> bool {
        matches!(self, TreeKind::OwnExt | TreeKind::AvailExt)
    }
}

/// A tree to walk.
#[derive(Debug, Clone, Copy)]
struct Job {
    pgno: u32,
    objid: u32,
    kind: TreeKind,
    /// Space trees: the owner's Index / LongValue bit, which their pages carry too (corpus:
    /// the space trees of every secondary index have fFlags 0x..63).
    owner_bits: u32,
}

/// The level a page must be, as its parent says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    Leaf,
    Internal,
}

/// A page still to visit.
#[derive(Debug)]
struct Frame {
    pgno: u32,
    /// The page that points at it, and the line (0 and `None` for a root).
    parent: u32,
    parent_iline: Option<usize>,
    depth: usize,
    level: Level,
    /// Keys must be ≥ `lower` (none: −∞).
    lower: Option<Vec<u8>>,
    /// Keys must be < `upper` (none: +∞, the page is the rightmost of its level).
    upper: Option<Vec<u8>>,
}

/// What one tree's walk remembers between pages.
struct TreeState {
    job: Job,
    /// The objid pages must carry (the root's once it has been read).
    objid: u32,
    kind_bits: Option<u32>,
    unique: bool,
    /// Per depth: the last page met on that level and its `pgnoNext`.
    levels: Vec<Option<(u32, u32)>>,
    leaf_depth: Option<usize>,
    /// The last key of the last leaf met, and its page.
    last_leaf_key: Option<(u32, Vec<u8>)>,
    /// The pages of this tree (objid checked), for the space rules.
    pages: Vec<u32>,
    /// Space trees: the extents their leaves list, `(first, last)`.
    extents: Vec<(u32, u32)>,
    /// The root's `SPACE_HEADER` (FDP roots whose external header holds one).
    space: Option<SpaceHeader>,
}

/// What a tree's walk leaves for the space rules.
struct TreeOutcome {
    objid: u32,
    pages: Vec<u32>,
    extents: Vec<(u32, u32)>,
    space: Option<SpaceHeader>,
}

struct Walker<'s> {
    src: &'s dyn PageSource,
    geo: Geometry,
    opts: CheckOptions,
    last_pgno: u32,
    buf: Vec<u8>,
    /// Every page reached, with the objid of the tree that reached it.
    visited: HashMap<u32, u32>,
    report: CheckReport,
    catalog: Vec<CatalogTree>,
}

/// Checks every tree of the database `src` holds (see the module documentation of
/// [`crate::check`]). Problems are collected; only a page size the engine does not use makes
/// the whole check impossible (`Err`).
pub fn check_database(src: &dyn PageSource, opts: CheckOptions) -> Result<CheckReport, crate::page::PageError> {
    let geo = Geometry::new(src.page_size())?;
    let mut w = Walker {
        src,
        geo,
        opts,
        last_pgno: src.last_pgno(),
        buf: vec![0; geo.page_size()],
        visited: HashMap::new(),
        report: CheckReport::default(),
        catalog: Vec::new(),
    };
    w.walk_with_space(Job { pgno: PGNO_SYSTEM_ROOT, objid: OBJID_SYSTEM_ROOT, kind: TreeKind::DbRoot, owner_bits: 0 });
    w.walk_with_space(Job { pgno: PGNO_CATALOG, objid: OBJID_CATALOG, kind: TreeKind::Catalog, owner_bits: 0 });

    // The trees the catalog names, each once: a primary index shares its table's FDP and
    // objid, and MSysObjects names itself.
    let mut rows = std::mem::take(&mut w.catalog);
    rows.sort_by_key(|r| (r.objid_table, r.kind, r.objid, r.pgno_fdp));
    let mut seen: BTreeSet<(u32, u32)> =
        [(PGNO_SYSTEM_ROOT, OBJID_SYSTEM_ROOT), (PGNO_CATALOG, OBJID_CATALOG)].into_iter().collect();
    for r in rows {
        if !seen.insert((r.pgno_fdp, r.objid)) {
            continue;
        }
        let kind = match r.kind {
            sysobj::TABLE => TreeKind::Table,
            sysobj::INDEX => TreeKind::Index,
            _ => TreeKind::LongValue,
        };
        w.walk_with_space(Job { pgno: r.pgno_fdp, objid: r.objid, kind, owner_bits: 0 });
    }
    Ok(w.report)
}

impl Walker<'_> {
    fn push(&mut self, pgno: u32, iline: Option<usize>, rule: Rule, message: String) {
        self.report.problems.push(Finding { pgno, iline, rule, message, range: None });
    }

    /// Walks a tree, then its space trees when its root says it has them, then checks the
    /// space rule of §6.2: every page the tree uses (its own and its space trees') lies in its
    /// OwnExt and not in its AvailExt; for a single-extent FDP, in `[pgnoFDP, pgnoFDP +
    /// cpgPrimary)` and not free in the availability bitmap (§2.5).
    fn walk_with_space(&mut self, job: Job) {
        let main = self.walk(job);
        let Some(h) = main.space else { return };
        let what = job.kind.name();
        let (owned, avail, used) = if h.multiple_extent {
            let owner_bits = job.kind.bit();
            let oe_pgno = h.pgno_oe_or_bits;
            let oe = self.walk(Job { pgno: oe_pgno, objid: main.objid, kind: TreeKind::OwnExt, owner_bits });
            let ae = self.walk(Job {
                pgno: oe_pgno.saturating_add(1),
                objid: main.objid,
                kind: TreeKind::AvailExt,
                owner_bits,
            });
            let used: Vec<u32> = main.pages.iter().chain(&oe.pages).chain(&ae.pages).copied().collect();
            (oe.extents, ae.extents, used)
        } else {
            let owned = match h.cpg_primary.checked_sub(1).and_then(|n| job.pgno.checked_add(n)) {
                Some(last) => vec![(job.pgno, last)],
                None => Vec::new(),
            };
            let avail = (0..32u32)
                .filter(|n| h.pgno_oe_or_bits & (1 << n) != 0)
                .filter_map(|n| job.pgno.checked_add(1 + n))
                .map(|p| (p, p))
                .collect();
            (owned, avail, main.pages)
        };
        // An OwnExt that could not be read says nothing; its own problems are reported.
        if owned.is_empty() {
            return;
        }
        let (owned, avail) = (sorted(owned), sorted(avail));
        for pgno in used {
            if !covers(&owned, pgno) {
                self.push(
                    pgno,
                    None,
                    Rule::SpaceOwnership,
                    format!(
                        "a page of the {what} of objid {} should lie in one of its owned extents ({}), but it does not",
                        main.objid,
                        extents(&owned)
                    ),
                );
            } else if covers(&avail, pgno) {
                self.push(
                    pgno,
                    None,
                    Rule::SpaceOwnership,
                    format!(
                        "a page in use by the {what} of objid {} should not be listed as available, but its AvailExt or availability bits list it",
                        main.objid
                    ),
                );
            }
        }
    }

    /// Walks one tree; returns its pages, its root's `SPACE_HEADER` and the objid of its root
    /// page, and for a space tree the extents it lists.
    fn walk(&mut self, job: Job) -> TreeOutcome {
        self.report.trees_checked += 1;
        let mut t = TreeState {
            job,
            objid: job.objid,
            kind_bits: None,
            unique: true,
            levels: Vec::new(),
            leaf_depth: None,
            last_leaf_key: None,
            pages: Vec::new(),
            extents: Vec::new(),
            space: None,
        };
        let mut stack = vec![Frame {
            pgno: job.pgno,
            parent: 0,
            parent_iline: None,
            depth: 0,
            level: Level::Root,
            lower: None,
            upper: None,
        }];
        while let Some(f) = stack.pop() {
            let mut children = Vec::new();
            self.visit(&mut t, &f, &mut children);
            // Right to left, so the leftmost child is visited next.
            stack.extend(children.into_iter().rev());
        }
        // The rightmost page of each level ends its chain.
        for (pgno, next) in t.levels.iter().flatten() {
            if *next != 0 {
                self.push(
                    *pgno,
                    None,
                    Rule::SiblingLink,
                    format!("the rightmost page of its level should have pgnoNext 0, but it has {next}"),
                );
            }
        }
        TreeOutcome { objid: t.objid, pages: t.pages, extents: t.extents, space: t.space }
    }

    /// Reads and checks one page; fills `children` with the frames of its children.
    fn visit(&mut self, t: &mut TreeState, f: &Frame, children: &mut Vec<Frame>) {
        let what = t.job.kind.name();
        let pgno = f.pgno;
        if f.depth > MAX_DEPTH {
            self.push(
                f.parent,
                f.parent_iline,
                Rule::TooDeep,
                format!(
                    "the {what} of objid {} should be at most {MAX_DEPTH} levels deep, but page {pgno} is at depth {}",
                    t.objid, f.depth
                ),
            );
            return;
        }
        if pgno == 0 || pgno > self.last_pgno {
            // A root out of range: the space header or the catalog that named it is wrong.
            let (rule, at) = match (f.level, t.job.kind) {
                (Level::Root, k) if k.is_space() => (Rule::SpaceHeader, pgno),
                (Level::Root, TreeKind::DbRoot | TreeKind::Catalog) => (Rule::Unreadable, pgno),
                (Level::Root, _) => (Rule::Catalog, pgno),
                _ => (Rule::ChildPgno, f.parent),
            };
            self.push(
                at,
                f.parent_iline,
                rule,
                format!(
                    "the {what} of objid {} {} page {pgno}, which should be between 1 and the file's last page {}",
                    t.objid,
                    if f.level == Level::Root { "has its root at" } else { "points at" },
                    self.last_pgno
                ),
            );
            return;
        }
        if let Some(owner) = self.visited.get(&pgno) {
            let from = if f.level == Level::Root {
                format!("as the root of the {what} of objid {}", t.objid)
            } else {
                format!("from page {} line {} ({what} of objid {})", f.parent, f.parent_iline.unwrap_or(0), t.objid)
            };
            let message = format!("the page should belong to one tree once, but it is reached again {from} after the tree of objid {owner} reached it");
            self.push(pgno, None, Rule::PageReachedTwice, message);
            return;
        }
        match self.src.read_page(pgno, &mut self.buf) {
            Ok(true) => {}
            Ok(false) => {
                self.push(pgno, None, Rule::Unreadable, "the page lies beyond the end of the file".into());
                return;
            }
            Err(e) => {
                self.push(pgno, None, Rule::Unreadable, format!("reading the page failed: {e}"));
                return;
            }
        }
        self.visited.insert(pgno, t.objid);
        self.report.pages_checked += 1;
        let buf = std::mem::take(&mut self.buf);
        self.check_one(t, f, &buf, children);
        self.buf = buf;
    }

    fn check_one(&mut self, t: &mut TreeState, f: &Frame, bytes: &[u8], children: &mut Vec<Frame>) {
        let pgno = f.pgno;
        let what = t.job.kind.name();
        if bytes.iter().all(|b| *b == 0) {
            self.push(
                pgno,
                None,
                Rule::NotATreePage,
                format!("a page of the {what} of objid {} should hold a tree page, but it is all zero", t.objid),
            );
            return;
        }
        if self.opts.verify_checksums {
            match verify_page(bytes, pgno) {
                PageVerdict::BadChecksum { expected, stored } => self.push(
                    pgno,
                    None,
                    Rule::Checksum,
                    format!(
                        "the checksum should be {}, but it is {}",
                        hex64(expected.as_slice()),
                        hex64(stored.as_slice())
                    ),
                ),
                PageVerdict::WrongPageNumber { found } => self.push(
                    pgno,
                    None,
                    Rule::Checksum,
                    format!(
                        "the checksum should be computed for page {pgno}, but it matches page {}",
                        found.map_or_else(|| "?".to_string(), |p| p.to_string())
                    ),
                ),
                _ => {}
            }
        }
        let view = PageView::from_parts(bytes, self.geo);
        for p in check_page(&view) {
            let finding =
                Finding { pgno, iline: p.iline, rule: Rule::Page(p.rule), message: p.message, range: p.range };
            self.report.problems.push(finding);
        }
        let flags = view.flags();
        let fl = flags.bits() & !PageFlags::WRITE_STAMPS;
        if flags.is_pre_init() || flags.is_empty() {
            self.push(
                pgno,
                None,
                Rule::NotATreePage,
                format!("a page of the {what} of objid {} should be in use, but fFlags {flags} says pre-initialised or emptied", t.objid),
            );
            return;
        }

        // objidFDP: the catalog's (or the caller's) objid on the root; the root's below it.
        // A page of another tree below this one is reported once and not descended into:
        // its children are that tree's business.
        let objid = view.objid_fdp();
        if objid != t.objid {
            let why = match (f.level, t.job.kind) {
                (Level::Root, TreeKind::DbRoot | TreeKind::Catalog) => format!("the fixed objid of the {what}"),
                (Level::Root, k) if k.is_space() => "the objid of the tree that owns it".to_string(),
                (Level::Root, _) => "the objid the catalog names".to_string(),
                _ => format!("the objid of the tree's root page {}", t.job.pgno),
            };
            self.push(
                pgno,
                None,
                Rule::ObjidMismatch,
                format!("objidFDP should be {} ({why}), but it is {objid}", t.objid),
            );
            if f.level == Level::Root {
                t.objid = objid;
            } else {
                return;
            }
        }
        t.pages.push(pgno);

        // Level flags.
        let root = fl & PageFlags::ROOT != 0;
        let leaf = fl & PageFlags::LEAF != 0;
        match f.level {
            Level::Root if !root => self.push(
                pgno,
                None,
                Rule::RootFlag,
                format!("the root of the {what} should have fPageRoot, but fFlags is {flags}"),
            ),
            Level::Leaf | Level::Internal if root => self.push(
                pgno,
                None,
                Rule::RootFlag,
                format!(
                    "a page below the root (parent page {}) should not have fPageRoot, but fFlags is {flags}",
                    f.parent
                ),
            ),
            _ => {}
        }
        match f.level {
            Level::Leaf if !leaf => self.push(
                pgno,
                None,
                Rule::LevelFlags,
                format!("a child of ParentOfLeaf page {} should be a leaf, but fFlags is {flags}", f.parent),
            ),
            Level::Internal if leaf => self.push(
                pgno,
                None,
                Rule::LevelFlags,
                format!("a child of page {} (internal, not ParentOfLeaf) should be internal, but fFlags is {flags} (a leaf)", f.parent),
            ),
            _ => {}
        }
        if leaf {
            match t.leaf_depth {
                None => t.leaf_depth = Some(f.depth),
                Some(d) if d != f.depth => self.push(
                    pgno,
                    None,
                    Rule::LevelFlags,
                    format!("every leaf of a tree should be at depth {d}, but this one is at depth {}", f.depth),
                ),
                _ => {}
            }
        }

        // Tree kind: the root's bits fit the catalog; every page has the root's.
        let kind = fl & KIND_BITS;
        match t.kind_bits {
            None => {
                t.kind_bits = Some(kind);
                t.unique = kind & PageFlags::NON_UNIQUE_KEYS == 0;
                let want = t.job.kind.bit() | t.job.owner_bits;
                let three = PageFlags::SPACE_TREE | PageFlags::INDEX | PageFlags::LONG_VALUE;
                if kind & three != want {
                    self.push(
                        pgno,
                        None,
                        Rule::TreeKindFlags,
                        format!("the root of a {what} should have kind bits {want:#x} of SpaceTree|Index|LongValue, but fFlags is {flags}"),
                    );
                }
            }
            Some(k) if k != kind => self.push(
                pgno,
                None,
                Rule::TreeKindFlags,
                format!("every page of a tree should have the root's kind bits {k:#x}, but this page has {kind:#x} (fFlags {flags})"),
            ),
            _ => {}
        }

        // Sibling links on this level.
        self.siblings(t, f, &view, leaf);

        // Lines: keys inside the parent's bracket, children.
        self.lines(t, f, &view, leaf, children);

        // An FDP root names its space trees.
        if f.level == Level::Root && !t.job.kind.is_space() {
            let ext = view.external_header().unwrap_or(&[]);
            match space_header(ext) {
                Ok(h) => t.space = Some(h),
                Err(m) => self.push(pgno, None, Rule::SpaceHeader, m),
            }
        }
    }

    /// Leaves are chained both ways, level by level; internal pages carry no links (§1.2:
    /// `pgnoPrev`/`pgnoNext` are 0 on internal pages).
    fn siblings(&mut self, t: &mut TreeState, f: &Frame, view: &PageView<'_>, leaf: bool) {
        let pgno = f.pgno;
        if !leaf {
            let (prev, next) = (view.pgno_prev(), view.pgno_next());
            if prev != 0 || next != 0 {
                self.push(
                    pgno,
                    None,
                    Rule::SiblingLink,
                    format!("an internal page should have pgnoPrev and pgnoNext 0, but it has {prev} and {next}"),
                );
            }
            return;
        }
        if t.levels.len() <= f.depth {
            t.levels.resize(f.depth + 1, None);
        }
        let (prev, next) = (view.pgno_prev(), view.pgno_next());
        match t.levels.get(f.depth).copied().flatten() {
            None => {
                if prev != 0 {
                    self.push(
                        pgno,
                        None,
                        Rule::SiblingLink,
                        format!("the leftmost page of its level should have pgnoPrev 0, but it has {prev}"),
                    );
                }
            }
            Some((left, left_next)) => {
                if left_next != pgno {
                    self.push(
                        left,
                        None,
                        Rule::SiblingLink,
                        format!("pgnoNext should be {pgno} (the next page of this level), but it is {left_next}"),
                    );
                }
                if prev != left {
                    self.push(
                        pgno,
                        None,
                        Rule::SiblingLink,
                        format!("pgnoPrev should be {left} (the previous page of this level), but it is {prev}"),
                    );
                }
            }
        }
        if let Some(slot) = t.levels.get_mut(f.depth) {
            *slot = Some((pgno, next));
        }
    }

    fn lines(&mut self, t: &mut TreeState, f: &Frame, view: &PageView<'_>, leaf: bool, children: &mut Vec<Frame>) {
        let pgno = f.pgno;
        let n = view.line_count();
        let parent_of_leaf = view.flags().has(PageFlags::PARENT_OF_LEAF);
        let mut lower = f.lower.clone();
        let mut first_leaf_key = true;
        for iline in 0..n {
            // Lines that do not decode were reported by the page check.
            let Ok(l) = view.line(iline) else { continue };
            // Non-unique trees order their leaves by key, then data, and their separators
            // hold both (corpus: Catalog1.edb, whose index separators are key ‖ primary key).
            let mut key = l.key().to_vec();
            if leaf && !t.unique {
                key.extend_from_slice(l.data);
            }
            let last = iline + 1 == n;
            if leaf {
                self.bracket(pgno, iline, &key, f, false);
                if first_leaf_key {
                    first_leaf_key = false;
                    if let Some((p, k)) = &t.last_leaf_key {
                        if key < *k || (t.unique && key == *k) {
                            let rel = if key == *k { "equals" } else { "sorts before" };
                            let msg = format!("the first key of a leaf should sort after the last key of the previous leaf {p}, but it {rel} it");
                            self.push(pgno, Some(iline), Rule::KeysOutOfOrder, msg);
                        }
                    }
                }
                // Catalog rows are read only from the real catalog (objid 2): a database
                // without one (ESE's temporary database) has another tree at pgno 4.
                if t.job.kind == TreeKind::Catalog && t.objid == OBJID_CATALOG && !l.flags.contains(LineFlags::DELETED)
                {
                    self.catalog_line(pgno, iline, l.data);
                }
                if t.job.kind.is_space() && !l.flags.contains(LineFlags::DELETED) {
                    self.extent(t, pgno, iline, &l.key().to_vec(), l.data);
                }
                if last {
                    t.last_leaf_key = Some((pgno, key));
                }
                continue;
            }
            // Internal page: separators inside the bracket; the rightmost page of a level ends
            // with a null key (+∞).
            let upper = if key.is_empty() && last {
                f.upper.clone()
            } else {
                self.bracket(pgno, iline, &key, f, true);
                Some(key.clone())
            };
            if last && !key.is_empty() && f.upper.is_none() {
                self.push(
                    pgno,
                    Some(iline),
                    Rule::NullSeparator,
                    "the last node of the rightmost internal page of a level should have a null key, but its key is not null".into(),
                );
            }
            // Internal nodes hold a 4-byte page number; other lengths were reported by the page check.
            let Some(child) = <[u8; 4]>::try_from(l.data).ok().map(u32::from_le_bytes) else { continue };
            children.push(Frame {
                pgno: child,
                parent: pgno,
                parent_iline: Some(iline),
                depth: f.depth + 1,
                level: if parent_of_leaf { Level::Leaf } else { Level::Internal },
                lower: lower.clone(),
                upper,
            });
            if !key.is_empty() {
                lower = Some(key);
            }
        }
    }

    /// A key against the bracket `[lower, upper)` (separators of an internal page: `[lower,
    /// upper]`, its last separator may equal the parent's).
    fn bracket(&mut self, pgno: u32, iline: usize, key: &[u8], f: &Frame, separator: bool) {
        if let Some(lo) = &f.lower {
            if key < lo.as_slice() {
                self.push(
                    pgno,
                    Some(iline),
                    Rule::KeyOutOfRange,
                    format!(
                        "the key should be at least the separator before it in parent page {} ({}), but it is {}",
                        f.parent,
                        hex(lo),
                        hex(key)
                    ),
                );
            }
        }
        if let Some(up) = &f.upper {
            let above = if separator { key > up.as_slice() } else { key >= up.as_slice() };
            if above {
                let rel = if separator { "at most" } else { "below" };
                self.push(
                    pgno,
                    Some(iline),
                    Rule::KeyOutOfRange,
                    format!(
                        "the key should be {rel} its separator in parent page {} ({}), but it is {}",
                        f.parent,
                        hex(up),
                        hex(key)
                    ),
                );
            }
        }
    }

    /// A space-tree node (§2.6): the extent's last page big-endian (4 bytes, or a pool byte and
    /// 4 bytes), its page count as i32 LE.
    fn extent(&mut self, t: &mut TreeState, pgno: u32, iline: usize, key: &[u8], data: &[u8]) {
        let last = match key.len() {
            4 => key.try_into().ok(),
            5 => key.get(1..).and_then(|k| k.try_into().ok()),
            _ => None,
        }
        .map(u32::from_be_bytes);
        let count = data.get(..4).and_then(|d| d.try_into().ok()).map(i32::from_le_bytes);
        match (last, count) {
            (Some(last), Some(count)) if count >= 0 => {
                // A count of 0 lists no page (the engine keeps such nodes in AvailExt).
                if let Some(first) = (count > 0).then(|| last.checked_sub(count as u32 - 1)).flatten() {
                    t.extents.push((first, last));
                } else if count > 0 {
                    self.push(pgno, Some(iline), Rule::SpaceExtent, format!("an extent of {count} pages cannot end at page {last}"));
                }
            }
            _ => self.push(
                pgno,
                Some(iline),
                Rule::SpaceExtent,
                format!(
                    "a space-tree node should have a 4- or 5-byte key and a non-negative 4-byte page count, but it has a {}-byte key and data {}",
                    key.len(),
                    hex(data)
                ),
            ),
        }
    }

    fn catalog_line(&mut self, pgno: u32, iline: usize, data: &[u8]) {
        match catalog_row(data) {
            Ok(Some(row)) => self.catalog.push(row),
            Ok(None) => {}
            Err(m) => self.push(pgno, Some(iline), Rule::Catalog, m),
        }
    }
}

fn hex(k: &[u8]) -> String {
    let mut s: String = k.iter().take(32).map(|b| format!("{b:02x}")).collect();
    if k.len() > 32 {
        s.push_str("...");
    }
    if s.is_empty() {
        s.push_str("(null)");
    }
    s
}

fn hex64(words: &[u64]) -> String {
    words.iter().map(|w| format!("{w:#018x}")).collect::<Vec<_>>().join(" ")
}

fn sorted(mut v: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    v.sort_unstable();
    v
}

/// Whether a page lies in one of the sorted extents.
fn covers(extents: &[(u32, u32)], pgno: u32) -> bool {
    // Among the extents that start at or before pgno (they may overlap on a damaged tree),
    // any that reaches it.
    let n = extents.partition_point(|(first, _)| *first <= pgno);
    extents.get(..n).unwrap_or_default().iter().rev().any(|(_, last)| *last >= pgno)
}

fn extents(v: &[(u32, u32)]) -> String {
    let shown: Vec<String> = v.iter().take(8).map(|(a, b)| format!("{a}-{b}")).collect();
    let more = if v.len() > 8 { format!(", … {} in all", v.len()) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}
