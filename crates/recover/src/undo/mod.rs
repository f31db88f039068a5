//! Undo of uncommitted transactions: the version store redo builds while it applies records,
//! the physical undo actions, and the bookmark search that finds a node after splits and merges
//! moved it.
//!
//! ESE undoes in two places, and this module serves both:
//! - **during redo**, an `Undo` record (a compensation logged by a rollback before the crash)
//!   names a version-store entry (RCE) by bookmark and `le_rceid`; redo finds the RCE and
//!   applies its physical undo when the page needs redo (`VERRedoPhysicalUndo`), and removes
//!   the RCE either way ([`VersionStore::page_record`]);
//! - **at the end of the logs** (or at `--until`), every session still inside a transaction is
//!   rolled back, newest operation first ([`VersionStore::rollback_all`]).
//!
//! ```text
//!  record (redo)                     version store                      at the end
//!  Begin0/Begin ──► session level ─┐
//!  Insert/FlagInsert/FIARD ──► RCE Insert (always)              rollback_all:
//!  Replace/ReplaceD ──► RCE Replace{before-image read from the  ├─ newest session first,
//!                         page before redo}, or deferred        │  RCEs by (level, rceid) desc
//!  FlagDelete ──► RCE FlagDelete, or deferred                   ├─ locate the node: the page
//!  Delta/Delta64 ──► RCE Delta (always)                         │  hint, else from the FDP root
//!  UndoInfo ──► fills a deferred RCE (before-image)             ├─ UndoAction on the page
//!  Undo ──► physical undo if redone; RCE removed                └─ dbtimeDirtied = ++dbtimeMax
//!  Commit ──► RCEs to the lower level; Commit0 drops them
//!  Rollback ──► RCEs left at the rolled-back levels undone, dropped
//! ```
//!
//! | operation undone | physical undo ([`UndoAction`]) | ESE |
//! |---|---|---|
//! | Insert, FlagInsert, FlagInsertAndReplaceData (its insert RCE) | set `fNDDeleted` | `ErrVERIUndoInsertPhysical` → `ErrNDFlagDelete(fDIRUndo)` |
//! | Replace, ReplaceD, FlagInsertAndReplaceData (its replace RCE) | the before-image as the node's data | `ErrVERIUndoReplacePhysical` → `ErrNDReplace` |
//! | FlagDelete | clear `fNDDeleted` | `ErrVERIUndoFlagDeletePhysical` → `NDResetFlagDelete` |
//! | Delta, Delta64 | add −delta | `ErrVERIUndoDeltaPhysical` → `ErrNDDelta` |
//!
//! An `Undo`/`UndoInfo` whose `le_oper` is not one of the five above is refused with
//! [`UndoError::Refused`] naming the record, before any page is changed (docs/page-internals.md
//! §5.2: stop and discard the copy). Tree creation (CreateSingleExtentFDP,
//! CreateMultipleExtentFDP), ConvertFDP, EmptyTree and the space-tree records make no version:
//! the engine's redo builds versions only from node operations, so its recovery never undoes
//! them (docs/page-internals.md §10 F13). A transaction still open at the end that created a
//! table loses the table's catalog and data rows; the new tree's pages stay allocated.
//!
//! Sources: docs/page-internals.md §5 (undo; §5.2's RULE for a tool that writes no logs), §2.4
//! (separators), §3.3-§3.4 (node operations), §10 F10 (version bits stay); docs/log-records.md
//! §3.10 (transaction records), §3.15 (node records, `Undo`, `UndoInfo`), §5.6 (versions and the
//! undo phase); Microsoft's `ese/ver.cxx` (`VERRedoPhysicalUndo`, `ErrVERIUndo*Physical`,
//! `VERIInsertRCEIntoSessionList`: during recovery a session's RCEs are ordered by level, then
//! rceid) and `ese/_log/logredo.cxx` (`ErrLGRIRedoNodeOperation`).

mod action;
mod error;
mod search;
mod store;

pub use action::UndoAction;
pub use error::{Result, UndoError};
pub use search::{locate, Bookmark, PageAccess, Tree};
pub use store::{
    Effect, Limits, Oper, Rce, RollbackOutcome, RolledBack, VersionStore, OPER_DELTA, OPER_DELTA64, OPER_FLAG_DELETE,
    OPER_INSERT, OPER_REPLACE,
};
