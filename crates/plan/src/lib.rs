//! # esehdr-plan
//!
//! The restore planner: Microsoft KB296788's offline backup and restore procedure, and the three
//! recovery cases of the Exchange 2003 cluster recovery guide, as rules R1-R19 (`docs/restore-rules.md`
//! at the root of the esehdr repository) over small facts taken from the headers of a stream's
//! databases, logs and checkpoint. Pure logic: no bytes, no files. Every check and conclusion names its rule.
//!
//! ## Getting started
//! 1. Read the headers with `esehdr-format` and fill a [`StreamInput`].
//! 2. Call [`plan`]: it returns the checks, the four verdicts (point-in-time, roll-forward, soft
//!    recovery, start without logs), the recovery case, the actions in order, and the logs to
//!    back up or delete.
//!
//! ```
//! use esehdr_plan::{plan, StreamInput, Database};
//! let input = StreamInput {
//!     base_name: "E00".into(),
//!     databases: vec![Database {
//!         file: "priv1.edb".into(),
//!         header_valid: true,
//!         state_code: 3, // Clean Shutdown
//!         last_consistent: Default::default(),
//!         log_required: (0, 0),
//!         db_signature: Default::default(),
//!         log_signature: Default::default(),
//!         streaming_file: None,
//!         restoring: true,
//!         dry_run: None,
//!     }],
//!     ..StreamInput::default()
//! };
//! let p = plan(&input);
//! // No log and no checkpoint: the database starts a new log stream (R5 does not apply).
//! assert!(p.verdicts.point_in_time.possible && p.verdicts.point_in_time.ready);
//! assert!(!p.verdicts.roll_forward.possible); // R10: no low anchor log
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[doc(hidden)]
pub mod fuzzing;
pub mod model;
mod rules;

pub use model::*;
pub use rules::plan;
