//! The engine errors recovery stops on, as eseutil names them (codes and names from `jethdr.w`,
//! docs/README.md §9 and docs/log-records.md §5). The stream errors (-501, -513, -515, -528,
//! -530, -541, -590) are those of [`esehdr_format::engine`].

pub use esehdr_format::engine::{EngineError, CHECKPOINT_CORRUPT, LOG_FILE_CORRUPT, MISSING_LOG_FILE};

/// -514 `JET_errBadLogVersion`: an old-style Split (27) or Merge (28) needs redo (docs/log-records.md §5.4).
pub const BAD_LOG_VERSION: EngineError = EngineError {
    code: -514,
    name: "JET_errBadLogVersion",
    description: "Version of log file is not compatible with Jet version",
};
/// -543 `JET_errRequiredLogFilesMissing`.
pub const REQUIRED_LOG_FILES_MISSING: EngineError = EngineError {
    code: -543,
    name: "JET_errRequiredLogFilesMissing",
    description: "The required log files for recovery is missing.",
};
/// -550 `JET_errDatabaseDirtyShutdown`.
pub const DATABASE_DIRTY_SHUTDOWN: EngineError =
    EngineError { code: -550, name: "JET_errDatabaseDirtyShutdown", description: "Database was not shutdown cleanly" };
/// -551 `JET_errConsistentTimeMismatch`.
pub const CONSISTENT_TIME_MISMATCH: EngineError = EngineError {
    code: -551,
    name: "JET_errConsistentTimeMismatch",
    description: "Database last consistent time unmatched",
};
/// -566 `JET_errDbTimeTooOld`.
pub const DB_TIME_TOO_OLD: EngineError = EngineError {
    code: -566,
    name: "JET_errDbTimeTooOld",
    description: "dbtime on page smaller than dbtimeBefore in record",
};
/// -567 `JET_errDbTimeTooNew`.
pub const DB_TIME_TOO_NEW: EngineError = EngineError {
    code: -567,
    name: "JET_errDbTimeTooNew",
    description: "dbtime on page in advance of the dbtimeBefore in record",
};
/// -625 `JET_errDbTimeBeyondMaxRequired`.
pub const DB_TIME_BEYOND_MAX_REQUIRED: EngineError = EngineError {
    code: -625,
    name: "JET_errDbTimeBeyondMaxRequired",
    description: "dbtime on page greater than global database dbtime",
};
/// -1216 `JET_errAttachedDatabaseMismatch`.
pub const ATTACHED_DATABASE_MISMATCH: EngineError = EngineError {
    code: -1216,
    name: "JET_errAttachedDatabaseMismatch",
    description: "An outstanding database attachment has been detected at the start or end of recovery, but database is missing or does not match attachment info",
};
/// -1226 `JET_errDatabaseIncompleteIncrementalReseed`.
pub const DATABASE_INCOMPLETE_INCREMENTAL_RESEED: EngineError = EngineError {
    code: -1226,
    name: "JET_errDatabaseIncompleteIncrementalReseed",
    description: "The database is in an inconsistent state because an incremental reseed was not completed",
};
/// -1935 `JET_errDatabaseIncompleteRevert`.
pub const DATABASE_INCOMPLETE_REVERT: EngineError = EngineError {
    code: -1935,
    name: "JET_errDatabaseIncompleteRevert",
    description: "The database is in an inconsistent state because a revert was not completed",
};
