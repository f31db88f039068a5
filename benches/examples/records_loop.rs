//! Walks and decodes the records of the whole logs in `testdata/logs/` (the inputs of the
//! `records` bench) outside criterion, for instruction counts under load and for a check that
//! a change to the walker or decoder leaves its output alone.
//!
//! ```text
//! cargo run --release -p esehdr-benches --example records_loop -- v7 20     # 20 rounds, prints a sum
//! valgrind --tool=callgrind target/release/examples/records_loop v7 20      # instructions
//! valgrind --tool=callgrind target/release/examples/records_loop v8 20 walk # framing only
//! cargo run --release -p esehdr-benches --example records_loop -- v7 list   # every record, decoded
//! cargo run --release -p esehdr-benches --example records_loop -- v7 list FILE...
//! cargo run --release -p esehdr-benches --example records_loop -- v7 mutate 50  # damaged copies
//! ```
//!
//! `list` prints one line per record (LGPOS, offset, type, size, the bytes, the decoded value's
//! `Debug` form or the error) and each walk's stop and accounting: diff two builds' lists.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use esehdr_format::log::content::{verify_log_content, ContentVerdict};
use esehdr_format::log::header::LgFileHeader;
use esehdr_format::log::records::{Record, RecordWalker, StopReason};

/// The logs of the set (`v8` or v7), in name order; the walk runs over every one.
fn logs(segmented: bool, files: Vec<PathBuf>) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/logs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    if !files.is_empty() {
        paths = files;
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let header = LgFileHeader::decode(&bytes).ok()?;
            (header.is_segment_format() == segmented).then_some((p, bytes))
        })
        .collect()
}

/// Prints every record of one walk, decoded, then the stop and the accounting.
fn list(b: &[u8], h: &LgFileHeader, v: &ContentVerdict) {
    let mut w = RecordWalker::with_verdict(b, h, v);
    while let Some(r) = w.next_record() {
        match r {
            Ok(r) => {
                let rec = Record::decode(&r);
                println!(
                    "{:?} {:#x} {} {} {} {:02x?} {:?}",
                    r.lgpos,
                    r.offset,
                    r.lrtyp.0,
                    r.size(),
                    r.fragmented,
                    r.bytes,
                    rec
                );
            }
            Err(e) => println!("error {e:?}"),
        }
    }
    println!("stop {:?}\naccounting {:?}", w.stop(), w.accounting());
}

fn main() {
    let mut args = std::env::args().skip(1);
    let segmented = args.next().as_deref() == Some("v8");
    let what = args.next().unwrap_or_else(|| "10".into());
    let rest: Vec<String> = args.collect();
    let files = if what == "list" { rest.iter().map(PathBuf::from).collect() } else { Vec::new() };
    let set = logs(segmented, files);
    let prepared: Vec<_> = set
        .iter()
        .filter_map(|(p, b)| {
            let h = LgFileHeader::decode(b).ok()?;
            let v = verify_log_content(b, &h);
            Some((p, b, h, v))
        })
        .collect();
    if what == "list" {
        for (p, b, h, v) in &prepared {
            println!("== {}", p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
            list(b, h, v);
        }
        return;
    }
    if what == "mutate" {
        // Damaged copies walked up to the undamaged file's end of data (as if the content
        // check had passed them): every error path of the walker and decoder gets exercised.
        let copies: u64 = rest.first().and_then(|a| a.parse().ok()).unwrap_or(10);
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (p, b, h, v) in &prepared {
            for copy in 0..copies {
                let mut m = b.to_vec();
                let data = 4096..m.len();
                for _ in 0..1 + next() % 8 {
                    let at = data.start + (next() as usize) % (data.end - data.start);
                    let value = [0, 42, 0xFF, next() as u8, (next() % 102) as u8][(next() % 5) as usize];
                    m[at] = value;
                }
                println!("== {} copy {copy}", p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
                list(&m, h, v);
            }
        }
        return;
    }
    // The bench's set: whole files whose walk ends cleanly.
    let prepared: Vec<_> = prepared
        .into_iter()
        .filter(|(_, b, h, v)| {
            let mut w = RecordWalker::with_verdict(b, h, v);
            let mut clean = true;
            while let Some(r) = w.next_record() {
                clean &= r.is_ok();
            }
            let end = w.stop().is_some_and(|s| matches!(s.reason, StopReason::End | StopReason::ZeroFill));
            clean && end && b.len() as u64 == h.declared_file_size()
        })
        .collect();
    let rounds: u32 = what.parse().unwrap_or(10);
    let walk_only = rest.first().is_some_and(|a| a == "walk");
    let mut n = 0u64;
    for _ in 0..rounds {
        for (_, b, h, v) in black_box(&prepared) {
            let mut w = RecordWalker::with_verdict(b, h, v);
            while let Some(Ok(r)) = w.next_record() {
                n = n.wrapping_add(if walk_only {
                    r.bytes.len() as u64
                } else {
                    Record::decode(&r).map_or(0, |rec| rec.page_ref_count())
                });
            }
        }
    }
    let bytes: usize = prepared.iter().map(|(_, b, _, _)| b.len()).sum();
    println!("{} logs, {bytes} bytes, {rounds} rounds, sum {n}", prepared.len());
}
