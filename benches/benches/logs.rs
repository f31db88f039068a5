//! Criterion benches for logs, checkpoints and pages: header parsing, content verification
//! (v8 segments on the ECC checksum, the v7 LRCHECKSUM chain), page verification, and
//! `esehdr ml --headers-only` over a generated folder of many logs against a plain
//! "open, read 4 KiB, close" loop over the same files.
//!
//! Run: `cargo bench -p esehdr-benches --bench logs`. The folder size is `ESEHDR_BENCH_LOGS`
//! (default 100000); it is generated once under `target/bench-logs-<n>/`.

use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use esehdr_format::checkpoint::read_checkpoint;
use esehdr_format::log::content::verify_log_content;
use esehdr_format::log::header::read_log_header;
use esehdr_format::page::{verify_page, write_page_checksum, xe_checksum};

fn testdata(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn headers(c: &mut Criterion) {
    let mut g = c.benchmark_group("log_header");
    for (label, rel) in [
        ("parse v8 one database", "logs/srum-win10/SRU00004.log"),
        ("parse v7 two databases", "logs/catroot2-server2003/edb0007E.log"),
    ] {
        let bytes = testdata(rel);
        let len = bytes.len() as u64;
        let head = bytes[..4096].to_vec();
        assert!(read_log_header(&head, len).unwrap().is_sound());
        g.throughput(Throughput::Bytes(4096));
        g.bench_function(label, |b| b.iter(|| read_log_header(black_box(&head), len)));
    }
    g.finish();
    let mut g = c.benchmark_group("checkpoint");
    let chk = testdata("logs/srum-win10/SRU.chk");
    assert!(read_checkpoint(&chk, 8192).is_valid());
    g.throughput(Throughput::Bytes(8192));
    g.bench_function("parse both copies", |b| b.iter(|| read_checkpoint(black_box(&chk), 8192)));
    g.finish();
}

/// A v8 log whose every segment is used: the real SRU00004.log repeated into a 1 MiB log would
/// break its lgpos chain, so the throughput figure uses the real 64 KiB logs, read in a loop.
fn content(c: &mut Criterion) {
    let mut g = c.benchmark_group("log_content");
    for (label, rel) in [
        ("v8 segments 64k", "logs/srum-win10/SRU00004.log"),
        ("v7 LRCHECKSUM chain 128k", "logs/catroot2-server2003/edb0007F.log"),
    ] {
        let bytes = testdata(rel);
        let log = read_log_header(&bytes[..4096], bytes.len() as u64).unwrap();
        assert!(verify_log_content(&bytes, &log.header).ok);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(label, |b| b.iter(|| verify_log_content(black_box(&bytes), &log.header)));
    }
    g.finish();
}

fn pages(c: &mut Criterion) {
    let mut g = c.benchmark_group("page_checksum");
    for size in [4096usize, 8192, 32768] {
        let mut page: Vec<u8> = (0..size).map(|i| (i * 7 + i / 13) as u8).collect();
        page[36..40].copy_from_slice(&0x2000u32.to_le_bytes());
        if size > 8192 {
            page[64..68].copy_from_slice(&1234u32.to_le_bytes()); // PGHDR2.pgno of a large page
        }
        assert!(write_page_checksum(&mut page, 1234));
        assert!(verify_page(&page, 1234).is_ok());
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(format!("verify ecc {}k", size / 1024), |b| b.iter(|| verify_page(black_box(&page), 1234)));
        if size <= 8192 {
            g.bench_function(format!("xe_checksum {}k", size / 1024), |b| {
                b.iter(|| xe_checksum(black_box(&page), 1234, true))
            });
        }
    }
    g.finish();
}

/// 64 MiB of valid pages (physical index k holds page k - 1), ECC or legacy format.
fn database_image(page_size: usize, ecc: bool) -> Vec<u8> {
    let total = 64 * 1024 * 1024 / page_size;
    let mut buf = vec![0u8; total * page_size];
    for (k, page) in buf.chunks_exact_mut(page_size).enumerate().skip(2) {
        for (i, b) in page.iter_mut().enumerate().skip(80) {
            *b = (i * 31 + k * 7) as u8;
        }
        let flags: u32 = if ecc { 0x2000 } else { 0 };
        page[36..40].copy_from_slice(&flags.to_le_bytes());
        let pgno = (k - 1) as u32;
        if page_size > 8192 {
            page[64..68].copy_from_slice(&pgno.to_le_bytes());
        }
        assert!(write_page_checksum(page, pgno));
    }
    buf
}

/// Scans with `threads` workers, each taking an equal share of the pages.
fn scan_threads(buf: &[u8], page_size: usize, threads: usize) -> u64 {
    let total = (buf.len() / page_size) as u64;
    let per = buf.len() / page_size / threads;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let start = t * per;
                let end = if t + 1 == threads { buf.len() / page_size } else { start + per };
                let part = &buf[start * page_size..end * page_size];
                s.spawn(move || {
                    esehdr_format::page::scan::scan_pages(part, page_size, start as u64, total).bad_checksums
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

/// The machine's memory read bandwidth over the same buffer: a plain u64 sum per thread.
fn sum_threads(buf: &[u8], threads: usize) -> u64 {
    let per = buf.len() / threads / 8 * 8;
    std::thread::scope(|s| {
        let handles: Vec<_> = buf
            .chunks(per)
            .map(|part| {
                s.spawn(move || {
                    part.chunks_exact(8).fold(0u64, |a, w| a.wrapping_add(u64::from_le_bytes(w.try_into().unwrap())))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).fold(0, u64::wrapping_add)
    })
}

fn scan(c: &mut Criterion) {
    let mut g = c.benchmark_group("scan_64MiB");
    g.sample_size(20);
    for (label, page_size, ecc) in
        [("ecc 8k", 8192usize, true), ("ecc 32k", 32768, true), ("legacy xor 4k", 4096, false)]
    {
        let buf = database_image(page_size, ecc);
        assert_eq!(scan_threads(&buf, page_size, 1), 0, "{label}: the image verifies");
        g.throughput(Throughput::Bytes(buf.len() as u64));
        for threads in [1, 2] {
            g.bench_function(format!("{label} pages, {threads} thread(s)"), |b| {
                b.iter(|| scan_threads(black_box(&buf), page_size, threads))
            });
        }
        if page_size == 8192 {
            for threads in [1, 2] {
                g.bench_function(format!("reference sum_u64, {threads} thread(s)"), |b| {
                    b.iter(|| sum_threads(black_box(&buf), threads))
                });
            }
        }
    }
    g.finish();
}

/// A stream of `n` contiguous logs (the current log last), two databases and a checkpoint.
fn big_stream(n: u32) -> esehdr_plan::StreamInput {
    use esehdr_format::{Lgpos, LogTime, Signature};
    use esehdr_plan::*;
    let sig = |r: u32| Signature { random: r, ..Signature::default() };
    let t = |g: u32| {
        LogTime::from_bytes([
            (g % 60) as u8,
            (g / 60 % 60) as u8,
            (g / 3600 % 24) as u8,
            (1 + g / 86_400 % 28) as u8,
            1,
            122,
            1,
            0,
        ])
    };
    let logs = (1..=n)
        .map(|g| Log {
            file: if g == n { "E00.log".into() } else { format!("E00{g:08X}.log") },
            name_generation: (g != n).then_some(g),
            generation: Some(g as i32),
            signature: sig(1),
            created: t(g),
            previous_created: t(g - 1),
            circular_logging: false,
            attached: vec![Attached { path: "C:\\db\\priv1.edb".into(), db_signature: sig(7) }],
            damaged: false,
            events: None,
        })
        .collect();
    let db = |name: &str, s: u32, g: i32| Database {
        file: name.into(),
        header_valid: true,
        state_code: 3,
        last_consistent: Lgpos { generation: g, isec: 1, ib: 0 },
        log_required: (0, 0),
        db_signature: sig(s),
        log_signature: sig(1),
        streaming_file: None,
        restoring: false,
        dry_run: None,
    };
    StreamInput {
        base_name: "E00".into(),
        log_signature: Some(sig(1)),
        log_folder: "logs".into(),
        ext: "log".into(),
        databases: vec![db("priv1.edb", 7, n as i32 / 2), db("pub1.edb", 8, n as i32 - 10)],
        logs,
        checkpoint: Some(Checkpoint {
            file: "E00.chk".into(),
            valid: true,
            generation: n as i32,
            signature: sig(1),
            circular_logging: false,
        }),
        ..StreamInput::default()
    }
}

fn planner(c: &mut Criterion) {
    let input = big_stream(100_000);
    let p = esehdr_plan::plan(&input);
    assert!(p.verdicts.roll_forward.possible && p.verdicts.point_in_time.ready, "{:?}", p.verdicts);
    let mut g = c.benchmark_group("plan");
    g.sample_size(20);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("100k logs contiguous", |b| b.iter(|| esehdr_plan::plan(black_box(&input))));
    g.finish();
}

fn log_folder() -> (PathBuf, u32) {
    let n: u32 = std::env::var("ESEHDR_BENCH_LOGS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../target/bench-logs-{n}"));
    if !dir.join("SRU.log").is_file() {
        eprintln!("generating {n} logs in {}", dir.display());
        esehdr_benches::make_log_folder(&dir, n).expect("generate the log folder");
    }
    (dir, n)
}

/// What `--headers-only` must be measured against: open each log, read its 4 KiB header, close.
fn plain_read_loop(dir: &Path) -> usize {
    let mut total = 0;
    let mut buf = vec![0u8; 4096];
    for entry in std::fs::read_dir(dir).unwrap() {
        let mut f = std::fs::File::open(entry.unwrap().path()).unwrap();
        total += f.read(&mut buf).unwrap();
    }
    total
}

fn stream(c: &mut Criterion) {
    let (dir, n) = log_folder();
    let base = dir.join("SRU");
    let opts = esehdr::stream::StreamOptions { headers_only: true, ..Default::default() };
    // Sanity: the generated stream verifies.
    let mut out = Vec::new();
    let status = esehdr::stream::run_stream(&base, opts, &mut out, || Duration::ZERO).unwrap();
    assert_eq!(status, esehdr::Status::Ok, "{}", String::from_utf8_lossy(&out[..out.len().min(2000)]));

    let mut g = c.benchmark_group("ml_headers_only");
    g.sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(2));
    g.throughput(Throughput::Elements(u64::from(n)));
    g.bench_function(format!("plain open+read 4k+close x{n}"), |b| b.iter(|| plain_read_loop(black_box(&dir))));
    g.bench_function(format!("esehdr ml --headers-only x{n}"), |b| {
        b.iter(|| esehdr::stream::run_stream(black_box(&base), opts, &mut std::io::sink(), || Duration::ZERO).unwrap())
    });
    g.finish();
}

criterion_group!(benches, headers, content, pages, scan, planner, stream);
criterion_main!(benches);
