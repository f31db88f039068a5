//! Fuzz target for the page model: an arbitrary page and an arbitrary sequence of page
//! operations (insert, replace, delete, flags, delta, external header, prefix, compaction).
//! Whatever the bytes, it must return, never panic; operations only touch the page's buffer.
//!
//! The body lives in `esehdr_recover::fuzzing::page_ops`, which `crates/recover/tests/replay.rs`
//! also runs on every input committed under `fuzz/artifacts/page_ops/`, on the stable toolchain.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| esehdr_recover::fuzzing::page_ops(data));
