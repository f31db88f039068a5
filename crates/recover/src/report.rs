//! The report of a replay: the JSON contract of `esehdr recover --dry-run --json` (issue 10).

use std::collections::BTreeMap;

use esehdr_format::Lgpos;
use serde::Serialize;

use crate::attach::Decision;

/// Would recovery succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Recovery would run to the end of the logs.
    #[default]
    WouldSucceed,
    /// Recovery would stop with [`Report::error`].
    WouldFail,
}

/// The error recovery stops on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayError {
    /// The engine error number (-566, -1216, ...).
    pub code: i32,
    /// `JET_err*` name.
    pub name: &'static str,
    /// Where (`null` when the error has no position).
    pub lgpos: Option<Lgpos>,
    /// The page, for a dbtime mismatch.
    pub pgno: Option<u32>,
    /// Why.
    pub message: String,
}

/// One attach decision for the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachEntry {
    /// DBID in this stream.
    pub dbid: u8,
    /// LGPOS of the CreateDB/AttachDB record (of the attach, for the checkpoint's list).
    pub lgpos: Lgpos,
    /// `attach`, `defer`, `skip` or `fail`.
    pub decision: Decision,
    /// Why.
    pub reason: String,
}

/// What recovery would write.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Apply {
    /// Records that need redo (a macro's records all count when the macro is replayed).
    pub records: u64,
    /// Distinct pages written.
    pub pages: u64,
    /// Records that need redo, by eseutil record name.
    pub by_type: BTreeMap<String, u64>,
    /// Split/merge macros replayed.
    pub macros: u64,
}

/// What the undo phase would roll back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Rollback {
    /// Transactions still open at the end of the logs.
    pub transactions: u64,
    /// Their page records of this database (replayed, then undone).
    pub records: u64,
}

/// Page records of the database that replay does not consider (text report only).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Skipped {
    /// At or before the header's last attach (docs/log-records.md §5.2).
    pub before_attach: u64,
    /// Of a session whose transaction began before the start (§5.2 `FAfterFirstBT`).
    pub session_before_start: u64,
}

/// A transaction left open at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTransaction {
    /// Session.
    pub procid: u16,
    /// `trxBegin0`.
    pub trx_begin0: u32,
    /// LGPOS of its Begin0.
    pub lgpos: Lgpos,
    /// Its page records of this database.
    pub records: u64,
}

/// What recovery would do (the JSON contract, plus a few text-only details).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Report {
    /// The database (as given, or the CreateDB's path).
    pub database: Option<String>,
    /// The stream's 3-character base name.
    pub base_name: String,
    /// Where replay starts.
    pub start: Lgpos,
    /// Where it ends (the end of the logs, or the error's position).
    pub end: Lgpos,
    /// Recovery creates the database from the logs.
    pub create: bool,
    /// Would it succeed.
    pub verdict: Verdict,
    /// The first error.
    pub error: Option<ReplayError>,
    /// The attach decisions for this database, in log order.
    pub attach: Vec<AttachEntry>,
    /// What would be written.
    pub apply: Apply,
    /// Page records already on disk.
    pub already_on_disk: u64,
    /// What would be rolled back.
    pub rollback: Rollback,
    /// Records read from the start on.
    #[serde(skip)]
    pub records_read: u64,
    /// Page records not considered.
    #[serde(skip)]
    pub skipped: Skipped,
    /// The open transactions, by their Begin0.
    #[serde(skip)]
    pub open_transactions: Vec<OpenTransaction>,
    /// Where the start came from (`checkpoint FILE` / `lowest log FILE`).
    #[serde(skip)]
    pub start_from: String,
}
