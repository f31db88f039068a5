//! Fuzz target for the log records of a whole in-memory log (a mutated real v7 or v8 log): the
//! walk under its own content verdict and under one that calls every byte valid, each record
//! decoded, the summary, the `ml -v` dump at both levels and the JSON Lines writer. Whatever the
//! bytes, it must return, never panic, and keep memory bounded by the log.
//!
//! The body lives in `esehdr_format::fuzzing::records`, which `crates/format/tests/replay.rs` also
//! runs on every input committed under `fuzz/artifacts/`, on the stable toolchain.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| esehdr_format::fuzzing::records(data));
