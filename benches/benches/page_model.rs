//! Page-model microbench: filling a fresh 4 KiB leaf page with nodes through `PageMut::insert`
//! (validation, TAG array shift, placement at ibMicFree; the debug-build checker is off in the
//! bench profile), against the same inserts into a plain `Vec` of `(flags, key, data)` lines:
//! what keeping the engine's byte layout costs over a list.
//!
//! Run: `cargo bench -p esehdr-benches --bench page_model -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use esehdr_recover::page::{LineFlags, Node, PageBuilder, PageFlags, PageMut};

/// Nodes of 4-byte big-endian keys and 16 bytes of data (cbSuffix + key + data = 22 bytes, 26
/// with its TAG): 155 fill the 4052 free bytes of a consumed 4 KiB page.
const NODES: usize = 155;

fn keys() -> Vec<[u8; 4]> {
    (0..NODES as u32).map(|i| (i * 7).to_be_bytes()).collect()
}

fn page_model(c: &mut Criterion) {
    let fresh = PageBuilder::new(4096).unwrap().objid_fdp(5).consumed(PageFlags(PageFlags::LEAF), b"").unwrap();
    let keys = keys();
    let data = [0x5Au8; 16];
    let mut g = c.benchmark_group("page_model");
    g.throughput(Throughput::Elements(NODES as u64));

    // Appends (each line goes after the last: no TAG moves).
    g.bench_function("insert 155 appends 4k", |b| {
        b.iter_batched_ref(
            || fresh.clone(),
            |page| {
                let mut p = PageMut::new(page).unwrap();
                for (i, k) in keys.iter().enumerate() {
                    p.insert(i, &Node { flags: LineFlags::NONE, key: k, cb_prefix: 0, data: &data }).unwrap();
                }
            },
            BatchSize::SmallInput,
        )
    });
    // Inserts at line 0 (every TAG moves one slot each time: the worst case).
    g.bench_function("insert 155 at front 4k", |b| {
        b.iter_batched_ref(
            || fresh.clone(),
            |page| {
                let mut p = PageMut::new(page).unwrap();
                for k in keys.iter().rev() {
                    p.insert(0, &Node { flags: LineFlags::NONE, key: k, cb_prefix: 0, data: &data }).unwrap();
                }
            },
            BatchSize::SmallInput,
        )
    });
    // The list model: the same inserts into a Vec of owned lines.
    g.bench_function("vec model 155 appends", |b| {
        b.iter(|| {
            let mut v: Vec<(u8, Vec<u8>, Vec<u8>)> = Vec::new();
            for (i, k) in keys.iter().enumerate() {
                v.insert(i, (0, k.to_vec(), data.to_vec()));
            }
            black_box(v)
        })
    });
    g.bench_function("vec model 155 at front", |b| {
        b.iter(|| {
            let mut v: Vec<(u8, Vec<u8>, Vec<u8>)> = Vec::new();
            for k in keys.iter().rev() {
                v.insert(0, (0, k.to_vec(), data.to_vec()));
            }
            black_box(v)
        })
    });
    g.finish();
}

criterion_group!(benches, page_model);
criterion_main!(benches);
