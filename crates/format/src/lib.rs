//! # esehdr-format
//!
//! Decoding and validation of the headers of Microsoft ESE ("JET Blue") files: databases
//! (`.edb`, `.dat`, `.mdb`, `.dit`, ...), Exchange 2000/2003 streaming files (`.stm`), and the
//! shared pieces (`LOGTIME`, `LGPOS`, `SIGNATURE`, `BKINFO`) and checksums.
//!
//! The crate does no I/O: it takes the bytes at the start of a file and returns owned, typed
//! headers. Decoding is separate from validation, so a damaged header can still be shown.
//! Every offset and field name follows `FORMAT.md` (read from Microsoft's open-source ESE).
//!
//! ## Getting started
//! 1. Read the first [`DB_HEADER_READ_LEN`] bytes of the file (less if the file is shorter);
//!    nothing beyond them is needed, whatever the size of the database.
//! 2. Call [`read_database_header`]: it detects the page size, checks both header copies and
//!    picks the one the engine would use.
//! 3. Use [`DatabaseHeader::header`] for the validated fields and
//!    [`DatabaseHeader::findings`] for what validation noticed.
//!
//! ```
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/db/srum-server2022-clean.dat"))?;
//! let head = &bytes[..bytes.len().min(esehdr_format::DB_HEADER_READ_LEN)];
//! let db = esehdr_format::read_database_header(head)?;
//! let hdr = db.header().ok_or("no valid header copy")?;
//! assert_eq!(db.page_size, 4096);
//! assert_eq!(hdr.state, esehdr_format::DbState::CleanShutdown);
//! assert_eq!(hdr.last_consistent.lgpos.generation, 2);
//! assert_eq!(hdr.log_signature.random, 0xed8673f7);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used))]

mod bytes;
pub mod checkpoint;
pub mod checksum;
pub mod db;
pub mod engine;
pub mod error;
pub mod findings;
#[doc(hidden)]
pub mod fuzzing;
pub mod log;
pub mod page;
pub mod primitives;
pub mod sniff;

pub use db::header::{DbFileHeader, DbState, DB_HEADER_SIZE, DB_MAGIC};
pub use db::{
    read_database_header, Copy, CopyStatus, DatabaseHeader, DbKind, HeaderCopy, DB_HEADER_READ_LEN, PAGE_SIZES,
};
pub use error::{Error, Result};
pub use findings::{Finding, Severity};
pub use log::records::{LrType, RawRecord, Record, RecordError, RecordWalker, Stop, StopReason};
pub use primitives::{BkInfo, Lgpos, LgposTime, LogTime, Signature};
pub use sniff::{sniff, sniff_named, FileKind, Sniffed};
