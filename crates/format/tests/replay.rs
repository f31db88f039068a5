//! No input makes any parser entry point panic, checked on the stable toolchain.
//!
//! 1. Replay: every input committed under `fuzz/artifacts/` (crashes found by
//!    `cargo +nightly fuzz run <target>`) and every sample in `testdata/corrupt/` goes through
//!    the code path of every fuzz target (`esehdr_format::fuzzing::all`), so a crash that was
//!    found once stays fixed even where no nightly toolchain is present.
//! 2. proptest: arbitrary byte vectors (some given the magic, a page-size field and a correct
//!    checksum so they get past the magic check) and single-byte mutations of a real header.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use esehdr_format::checksum::xor32_legacy;
use esehdr_format::Copy as Which; // `Copy` alone would shadow the prelude trait
use esehdr_format::{read_database_header, sniff, FileKind, DB_HEADER_READ_LEN, DB_MAGIC};
use proptest::prelude::*;

/// Every fuzz target's body (`esehdr_format::fuzzing`, which the targets in `fuzz/fuzz_targets/`
/// call), plus the JSON rendering of a database header, which must never fail.
fn fuzz_db_header(data: &[u8]) {
    esehdr_format::fuzzing::all(data);
    if let Ok(db) = read_database_header(data) {
        serde_json::to_string(&db).expect("DatabaseHeader serialises to JSON");
    }
    let _ = sniff(data, data.len() as u64);
}

/// The real logs whose headers the `records_v7` and `records_v8` targets put in front of their
/// bytes (the fuzz targets include the same files).
fn real_logs() -> &'static [Vec<u8>; 2] {
    static LOGS: std::sync::OnceLock<[Vec<u8>; 2]> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let read = |rel: &str| std::fs::read(common::testdata().join(rel)).unwrap();
        [read("logs/catroot2-server2003/edb.log"), read("logs/srum-server2022/SRU00001.log")]
    })
}

/// Files that describe a folder rather than being inputs.
fn is_bookkeeping(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == ".gitkeep" || name == "MANIFEST.tsv" || name.starts_with("README")
}

/// Every input file under `dir`, recursively, sorted so failures read the same on every run.
fn inputs_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if !is_bookkeeping(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Runs every file through the fuzz target's code path; returns how many were replayed and
/// panics once at the end listing every file that panicked.
fn replay_all(dir: &Path) -> usize {
    let files = inputs_under(dir);
    let panicked: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            catch_unwind(AssertUnwindSafe(|| {
                fuzz_db_header(&data);
                // `records_v7`, `records_v8`: the bytes after a real v7 and a real v8 log header.
                for log in real_logs() {
                    esehdr_format::fuzzing::records_after(log, &data);
                }
            }))
            .is_err()
        })
        .map(|path| path.strip_prefix(dir).unwrap_or(path).display().to_string())
        .collect();
    assert!(panicked.is_empty(), "these inputs under {} panic (see the messages above): {panicked:#?}", dir.display());
    files.len()
}

#[test]
fn fuzz_artifacts_do_not_panic() {
    let dir = common::testdata().join("../fuzz/artifacts");
    // The folder is committed (with a .gitkeep); if it is gone, this test would replay nothing.
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let n = replay_all(&dir);
    eprintln!("replayed {n} fuzz artifact(s) from {}", dir.display());
}

#[test]
fn corrupt_samples_do_not_panic() {
    let dir = common::testdata().join("corrupt");
    let n = replay_all(&dir);
    assert!(n >= 16, "expected the 16 samples of testdata/corrupt, replayed only {n}");
}

/// The first bytes of the SRUM sample: 4 KiB pages, both header copies valid and identical.
fn srum_head() -> Vec<u8> {
    let path = common::testdata().join("db/srum-server2022-clean.dat");
    common::head(&path, DB_HEADER_READ_LEN)
}

