//! The error a record walk or a record decode ends with: where (LGPOS and absolute file
//! offset), which record type, which field, and what was wrong, all as values.

use std::fmt;

use serde::Serialize;

use crate::log::records::types::LrType;
use crate::primitives::Lgpos;

/// What was wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// The type byte is >= 102 (`lrtypMax`): the engine fails with -501.
    TypeOutOfRange,
    /// The type has no size rule (`CbLGSizeOfRec` returns 0), so nothing after it can be read.
    NoSizeRule,
    /// The record (or the part needed to size it) needs `needed` bytes from its start, but only
    /// `available` bytes of valid data (v7) or of its segment (v8) are left.
    RunsPast {
        /// Bytes the record needs from its first byte.
        needed: u64,
        /// Bytes left.
        available: u64,
    },
    /// A `Fragment` (77) outside a fragment chain.
    FragmentOutsideChain,
    /// A `FragmentBegin` (76) while a chain is being reassembled, not at a segment start with an
    /// `UndoInfo` payload.
    FragmentBeginInChain,
    /// A regular record interrupts a fragment chain (only RecoveryUndo, RecoveryUndo2 and
    /// UndoInfo may, at a segment start, after a crash).
    ChainInterrupted,
    /// A fragment piece is larger than allowed (`le_cbFragmentSize` against the total or the
    /// bytes left): `limit` allowed, `found` given.
    FragmentTooLong {
        /// The most the piece may hold.
        limit: u64,
        /// The piece size found.
        found: u64,
    },
    /// The reassembled record's own size (`CbLGSizeOfRec`) differs from `le_cbTotalLRSize`.
    FragmentSizeMismatch {
        /// `le_cbTotalLRSize`.
        total: u64,
        /// The size of the reassembled record.
        size: u64,
    },
    /// v7: the `LRCHECKSUM` chain says a checksum record is here, but the type byte is not 42.
    ChecksumExpected,
    /// v7: the record runs over the next `LRCHECKSUM` of the chain, at file offset `checksum`.
    OverlapsChecksum {
        /// File offset of that `LRCHECKSUM`.
        checksum: u64,
    },
    /// A field of a sized record does not fit the rest of the record or holds an impossible value.
    BadField {
        /// What the format requires.
        expected: String,
        /// What was found.
        found: String,
    },
}

/// A record that ends a walk or fails to decode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordError {
    /// LGPOS of the record, as eseutil reports it.
    pub lgpos: Lgpos,
    /// Absolute file offset of the record's first byte (of its `FragmentBegin` when fragmented).
    pub offset: u64,
    /// The record's type byte (`None` when the bytes end before it).
    pub lrtyp: Option<LrType>,
    /// Microsoft name of the field at fault (`lrtyp`, `le_cbFragmentSize`, `mle_cbPath`, ...).
    pub field: &'static str,
    /// What was wrong.
    #[serde(flatten)]
    pub kind: RecordErrorKind,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RecordErrorKind as K;
        let what = self.lrtyp.map_or_else(|| "record".to_string(), |t| t.to_string());
        write!(f, "{what} at {} (file offset {:#x}): ", self.lgpos, self.offset)?;
        match &self.kind {
            K::TypeOutOfRange => {
                write!(f, "{} should be below 102, but it is {}", self.field, self.lrtyp.map_or(0, |t| t.0))
            }
            K::NoSizeRule => write!(f, "the type has no size rule, so the log cannot be read past it"),
            K::RunsPast { needed, available } => {
                write!(f, "{} makes the record {needed} bytes long, but only {available} bytes are left", self.field)
            }
            K::FragmentOutsideChain => write!(f, "a fragment outside a fragment chain"),
            K::FragmentBeginInChain => write!(f, "a new fragment chain starts before the previous one is complete"),
            K::ChainInterrupted => write!(f, "the record interrupts a fragment chain"),
            K::FragmentTooLong { limit, found } => {
                write!(f, "{} should be at most {limit}, but it is {found}", self.field)
            }
            K::FragmentSizeMismatch { total, size } => {
                write!(f, "{} says {total} bytes, but the reassembled record is {size} bytes long", self.field)
            }
            K::ChecksumExpected => write!(f, "{} should be 42 (LRCHECKSUM, from the chain), but it is not", self.field),
            K::OverlapsChecksum { checksum } => {
                write!(f, "the record runs over the LRCHECKSUM at file offset {checksum:#x}")
            }
            K::BadField { expected, found } => write!(f, "{} should be {expected}, but it is {found}", self.field),
        }
    }
}

impl std::error::Error for RecordError {}
