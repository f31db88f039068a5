//! Criterion bench for log records: walking (framing) and decoding every record of the whole
//! logs in `testdata/logs/` (real v8 SRUM and v7 CatRoot2 logs, copies of corpus files), beside
//! a plain pass over the same bytes.
//!
//! Run: `cargo bench -p esehdr-benches --bench records -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use esehdr_format::log::content::{verify_log_content, ContentVerdict};
use esehdr_format::log::header::LgFileHeader;
use esehdr_format::log::records::{Record, RecordWalker, StopReason};

/// One log of the set: its bytes, header and content verdict (computed once, before timing).
struct Log {
    bytes: Vec<u8>,
    header: LgFileHeader,
    verdict: ContentVerdict,
}

/// Every whole log under `testdata/logs/` whose walk ends cleanly, `v8` or v7.
fn logs(segmented: bool) -> Vec<Log> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/logs");
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            let header = LgFileHeader::decode(&bytes).ok()?;
            if header.is_segment_format() != segmented || bytes.len() as u64 != header.declared_file_size() {
                return None;
            }
            let verdict = verify_log_content(&bytes, &header);
            let mut w = RecordWalker::with_verdict(&bytes, &header, &verdict);
            let mut n = 0;
            while let Some(r) = w.next_record() {
                r.ok()?;
                n += 1;
            }
            let clean = matches!(w.stop()?.reason, StopReason::End | StopReason::ZeroFill);
            (clean && n > 0).then_some(Log { bytes, header, verdict })
        })
        .collect()
}

fn walk(set: &[Log]) -> u64 {
    let mut n = 0u64;
    for log in set {
        let mut w = RecordWalker::with_verdict(&log.bytes, &log.header, &log.verdict);
        while let Some(Ok(r)) = w.next_record() {
            n = n.wrapping_add(r.bytes.len() as u64);
        }
    }
    n
}

fn walk_decode(set: &[Log]) -> u64 {
    let mut n = 0u64;
    for log in set {
        let mut w = RecordWalker::with_verdict(&log.bytes, &log.header, &log.verdict);
        while let Some(Ok(r)) = w.next_record() {
            // Use the decoded record through a reference: binding it by value (`if let Ok(rec)`)
            // makes the loop copy the whole enum once more per record.
            n = n.wrapping_add(Record::decode(&r).map_or(0, |rec| rec.page_ref_count()));
        }
    }
    n
}

/// The yardstick: a wrapping sum of the u64 words of the same logs.
#[inline(never)]
fn sum_u64(set: &[Log]) -> u64 {
    set.iter().fold(0u64, |acc, log| {
        log.bytes.chunks_exact(8).fold(acc, |a, w| a.wrapping_add(u64::from_le_bytes(w.try_into().unwrap_or([0; 8]))))
    })
}

fn records(c: &mut Criterion) {
    for (label, segmented) in [("v8", true), ("v7", false)] {
        let set = logs(segmented);
        assert!(!set.is_empty(), "no {label} logs in testdata/logs");
        let bytes: u64 = set.iter().map(|l| l.bytes.len() as u64).sum();
        let mut g = c.benchmark_group("records");
        g.throughput(Throughput::Bytes(bytes));
        let name = format!("{label} {} logs {} KiB", set.len(), bytes / 1024);
        g.bench_function(format!("walk {name}"), |b| b.iter(|| walk(black_box(&set))));
        g.bench_function(format!("walk+decode {name}"), |b| b.iter(|| walk_decode(black_box(&set))));
        g.bench_function(format!("walk+decode+content check {name}"), |b| {
            b.iter(|| {
                let mut n = 0u64;
                for log in black_box(&set) {
                    let Ok(mut w) = RecordWalker::new(&log.bytes) else { continue };
                    while let Some(Ok(r)) = w.next_record() {
                        n = n.wrapping_add(Record::decode(&r).map_or(0, |r| r.page_ref_count()));
                    }
                }
                n
            })
        });
        g.bench_function(format!("reference sum_u64 {name}"), |b| b.iter(|| sum_u64(black_box(&set))));
        g.finish();
    }
}

criterion_group!(benches, records);
criterion_main!(benches);
