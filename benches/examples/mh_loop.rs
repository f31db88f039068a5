//! The Rust side of `benches/bindings.py`: the call the Python binding wraps
//! (`esehdr::api::file(Mode::Mh, ..)`: read the header, parse, validate, no output), timed over
//! the databases given, in a loop. Prints one JSON object: nanoseconds per call, alone and with
//! the JSON serialised as the C library does.
//!
//! `cargo run --release -p esehdr-benches --example mh_loop -- ROUNDS FILE...`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use esehdr::api;
use esehdr::{Mode, Options};

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(20);
    let files: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let opts = Options { json: true, ..Options::default() };
    let calls = f64::from(rounds) * files.len().max(1) as f64;
    // One warm-up round: the files in the page cache, as for the Python timing.
    for f in &files {
        black_box(api::file(Mode::Mh, f, opts));
    }
    let t = Instant::now();
    for _ in 0..rounds {
        for f in &files {
            black_box(api::file(Mode::Mh, f, opts));
        }
    }
    let call_ns = t.elapsed().as_nanos() as f64 / calls;
    let t = Instant::now();
    for _ in 0..rounds {
        for f in &files {
            black_box(api::file(Mode::Mh, f, opts).json());
        }
    }
    let json_ns = t.elapsed().as_nanos() as f64 / calls;
    println!(
        "{{\"files\": {}, \"rounds\": {rounds}, \"call_ns\": {call_ns:.0}, \"call_json_ns\": {json_ns:.0}}}",
        files.len()
    );
}
