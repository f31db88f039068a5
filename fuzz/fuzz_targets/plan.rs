//! Fuzz target for the restore planner: a stream built from arbitrary bytes (logs with any
//! generations, names, signatures and damage; databases in any state; any checkpoint) is planned;
//! it must return, never panic.
//!
//! The body lives in `esehdr_plan::fuzzing::plan_bytes`, which `crates/plan/tests/replay.rs`
//! also runs on every input committed under `fuzz/artifacts/plan/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = esehdr_plan::fuzzing::plan_bytes(data);
});
