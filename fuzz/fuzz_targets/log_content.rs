//! Fuzz target for the log content verifiers (LRCHECKSUM chain and LGSEGHDR segments) on an in-memory log: whatever the bytes, it must return, never panic.
//!
//! The body lives in `esehdr_format::fuzzing::log_content`, which `crates/format/tests/replay.rs` also
//! runs on every input committed under `fuzz/artifacts/`, on the stable toolchain.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| esehdr_format::fuzzing::log_content(data));
