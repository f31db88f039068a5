//! Criterion benches for large (16 and 32 KiB) pages: the four-part large-page checksum side by
//! side with the 8 KiB ECC path and a plain u64 sum over the same bytes, and whole-process runs
//! of `esehdr k` on a 26 MiB file of 32 KiB pages against a plain read of the same file.
//!
//! Run (short, the machine's cores are shared):
//! `cargo bench -p esehdr-benches --bench large_pages -- --warm-up-time 1 --measurement-time 3`.
//!
//! The `k_process` group spawns the `esehdr` binary named by `ESEHDR_BIN` (default
//! `target/release/esehdr`; build it first with `cargo build --release -p esehdr`) and `cat`,
//! and prints, after each bench, the CPU time its children used per run (user + sys, from
//! `/proc/self/stat`) and the utilisation (CPU time / wall time). Its inputs are written under
//! `target/bench-k/`: a generated file of valid 32 KiB pages behind the real header pages of
//! `testdata/db/large-32k-header-only.edb`, and, when `../shared/corpus` is present, the 26 MiB
//! IE/Edge WebCache of that corpus (32 KiB pages, most of them uninitialized) decompressed.

use std::cell::Cell;
use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use esehdr_format::page::{page_checksum, verify_page, write_page_checksum};

/// A valid new-format page of `size` bytes for page number `pgno` (large pages: `PGHDR2.pgno`
/// @64 set too), filled with a pattern that is not periodic within a block.
fn valid_page(size: usize, pgno: u32, salt: usize) -> Vec<u8> {
    let mut page: Vec<u8> = (0..size).map(|i| (i * 7 + i / 13 + salt * 31) as u8).collect();
    page[0..8].fill(0);
    page[36..40].copy_from_slice(&0x2000u32.to_le_bytes()); // fFlags: fPageNewChecksumFormat
    if size > 8192 {
        page[40..64].fill(0);
        page[64..68].copy_from_slice(&pgno.to_le_bytes()); // PGHDR2.pgno
    }
    assert!(write_page_checksum(&mut page, pgno));
    page
}

/// The yardstick: a wrapping sum of the u64 words, the cheapest possible work per word.
#[inline(never)]
fn sum_u64(bytes: &[u8]) -> u64 {
    bytes.chunks_exact(8).fold(0u64, |a, w| a.wrapping_add(u64::from_le_bytes(w.try_into().unwrap())))
}

fn checksums(c: &mut Criterion) {
    let mut g = c.benchmark_group("large_page");
    for size in [8192usize, 16384, 32768] {
        let k = size / 1024;
        let page = valid_page(size, 1234, 0);
        assert!(verify_page(&page, 1234).is_ok());
        let zero = vec![0u8; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(format!("verify ecc {k}k"), |b| b.iter(|| verify_page(black_box(&page), 1234)));
        g.bench_function(format!("page_checksum {k}k"), |b| b.iter(|| page_checksum(black_box(&page), 1234)));
        g.bench_function(format!("verify uninitialized {k}k"), |b| b.iter(|| verify_page(black_box(&zero), 1234)));
        g.bench_function(format!("reference sum_u64 {k}k"), |b| b.iter(|| sum_u64(black_box(&page))));
    }
    g.finish();
}

/// Where the generated inputs go: `target/bench-k/`.
fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-k");
    std::fs::create_dir_all(&dir).expect("create target/bench-k");
    dir
}

/// 832 pages of 32 KiB (26 MiB): the two real header pages of
/// `testdata/db/large-32k-header-only.edb`, then valid pages (physical page k holds page k - 1).
fn generated_32k_file() -> PathBuf {
    let path = out_dir().join("valid-32k-26MiB.edb");
    if !path.is_file() {
        let header = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/db/large-32k-header-only.edb");
        let mut bytes = std::fs::read(&header).expect("read the 32 KiB header sample");
        assert_eq!(bytes.len(), 2 * 32768);
        for k in 2..832usize {
            bytes.extend_from_slice(&valid_page(32768, (k - 1) as u32, k));
        }
        std::fs::write(&path, &bytes).expect("write the generated database");
    }
    path
}

