//! [`UndoAction`]: the physical undo of one version, applied to a node through the page model.
//!
//! Undo runs with `fDIRUndo` (NoLog | NoVersion | NoDirty): no flag is added but the one the
//! action names, so `fNDVersion` stays as redo left it (docs/page-internals.md §10 F10). Undo
//! never splits: a before-image that no longer fits is refused by the page model, and the page
//! is left byte for byte unchanged.
//!
//! Sources: docs/page-internals.md §5.1 item 2 (the table), §3.3 (node operations), §3.4
//! (delta); Microsoft's `ErrVERIUndoInsertPhysical`, `ErrVERIUndoReplacePhysical`,
//! `ErrVERIUndoFlagDeletePhysical`, `ErrVERIUndoDeltaPhysical` (`ese/ver.cxx`).

use crate::page::{LineFlags, PageMut, Result};

/// The physical undo of one version-store entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoAction<'a> {
    /// Undo of an insert (Insert, FlagInsert, the insert part of FlagInsertAndReplaceData): set
    /// `fNDDeleted` (`ErrNDFlagDelete` with `fDIRUndo`); cleanup would remove the node later.
    FlagDelete,
    /// Undo of a replace (Replace, ReplaceD, the replace part of FlagInsertAndReplaceData): the
    /// before-image becomes the node's data again (`ErrNDReplace`), key and flags kept.
    RestoreData(&'a [u8]),
    /// Undo of a flag-delete: clear `fNDDeleted` (`NDResetFlagDelete`).
    ClearDeleted,
    /// Undo of a Delta: add `−delta` to the i32 at data offset `offset`.
    Delta32 {
        /// `cbOffset`: where the counter sits in the node's data.
        offset: u16,
        /// The delta the operation added (undo adds its negation, wrapping).
        delta: i32,
    },
    /// Undo of a Delta64: add `−delta` to the i64 at data offset `offset`.
    Delta64 {
        /// `cbOffset`.
        offset: u16,
        /// The delta the operation added.
        delta: i64,
    },
}

impl UndoAction<'_> {
    /// Applies the action to line `iline` of `page`. A rejected action has written nothing.
    pub fn apply(&self, page: &mut PageMut<'_>, iline: usize) -> Result<()> {
        match *self {
            UndoAction::FlagDelete => page.set_line_flags(iline, LineFlags::DELETED),
            UndoAction::RestoreData(before) => page.replace_data(iline, before),
            UndoAction::ClearDeleted => page.clear_line_flags(iline, LineFlags::DELETED),
            UndoAction::Delta32 { offset, delta } => {
                page.delta_i32(iline, usize::from(offset), delta.wrapping_neg()).map(|_| ())
            }
            UndoAction::Delta64 { offset, delta } => {
                page.delta_i64(iline, usize::from(offset), delta.wrapping_neg()).map(|_| ())
            }
        }
    }

    /// The action's name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            UndoAction::FlagDelete => "flag-delete",
            UndoAction::RestoreData(_) => "restore before-image",
            UndoAction::ClearDeleted => "clear deleted flag",
            UndoAction::Delta32 { .. } => "subtract delta",
            UndoAction::Delta64 { .. } => "subtract delta64",
        }
    }
}
