//! Errors of the page model: what was asked, what the page holds, where.

/// An error of the page model. A rejected mutation has not written a byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// The buffer is not a page size the engine uses.
    #[error("page size should be 2048, 4096, 8192, 16384 or 32768 bytes, but it is {size}")]
    BadPageSize {
        /// The buffer length.
        size: usize,
    },
    /// A stored value does not fit the page structure.
    #[error("{field} at page offset {offset:#x} should be {expected}, but it is {found}")]
    Field {
        /// The Microsoft name of the field (`itagMicFree`, `TAG[3].ib`, `line 2 cbSuffix`, ...).
        field: String,
        /// Page-relative offset of the field.
        offset: usize,
        /// What the structure allows.
        expected: String,
        /// What the page holds.
        found: String,
    },
    /// The line does not exist.
    #[error("iline {iline} should be below the page's line count {lines}, but it is not")]
    NoSuchLine {
        /// The iline asked for.
        iline: usize,
        /// `Clines()` of the page.
        lines: usize,
    },
    /// Not enough free space for the operation.
    #[error("{op} needs {needed} free bytes, but the page has {available} (cbFree {cb_free} - cbUncommittedFree {cb_uncommitted_free})")]
    NoSpace {
        /// The operation.
        op: &'static str,
        /// Bytes the operation needs.
        needed: usize,
        /// `cbFree − cbUncommittedFree`.
        available: usize,
        /// `cbFree`.
        cb_free: usize,
        /// `cbUncommittedFree`.
        cb_uncommitted_free: usize,
    },
    /// An argument the page cannot take.
    #[error("{op}: {what} should be {expected}, but it is {found}")]
    Invalid {
        /// The operation.
        op: &'static str,
        /// The argument.
        what: &'static str,
        /// What the page allows.
        expected: String,
        /// What was given.
        found: String,
    },
    /// The page is in a state the operation refuses (pre-initialised, reserved tags, ...).
    #[error("{op} refused: {why}")]
    Refused {
        /// The operation.
        op: &'static str,
        /// Why.
        why: String,
    },
    /// A mutation broke a page invariant that held before it (debug builds check after every
    /// mutation); the page was restored to its bytes before the mutation.
    #[error("{op} broke a page invariant (page restored): {problem}")]
    InvariantBroken {
        /// The operation.
        op: &'static str,
        /// The first problem the checker found.
        problem: String,
    },
}

/// Result of the page model.
pub type Result<T, E = PageError> = std::result::Result<T, E>;