/// The 26 MiB WebCache of the shared corpus, decompressed, when the corpus is there.
fn corpus_webcache() -> Option<PathBuf> {
    let gz = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/fox-it-dissect.target/731d0f73f219/tests/data/WebCacheV01.dat.gz");
    let path = out_dir().join("WebCacheV01-win10-22h2.dat");
    if !path.is_file() {
        let file = std::fs::File::open(&gz).ok()?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(file).read_to_end(&mut bytes).expect("decompress the WebCache");
        std::fs::write(&path, &bytes).expect("write the WebCache");
    }
    Some(path)
}

/// CPU time used by this process's waited-for children so far (`cutime + cstime` of
/// `/proc/self/stat`, in clock ticks; Linux reports them in USER_HZ = 100 per second).
fn children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    // Fields after the command name (which ends with the last ')'): state is field 3, cutime
    // field 16 and cstime field 17.
    let rest = &stat[stat.rfind(')').expect("stat has a command name") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[13].parse::<u64>().unwrap() + fields[14].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// Runs `cmd` to completion with its output discarded; panics when it fails to start.
fn run(cmd: &mut Command) {
    let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().expect("spawn");
    black_box(status);
}

fn k_process(c: &mut Criterion) {
    let bin = std::env::var_os("ESEHDR_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/esehdr"));
    if !bin.is_file() {
        eprintln!("k_process: {} not found; run `cargo build --release -p esehdr` first", bin.display());
        return;
    }
    eprintln!("k_process: esehdr binary {}", bin.display());
    let mut inputs = vec![("generated valid 32k 26MiB", generated_32k_file())];
    match corpus_webcache() {
        Some(p) => inputs.push(("WebCache 32k 26MiB", p)),
        None => eprintln!("k_process: ../shared/corpus not present; only the generated file"),
    }
    let mut g = c.benchmark_group("k_process");
    g.sample_size(30);
    for (label, file) in &inputs {
        let len = std::fs::metadata(file).unwrap().len();
        g.throughput(Throughput::Bytes(len));
        type MakeCommand<'a> = Box<dyn Fn() -> Command + 'a>;
        let runs: [(&str, MakeCommand); 2] = [
            (
                "esehdr k",
                Box::new(|| {
                    let mut c = Command::new(&bin);
                    c.arg("k").arg(file);
                    c
                }),
            ),
            (
                "cat",
                Box::new(|| {
                    let mut c = Command::new("cat");
                    c.arg(file);
                    c
                }),
            ),
        ];
        for (what, make) in &runs {
            let (wall, cpu, n) = (Cell::new(Duration::ZERO), Cell::new(Duration::ZERO), Cell::new(0u64));
            g.bench_function(format!("{what} {label}"), |b| {
                b.iter_custom(|iters| {
                    let cpu0 = children_cpu();
                    let t = Instant::now();
                    for _ in 0..iters {
                        run(&mut make());
                    }
                    let elapsed = t.elapsed();
                    wall.set(wall.get() + elapsed);
                    cpu.set(cpu.get() + children_cpu().saturating_sub(cpu0));
                    n.set(n.get() + iters);
                    elapsed
                })
            });
            let runs = n.get().max(1) as f64;
            eprintln!(
                "k_process/{what} {label}: {} runs, wall {:.2} ms/run, user+sys {:.2} ms/run, {:.2} CPUs busy",
                n.get(),
                wall.get().as_secs_f64() * 1e3 / runs,
                cpu.get().as_secs_f64() * 1e3 / runs,
                cpu.get().as_secs_f64() / wall.get().as_secs_f64().max(1e-9),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, checksums, k_process);
criterion_main!(benches);
