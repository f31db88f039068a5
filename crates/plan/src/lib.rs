//! # esehdr-plan
//!
//! The restore planner: Microsoft KB296788's offline backup and restore procedure, and the three
//! recovery cases of the Exchange 2003 cluster recovery guide, as rules R1-R19
//! (`../shared/RESTORE-RULES.md`) over small facts taken from the headers of a stream's databases,
//! logs and checkpoint. Pure logic: no bytes, no files. Every check and conclusion names its rule.
//!
//! ## Getting started
//! 1. Read the headers with `esehdr-format` and fill a [`StreamInput`].
//! 2. Call [`plan`]: it returns the checks, the three verdicts (point-in-time, roll-forward, soft
//!    recovery), the recovery case, the actions in order, and the logs to back up or delete.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[doc(hidden)]
pub mod fuzzing;
pub mod model;
mod rules;

pub use model::*;
pub use rules::plan;