/// Makes `buf` look like a database header copy of `size` bytes at `offset`, as far as it
/// reaches: magic, page-size field and (when `fix_checksum`) a correct XOR checksum.
fn plant_header(buf: &mut [u8], offset: usize, size: usize, fix_checksum: bool) {
    let mut put = |at: usize, v: u32| {
        if let Some(dst) = buf.get_mut(offset + at..offset + at + 4) {
            dst.copy_from_slice(&v.to_le_bytes());
        }
    };
    put(0x004, DB_MAGIC); // le_ulMagic
    put(0x0EC, size as u32); // le_cbPageSize
    if fix_checksum {
        if let Some(page) = buf.get(offset..offset + size) {
            let sum = xor32_legacy(page);
            buf[offset..offset + 4].copy_from_slice(&sum.to_le_bytes()); // le_ulChecksum
        }
    }
}

proptest! {
    // Integration tests have no lib.rs for proptest's default persistence to sit beside, so
    // name the file; failures land next to the unit tests' in crates/format/proptest-regressions/.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct("proptest-regressions/replay.txt"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_do_not_panic(
        mut bytes in proptest::collection::vec(any::<u8>(), 0..=70_000),
        plant in proptest::option::of((0..esehdr_format::PAGE_SIZES.len(), any::<bool>(), any::<bool>())),
    ) {
        if let Some((i, shadow, fix_checksum)) = plant {
            let size = esehdr_format::PAGE_SIZES[i] as usize;
            plant_header(&mut bytes, if shadow { size } else { 0 }, size, fix_checksum);
        }
        fuzz_db_header(&bytes);
        // sniff must also cope with a head shorter than the file.
        let _ = sniff(&bytes[..bytes.len().min(100)], bytes.len() as u64 + 1);
    }

    #[test]
    fn srum_with_one_byte_changed(change in proptest::option::of((0..8192usize, 1..=255u8))) {
        let mut buf = srum_head();
        if let Some((offset, xor)) = change {
            buf[offset] ^= xor;
        }
        let db = read_database_header(&buf).expect("a copy keeps its magic");
        serde_json::to_string(&db).expect("DatabaseHeader serialises to JSON");
        prop_assert_eq!(sniff(&buf, buf.len() as u64).kind, FileKind::Database);
        // Every change to one 4 KiB copy breaks its XOR checksum and leaves the other copy
        // valid (checked exhaustively for all 8192 x 255 changes when this test was written).
        prop_assert!(db.is_valid(), "{:#?}", db.findings);
        prop_assert_eq!(db.page_size, 4096);
        match change {
            None => {
                prop_assert_eq!(db.used, Some(Which::Primary));
                prop_assert!(db.identical);
                prop_assert!(db.findings.is_empty(), "{:#?}", db.findings);
            }
            Some((offset, _)) => {
                let expected = if offset < 4096 { Which::Shadow } else { Which::Primary };
                prop_assert_eq!(db.used, Some(expected));
                prop_assert!(!db.identical);
            }
        }
    }
}

proptest! {
    // The record walks run every writer over a whole log (a few hundred milliseconds each in a
    // debug build): fewer cases than above, the fuzz targets do the volume.
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct("proptest-regressions/replay-records.txt"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_records_after_a_real_v7_and_v8_header(
        bytes in proptest::collection::vec(any::<u8>(), 0..=8192),
    ) {
        for log in real_logs() {
            esehdr_format::fuzzing::records_after(log, &bytes);
        }
    }

    #[test]
    fn whole_real_logs_with_bytes_changed(
        which in 0..2usize,
        changes in proptest::collection::vec((any::<usize>(), 1..=255u8), 1..16),
        cut in proptest::option::of(any::<usize>()),
    ) {
        // Changes anywhere past the header checksum's reach are kept by the forged-verdict walk;
        // `cut` truncates the log (a record or fragment chain cut short).
        let mut log = real_logs()[which].clone();
        for (at, xor) in changes {
            let at = at % log.len();
            log[at] ^= xor;
        }
        if let Some(c) = cut {
            log.truncate(c % (log.len() + 1));
        }
        esehdr_format::fuzzing::records(&log);
    }
}
