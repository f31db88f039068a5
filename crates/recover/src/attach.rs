//! The attach decision for one database (`ErrLGRICheckAttachedDb`, `ErrLGRICheckAttachNow`):
//! a pure function of the database header, the attach information and the log stream.
//!
//! Sources: docs/log-records.md §5.3 (the table, in its evaluation order), §3.6
//! (`lgposConsistent` of an AttachDB at or after its own LGPOS is treated as zero).

use esehdr_format::{DbFileHeader, DbState, Lgpos, Signature};
use serde::Serialize;

use crate::errors::{
    EngineError, ATTACHED_DATABASE_MISMATCH, CONSISTENT_TIME_MISMATCH, DATABASE_INCOMPLETE_INCREMENTAL_RESEED,
    DATABASE_INCOMPLETE_REVERT, REQUIRED_LOG_FILES_MISSING,
};

/// Where the attach information comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachSource {
    /// The checkpoint's attachment list (or, without a checkpoint, the first log header's):
    /// the initial attach at the start of replay.
    Initial,
    /// A `CreateDB` record.
    CreateDb,
    /// An `AttachDB` record.
    AttachDb,
}

/// What is known of the attachment being replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachInput {
    /// Where it comes from.
    pub source: AttachSource,
    /// `signDb` of the attach info.
    pub db_signature: Signature,
    /// `lgposConsistent` of the attach info (AttachDB: as logged, zeroed when at or after the
    /// record's own LGPOS; CreateDB: zero).
    pub last_consistent: Lgpos,
    /// `lgposAttach`: the record's LGPOS, or the attach LGPOS of the checkpoint's list.
    pub lgpos_attach: Lgpos,
    /// AttachDB: the `signLog` logged in the record (the database's at attach time). Others:
    /// `None` (the stream's own is assumed).
    pub logged_log_signature: Option<Signature>,
    /// The generation being replayed when the decision is taken.
    pub current_generation: i32,
    /// The replay position when the decision is taken.
    pub current_lgpos: Lgpos,
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Attach now: records of this DBID after this point are replayed into the database.
    Attach,
    /// Defer: wait for a later CreateDB/AttachDB of this DBID; -1216 at the end if none comes.
    Defer,
    /// Skip: the database belongs to another log stream; never replayed (-1216 at the end).
    Skip,
    /// Recovery fails here.
    Fail,
}

/// Why (the engine's reason names where it has them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The database file is absent and the record is a CreateDB: recovery creates it.
    Create,
    /// The header matches the attachment.
    Matches,
    /// An AttachDB that re-attaches a database last attached under another stream.
    Reattach,
    /// The database file is absent.
    Missing,
    /// `le_dbstate` says an incremental reseed or a revert is incomplete.
    IncompleteState,
    /// Neither the stream's nor the logged log signature is the header's (`LogSignatureMismatch`).
    LogSignatureMismatch,
    /// The header's `signDb` is not the attachment's (`DbSignatureMismatch`).
    DbSignatureMismatch,
    /// The header's last attach is later than this one (`AttachFuture`).
    AttachFuture,
    /// The header's last attach is earlier: this attachment was skipped (a file copy put back).
    AttachSkipped,
    /// The header was made consistent later than the logged point (`ConsistentFuture`).
    ConsistentFuture,
    /// The header's last consistent point does not match the logged one (an older copy).
    ConsistentTimeMismatch,
    /// The database was changed with logging off (`UnloggedDbUpdate`).
    UnloggedDbUpdate,
    /// `le_lGenMinRequired` is below the generation of the attach: its logs were not replayed.
    RequiredLogsMissing,
}

/// The outcome of one decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// What happens.
    pub decision: Decision,
    /// Why.
    pub reason: Reason,
    /// The error, for [`Decision::Fail`].
    pub error: Option<EngineError>,
}

impl Outcome {
    fn new(decision: Decision, reason: Reason) -> Self {
        Self { decision, reason, error: None }
    }
    fn fail(reason: Reason, error: EngineError) -> Self {
        Self { decision: Decision::Fail, reason, error: Some(error) }
    }
}

