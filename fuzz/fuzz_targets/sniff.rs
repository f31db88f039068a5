//! Fuzz target for the file-kind sniffer, with and without a reserve-log name: whatever the bytes, it must return, never panic.
//!
//! The body lives in `esehdr_format::fuzzing::sniff_any`, which `crates/format/tests/replay.rs` also
//! runs on every input committed under `fuzz/artifacts/`, on the stable toolchain.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| esehdr_format::fuzzing::sniff_any(data));
