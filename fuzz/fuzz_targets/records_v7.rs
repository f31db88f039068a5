//! Fuzz target for record walking and decoding in a v7 log (7.3704, `LRCHECKSUM` framing):
//! arbitrary bytes placed after the header of a real v7 log (`testdata/logs/catroot2-server2003/
//! edb.log`), then every consumer of the records as in the `records` target.
//!
//! The body lives in `esehdr_format::fuzzing::records_after`, which `crates/format/tests/replay.rs`
//! also runs (with the same log) on every input committed under `fuzz/artifacts/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

const LOG: &[u8] = include_bytes!("../../testdata/logs/catroot2-server2003/edb.log");

fuzz_target!(|data: &[u8]| esehdr_format::fuzzing::records_after(LOG, data));
