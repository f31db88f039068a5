//! Fuzz target for redo: a mutated log replayed into the page-applying sink of
//! `esehdr recover --out` (pages created from the log's CreateDB), every page produced read back
//! by the page checker. Whatever the bytes, it must return, never panic nor hang.
//!
//! The body lives in `esehdr_recover::fuzzing::redo_log`, which `crates/recover/tests/replay.rs`
//! also runs on every input committed under `fuzz/artifacts/redo/`, on the stable toolchain.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| esehdr_recover::fuzzing::redo_log(data));
