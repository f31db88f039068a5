//! Criterion benches for the database-header path: parse + validate on real samples of each
//! page size, the sniffer, the legacy XOR checksum, and a plain u64 sum over the same buffer as
//! a reference for what a single pass over in-cache memory costs on the machine.
//!
//! Run: `cargo bench -p esehdr-benches` (figures and machine in benches/README.md).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use esehdr_format::checksum::xor32_legacy;
use esehdr_format::{read_database_header, sniff, DB_HEADER_READ_LEN};

/// The first `DB_HEADER_READ_LEN` bytes of a testdata database (what the CLI reads) and the
/// file's full length.
fn head_of(name: &str) -> (Vec<u8>, u64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/db").join(name);
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let len = bytes.len() as u64;
    bytes.truncate(DB_HEADER_READ_LEN);
    (bytes, len)
}

fn db_header(c: &mut Criterion) {
    let mut g = c.benchmark_group("db_header");
    for (label, file, page) in [
        ("parse+validate clean 4k", "srum-server2022-clean.dat", 4096u64),
        ("parse+validate dirty 16k", "qmgr-win11-dirty-16k.db", 16384),
        ("parse+validate 32k", "large-32k-header-only.edb", 32768),
    ] {
        let (head, _) = head_of(file);
        let db = read_database_header(&head).expect("sample parses");
        assert_eq!(u64::from(db.page_size), page, "{file}: page size");
        assert!(db.is_valid(), "{file}: both copies are valid");
        // Throughput over the two header copies: the bytes that are checksummed and compared.
        g.throughput(Throughput::Bytes(2 * page));
        g.bench_function(label, |b| b.iter(|| read_database_header(black_box(&head))));
    }

    // A database is recognised by its magic at offset 4, so sniff reads a few bytes whatever
    // the buffer length: count files per second, not bytes.
    let (head, file_len) = head_of("srum-server2022-clean.dat");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sniff 4k", |b| b.iter(|| sniff(black_box(&head), black_box(file_len))));
    g.finish();
}

/// A plain wrapping sum of the little-endian u64 words of `buf`: the same single pass as
/// `xor32_legacy` with the cheapest possible work per word. Not inlined, so that it is called
/// like `xor32_legacy` (a function of another crate) rather than fused into criterion's loop.
#[inline(never)]
fn sum_u64(buf: &[u8]) -> u64 {
    buf.chunks_exact(8)
        .map(|w| u64::from_le_bytes(w.try_into().expect("chunks_exact(8) yields 8 bytes")))
        .fold(0u64, u64::wrapping_add)
}

fn checksum(c: &mut Criterion) {
    let (srum, _) = head_of("srum-server2022-clean.dat");
    let (large, _) = head_of("large-32k-header-only.edb");
    let page_4k = &srum[..4096];
    let page_32k = &large[..32768];

    let mut g = c.benchmark_group("checksum");
    g.throughput(Throughput::Bytes(4096));
    g.bench_function("xor32_legacy 4k", |b| b.iter(|| xor32_legacy(black_box(page_4k))));
    g.throughput(Throughput::Bytes(32768));
    g.bench_function("xor32_legacy 32k", |b| b.iter(|| xor32_legacy(black_box(page_32k))));
    g.finish();

    let mut g = c.benchmark_group("reference");
    g.throughput(Throughput::Bytes(32768));
    g.bench_function("sum_u64 32k", |b| b.iter(|| sum_u64(black_box(page_32k))));
    g.finish();
}

criterion_group!(benches, db_header, checksum);
criterion_main!(benches);
