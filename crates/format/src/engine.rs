//! Engine errors as eseutil names them: `-1206 (JET_errDatabaseCorrupted, Non database file or
//! corrupted db)`. Codes, names and descriptions from `jethdr.w` (docs/errors.md §9).

use serde::Serialize;

/// An engine error a user would meet, as eseutil names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct EngineError {
    /// The error number.
    pub code: i32,
    /// `JET_err*` name.
    pub name: &'static str,
    /// The description eseutil prints.
    #[serde(skip)]
    pub description: &'static str,
}

/// -501 `JET_errLogFileCorrupt`.
pub const LOG_FILE_CORRUPT: EngineError =
    EngineError { code: -501, name: "JET_errLogFileCorrupt", description: "Log file is corrupt" };
/// -513 `JET_errLogGenerationMismatch`.
pub const LOG_GENERATION_MISMATCH: EngineError = EngineError {
    code: -513,
    name: "JET_errLogGenerationMismatch",
    description: "Name of logfile does not match internal generation number",
};
/// -515 `JET_errInvalidLogSequence`.
pub const INVALID_LOG_SEQUENCE: EngineError = EngineError {
    code: -515,
    name: "JET_errInvalidLogSequence",
    description: "Timestamp in next log does not match expected",
};
/// -528 `JET_errMissingLogFile`.
pub const MISSING_LOG_FILE: EngineError =
    EngineError { code: -528, name: "JET_errMissingLogFile", description: "Current log file missing" };
/// -530 `JET_errBadLogSignature`.
pub const BAD_LOG_SIGNATURE: EngineError =
    EngineError { code: -530, name: "JET_errBadLogSignature", description: "Bad signature for a log file" };
/// -541 `JET_errLogFileSizeMismatch`.
pub const LOG_FILE_SIZE_MISMATCH: EngineError = EngineError {
    code: -541,
    name: "JET_errLogFileSizeMismatch",
    description: "actual log file size does not match JET_paramLogFileSize",
};
/// -590 `JET_errLogSequenceChecksumMismatch`.
pub const LOG_SEQUENCE_CHECKSUM_MISMATCH: EngineError = EngineError {
    code: -590,
    name: "JET_errLogSequenceChecksumMismatch",
    description: "The previous log's accumulated segment checksum doesn't match the next log",
};

/// -1206 `JET_errDatabaseCorrupted`: what `/mh` and `/k` return when the header or a page is bad.
pub const DATABASE_CORRUPTED: EngineError =
    EngineError { code: -1206, name: "JET_errDatabaseCorrupted", description: "Non database file or corrupted db" };
/// -533 `JET_errCheckpointCorrupt`.
pub const CHECKPOINT_CORRUPT: EngineError =
    EngineError { code: -533, name: "JET_errCheckpointCorrupt", description: "Checkpoint file not found or corrupt" };