/// A one-line explanation of a reason.
pub fn reason_text(r: Reason) -> &'static str {
    match r {
        Reason::Create => "the database file is absent; recovery creates it from the logs",
        Reason::Matches => "the header's signatures and last attach match this attachment",
        Reason::Reattach => "the database was last attached under another stream and this AttachDB re-attaches it",
        Reason::Missing => "the database file is absent (deferred; -1216 at the end unless a later attachment matches)",
        Reason::IncompleteState => "the header says an incremental reseed or revert is incomplete",
        Reason::LogSignatureMismatch => {
            "the database's log signature is neither this stream's nor the one logged: a database of another stream"
        }
        Reason::DbSignatureMismatch => "the database signature differs from the attachment's",
        Reason::AttachFuture => "the header's last attach is later than this attachment",
        Reason::AttachSkipped => {
            "the header's last attach is earlier than this attachment: the attachment was skipped (a copy put back?)"
        }
        Reason::ConsistentFuture => "the database was made consistent after this point",
        Reason::ConsistentTimeMismatch => {
            "the header's last consistent point differs from the logged one (an older copy against newer logs?)"
        }
        Reason::UnloggedDbUpdate => "the database was changed with logging off",
        Reason::RequiredLogsMissing => "the attach is after the first generation the header requires",
    }
}

/// `ErrLGRICheckAttachedDb` + `ErrLGRICheckAttachNow` for a database file whose header is
/// `header` (`None`: the file is absent), against the stream signature `stream_log_signature`.
pub fn decide(header: Option<&DbFileHeader>, a: &AttachInput, stream_log_signature: &Signature) -> Outcome {
    let Some(h) = header else {
        return match a.source {
            AttachSource::CreateDb => Outcome::new(Decision::Attach, Reason::Create),
            _ => Outcome::new(Decision::Defer, Reason::Missing),
        };
    };
    match h.state {
        DbState::IncrementalReseedInProgress => {
            return Outcome::fail(Reason::IncompleteState, DATABASE_INCOMPLETE_INCREMENTAL_RESEED)
        }
        DbState::RevertInProgress => return Outcome::fail(Reason::IncompleteState, DATABASE_INCOMPLETE_REVERT),
        _ => {}
    }
    let logged = a.logged_log_signature.unwrap_or(*stream_log_signature);
    let matching_sign_db = h.db_signature == a.db_signature;
    let matching_sign_log = h.log_signature == *stream_log_signature;
    let matching_logged_sign_log = h.log_signature == logged;
    let consistent_equal = h.last_consistent.lgpos == a.last_consistent;
    let header_attach = h.last_attach.lgpos;

    let attach_now = |reason: Reason| -> Outcome {
        // ErrLGRICheckAttachNow: the logs from le_lGenMinRequired on must have been replayed.
        let min = h.log_required.min;
        if min != 0 && h.state != DbState::DirtyAndPatchedShutdown && a.current_generation > min {
            return Outcome::fail(Reason::RequiredLogsMissing, REQUIRED_LOG_FILES_MISSING);
        }
        Outcome::new(Decision::Attach, reason)
    };

    if !matching_sign_log && !matching_logged_sign_log {
        return Outcome::new(Decision::Skip, Reason::LogSignatureMismatch);
    }
    if !matching_sign_log {
        // Only the logged signLog matches: the database was last attached under another stream.
        return match (consistent_equal, matching_sign_db) {
            (true, true) => attach_now(Reason::Reattach),
            (true, false) | (false, false) => Outcome::new(Decision::Defer, Reason::DbSignatureMismatch),
            (false, true) => Outcome::fail(Reason::ConsistentTimeMismatch, CONSISTENT_TIME_MISMATCH),
        };
    }
    if !matching_logged_sign_log || consistent_equal || h.last_consistent.lgpos == Lgpos::default() {
        if !matching_sign_db {
            return Outcome::new(Decision::Defer, Reason::DbSignatureMismatch);
        }
        return match header_attach.cmp(&a.lgpos_attach) {
            std::cmp::Ordering::Equal => attach_now(Reason::Matches),
            std::cmp::Ordering::Less => {
                if a.source == AttachSource::AttachDb && matching_logged_sign_log {
                    attach_now(Reason::Matches)
                } else {
                    Outcome::fail(Reason::AttachSkipped, ATTACHED_DATABASE_MISMATCH)
                }
            }
            std::cmp::Ordering::Greater => Outcome::new(Decision::Defer, Reason::AttachFuture),
        };
    }
    let initial = a.source == AttachSource::Initial;
    if h.last_consistent.lgpos > a.last_consistent && (initial || h.last_consistent.lgpos > a.current_lgpos) {
        return Outcome::new(Decision::Defer, Reason::ConsistentFuture);
    }
    if matching_sign_db {
        Outcome::fail(Reason::ConsistentTimeMismatch, CONSISTENT_TIME_MISMATCH)
    } else {
        Outcome::new(Decision::Defer, Reason::UnloggedDbUpdate)
    }
}
