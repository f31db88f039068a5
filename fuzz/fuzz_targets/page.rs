//! Fuzz target for page verification (legacy, ECC and large-page checksums, single-bit correction): whatever the bytes, it must return, never panic.
//!
//! The body lives in `esehdr_format::fuzzing::page`, which `crates/format/tests/replay.rs` also
//! runs on every input committed under `fuzz/artifacts/`, on the stable toolchain.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| esehdr_format::fuzzing::page(data));
