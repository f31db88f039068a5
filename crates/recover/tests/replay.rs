//! No log makes the replay driver panic or hang, on the stable toolchain: every input committed
//! under `fuzz/artifacts/dry_run/` goes through the body of the `dry_run` fuzz target
//! (`esehdr_recover::fuzzing::replay_log`), and so do the real logs of `testdata/logs`, whole,
//! with bytes changed and cut short (a fixed pseudo-random sequence, so a failure reads the same
//! on every run).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn fuzz_artifacts_do_not_panic() {
    let dir = repo().join("fuzz/artifacts/dry_run");
    assert!(dir.is_dir(), "{} is missing", dir.display());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n != ".gitkeep") {
            esehdr_recover::fuzzing::replay_log(&std::fs::read(&path).unwrap());
        }
    }
}

#[test]
fn real_logs_whole_changed_and_cut_do_not_panic() {
    real_logs_changed_and_cut(
        0x9E37_79B9_7F4A_7C15,
        &["catroot2-server2003/edb0007E.log", "srum-server2022/SRU00001.log", "srum-win10/SRU.log"],
        40,
        esehdr_recover::fuzzing::replay_log,
    );
}

/// Every committed finding of the `redo` and `page_ops` targets, through their bodies.
#[test]
fn redo_and_page_ops_artifacts_do_not_panic() {
    for (target, body) in [
        ("redo", esehdr_recover::fuzzing::redo_log as fn(&[u8])),
        ("page_ops", esehdr_recover::fuzzing::page_ops as fn(&[u8])),
    ] {
        let dir = repo().join("fuzz/artifacts").join(target);
        assert!(dir.is_dir(), "{} is missing", dir.display());
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n != ".gitkeep") {
                body(&std::fs::read(&path).unwrap());
            }
        }
    }
}

/// Redo of the real logs, whole, with bytes changed and cut short, into the page-applying sink.
#[test]
fn redo_of_real_logs_changed_and_cut_does_not_panic() {
    real_logs_changed_and_cut(
        0x2545_F491_4F6C_DD1D,
        &["catroot2-server2003/edb0007E.log", "srum-server2022/SRU00001.log", "srum-server2022/SRU.log"],
        24,
        esehdr_recover::fuzzing::redo_log,
    );
}

/// Page operations on real pages and on random bytes (the `page_ops` body).
#[test]
fn page_ops_on_real_and_random_pages_do_not_panic() {
    let db = std::fs::read(repo().join("testdata/db/srum-server2022-clean.dat")).unwrap();
    let mut next = xorshift(0x1234_5678_9ABC_DEF1);
    for k in 2..db.len() / 4096 {
        let mut input = vec![1u8];
        input.extend_from_slice(&db[k * 4096..(k + 1) * 4096]);
        for _ in 0..200 {
            input.push(next() as u8);
        }
        esehdr_recover::fuzzing::page_ops(&input);
        let random: Vec<u8> = (0..4096 + 300).map(|_| next() as u8).collect();
        esehdr_recover::fuzzing::page_ops(&random);
    }
}

/// A fixed pseudo-random sequence (xorshift64), so a failure reads the same on every run.
fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// Feeds `body` the real logs `rels` of `testdata/logs`, whole, then `rounds` times with up to
/// eight bytes changed past the 4 KiB header (so the log still decodes and its records are
/// replayed) and, one time in four, cut short.
fn real_logs_changed_and_cut(seed: u64, rels: &[&str], rounds: usize, body: fn(&[u8])) {
    let mut next = xorshift(seed);
    for rel in rels {
        let log = std::fs::read(repo().join("testdata/logs").join(rel)).unwrap();
        body(&log);
        for _ in 0..rounds {
            let mut m = log.clone();
            for _ in 0..1 + next() % 8 {
                let at = 4096 + (next() as usize) % (m.len() - 4096);
                m[at] ^= 1 + (next() % 255) as u8;
            }
            if next() % 4 == 0 {
                m.truncate(4096 + (next() as usize) % (m.len() - 4096));
            }
            body(&m);
        }
    }
}
