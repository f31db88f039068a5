//! Fuzz target for the structure check (`esehdr check`): arbitrary bytes as the pages of a
//! database, walked from pgno 1 and 4, and every page through the page checker: it must
//! return, never panic or hang.
//!
//! The body lives in `esehdr_recover::check::fuzz`, which `crates/cli/tests/check.rs` also runs
//! on every input committed under `fuzz/artifacts/check/`, on the stable toolchain.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| esehdr_recover::check::fuzz(data));
