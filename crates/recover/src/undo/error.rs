//! Errors of undo: what could not be undone, where in the logs, and why.

use esehdr_format::Lgpos;

use crate::page::PageError;

/// An undo step that cannot be done. Recovery stops and the copy is discarded
/// (docs/page-internals.md §5.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UndoError {
    /// The operation is not one of the undo-logged operations (a DDL `le_oper`, from 0x100).
    #[error("{record} at {lgpos} (session {procid}) cannot be undone: {why}")]
    Refused {
        /// The record's eseutil name.
        record: &'static str,
        /// Its LGPOS.
        lgpos: Lgpos,
        /// Its session.
        procid: u16,
        /// Why.
        why: String,
    },
    /// A Replace or FlagDelete was not redone (the page already held it) and no UndoInfo
    /// supplied its before-image before the end.
    #[error("{record} at {lgpos} (session {procid}, rceid {rceid:#x}) should have a before-image from an UndoInfo record before the end of the logs, but none came (the page already held the change)")]
    NoBeforeImage {
        /// The record's eseutil name.
        record: &'static str,
        /// Its LGPOS.
        lgpos: Lgpos,
        /// Its session.
        procid: u16,
        /// `le_rceid`.
        rceid: u32,
    },
    /// An `Undo` record that needs redo names a version the store does not hold.
    #[error("Undo at {lgpos} (session {procid}) should name a version of the store (rceid {rceid:#x}, oper {oper}), but none is there")]
    NoVersion {
        /// The Undo record's LGPOS.
        lgpos: Lgpos,
        /// Its session.
        procid: u16,
        /// `le_rceid`.
        rceid: u32,
        /// `le_oper`.
        oper: u16,
    },
    /// The node of a version is neither on its recorded page nor where the tree's separators
    /// lead.
    #[error("the node of {record} at {lgpos} (bookmark {bookmark}, tree FDP {pgno_fdp}) should be on page {pgno_hint} or reachable from the FDP root, but it is not: {why}")]
    NodeNotFound {
        /// The record that made the version.
        record: &'static str,
        /// Its LGPOS.
        lgpos: Lgpos,
        /// The bookmark, hex (key, then `|` and data on non-unique trees).
        bookmark: String,
        /// `le_pgnoFDP`.
        pgno_fdp: u32,
        /// The page the record named.
        pgno_hint: u32,
        /// What the search met.
        why: String,
    },
    /// The page model refused the physical undo (the page is left unchanged).
    #[error("undo of {record} at {lgpos} on page {pgno} line {iline}: {source}")]
    Page {
        /// The record that made the version.
        record: &'static str,
        /// Its LGPOS.
        lgpos: Lgpos,
        /// The page.
        pgno: u32,
        /// The line.
        iline: usize,
        /// The page model's error (boxed: it carries strings).
        source: Box<PageError>,
    },
    /// A page could not be read.
    #[error("page {pgno} should be readable for undo, but: {message}")]
    Access {
        /// The page.
        pgno: u32,
        /// The reader's message.
        message: String,
    },
    /// The version store is over its memory bound (ESE: -1069 `JET_errVersionStoreOutOfMemory`).
    #[error("the version store should stay within {limit} bytes, but {record} at {lgpos} would take it to {needed}")]
    VersionStoreFull {
        /// The record.
        record: &'static str,
        /// Its LGPOS.
        lgpos: Lgpos,
        /// The bound ([`crate::undo::Limits::max_bytes`]).
        limit: usize,
        /// Bytes with this version.
        needed: usize,
    },
    /// A record disagrees with the page it names (a line missing, a key too long).
    #[error("{record} at {lgpos}: {what} should be {expected}, but it is {found}")]
    Inconsistent {
        /// The record.
        record: &'static str,
        /// Its LGPOS.
        lgpos: Lgpos,
        /// The field or check.
        what: &'static str,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
}

/// Result of undo.
pub type Result<T, E = UndoError> = std::result::Result<T, E>;
