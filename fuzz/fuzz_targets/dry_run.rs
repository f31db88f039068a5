//! Fuzz target for the soft-recovery replay driver (the dry run's decisions) over a mutated log
//! in memory: attach decisions, record filters, macros, the dbtime rule and transactions. Whatever
//! the bytes, it must return, never panic nor hang.
//!
//! The body lives in `esehdr_recover::fuzzing::replay_log`, which `crates/recover/tests/replay.rs`
//! also runs on every input committed under `fuzz/artifacts/dry_run/`, on the stable toolchain.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| esehdr_recover::fuzzing::replay_log(data));
