//! # esehdr-recover
//!
//! Recovery for Microsoft ESE ("JET Blue") databases: the only part of esehdr that writes
//! bytes, and only into a copy it was given.
//!
//! [`page`] is the page model: a read-only view of a database page, a separate mutable type with
//! the engine's page primitives, a builder for fresh pages and the invariant checker.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used))]

pub mod page;
