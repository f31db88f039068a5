//! # esehdr-recover
//!
//! Soft recovery of Microsoft ESE ("JET Blue") databases, starting with the part that reads
//! only: **what would recovery do** with this database and these logs? A replay driver walks
//! the records of the log stream across generations from where the engine starts (the
//! checkpoint, else the lowest log), takes the engine's decisions for the database (attach,
//! defer, skip or fail; which records apply; the dbtime rule on every page; split and merge
//! macros; the transactions left open), and hands each page operation that needs redo to a
//! [`Sink`]. The dry run and soft recovery on a copy use the same sink, the redo engine
//! ([`ApplySink`], in memory, on the pages the logs touch), and the same rollback of the
//! transactions left open, so the prediction and the recovery share every decision and every
//! error; only recovery writes (a copy).
//!
//! Sources: docs/log-records.md §5 (redo semantics) and §8, docs/page-internals.md
//! §1.2 and §4.1, docs/README.md §1 (database header), §5 (checkpoint), §7.3 and §8 (the
//! stream).
//!
//! ## Getting started
//! 1. Fill [`DryRunOptions`]: the database (or none, to have the logs create it), the log
//!    folder and, if apart, the folder of the checkpoint.
//! 2. Call [`dry_run`]: it opens every file read-only and returns a [`Report`].
//! 3. [`Report::verdict`] says whether recovery would succeed; [`Report::error`] is the first
//!    error it would stop on, with its LGPOS and page.
//!
//! ```
//! use esehdr_recover::{dry_run, DryRunOptions, Verdict};
//! let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");
//! // A Clean Shutdown SRUM database with its logs: the checkpoint is at the end of the logs,
//! // so recovery has nothing to replay into it.
//! let report = dry_run(&DryRunOptions {
//!     database: Some(format!("{root}/db/srum-server2022-clean.dat").into()),
//!     logs: format!("{root}/logs/srum-server2022").into(),
//!     ..Default::default()
//! })?;
//! assert_eq!(report.base_name, "SRU");
//! assert_eq!(report.start.generation, 2);
//! assert_eq!(report.verdict, Verdict::WouldSucceed);
//! assert_eq!(report.apply.records, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`page`] is the page model: a read-only view of a database page, a separate mutable type with
//! the engine's page primitives, a builder for fresh pages and the invariant checker. This crate
//! is the only part of esehdr that writes bytes, and only into a copy it was given.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used))]

pub mod attach;
pub mod check;
pub mod driver;
pub mod errors;
mod fields;
#[doc(hidden)]
pub mod fuzzing;
pub mod header;
pub mod output;
pub mod page;
pub mod recover;
pub mod redo;
pub mod report;
pub mod set;
pub mod undo;

pub use attach::{Decision, Reason};
pub use driver::{replay, LogItem, LogSource, MacroRecord, Redo, Sink, SinkError, Start, Target};
pub use recover::{parse_lgpos, recover, recover_with, Events, RecoverError, RecoverOptions, RecoverReport, Redoer};
pub use redo::{ApplySink, CreateDbInfo, PageSource, RedoOutcome};
pub use report::{Apply, AttachEntry, ReplayError, Report, Rollback, Verdict};
pub use set::{dry_run, DryRunOptions, SetupError};
