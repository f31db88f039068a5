//! Database pages: checksums and verification ([`checksum`], re-exported here) and the
//! whole-file scan of `eseutil /k` ([`scan`]).

pub mod checksum;
pub mod scan;

pub use checksum::*;
