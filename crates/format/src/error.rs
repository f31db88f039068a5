//! The crate's error type.
//!
//! Every structural error carries the absolute byte offset (from the start of the file) and the
//! Microsoft field name, so a user can go straight to the spot with a hex viewer.

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong while decoding an ESE structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The data ends before a field does.
    #[error("{field} at offset {offset:#x} needs {needed} bytes, but the data ends at offset {end:#x}")]
    Truncated {
        /// Microsoft field name (e.g. `le_ulMagic`).
        field: &'static str,
        /// Absolute offset of the field.
        offset: u64,
        /// Size of the field in bytes.
        needed: usize,
        /// Absolute offset at which the data ends.
        end: u64,
    },
    /// A magic number is not the expected one.
    #[error("{field} at offset {offset:#x} should be {expected:#010x}, but it is {found:#010x}")]
    BadMagic {
        /// Microsoft field name.
        field: &'static str,
        /// Absolute offset of the field.
        offset: u64,
        /// The value the format requires.
        expected: u32,
        /// The value found.
        found: u32,
    },
}
