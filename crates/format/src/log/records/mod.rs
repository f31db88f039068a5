//! Log records: framing (walking the records of a log) and typed decoding.
//!
//! Two layers, as FORMAT-LOGREC describes them:
//! 1. **Framing** ([`walk`]): [`RecordWalker`] walks a whole log file held in memory (v7
//!    `LRCHECKSUM` framing or v8 segments), skips segment headers and NOP fill, reassembles
//!    fragments, and yields [`RawRecord`]s: LGPOS, absolute offset, type and bytes. It stops
//!    exactly at the end of the valid data the content check reports and says why
//!    ([`Stop`], [`StopReason`]); a record it cannot read ends the walk with a [`RecordError`].
//! 2. **Types** ([`types`]): [`LrType`] and the one table ([`types::TYPES`]) of the 102 types
//!    with eseutil's names, fixed sizes and size rules.
//! 3. **Decoding** ([`decode`]): [`Record::decode`] turns a raw record into one [`Record`] enum
//!    whose variants borrow the record's bytes (a type without a typed view keeps its bytes as
//!    [`Record::Raw`]); [`Record::for_each_page_ref`] lists the page references eseutil counts.
//!
//! Sources: ../shared/FORMAT-LOGREC.md §1-§3, §8.
//!
//! ```
//! use esehdr_format::log::records::{RecordWalker, StopReason};
//! let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/logs/srum-server2022/SRU00001.log"))?;
//! let mut walker = RecordWalker::new(&file)?;
//! let mut count = 0;
//! while let Some(record) = walker.next_record() {
//!     let record = record?;
//!     if let esehdr_format::Record::CreateDb(create) = esehdr_format::Record::decode(&record)? {
//!         assert_eq!(create.path, r"C:\Windows\system32\sru\SRUDB.dat");
//!     }
//!     count += 1;
//! }
//! let stop = walker.stop().ok_or("the walk has ended")?;
//! assert_ne!(stop.reason, StopReason::Corrupt);
//! assert!(count > 0);
//! assert!(walker.accounting().balanced());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod types;
pub mod walk;

pub use error::{RecordError, RecordErrorKind};
pub use types::{record_size, LrType, SizeRule, TypeInfo, LRTYP_MAX, TYPES};
pub use walk::{Accounting, RawRecord, RecordWalker, Stop, StopReason};
pub mod decode;
pub use decode::{Hex, NodeHeader, PageAccess, PageHeader, PageRef, Record};
